//! Layer 2: tools map to required scopes.
//!
//! Every rule whose `tools` patterns match the tool must be satisfied: the caller holds at
//! least one of the rule's `scopes` (a scope naming a permission is also satisfied by a
//! higher permission, e.g. `user` satisfies `mcp`). Administrators always pass. A tool that
//! no rule maps follows `default`.

use async_trait::async_trait;

use super::SCOPE_CHECK;
use crate::governance::config::{ConfigError, ScopeCheckConfig, UnmappedDefault};
use crate::governance::context::PolicyContext;
use crate::governance::glob::NameSet;
use crate::governance::policy::{GovernancePolicy, LayerVerdict};
use crate::governance::reason::DenyReason;

#[derive(Debug, Clone)]
struct Rule {
    tools: NameSet,
    scopes: Vec<String>,
}

/// The `scope_check` layer.
#[derive(Debug, Clone)]
pub struct ScopeCheck {
    rules: Vec<Rule>,
    default: UnmappedDefault,
}

impl ScopeCheck {
    /// Validates and compiles `[governance.scope_check]`.
    pub fn from_config(config: &ScopeCheckConfig) -> Result<Self, ConfigError> {
        let mut rules = Vec::with_capacity(config.rules.len());
        for (i, r) in config.rules.iter().enumerate() {
            let base = format!("governance.scope_check.rules[{i}]");
            if r.tools.is_empty() {
                return Err(ConfigError::new(
                    format!("{base}.tools"),
                    "must list at least one tool pattern",
                ));
            }
            let tools = NameSet::new(&r.tools)
                .map_err(|(j, e)| ConfigError::new(format!("{base}.tools[{j}]"), e))?;
            if r.scopes.is_empty() {
                return Err(ConfigError::new(
                    format!("{base}.scopes"),
                    "must list at least one scope",
                ));
            }
            for (j, s) in r.scopes.iter().enumerate() {
                if s.is_empty() || s.chars().any(char::is_whitespace) {
                    return Err(ConfigError::new(
                        format!("{base}.scopes[{j}]"),
                        format!("{s:?} is not a scope word (empty or contains whitespace)"),
                    ));
                }
            }
            rules.push(Rule {
                tools,
                scopes: r.scopes.clone(),
            });
        }
        Ok(Self {
            rules,
            default: config.default,
        })
    }
}

#[async_trait]
impl GovernancePolicy for ScopeCheck {
    fn id(&self) -> &str {
        SCOPE_CHECK
    }

    async fn evaluate(&self, ctx: &PolicyContext, _now_ms: u64) -> LayerVerdict {
        let Some(tool) = ctx.tool() else {
            return LayerVerdict::allow("not a tool call");
        };
        if ctx.principal.is_admin() {
            return LayerVerdict::allow("administrator");
        }
        let mut granted: Option<(&str, &str)> = None;
        for rule in &self.rules {
            let Some(pattern) = rule.tools.first_match(tool) else {
                continue;
            };
            match rule.scopes.iter().find(|s| ctx.principal.has_scope(s)) {
                Some(s) => {
                    granted.get_or_insert((s.as_str(), pattern));
                }
                None => {
                    return LayerVerdict::deny(DenyReason::MissingScope {
                        tool: tool.to_owned(),
                        pattern: pattern.to_owned(),
                        required: rule.scopes.clone(),
                    })
                }
            }
        }
        match (granted, self.default) {
            (Some((scope, pattern)), _) => {
                LayerVerdict::allow(format!("scope {scope} satisfies rule {pattern}"))
            }
            (None, UnmappedDefault::Allow) => {
                LayerVerdict::allow("no rule maps this tool; default allow")
            }
            (None, UnmappedDefault::Deny) => LayerVerdict::deny(DenyReason::UnmappedTool {
                tool: tool.to_owned(),
            }),
        }
    }
}
