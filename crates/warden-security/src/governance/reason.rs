//! Typed reasons for decisions. Each has a stable machine code (`code()`) and a sentence for
//! people (`Display`). No reason ever carries a secret value: secret findings are named by
//! rule id and JSON path only.

use std::fmt;

/// Which principal/tool combination a rate limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKey {
    /// One counter per principal (user id + session id).
    Principal,
    /// One counter per tool name, shared by every caller.
    Tool,
    /// One counter per principal and tool.
    PrincipalTool,
}

impl LimitKey {
    /// The wire name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            LimitKey::Principal => "principal",
            LimitKey::Tool => "tool",
            LimitKey::PrincipalTool => "principal_tool",
        }
    }
}

impl fmt::Display for LimitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKey::Principal => "per principal",
            LimitKey::Tool => "per tool",
            LimitKey::PrincipalTool => "per principal and tool",
        })
    }
}

/// Why a call was denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenyReason {
    /// The secret scanner found a secret whose rule asks for denial.
    SecretFound {
        /// Rule id of the first denying finding.
        rule_id: String,
        /// JSON path of that finding (`$` for prompt text).
        path: String,
        /// Number of findings in total.
        count: usize,
    },
    /// Secrets were found in a prompt with a `redact` rule: a prompt cannot be rewritten.
    PromptNotRedactable {
        /// Rule id of the first finding.
        rule_id: String,
        /// Number of findings.
        count: usize,
    },
    /// A scope rule maps the tool and the caller holds none of its scopes.
    MissingScope {
        /// The tool.
        tool: String,
        /// The rule's glob that matched the tool.
        pattern: String,
        /// The scopes of which the caller needs one.
        required: Vec<String>,
    },
    /// No scope rule maps the tool and `scope_check.default = "deny"`.
    UnmappedTool {
        /// The tool.
        tool: String,
    },
    /// The tool name matches a `deny` pattern (and no `allow` pattern).
    ToolDenied {
        /// The tool.
        tool: String,
        /// The deny pattern as written.
        pattern: String,
    },
    /// An argument rule matched.
    ArgumentDenied {
        /// The tool.
        tool: String,
        /// Rule id (`argument_rules[i]` or the rule's `id`; `baseline.*` for the baseline pack).
        rule_id: String,
        /// The rule's dotted path.
        path: String,
        /// What the rule guards against.
        description: String,
    },
    /// A rate limit is exhausted.
    RateLimited {
        /// What the limit counts.
        key: LimitKey,
        /// Calls allowed per window.
        limit: u64,
        /// Window length in seconds.
        window_secs: u64,
        /// When the window has room again.
        retry_after_ms: u64,
    },
    /// The counter store failed: the call is denied rather than let through uncounted.
    CountersUnavailable {
        /// The store's error.
        message: String,
    },
    /// The secret scan stopped at one of its bounds (findings, scanned bytes, nesting)
    /// before it had seen every argument: what it did not see cannot be allowed.
    ScanIncomplete {
        /// Which bound, for people.
        why: String,
    },
    /// The arguments (or prompt) exceed `governance.max_argument_bytes`.
    ArgumentsTooLarge {
        /// The limit.
        max_bytes: usize,
    },
    /// The arguments nest deeper than `governance.max_argument_depth`.
    ArgumentsTooDeep {
        /// The limit.
        max_depth: usize,
    },
    /// The arguments are not a JSON object (nor absent): argument rules match named fields,
    /// so a string or array of arguments would pass them unseen.
    ArgumentsNotAnObject {
        /// The JSON type found (`string`, `array`, `number`, `boolean`).
        found: &'static str,
    },
    /// The audit record could not be written: the decision is not returned unaudited.
    AuditFailed {
        /// The sink's error.
        message: String,
    },
    /// A custom layer's reason.
    Custom {
        /// Stable code.
        code: String,
        /// Sentence for people.
        message: String,
    },
}

impl DenyReason {
    /// Stable machine code.
    pub fn code(&self) -> &str {
        match self {
            DenyReason::SecretFound { .. } => "secret_found",
            DenyReason::PromptNotRedactable { .. } => "secret_found",
            DenyReason::MissingScope { .. } => "missing_scope",
            DenyReason::UnmappedTool { .. } => "unmapped_tool",
            DenyReason::ToolDenied { .. } => "tool_denied",
            DenyReason::ArgumentDenied { .. } => "argument_denied",
            DenyReason::RateLimited { .. } => "rate_limited",
            DenyReason::CountersUnavailable { .. } => "counters_unavailable",
            DenyReason::ScanIncomplete { .. } => "secret_scan_incomplete",
            DenyReason::ArgumentsTooLarge { .. } => "arguments_too_large",
            DenyReason::ArgumentsTooDeep { .. } => "arguments_too_deep",
            DenyReason::ArgumentsNotAnObject { .. } => "arguments_not_an_object",
            DenyReason::AuditFailed { .. } => "audit_failed",
            DenyReason::Custom { code, .. } => code,
        }
    }
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DenyReason::SecretFound {
                rule_id,
                path,
                count,
            } => {
                write!(f, "secret detected by rule {rule_id} at {path}")?;
                if *count > 1 {
                    write!(f, " ({count} findings)")?;
                }
                Ok(())
            }
            DenyReason::PromptNotRedactable { rule_id, count } => write!(
                f,
                "secret detected in prompt by rule {rule_id} ({count} finding(s)); a prompt cannot be redacted, so it is blocked"
            ),
            DenyReason::MissingScope {
                tool,
                pattern,
                required,
            } => write!(
                f,
                "tool {tool} requires one of the scopes [{}] (scope rule {pattern})",
                required.join(", ")
            ),
            DenyReason::UnmappedTool { tool } => write!(
                f,
                "tool {tool} is not mapped by any scope rule and scope_check.default is \"deny\""
            ),
            DenyReason::ToolDenied { tool, pattern } => {
                write!(f, "tool {tool} matches deny pattern {pattern}")
            }
            DenyReason::ArgumentDenied {
                tool,
                rule_id,
                path,
                description,
            } => write!(
                f,
                "argument {path} of {tool} matches rule {rule_id}: {description}"
            ),
            DenyReason::RateLimited {
                key,
                limit,
                window_secs,
                retry_after_ms,
            } => write!(
                f,
                "rate limit exceeded: {limit} calls per {window_secs} s {key}; retry after {retry_after_ms} ms"
            ),
            DenyReason::CountersUnavailable { message } => write!(
                f,
                "rate limit counters unavailable, failing closed: {message}"
            ),
            DenyReason::ScanIncomplete { why } => write!(
                f,
                "secret scan incomplete, failing closed: {why}"
            ),
            DenyReason::ArgumentsTooLarge { max_bytes } => write!(
                f,
                "arguments too large: more than {max_bytes} bytes (governance.max_argument_bytes)"
            ),
            DenyReason::ArgumentsTooDeep { max_depth } => write!(
                f,
                "arguments nested too deeply: more than {max_depth} levels (governance.max_argument_depth)"
            ),
            DenyReason::ArgumentsNotAnObject { found } => write!(
                f,
                "tool arguments must be a JSON object, not a {found}"
            ),
            DenyReason::AuditFailed { message } => write!(
                f,
                "audit record could not be written, failing closed: {message}"
            ),
            DenyReason::Custom { message, .. } => f.write_str(message),
        }
    }
}

/// Why a call needs a person's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AskReason {
    /// The tool name matches an `ask` pattern.
    ToolNeedsConfirmation {
        /// The tool.
        tool: String,
        /// The ask pattern as written.
        pattern: String,
    },
    /// An argument rule with `action = "ask"` matched.
    ArgumentNeedsConfirmation {
        /// The tool.
        tool: String,
        /// Rule id.
        rule_id: String,
        /// The rule's dotted path.
        path: String,
        /// What the rule guards against.
        description: String,
    },
    /// A custom layer's reason.
    Custom {
        /// Stable code.
        code: String,
        /// Sentence for people.
        message: String,
    },
}

impl AskReason {
    /// Stable machine code.
    pub fn code(&self) -> &str {
        match self {
            AskReason::ToolNeedsConfirmation { .. } => "tool_needs_confirmation",
            AskReason::ArgumentNeedsConfirmation { .. } => "argument_needs_confirmation",
            AskReason::Custom { code, .. } => code,
        }
    }
}

impl fmt::Display for AskReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AskReason::ToolNeedsConfirmation { tool, pattern } => write!(
                f,
                "tool {tool} needs confirmation (ask pattern {pattern})"
            ),
            AskReason::ArgumentNeedsConfirmation {
                tool,
                rule_id,
                path,
                description,
            } => write!(
                f,
                "argument {path} of {tool} matches rule {rule_id} and needs confirmation: {description}"
            ),
            AskReason::Custom { message, .. } => f.write_str(message),
        }
    }
}

/// Why the engine decided what it decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Every enabled layer allowed.
    Allowed,
    /// Allowed after the secret scanner redacted `count` findings from the arguments.
    AllowedRedacted {
        /// Number of redacted findings.
        count: usize,
    },
    /// Allowed because the deciding layer runs in shadow mode.
    Shadow {
        /// The first layer that would have denied or asked.
        policy: String,
        /// What it would have decided and why.
        would: String,
    },
    /// `governance.enabled = false`: nothing was evaluated.
    Disabled,
    /// Denied.
    Deny(DenyReason),
    /// A person must confirm.
    Ask(AskReason),
}

impl Reason {
    /// Stable machine code.
    pub fn code(&self) -> &str {
        match self {
            Reason::Allowed => "allowed",
            Reason::AllowedRedacted { .. } => "redacted",
            Reason::Shadow { .. } => "shadow",
            Reason::Disabled => "governance_disabled",
            Reason::Deny(d) => d.code(),
            Reason::Ask(a) => a.code(),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Allowed => f.write_str("allowed by every layer"),
            Reason::AllowedRedacted { count } => {
                write!(
                    f,
                    "allowed after redacting {count} secret(s) from the arguments"
                )
            }
            Reason::Shadow { policy, would } => {
                write!(
                    f,
                    "allowed (shadow mode): {policy} would have decided: {would}"
                )
            }
            Reason::Disabled => f.write_str("governance is disabled (governance.enabled = false)"),
            Reason::Deny(d) => d.fmt(f),
            Reason::Ask(a) => a.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limited_reason_names_limit_window_and_retry() {
        let r = DenyReason::RateLimited {
            key: LimitKey::Principal,
            limit: 300,
            window_secs: 60,
            retry_after_ms: 1500,
        };
        assert_eq!(
            r.to_string(),
            "rate limit exceeded: 300 calls per 60 s per principal; retry after 1500 ms"
        );
        assert_eq!(r.code(), "rate_limited");
    }

    #[test]
    fn secret_reason_names_rule_and_path_only() {
        let r = DenyReason::SecretFound {
            rule_id: "aws-access-key-id".into(),
            path: "$.command".into(),
            count: 2,
        };
        assert_eq!(
            r.to_string(),
            "secret detected by rule aws-access-key-id at $.command (2 findings)"
        );
    }

    #[test]
    fn reason_codes_are_stable() {
        assert_eq!(Reason::Allowed.code(), "allowed");
        assert_eq!(Reason::Disabled.code(), "governance_disabled");
        assert_eq!(
            Reason::Deny(DenyReason::AuditFailed {
                message: "x".into()
            })
            .code(),
            "audit_failed"
        );
        assert_eq!(
            Reason::Ask(AskReason::ToolNeedsConfirmation {
                tool: "t".into(),
                pattern: "p".into()
            })
            .code(),
            "tool_needs_confirmation"
        );
    }
}
