//! The Claude Code hook wire format (see `shared/docs/claude-code-hooks.md`).
//!
//! [`HookInput::parse`] reads the JSON object Claude Code writes to the hook's stdin (or POSTs
//! to an HTTP hook); the `*_output` functions build the JSON to answer with. The mapping:
//!
//! | event | Warden does | answer |
//! |---|---|---|
//! | `PreToolUse` | governs the call (`tool_name`, `tool_input`, call id = `tool_use_id`) | deny → `permissionDecision: "deny"` + reason; ask → `"ask"`; redact → `updatedInput` with `"ask"` (or `"allow"` when `on_allow = "allow"`); allow → `{}` (no decision, Claude Code's own rules stay in force) or `"allow"` when `on_allow = "allow"` |
//! | `PostToolUse` | scans `tool_response` for secrets | secrets → `updatedToolOutput` (`updatedMCPToolOutput` for MCP tools) with them redacted, plus `decision: "block"` and a reason when the scan action is deny |
//! | `UserPromptSubmit` | scans `prompt` | secrets → `decision: "block"` + reason |
//! | anything else | nothing | `{}` |

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::governance::Decision;

/// The hook input could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    /// Not a JSON object of the expected shape.
    #[error("invalid Claude Code hook input: {0}")]
    Invalid(String),
    /// A required field for this event is missing.
    #[error("Claude Code hook input for {event} lacks `{field}`")]
    MissingField {
        /// Event name.
        event: String,
        /// Missing field.
        field: &'static str,
    },
    /// The outcome could not be recorded in the audit log, so it is not returned
    /// (fail closed: Claude Code treats the hook's failure as a block).
    #[error("cannot record the hook's decision: {0}")]
    AuditFailed(String),
}

/// The raw hook input (fields common to every event, and the per-event ones).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RawHookInput {
    /// Claude Code's session id.
    #[serde(default)]
    pub session_id: Option<String>,
    /// Path of the transcript file.
    #[serde(default)]
    pub transcript_path: Option<String>,
    /// Working directory.
    #[serde(default)]
    pub cwd: Option<String>,
    /// Event name (`PreToolUse`, `PostToolUse`, `UserPromptSubmit`, …).
    pub hook_event_name: String,
    /// Permission mode.
    #[serde(default)]
    pub permission_mode: Option<String>,
    /// Subagent id, inside a subagent.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Subagent type, inside a subagent.
    #[serde(default)]
    pub agent_type: Option<String>,
    /// Tool name (tool events).
    #[serde(default)]
    pub tool_name: Option<String>,
    /// Tool input (tool events).
    #[serde(default)]
    pub tool_input: Option<Value>,
    /// Tool use id (tool events).
    #[serde(default)]
    pub tool_use_id: Option<String>,
    /// Tool response (`PostToolUse`).
    #[serde(default)]
    pub tool_response: Option<Value>,
    /// The prompt (`UserPromptSubmit`).
    #[serde(default)]
    pub prompt: Option<String>,
}

/// A parsed hook event.
#[derive(Debug, Clone, PartialEq)]
pub enum HookEvent {
    /// Before a tool runs.
    PreToolUse {
        /// Tool name (`Bash`, `mcp__github__create_issue`, …).
        tool_name: String,
        /// Tool input object.
        tool_input: Value,
        /// Tool use id, when given.
        tool_use_id: Option<String>,
    },
    /// After a tool ran.
    PostToolUse {
        /// Tool name.
        tool_name: String,
        /// Tool input object.
        tool_input: Value,
        /// What the tool returned.
        tool_response: Value,
        /// Tool use id, when given.
        tool_use_id: Option<String>,
    },
    /// The user submitted a prompt.
    UserPromptSubmit {
        /// The prompt text.
        prompt: String,
    },
    /// An event Warden does not act on.
    Other(String),
}

/// A hook input: the common fields and the event.
#[derive(Debug, Clone, PartialEq)]
pub struct HookInput {
    /// Raw fields.
    pub raw: RawHookInput,
    /// The event.
    pub event: HookEvent,
}

impl HookInput {
    /// Parses the JSON Claude Code sends.
    pub fn parse(bytes: &[u8]) -> Result<HookInput, HookError> {
        // A lone surrogate escape (half an emoji, as JavaScript can write it) must not fail
        // the hook and so block the call: it reads as U+FFFD.
        let bytes = super::surrogates::replace_lone_surrogates(bytes);
        // An object, as Claude Code sends: serde would also fill the struct from an array.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(HookError::Invalid(
                "hook input must be a JSON object".into(),
            ));
        }
        let raw: RawHookInput =
            serde_json::from_slice(&bytes).map_err(|e| HookError::Invalid(e.to_string()))?;
        Self::from_raw(raw)
    }

    /// Interprets already-deserialized input.
    pub fn from_raw(raw: RawHookInput) -> Result<HookInput, HookError> {
        let missing = |field: &'static str| HookError::MissingField {
            event: raw.hook_event_name.clone(),
            field,
        };
        let event = match raw.hook_event_name.as_str() {
            "PreToolUse" => HookEvent::PreToolUse {
                tool_name: raw.tool_name.clone().ok_or_else(|| missing("tool_name"))?,
                tool_input: tool_input(&raw)?,
                tool_use_id: raw.tool_use_id.clone(),
            },
            "PostToolUse" => HookEvent::PostToolUse {
                tool_name: raw.tool_name.clone().ok_or_else(|| missing("tool_name"))?,
                tool_input: tool_input(&raw)?,
                tool_response: raw.tool_response.clone().unwrap_or(Value::Null),
                tool_use_id: raw.tool_use_id.clone(),
            },
            "UserPromptSubmit" => HookEvent::UserPromptSubmit {
                prompt: raw.prompt.clone().ok_or_else(|| missing("prompt"))?,
            },
            other => HookEvent::Other(other.to_owned()),
        };
        Ok(HookInput { raw, event })
    }
}

/// `tool_input`: an object, or `{}` when absent or `null`. Anything else is input Claude Code
/// does not send, refused rather than governed as if it had no arguments (fail closed).
fn tool_input(raw: &RawHookInput) -> Result<Value, HookError> {
    match &raw.tool_input {
        None | Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(v @ Value::Object(_)) => Ok(v.clone()),
        Some(_) => Err(HookError::Invalid(
            "tool_input must be a JSON object".to_owned(),
        )),
    }
}

/// What to answer for an allowed `PreToolUse` (`[hook] on_allow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnAllow {
    /// No decision: Claude Code's own permission rules stay in force (default).
    #[default]
    Defer,
    /// Answer `allow` (skips the permission prompt; settings' deny/ask rules still apply).
    Allow,
}

/// A governance verdict on a `PreToolUse` call, as the hook needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreToolVerdict {
    /// The decision.
    pub decision: Decision,
    /// Why (shown to Claude on deny, to the user on ask).
    pub reason: String,
    /// Redacted tool input, when the secret scan redacted rather than denied.
    pub redacted_input: Option<Value>,
}

/// The answer to a `PreToolUse` event.
pub fn pre_tool_use_output(verdict: &PreToolVerdict, on_allow: OnAllow) -> Value {
    let specific = |decision: &str, reason: &str, updated: Option<&Value>| {
        let mut o = json!({
            "hookEventName": "PreToolUse",
            "permissionDecision": decision,
            "permissionDecisionReason": reason,
        });
        if let (Some(u), Some(map)) = (updated, o.as_object_mut()) {
            map.insert("updatedInput".to_owned(), u.clone());
        }
        json!({ "hookSpecificOutput": o })
    };
    match verdict.decision {
        Decision::Deny => specific("deny", &format!("Warden: {}", verdict.reason), None),
        Decision::Ask => specific(
            "ask",
            &format!("Warden: {}", verdict.reason),
            verdict.redacted_input.as_ref(),
        ),
        Decision::Allow => match (&verdict.redacted_input, on_allow) {
            (Some(updated), OnAllow::Allow) => specific(
                "allow",
                "Warden: secrets in the tool input were redacted",
                Some(updated),
            ),
            (Some(updated), OnAllow::Defer) => specific(
                "ask",
                "Warden: secrets in the tool input were redacted; review the input",
                Some(updated),
            ),
            (None, OnAllow::Allow) => specific("allow", "Warden: allowed by policy", None),
            (None, OnAllow::Defer) => json!({}),
        },
    }
}

/// The result of scanning a tool response or a prompt.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContentScan {
    /// Rule ids that fired (no secret values).
    pub rule_ids: Vec<String>,
    /// True when the configured action for these findings is deny (block).
    pub block: bool,
    /// The content with secrets redacted, when anything was found.
    pub redacted: Option<Value>,
}

fn summary(rule_ids: &[String]) -> String {
    let mut ids: Vec<&str> = rule_ids.iter().map(String::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join(", ")
}

/// The answer to a `PostToolUse` event.
pub fn post_tool_use_output(tool_name: &str, scan: &ContentScan) -> Value {
    if scan.rule_ids.is_empty() {
        return json!({});
    }
    let reason = format!(
        "Warden: the output of {tool_name} contained secrets ({}); they were removed from what the model sees",
        summary(&scan.rule_ids)
    );
    let mut specific = Map::new();
    specific.insert("hookEventName".to_owned(), json!("PostToolUse"));
    specific.insert("additionalContext".to_owned(), json!(reason));
    if let Some(redacted) = &scan.redacted {
        let key = if tool_name.starts_with("mcp__") {
            "updatedMCPToolOutput"
        } else {
            "updatedToolOutput"
        };
        specific.insert(key.to_owned(), redacted.clone());
    }
    let mut out = Map::new();
    if scan.block {
        out.insert("decision".to_owned(), json!("block"));
        out.insert("reason".to_owned(), json!(reason));
    }
    out.insert("hookSpecificOutput".to_owned(), Value::Object(specific));
    Value::Object(out)
}

/// The answer to a `UserPromptSubmit` event.
pub fn user_prompt_output(verdict: &PreToolVerdict) -> Value {
    match verdict.decision {
        Decision::Allow => json!({}),
        Decision::Deny | Decision::Ask => json!({
            "decision": "block",
            "reason": format!("Warden: {}", verdict.reason),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(decision: Decision, redacted: Option<Value>) -> PreToolVerdict {
        PreToolVerdict {
            decision,
            reason: "because".into(),
            redacted_input: redacted,
        }
    }

    #[test]
    fn parses_a_pre_tool_use_payload() {
        let input = HookInput::parse(
            br#"{"session_id":"abc123","transcript_path":"/t.jsonl","cwd":"/p","permission_mode":"default",
                "hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"toolu_01"}"#,
        )
        .unwrap();
        assert_eq!(
            input.event,
            HookEvent::PreToolUse {
                tool_name: "Bash".into(),
                tool_input: json!({"command":"ls"}),
                tool_use_id: Some("toolu_01".into())
            }
        );
        assert_eq!(input.raw.session_id.as_deref(), Some("abc123"));
    }

    #[test]
    fn missing_tool_name_is_an_error() {
        let e = HookInput::parse(br#"{"hook_event_name":"PreToolUse"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Claude Code hook input for PreToolUse lacks `tool_name`"
        );
    }

    #[test]
    fn tool_input_must_be_an_object_when_present() {
        for event in ["PreToolUse", "PostToolUse"] {
            for input in [r#""rm -rf /""#, r#"["rm -rf /"]"#, "1", "true"] {
                let text = format!(
                    r#"{{"hook_event_name":"{event}","tool_name":"Bash","tool_input":{input}}}"#
                );
                assert!(
                    matches!(
                        HookInput::parse(text.as_bytes()),
                        Err(HookError::Invalid(_))
                    ),
                    "{text}"
                );
            }
            for input in ["null", "{}"] {
                let text = format!(
                    r#"{{"hook_event_name":"{event}","tool_name":"Bash","tool_input":{input}}}"#
                );
                assert!(HookInput::parse(text.as_bytes()).is_ok(), "{text}");
            }
        }
    }

    #[test]
    fn malformed_json_is_an_error() {
        assert!(matches!(
            HookInput::parse(b"{not json"),
            Err(HookError::Invalid(_))
        ));
        assert!(matches!(
            HookInput::parse(b"[]"),
            Err(HookError::Invalid(_))
        ));
    }

    #[test]
    fn unknown_events_are_other() {
        let i = HookInput::parse(br#"{"hook_event_name":"Stop"}"#).unwrap();
        assert_eq!(i.event, HookEvent::Other("Stop".into()));
    }

    #[test]
    fn deny_carries_permission_decision_and_reason() {
        let out = pre_tool_use_output(&verdict(Decision::Deny, None), OnAllow::Defer);
        assert_eq!(out["hookSpecificOutput"]["hookEventName"], "PreToolUse");
        assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny");
        assert_eq!(
            out["hookSpecificOutput"]["permissionDecisionReason"],
            "Warden: because"
        );
    }

    #[test]
    fn allow_gives_no_decision_by_default_and_allow_on_request() {
        assert_eq!(
            pre_tool_use_output(&verdict(Decision::Allow, None), OnAllow::Defer),
            json!({})
        );
        let out = pre_tool_use_output(&verdict(Decision::Allow, None), OnAllow::Allow);
        assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "allow");
    }

    #[test]
    fn ask_is_passed_through() {
        let out = pre_tool_use_output(&verdict(Decision::Ask, None), OnAllow::Allow);
        assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "ask");
    }

    #[test]
    fn redaction_becomes_updated_input() {
        let out = pre_tool_use_output(
            &verdict(Decision::Allow, Some(json!({"content":"[REDACTED]"}))),
            OnAllow::Defer,
        );
        assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "ask");
        assert_eq!(
            out["hookSpecificOutput"]["updatedInput"]["content"],
            "[REDACTED]"
        );
        let out = pre_tool_use_output(
            &verdict(Decision::Allow, Some(json!({"content":"[REDACTED]"}))),
            OnAllow::Allow,
        );
        assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "allow");
    }

    #[test]
    fn post_tool_use_redacts_and_blocks() {
        let scan = ContentScan {
            rule_ids: vec!["github-pat".into()],
            block: true,
            redacted: Some(json!("token [REDACTED]")),
        };
        let out = post_tool_use_output("Bash", &scan);
        assert_eq!(out["decision"], "block");
        assert_eq!(
            out["hookSpecificOutput"]["updatedToolOutput"],
            "token [REDACTED]"
        );
        let out = post_tool_use_output(
            "mcp__gh__get",
            &ContentScan {
                block: false,
                ..scan
            },
        );
        assert!(out.get("decision").is_none());
        assert_eq!(
            out["hookSpecificOutput"]["updatedMCPToolOutput"],
            "token [REDACTED]"
        );
        assert_eq!(
            post_tool_use_output("Bash", &ContentScan::default()),
            json!({})
        );
    }

    #[test]
    fn prompt_with_secret_is_blocked() {
        assert_eq!(
            user_prompt_output(&verdict(Decision::Deny, None))["decision"],
            "block"
        );
        assert_eq!(
            user_prompt_output(&verdict(Decision::Allow, None)),
            json!({})
        );
    }
}
