//! The layer seam: [`GovernancePolicy`] and what a layer answers ([`LayerVerdict`]).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::context::{PolicyContext, Subject};
use super::reason::{AskReason, DenyReason};
use super::secret_scan::Finding;

/// Whether a layer's denials take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerMode {
    /// Denials and asks take effect.
    #[default]
    Enforce,
    /// The layer decides and its conclusion is recorded (`shadow_deny`), but the call is
    /// allowed.
    Shadow,
}

impl LayerMode {
    /// The wire name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            LayerMode::Enforce => "enforce",
            LayerMode::Shadow => "shadow",
        }
    }
}

/// A layer's conclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The call may run.
    Allow,
    /// The call must not run.
    Deny(DenyReason),
    /// A person must confirm the call.
    Ask(AskReason),
}

/// What a layer answers for one call.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerVerdict {
    /// The conclusion.
    pub verdict: Verdict,
    /// Detail for the trace when the layer allowed (never a secret value). For deny and ask
    /// the engine uses the reason's text.
    pub detail: String,
    /// Secret-scan findings (other layers leave this empty).
    pub findings: Vec<Finding>,
    /// Arguments with secrets replaced, when the layer redacted (allow only).
    pub redacted: Option<Value>,
    /// For rate-limit denials: when to retry.
    pub retry_after_ms: Option<u64>,
}

impl LayerVerdict {
    /// An allow with a detail line.
    pub fn allow(detail: impl Into<String>) -> Self {
        Self {
            verdict: Verdict::Allow,
            detail: detail.into(),
            findings: Vec::new(),
            redacted: None,
            retry_after_ms: None,
        }
    }

    /// A deny.
    pub fn deny(reason: DenyReason) -> Self {
        Self {
            detail: reason.to_string(),
            verdict: Verdict::Deny(reason),
            findings: Vec::new(),
            redacted: None,
            retry_after_ms: None,
        }
    }

    /// An ask.
    pub fn ask(reason: AskReason) -> Self {
        Self {
            detail: reason.to_string(),
            verdict: Verdict::Ask(reason),
            findings: Vec::new(),
            redacted: None,
            retry_after_ms: None,
        }
    }
}

/// One layer of the pipeline.
///
/// Layers are `async` because some (rate limiting against Redis) wait on I/O; the in-process
/// layers complete without suspending. A layer must not panic on any input and must bound its
/// own work; the engine has already enforced the size and depth limits of the input.
#[async_trait]
pub trait GovernancePolicy: Send + Sync {
    /// Stable layer id (`secret_scan`, `scope_check`, `tool_blocklist`, `rate_limit`).
    fn id(&self) -> &str;

    /// Whether the layer judges this kind of subject; when not, it is recorded as `skip`.
    /// The default judges tool calls only.
    fn applies_to(&self, subject: &Subject) -> bool {
        matches!(subject, Subject::ToolCall { .. })
    }

    /// Judges one call. `now_ms` is the evaluation's clock (unix milliseconds).
    async fn evaluate(&self, ctx: &PolicyContext, now_ms: u64) -> LayerVerdict;
}
