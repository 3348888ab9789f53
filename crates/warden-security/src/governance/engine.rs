//! The engine: runs the layers in order and explains the decision.
//!
//! Semantics (SPEC §5):
//! - `governance.enabled = false`: allow; every layer is recorded as `skip`.
//! - Before any layer, the input is checked against `max_argument_bytes` and
//!   `max_argument_depth`; a violation denies with policy `input_limits` (an extra first
//!   entry in the chain) and every layer is `skip`.
//! - Layers run in order. The first enforced deny decides; later layers are `skip`. An ask
//!   does not stop evaluation: a later deny still wins, otherwise the decision is `ask` and
//!   the asking layer is the policy.
//! - A layer in shadow mode (its own `mode`, or the global one) decides normally, but a deny
//!   is recorded as `shadow_deny` (an ask or a redaction as `allow` with a "shadow" detail)
//!   and the call goes on.
//! - `secret_scan` redaction: later layers judge the redacted arguments, which are what the
//!   gateway forwards.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use super::config::{ConfigError, GovernanceConfig};
use super::context::{PolicyContext, Subject};
use super::decision::{Decision, LayerResult, LayerTrace};
use super::layers::{RateLimit, ScopeCheck, SecretScan, ToolBlocklist};
use super::limits;
use super::policy::{GovernancePolicy, LayerMode, Verdict};
use super::reason::{AskReason, DenyReason, Reason};
use super::secret_scan::Finding;
use super::secret_scan::{LeakMatcher, SecretScanner};
use crate::audit::{AuditRecord, AuditSink, FindingRecord};
use crate::counters::{CounterStore, InMemoryCounterStore};

/// Policy id recorded when the input exceeds the size or depth limits.
pub const INPUT_LIMITS: &str = "input_limits";
/// Policy id recorded when the audit record could not be written.
pub const AUDIT: &str = "audit";

pub(crate) struct Slot {
    policy: Box<dyn GovernancePolicy>,
    enabled: bool,
    mode: LayerMode,
}

/// The compiled pipeline. Cheap to share (`Arc`) and safe to call concurrently.
pub struct GovernanceEngine {
    enabled: bool,
    global_mode: LayerMode,
    max_bytes: usize,
    max_depth: usize,
    slots: Vec<Slot>,
    /// The secret-scan layer's compiled scanner (`None` for [`GovernanceEngine::from_layers`]).
    scanner: Option<SecretScanner>,
}

impl std::fmt::Debug for GovernanceEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GovernanceEngine")
            .field("enabled", &self.enabled)
            .field("mode", &self.global_mode)
            .field(
                "layers",
                &self
                    .slots
                    .iter()
                    .map(|s| (s.policy.id().to_owned(), s.enabled, s.mode))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Compiles the four layers of `config` in the default order, and hands back the secret-scan
/// layer's scanner too. `store` = `None` binds the rate limiter to a throwaway in-memory store
/// (for validation).
pub(crate) fn compile_layers(
    config: &GovernanceConfig,
    store: Option<Arc<dyn CounterStore>>,
    leak: Option<Arc<dyn LeakMatcher>>,
) -> Result<(Vec<Slot>, SecretScanner), ConfigError> {
    if config.max_argument_bytes == 0 {
        return Err(ConfigError::new(
            "governance.max_argument_bytes",
            "must be at least 1",
        ));
    }
    if config.max_argument_depth == 0 {
        return Err(ConfigError::new(
            "governance.max_argument_depth",
            "must be at least 1",
        ));
    }
    let store = store.unwrap_or_else(|| Arc::new(InMemoryCounterStore::new(1)));
    let slot = |policy: Box<dyn GovernancePolicy>, enabled: bool, mode: Option<LayerMode>| Slot {
        policy,
        enabled,
        mode: config.effective_mode(mode),
    };
    let secret_scan = match leak {
        Some(m) => SecretScan::from_config(&config.secret_scan)?.with_leak_matcher(m),
        None => SecretScan::from_config(&config.secret_scan)?,
    }
    .for_arguments_up_to(config.max_argument_bytes, config.max_argument_depth);
    let scanner = secret_scan.scanner().clone();
    let slots = vec![
        slot(
            Box::new(secret_scan),
            config.secret_scan.enabled,
            config.secret_scan_mode,
        ),
        slot(
            Box::new(ScopeCheck::from_config(&config.scope_check)?),
            config.scope_check.enabled,
            config.scope_check.mode,
        ),
        slot(
            Box::new(ToolBlocklist::from_config(&config.tool_blocklist)?),
            config.tool_blocklist.enabled,
            config.tool_blocklist.mode,
        ),
        slot(
            Box::new(RateLimit::from_config(&config.rate_limit, store)?),
            config.rate_limit.enabled,
            config.rate_limit.mode,
        ),
    ];
    Ok((slots, scanner))
}

/// The result of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Decision id (`dec_…`), also the audit record id.
    pub decision_id: String,
    /// When the evaluation ran (unix milliseconds).
    pub time_ms: u64,
    /// The verdict.
    pub decision: Decision,
    /// The deciding layer (`None` when allowed).
    pub policy: Option<String>,
    /// Why.
    pub reason: Reason,
    /// Every layer with its result, detail and duration.
    pub chain: Vec<LayerTrace>,
    /// Secret-scan findings (rule, path, span, preview; never the secret).
    pub findings: Vec<Finding>,
    /// The arguments with secrets redacted, when the scanner redacted and the call is allowed.
    pub redacted_arguments: Option<Value>,
    /// For rate-limit denials: milliseconds until a retry can succeed.
    pub retry_after_ms: Option<u64>,
}

/// The wire form of an [`Evaluation`] (SPEC §8 plus `decision_id`, `reason_code`, and, when
/// present, `retry_after_ms` and `redacted_arguments`).
#[derive(Debug, Serialize)]
pub struct EvaluationJson<'a> {
    /// `allow` | `deny` | `ask`.
    pub decision: Decision,
    /// Deciding layer, `null` when allowed.
    pub policy: Option<&'a str>,
    /// Why.
    pub reason: String,
    /// Stable code of the reason.
    pub reason_code: &'a str,
    /// The layer trace.
    pub chain: &'a [LayerTrace],
    /// Findings.
    pub findings: &'a [Finding],
    /// Decision id.
    pub decision_id: &'a str,
    /// Rate-limit retry hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// Redacted arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted_arguments: Option<&'a Value>,
}

/// Serializes as the wire form ([`EvaluationJson`]), without an intermediate `Value`.
impl Serialize for Evaluation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_wire().serialize(serializer)
    }
}

impl Evaluation {
    /// The wire form.
    pub fn to_wire(&self) -> EvaluationJson<'_> {
        EvaluationJson {
            decision: self.decision,
            policy: self.policy.as_deref(),
            reason: self.reason.to_string(),
            reason_code: self.reason.code(),
            chain: &self.chain,
            findings: &self.findings,
            decision_id: &self.decision_id,
            retry_after_ms: self.retry_after_ms,
            redacted_arguments: self.redacted_arguments.as_ref(),
        }
    }

    /// The wire form as a JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.to_wire()).unwrap_or(Value::Null)
    }

    fn fail_closed(&mut self, policy: &str, reason: DenyReason) {
        self.decision = Decision::Deny;
        self.policy = Some(policy.to_owned());
        self.reason = Reason::Deny(reason);
        self.redacted_arguments = None;
        self.retry_after_ms = None;
    }
}

/// Builds the audit record of an evaluation (SPEC §6). Findings keep rule id, path and the
/// redacted preview only.
pub fn audit_record(eval: &Evaluation, ctx: &PolicyContext, source: &str) -> AuditRecord {
    AuditRecord {
        id: eval.decision_id.clone(),
        time_ms: i64::try_from(eval.time_ms).unwrap_or(i64::MAX),
        call_id: ctx.call_id.clone(),
        trace_id: ctx.trace_id.as_str().to_owned(),
        user_id: ctx.principal.user_id.as_str().to_owned(),
        session_id: ctx.principal.session_id.as_str().to_owned(),
        agent_id: ctx
            .principal
            .agent_id
            .as_ref()
            .map(|a| a.as_str().to_owned()),
        target: ctx.target().to_owned(),
        decision: eval.decision,
        policy: eval.policy.clone(),
        reason: eval.reason.to_string(),
        chain: eval.chain.clone(),
        findings: eval.findings.iter().map(FindingRecord::from).collect(),
        source: source.to_owned(),
    }
}

fn trace(policy_id: &str, result: LayerResult, detail: impl Into<String>, us: u64) -> LayerTrace {
    LayerTrace {
        policy_id: policy_id.to_owned(),
        result,
        detail: detail.into(),
        duration_us: us,
    }
}

/// A fresh decision id: `dec_` + 32 hex digits, like [`AuditRecord::new_id`] but without a
/// system call per decision. Each thread draws a random 64-bit prefix once (from the OS RNG
/// via UUID v4) and appends a bijective mix of a per-thread counter, so ids are unique (not
/// secret: they are identifiers, never credentials).
pub fn new_decision_id() -> String {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<(u64, u64)> = Cell::new(uuid::Uuid::new_v4().as_u64_pair());
    }
    STATE.with(|s| {
        let (prefix, counter) = s.get();
        s.set((prefix, counter.wrapping_add(1)));
        format!("dec_{prefix:016x}{:016x}", splitmix64(counter))
    })
}

/// SplitMix64 finalizer: a bijection on `u64`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn micros(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX)
}

impl GovernanceEngine {
    /// Compiles `config` with rate-limit counters in `store`.
    pub fn new(
        config: &GovernanceConfig,
        store: Arc<dyn CounterStore>,
    ) -> Result<Self, ConfigError> {
        Self::compile(config, store, None)
    }

    fn compile(
        config: &GovernanceConfig,
        store: Arc<dyn CounterStore>,
        leak: Option<Arc<dyn LeakMatcher>>,
    ) -> Result<Self, ConfigError> {
        let (slots, scanner) = compile_layers(config, Some(store), leak)?;
        Ok(Self {
            enabled: config.enabled,
            global_mode: config.mode,
            max_bytes: config.max_argument_bytes,
            max_depth: config.max_argument_depth,
            slots,
            scanner: Some(scanner),
        })
    }

    /// The secret-scan layer's compiled scanner, with the leak matcher the engine was built
    /// with (cheap to clone): for scanning what is not a tool call — tool results, prompts —
    /// without compiling the rules a second time. `None` for [`GovernanceEngine::from_layers`].
    pub fn secret_scanner(&self) -> Option<&SecretScanner> {
        self.scanner.as_ref()
    }

    /// Like [`GovernanceEngine::new`], with the secret scan also flagging exact matches of
    /// stored vault secrets (`vault-secret` findings) through `leak`.
    pub fn with_leak_matcher(
        config: &GovernanceConfig,
        store: Arc<dyn CounterStore>,
        leak: Arc<dyn LeakMatcher>,
    ) -> Result<Self, ConfigError> {
        Self::compile(config, store, Some(leak))
    }

    /// The built-in defaults (SPEC §5) with in-process counters.
    pub fn with_defaults() -> Result<Self, ConfigError> {
        Self::new(
            &GovernanceConfig::default(),
            Arc::new(InMemoryCounterStore::default()),
        )
    }

    /// An engine with custom layers (in order), each enabled and in the given mode.
    pub fn from_layers(layers: Vec<(Box<dyn GovernancePolicy>, LayerMode)>) -> Self {
        Self {
            enabled: true,
            global_mode: LayerMode::Enforce,
            max_bytes: limits::DEFAULT_MAX_ARGUMENT_BYTES,
            max_depth: limits::DEFAULT_MAX_ARGUMENT_DEPTH,
            slots: layers
                .into_iter()
                .map(|(policy, mode)| Slot {
                    policy,
                    enabled: true,
                    mode,
                })
                .collect(),
            scanner: None,
        }
    }

    /// The layer ids, in order.
    pub fn layer_ids(&self) -> Vec<&str> {
        self.slots.iter().map(|s| s.policy.id()).collect()
    }

    /// Evaluates `ctx` now.
    pub async fn evaluate(&self, ctx: &PolicyContext) -> Evaluation {
        self.evaluate_at(ctx, crate::time::now_millis()).await
    }

    /// Evaluates `ctx` and appends its audit record to `sink` before answering. If the sink
    /// fails, the decision becomes `deny` (policy `audit`): no decision leaves unaudited.
    pub async fn evaluate_and_audit(
        &self,
        ctx: &PolicyContext,
        sink: &dyn AuditSink,
        source: &str,
    ) -> Evaluation {
        let mut eval = self.evaluate(ctx).await;
        let record = audit_record(&eval, ctx, source);
        if let Err(e) = sink.append(record).await {
            tracing::error!(decision_id = %eval.decision_id, error = %e, "audit append failed; denying");
            eval.fail_closed(
                AUDIT,
                DenyReason::AuditFailed {
                    message: e.to_string(),
                },
            );
        }
        eval
    }

    /// Evaluates `ctx` with the clock at `now_ms` (unix milliseconds).
    pub async fn evaluate_at(&self, ctx: &PolicyContext, now_ms: u64) -> Evaluation {
        let mut eval = Evaluation {
            decision_id: new_decision_id(),
            time_ms: now_ms,
            decision: Decision::Allow,
            policy: None,
            reason: Reason::Allowed,
            chain: Vec::with_capacity(self.slots.len() + 1),
            findings: Vec::new(),
            redacted_arguments: None,
            retry_after_ms: None,
        };
        if !self.enabled {
            for s in &self.slots {
                eval.chain.push(trace(
                    s.policy.id(),
                    LayerResult::Skip,
                    "governance disabled",
                    0,
                ));
            }
            eval.reason = Reason::Disabled;
            return eval;
        }

        let started = Instant::now();
        let limit = match &ctx.subject {
            Subject::ToolCall { arguments, .. } => {
                limits::check_arguments(arguments, self.max_bytes, self.max_depth)
            }
            Subject::Prompt { text } => limits::check_text(text, self.max_bytes),
        };
        if let Err(reason) = limit {
            let us = micros(started);
            let shadow = self.global_mode == LayerMode::Shadow;
            let result = if shadow {
                LayerResult::ShadowDeny
            } else {
                LayerResult::Deny
            };
            eval.chain
                .push(trace(INPUT_LIMITS, result, reason.to_string(), us));
            for s in &self.slots {
                eval.chain.push(trace(
                    s.policy.id(),
                    LayerResult::Skip,
                    "not evaluated: input exceeds limits",
                    0,
                ));
            }
            if shadow {
                eval.reason = Reason::Shadow {
                    policy: INPUT_LIMITS.to_owned(),
                    would: format!("deny: {reason}"),
                };
            } else {
                eval.fail_closed(INPUT_LIMITS, reason);
            }
            return eval;
        }

        let mut current: Cow<'_, PolicyContext> = Cow::Borrowed(ctx);
        let mut denied_by: Option<(String, DenyReason)> = None;
        let mut asked_by: Option<(String, AskReason)> = None;
        let mut shadow_first: Option<(String, String)> = None;
        let mut redacted_count = 0usize;

        for s in &self.slots {
            let id = s.policy.id();
            if let Some((by, _)) = &denied_by {
                eval.chain.push(trace(
                    id,
                    LayerResult::Skip,
                    format!("not evaluated: {by} denied"),
                    0,
                ));
                continue;
            }
            if !s.enabled {
                eval.chain.push(trace(id, LayerResult::Skip, "disabled", 0));
                continue;
            }
            if !s.policy.applies_to(&current.subject) {
                eval.chain
                    .push(trace(id, LayerResult::Skip, "not applicable to prompts", 0));
                continue;
            }
            let t0 = Instant::now();
            let v = s.policy.evaluate(&current, now_ms).await;
            let us = micros(t0);
            let shadow = s.mode == LayerMode::Shadow;
            if !v.findings.is_empty() {
                redacted_count = v.findings.len();
                eval.findings.extend(v.findings);
            }
            let entry = match v.verdict {
                Verdict::Allow => match v.redacted {
                    Some(redacted) if !shadow => {
                        if let Subject::ToolCall { tool, .. } = &current.subject {
                            let mut next = current.as_ref().clone();
                            next.subject = Subject::ToolCall {
                                tool: tool.clone(),
                                arguments: redacted.clone(),
                            };
                            current = Cow::Owned(next);
                        }
                        eval.redacted_arguments = Some(redacted);
                        trace(id, LayerResult::Redact, v.detail, us)
                    }
                    Some(_) => {
                        shadow_first.get_or_insert_with(|| {
                            (id.to_owned(), format!("redact: {}", v.detail))
                        });
                        trace(
                            id,
                            LayerResult::Allow,
                            format!("shadow: would redact: {}", v.detail),
                            us,
                        )
                    }
                    None => trace(id, LayerResult::Allow, v.detail, us),
                },
                Verdict::Deny(reason) => {
                    let detail = reason.to_string();
                    if shadow {
                        shadow_first
                            .get_or_insert_with(|| (id.to_owned(), format!("deny: {detail}")));
                        trace(id, LayerResult::ShadowDeny, detail, us)
                    } else {
                        eval.retry_after_ms = v.retry_after_ms;
                        denied_by = Some((id.to_owned(), reason));
                        trace(id, LayerResult::Deny, detail, us)
                    }
                }
                Verdict::Ask(reason) => {
                    let detail = reason.to_string();
                    if shadow {
                        shadow_first
                            .get_or_insert_with(|| (id.to_owned(), format!("ask: {detail}")));
                        trace(
                            id,
                            LayerResult::Allow,
                            format!("shadow: would ask: {detail}"),
                            us,
                        )
                    } else {
                        if asked_by.is_none() {
                            asked_by = Some((id.to_owned(), reason));
                        }
                        trace(id, LayerResult::Ask, detail, us)
                    }
                }
            };
            eval.chain.push(entry);
        }

        if let Some((policy, reason)) = denied_by {
            let retry = eval.retry_after_ms;
            eval.fail_closed(&policy, reason);
            eval.retry_after_ms = retry;
        } else if let Some((policy, reason)) = asked_by {
            eval.decision = Decision::Ask;
            eval.policy = Some(policy);
            eval.reason = Reason::Ask(reason);
        } else if eval.redacted_arguments.is_some() {
            eval.reason = Reason::AllowedRedacted {
                count: redacted_count,
            };
        } else if let Some((policy, would)) = shadow_first {
            eval.reason = Reason::Shadow { policy, would };
        }
        eval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_ids_are_unique_and_shaped_like_audit_ids() {
        let a = new_decision_id();
        let b = new_decision_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), AuditRecord::new_id().len());
        assert!(a.starts_with("dec_") && a[4..].bytes().all(|c| c.is_ascii_hexdigit()));
        let other = std::thread::spawn(new_decision_id)
            .join()
            .unwrap_or_default();
        assert_ne!(a[..20], other[..20], "threads draw their own prefix");
    }
}
