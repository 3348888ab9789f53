//! Claude Code hooks evaluated by Warden: shared by `POST /v1/hooks/claude-code` and the
//! in-process `warden hook claude-code`.

use serde::Deserialize;
use serde_json::Value;
use warden_security::audit::AuditSink;
use warden_security::governance::secret_scan::{ScanAction, SecretScanner};
use warden_security::governance::{GovernanceEngine, PolicyContext, Principal};
use warden_security::hooks::claude_code::{
    post_tool_use_output, pre_tool_use_output, user_prompt_output, ContentScan, HookError,
    HookEvent, HookInput, OnAllow, PreToolVerdict,
};
use warden_types::TraceId;

/// `[hook]` configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HookConfig {
    /// What an allowed `PreToolUse` answers: `"defer"` (default: no decision) or `"allow"`.
    pub on_allow: OnAllow,
    /// In-process principal: user id (default: the OS user, `$USER`).
    pub user_id: Option<String>,
    /// In-process principal: scopes (default `["user"]`).
    pub scopes: Option<Vec<String>>,
}

/// What the hook needs to decide.
pub struct HookContext<'a> {
    /// The governance engine.
    pub engine: &'a GovernanceEngine,
    /// Where decisions are audited.
    pub sink: &'a dyn AuditSink,
    /// Scanner for tool responses.
    pub scanner: &'a SecretScanner,
    /// `[hook] on_allow`.
    pub on_allow: OnAllow,
}

/// Decides one hook input for `principal` and returns Claude Code's output JSON.
pub async fn handle_claude_code(
    cx: &HookContext<'_>,
    input: &HookInput,
    principal: Principal,
    trace_id: TraceId,
) -> Result<Value, HookError> {
    let principal = match &input.raw.agent_type {
        Some(agent) => principal.with_agent_id(format!("claude-code/{agent}")),
        None => principal.with_agent_id("claude-code"),
    };
    match &input.event {
        HookEvent::PreToolUse {
            tool_name,
            tool_input,
            tool_use_id,
        } => {
            let ctx = PolicyContext::tool_call(tool_name.clone(), tool_input.clone(), principal)
                .with_call_id(tool_use_id.clone())
                .with_trace_id(trace_id);
            let eval = cx.engine.evaluate_and_audit(&ctx, cx.sink, "hook").await;
            let verdict = PreToolVerdict {
                decision: eval.decision,
                reason: eval.reason.to_string(),
                redacted_input: eval.redacted_arguments.clone(),
            };
            Ok(pre_tool_use_output(&verdict, cx.on_allow))
        }
        HookEvent::UserPromptSubmit { prompt } => {
            let ctx = PolicyContext::prompt(prompt.clone(), principal).with_trace_id(trace_id);
            let eval = cx.engine.evaluate_and_audit(&ctx, cx.sink, "hook").await;
            let verdict = PreToolVerdict {
                decision: eval.decision,
                reason: eval.reason.to_string(),
                redacted_input: None,
            };
            Ok(user_prompt_output(&verdict))
        }
        HookEvent::PostToolUse {
            tool_name,
            tool_response,
            ..
        } => {
            let scan = cx.scanner.scan_json(tool_response);
            let content = ContentScan {
                rule_ids: scan.findings.iter().map(|f| f.rule_id.clone()).collect(),
                block: scan.findings.iter().any(|f| f.action == ScanAction::Deny),
                redacted: scan.redacted.clone().or_else(|| {
                    (!scan.findings.is_empty()).then(|| redact_all(tool_response, cx.scanner))
                }),
            };
            Ok(post_tool_use_output(tool_name, &content))
        }
        HookEvent::Other(_) => Ok(serde_json::json!({})),
    }
}

/// A copy of `value` with every finding replaced, whatever the rule's action (a tool response
/// that reaches the model must not carry the secret even when the policy is "deny").
pub fn redact_all(value: &Value, scanner: &SecretScanner) -> Value {
    match value {
        Value::String(s) => {
            let mut findings = scanner.scan_text(s);
            if findings.is_empty() {
                return value.clone();
            }
            findings.sort_by_key(|f| std::cmp::Reverse(f.start));
            let mut out = s.clone();
            for f in findings {
                if f.end <= out.len()
                    && out.is_char_boundary(f.start)
                    && out.is_char_boundary(f.end)
                {
                    out.replace_range(f.start..f.end, &format!("[REDACTED:{}]", f.rule_id));
                }
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| redact_all(v, scanner)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact_all(v, scanner)))
                .collect(),
        ),
        other => other.clone(),
    }
}
