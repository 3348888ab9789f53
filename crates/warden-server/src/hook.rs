//! Claude Code hooks evaluated by Warden: shared by `POST /v1/hooks/claude-code` and the
//! in-process `warden hook claude-code`.

use serde::Deserialize;
use serde_json::Value;
use warden_security::audit::{AuditRecord, AuditSink, FindingRecord};
use warden_security::governance::secret_scan::{ScanAction, SecretScanner};
use warden_security::governance::{Decision, GovernanceEngine, PolicyContext, Principal};
use warden_security::hooks::claude_code::{
    post_tool_use_output, pre_tool_use_output, user_prompt_output, ContentScan, HookError,
    HookEvent, HookInput, OnAllow, PreToolVerdict,
};
use warden_types::TraceId;

use crate::redact::{redact_fully, scan_outgoing, WITHHELD_RESULT};

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
    /// Where decisions are counted (`warden serve`; `None` in process).
    pub metrics: Option<&'a crate::metrics::Metrics>,
}

impl HookContext<'_> {
    /// Evaluates and audits `ctx` (source `hook`) and counts the decision.
    async fn decide(&self, ctx: &PolicyContext) -> warden_security::governance::Evaluation {
        let started = std::time::Instant::now();
        let eval = self.engine.evaluate_and_audit(ctx, self.sink, "hook").await;
        if let Some(m) = self.metrics {
            m.record_decision(
                eval.policy.as_deref(),
                eval.decision.as_str(),
                "hook",
                started.elapsed().as_secs_f64(),
            );
        }
        eval
    }
}

/// The audit record of a `PostToolUse` output that held secrets: `deny` when the output is
/// blocked, else `allow` (it reaches the model redacted), policy `secret_scan`, the findings
/// (rule, path, masked preview; never a value).
fn output_record(
    principal: &Principal,
    tool_name: &str,
    call_id: Option<String>,
    trace_id: TraceId,
    findings: &[warden_security::governance::secret_scan::Finding],
    block: bool,
) -> AuditRecord {
    AuditRecord {
        id: AuditRecord::new_id(),
        time_ms: i64::try_from(warden_security::time::now_millis()).unwrap_or(i64::MAX),
        call_id,
        trace_id: trace_id.as_str().to_owned(),
        user_id: principal.user_id.as_str().to_owned(),
        session_id: principal.session_id.as_str().to_owned(),
        agent_id: principal.agent_id.as_ref().map(|a| a.as_str().to_owned()),
        target: tool_name.to_owned(),
        decision: if block {
            Decision::Deny
        } else {
            Decision::Allow
        },
        policy: Some("secret_scan".to_owned()),
        reason: if block {
            "secrets in the tool output: the output is blocked".to_owned()
        } else {
            "secrets in the tool output were redacted before reaching the model".to_owned()
        },
        chain: Vec::new(),
        findings: findings.iter().map(FindingRecord::from).collect(),
        source: "hook".to_owned(),
    }
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
            let eval = cx.decide(&ctx).await;
            let verdict = PreToolVerdict {
                decision: eval.decision,
                reason: eval.reason.to_string(),
                redacted_input: eval.redacted_arguments.clone(),
            };
            Ok(pre_tool_use_output(&verdict, cx.on_allow))
        }
        HookEvent::UserPromptSubmit { prompt } => {
            let ctx = PolicyContext::prompt(prompt.clone(), principal).with_trace_id(trace_id);
            let eval = cx.decide(&ctx).await;
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
            tool_use_id,
            ..
        } => {
            let scan = scan_outgoing(cx.scanner, tool_response);
            let mut block = scan.findings.iter().any(|f| f.action == ScanAction::Deny);
            // Whatever the rules' actions, the output that reaches the model must carry no
            // secret: redacted span by span, then whole strings; withheld (and blocked) when
            // even that leaves something the scanner finds, or the scan could not cover it.
            let covered = scan.limit_exceeded.is_none();
            let redacted = (!scan.findings.is_empty() || !covered).then(|| {
                redact_fully(tool_response, cx.scanner).unwrap_or_else(|| {
                    block = true;
                    Value::String(WITHHELD_RESULT.to_owned())
                })
            });
            let mut rule_ids: Vec<String> =
                scan.findings.iter().map(|f| f.rule_id.clone()).collect();
            if !covered && rule_ids.is_empty() {
                rule_ids.push("scan_limit".to_owned());
            }
            if !scan.findings.is_empty() || !covered {
                // What reached the hook is a decision about the output: block or redact.
                let record = output_record(
                    &principal,
                    tool_name,
                    tool_use_id.clone(),
                    trace_id,
                    &scan.findings,
                    block,
                );
                cx.sink
                    .append(record)
                    .await
                    .map_err(|e| HookError::AuditFailed(e.to_string()))?;
            }
            let content = ContentScan {
                rule_ids,
                block,
                redacted,
            };
            Ok(post_tool_use_output(tool_name, &content))
        }
        HookEvent::Other(_) => Ok(serde_json::json!({})),
    }
}

/// The OS user running this process: `$USER`, `$LOGNAME`, `$USERNAME`, else `uid-<n>` (Linux).
pub fn os_user() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
        .or_else(os_uid)
}

#[cfg(target_os = "linux")]
fn os_uid() -> Option<String> {
    Some(format!("uid-{}", rustix::process::getuid().as_raw()))
}

#[cfg(not(target_os = "linux"))]
fn os_uid() -> Option<String> {
    None
}

/// The in-process principal of `[hook]`: user id from the config (when not empty), else the
/// OS user (`$USER`, `$LOGNAME`, `$USERNAME`, else `uid-<n>` from the process's real uid on
/// Linux), else `unknown`; scopes from the config, else `user`; the session is Claude Code's
/// session id.
pub fn in_process_principal(config: &HookConfig, input: &HookInput) -> Principal {
    let user = config
        .user_id
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or_else(os_user)
        .unwrap_or_else(|| "unknown".to_owned());
    let scopes = warden_types::Scopes::from_words(
        config
            .scopes
            .clone()
            .unwrap_or_else(|| vec!["user".to_owned()]),
    );
    let session = input
        .raw
        .session_id
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "claude-code".to_owned());
    Principal::new(user, session, scopes)
}

/// Evaluates one hook input in this process, with the audit log and counters of `data_dir`
/// (created on first use). Every error is returned (the CLI exits 2: fail closed).
pub async fn run_in_process(
    config: &crate::config::WardenConfig,
    data_dir: &std::path::Path,
    input: &HookInput,
) -> Result<Value, String> {
    let dd = crate::datadir::DataDir::new(data_dir);
    dd.create_dir().map_err(|e| e.to_string())?;
    let key =
        warden_store::audit_key::load_or_create(data_dir).map_err(|e| format!("audit key: {e}"))?;
    let store = warden_store::Store::open_in_data_dir(data_dir, &config.store)
        .await
        .map_err(|e| e.to_string())?;
    let counters = crate::runtime::hook_counters(config, &store).map_err(|e| e.to_string())?;
    // The agent's working directory, from the input: a data dir inside it is also protected
    // under its relative path.
    let cwd = input.raw.cwd.as_deref().map(std::path::Path::new);
    let governance = crate::runtime::governance_for(&config.governance, data_dir, cwd);
    // With a vault key ring (an initialized data dir or $WARDEN_MASTER_KEY), stored secrets
    // are recognised verbatim too.
    let engine = match warden_security::vault::keyring::file::from_env_or_dir(data_dir)
        .map_err(|e| e.to_string())?
    {
        Some(ring) => {
            let vault =
                std::sync::Arc::new(warden_security::vault::Vault::new(store.secrets(), ring));
            vault.load_leak_index().await.map_err(|e| e.to_string())?;
            let leak: std::sync::Arc<dyn warden_security::governance::secret_scan::LeakMatcher> =
                vault;
            GovernanceEngine::with_leak_matcher(&governance, counters, leak)
        }
        None => GovernanceEngine::new(&governance, counters),
    }
    .map_err(|e| e.to_string())?;
    // The engine's own scanner (with the same leak matcher): compiling the rules is most of
    // a hook run's time, so they are compiled once.
    let scanner = match engine.secret_scanner() {
        Some(s) => s.clone(),
        None => SecretScanner::new(&config.governance.secret_scan).map_err(|e| e.to_string())?,
    };
    let mut options = warden_store::AuditWriterOptions::from(&config.audit);
    options.durability = warden_store::Durability::Strict;
    let writer = store.audit_writer(&key, options);
    let cx = HookContext {
        engine: &engine,
        sink: &writer,
        scanner: &scanner,
        on_allow: config.hook.on_allow,
        metrics: None,
    };
    let principal = in_process_principal(&config.hook, input);
    let result = handle_claude_code(&cx, input, principal, TraceId::generate())
        .await
        .map_err(|e| e.to_string());
    let drained = writer.shutdown().await.map_err(|e| format!("audit: {e}"));
    store.close().await;
    let out = result?;
    drained?;
    Ok(out)
}
