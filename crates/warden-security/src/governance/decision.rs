//! Decisions and per-layer trace entries (shared by the engine, the audit log and the APIs).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The verdict on one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The call may run.
    Allow,
    /// The call must not run.
    Deny,
    /// A person must confirm the call.
    Ask,
}

impl Decision {
    /// The lowercase wire name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::Ask => "ask",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Decision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "allow" => Ok(Decision::Allow),
            "deny" => Ok(Decision::Deny),
            "ask" => Ok(Decision::Ask),
            other => Err(format!(
                "unknown decision {other:?} (expected allow, deny or ask)"
            )),
        }
    }
}

/// What one layer concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerResult {
    /// The layer allowed the call.
    Allow,
    /// The layer denied the call.
    Deny,
    /// The layer asks for confirmation.
    Ask,
    /// The layer did not run (an earlier layer decided, or it is disabled).
    Skip,
    /// The layer is in shadow mode and would have denied; the call was allowed.
    ShadowDeny,
    /// The layer allowed the call after rewriting its arguments (redaction).
    Redact,
}

impl LayerResult {
    /// The snake_case wire name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            LayerResult::Allow => "allow",
            LayerResult::Deny => "deny",
            LayerResult::Ask => "ask",
            LayerResult::Skip => "skip",
            LayerResult::ShadowDeny => "shadow_deny",
            LayerResult::Redact => "redact",
        }
    }
}

/// One entry of the decision chain: `{"policy_id","result","detail","duration_us"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerTrace {
    /// Layer id (`secret_scan`, `scope_check`, `tool_blocklist`, `rate_limit`).
    pub policy_id: String,
    /// What the layer concluded.
    pub result: LayerResult,
    /// Human-readable detail (never a secret value).
    pub detail: String,
    /// Time the layer took, in microseconds.
    pub duration_us: u64,
}
