//! Layer 3: deny/allow/ask patterns on tool names and argument rules.
//!
//! Order inside the layer: administrators pass when `admin_bypass`; a tool matching `allow`
//! skips the name checks (`deny`, `ask`) but not the argument rules; a `deny` name match
//! denies; then argument rules run (configured rules first, then the baseline pack): the first
//! matching `deny` rule denies; a matching `ask` rule (or an `ask` name pattern) makes the
//! layer ask unless a deny rule also matches.

use std::borrow::Cow;
use std::sync::OnceLock;

use async_trait::async_trait;
use regex::Regex;
use serde_json::Value;

use super::baseline::baseline_rules;
use super::secrets::one_line;
use super::TOOL_BLOCKLIST;
use crate::governance::config::{ArgumentRuleConfig, ConfigError, RuleAction, ToolBlocklistConfig};
use crate::governance::context::PolicyContext;
use crate::governance::glob::NameSet;
use crate::governance::json_path::JsonPath;
use crate::governance::policy::{GovernancePolicy, LayerVerdict};
use crate::governance::reason::{AskReason, DenyReason};

#[derive(Debug, Clone)]
struct ArgRule {
    id: String,
    pattern: Regex,
    action: RuleAction,
    description: String,
}

/// Consecutive rules sharing a tool pattern and path, with one combined regex so that a
/// value no rule matches costs one scan.
#[derive(Debug, Clone)]
struct RuleGroup {
    tool_source: String,
    tool: NameSet,
    path: JsonPath,
    combined: Option<Regex>,
    rules: Vec<ArgRule>,
    /// Also match the value with shell quoting and escaping undone
    /// ([`super::shell_text::normalized`]): the baseline pack's groups.
    normalize: bool,
}

impl RuleGroup {
    fn finish(&mut self) {
        if self.rules.len() > 1 {
            let alt: Vec<String> = self
                .rules
                .iter()
                .map(|r| format!("(?:{})", r.pattern.as_str()))
                .collect();
            self.combined = Regex::new(&alt.join("|")).ok();
        }
    }
}

fn push_rule(
    groups: &mut Vec<RuleGroup>,
    tool_source: &str,
    tool: NameSet,
    path: JsonPath,
    rule: ArgRule,
) {
    match groups.last_mut() {
        Some(g) if g.tool_source == tool_source && g.path == path => g.rules.push(rule),
        _ => {
            if let Some(g) = groups.last_mut() {
                g.finish();
            }
            groups.push(RuleGroup {
                tool_source: tool_source.to_owned(),
                tool,
                path,
                combined: None,
                rules: vec![rule],
                normalize: false,
            });
        }
    }
}

/// The `tool_blocklist` layer.
#[derive(Debug, Clone)]
pub struct ToolBlocklist {
    admin_bypass: bool,
    deny: NameSet,
    allow: NameSet,
    ask: NameSet,
    groups: Vec<RuleGroup>,
    baseline: Option<&'static [RuleGroup]>,
    /// The rules for the data directory in use (`ToolBlocklistConfig::protected`), matched
    /// as the baseline pack is.
    protected: Vec<RuleGroup>,
}

fn compiled_baseline() -> Result<&'static [RuleGroup], String> {
    static BASELINE: OnceLock<Result<Vec<RuleGroup>, String>> = OnceLock::new();
    BASELINE
        .get_or_init(|| {
            let mut groups = Vec::new();
            for r in baseline_rules() {
                let tool = NameSet::new(&[r.tool]).map_err(|(_, e)| format!("{}: {e}", r.id))?;
                let path = JsonPath::parse(r.path).map_err(|e| format!("{}: {e}", r.id))?;
                let pattern = Regex::new(r.pattern).map_err(|e| format!("{}: {e}", r.id))?;
                push_rule(
                    &mut groups,
                    r.tool,
                    tool,
                    path,
                    ArgRule {
                        id: r.id.to_owned(),
                        pattern,
                        action: r.action,
                        description: r.description.to_owned(),
                    },
                );
            }
            if let Some(g) = groups.last_mut() {
                g.finish();
            }
            for g in &mut groups {
                g.normalize = true;
            }
            Ok(groups)
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

fn name_set(key: &str, patterns: &[String]) -> Result<NameSet, ConfigError> {
    NameSet::new(patterns)
        .map_err(|(i, e)| ConfigError::new(format!("governance.tool_blocklist.{key}[{i}]"), e))
}

impl ToolBlocklist {
    /// Validates and compiles `[governance.tool_blocklist]`.
    pub fn from_config(config: &ToolBlocklistConfig) -> Result<Self, ConfigError> {
        let deny = name_set("deny", &config.deny)?;
        let allow = name_set("allow", &config.allow)?;
        let ask = name_set("ask", &config.ask)?;
        let groups = compile_rules(&config.argument_rules, "argument_rules")?;
        let protected = if config.baseline {
            let mut groups = compile_rules(&config.protected, "protected")?;
            for g in &mut groups {
                g.normalize = true;
            }
            groups
        } else {
            Vec::new()
        };
        let baseline = if config.baseline {
            Some(compiled_baseline().map_err(|e| {
                ConfigError::new(
                    "governance.tool_blocklist.baseline",
                    format!("built-in pack failed to compile: {e}"),
                )
            })?)
        } else {
            None
        };
        Ok(Self {
            admin_bypass: config.admin_bypass,
            deny,
            allow,
            ask,
            groups,
            baseline,
            protected,
        })
    }
}

/// Compiles `[[governance.tool_blocklist.<key>]]` into rule groups.
fn compile_rules(rules: &[ArgumentRuleConfig], key: &str) -> Result<Vec<RuleGroup>, ConfigError> {
    let mut groups = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let base = format!("governance.tool_blocklist.{key}[{i}]");
        let tool = NameSet::new(std::slice::from_ref(&r.tool))
            .map_err(|(_, e)| ConfigError::new(format!("{base}.tool"), e))?;
        let path =
            JsonPath::parse(&r.path).map_err(|e| ConfigError::new(format!("{base}.path"), e))?;
        let pattern = Regex::new(&r.pattern).map_err(|e| {
            ConfigError::new(
                format!("{base}.pattern"),
                format!("invalid regex: {}", one_line(&e.to_string())),
            )
        })?;
        let id = match &r.id {
            Some(id) if id.trim().is_empty() => {
                return Err(ConfigError::new(format!("{base}.id"), "must not be empty"))
            }
            Some(id) => id.clone(),
            None => format!("{key}[{i}]"),
        };
        if ids.contains(&id) {
            return Err(ConfigError::new(
                format!("{base}.id"),
                format!("duplicate rule id {id:?}"),
            ));
        }
        ids.push(id.clone());
        let description = r
            .reason
            .clone()
            .unwrap_or_else(|| format!("{} matches /{}/", r.path, r.pattern));
        push_rule(
            &mut groups,
            &r.tool,
            tool,
            path,
            ArgRule {
                id,
                pattern,
                action: r.action,
                description,
            },
        );
    }
    if let Some(g) = groups.last_mut() {
        g.finish();
    }
    Ok(groups)
}

/// The text a rule matches in a selected value: strings as they are, numbers and booleans by
/// their JSON text, arrays of strings joined with spaces (`["rm","-rf","/"]` → `rm -rf /`);
/// with `normalize`, also the text with shell quoting and escaping undone, when that differs.
fn value_texts(v: &Value, normalize: bool) -> Option<(Cow<'_, str>, Option<String>)> {
    let text: Cow<'_, str> = match v {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        Value::Number(n) => Cow::Owned(n.to_string()),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Value::Array(items) => {
            let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            if parts.is_empty() {
                return None;
            }
            Cow::Owned(parts.join(" "))
        }
        Value::Null | Value::Object(_) => return None,
    };
    let norm = match normalize.then(|| super::shell_text::normalized(&text)) {
        Some(Cow::Owned(n)) => Some(n),
        _ => None,
    };
    Some((text, norm))
}

/// Whether `re` matches the value's text or its normalized form.
fn texts_match(re: &Regex, (text, norm): &(Cow<'_, str>, Option<String>)) -> bool {
    re.is_match(text) || norm.as_deref().is_some_and(|n| re.is_match(n))
}

enum ArgHit<'a> {
    Deny(&'a ArgRule, &'a JsonPath),
    Ask(&'a ArgRule, &'a JsonPath),
}

/// Runs `groups` on the arguments; returns the first deny, else the first ask.
fn check_groups<'a>(groups: &'a [RuleGroup], tool: &str, args: &Value) -> Option<ArgHit<'a>> {
    let mut ask: Option<ArgHit<'a>> = None;
    for g in groups {
        if !g.tool.is_match(tool) {
            continue;
        }
        let mut deny: Option<&ArgRule> = None;
        g.path.find(args, &mut |v| {
            // Computed once per value: every rule of the group matches the same texts.
            let Some(texts) = value_texts(v, g.normalize) else {
                return false;
            };
            if let Some(c) = &g.combined {
                if !texts_match(c, &texts) {
                    return false;
                }
            }
            for r in &g.rules {
                if texts_match(&r.pattern, &texts) {
                    match r.action {
                        RuleAction::Deny => {
                            deny = Some(r);
                            return true;
                        }
                        RuleAction::Ask => {
                            if ask.is_none() {
                                ask = Some(ArgHit::Ask(r, &g.path));
                            }
                        }
                    }
                }
            }
            false
        });
        if let Some(r) = deny {
            return Some(ArgHit::Deny(r, &g.path));
        }
    }
    ask
}

#[async_trait]
impl GovernancePolicy for ToolBlocklist {
    fn id(&self) -> &str {
        TOOL_BLOCKLIST
    }

    async fn evaluate(&self, ctx: &PolicyContext, _now_ms: u64) -> LayerVerdict {
        let (Some(tool), Some(args)) = (ctx.tool(), ctx.arguments()) else {
            return LayerVerdict::allow("not a tool call");
        };
        if self.admin_bypass && ctx.principal.is_admin() {
            return LayerVerdict::allow("administrator (admin_bypass)");
        }
        let allowed_by = self.allow.first_match(tool);
        if allowed_by.is_none() {
            if let Some(p) = self.deny.first_match(tool) {
                return LayerVerdict::deny(DenyReason::ToolDenied {
                    tool: tool.to_owned(),
                    pattern: p.to_owned(),
                });
            }
        }
        let configured = check_groups(&self.groups, tool, args);
        let built_in = || match self.baseline.and_then(|b| check_groups(b, tool, args)) {
            Some(d @ ArgHit::Deny(..)) => Some(d),
            baseline_ask => match check_groups(&self.protected, tool, args) {
                Some(d @ ArgHit::Deny(..)) => Some(d),
                protected_ask => baseline_ask.or(protected_ask),
            },
        };
        let hit = match configured {
            Some(ArgHit::Deny(..)) => configured,
            other => match built_in() {
                Some(d @ ArgHit::Deny(..)) => Some(d),
                built_in_ask => other.or(built_in_ask),
            },
        };
        match hit {
            Some(ArgHit::Deny(r, path)) => {
                return LayerVerdict::deny(DenyReason::ArgumentDenied {
                    tool: tool.to_owned(),
                    rule_id: r.id.clone(),
                    path: path.as_str().to_owned(),
                    description: r.description.clone(),
                })
            }
            Some(ArgHit::Ask(r, path)) => {
                return LayerVerdict::ask(AskReason::ArgumentNeedsConfirmation {
                    tool: tool.to_owned(),
                    rule_id: r.id.clone(),
                    path: path.as_str().to_owned(),
                    description: r.description.clone(),
                })
            }
            None => {}
        }
        if allowed_by.is_none() {
            if let Some(p) = self.ask.first_match(tool) {
                return LayerVerdict::ask(AskReason::ToolNeedsConfirmation {
                    tool: tool.to_owned(),
                    pattern: p.to_owned(),
                });
            }
        }
        match allowed_by {
            Some(p) => LayerVerdict::allow(format!("tool allowed by pattern {p}")),
            None => LayerVerdict::allow("no rule matched"),
        }
    }
}
