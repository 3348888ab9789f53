//! The four-layer tool-call governance pipeline (SPEC §5):
//! secret scan → scope check → tool blocklist → rate limit.
//!
//! - [`GovernanceConfig`]: the `[governance]` section, parsed strictly and validated into the
//!   compiled layers by [`GovernanceEngine::new`].
//! - [`PolicyContext`]: what is judged (a tool call or a prompt) and who asks.
//! - [`GovernancePolicy`]: one layer; [`layers`] holds the four built-in ones.
//! - [`GovernanceEngine`]: runs the layers (first deny wins, shadow modes, master switch) and
//!   returns an [`Evaluation`]; [`audit_record`] turns it into an [`crate::audit::AuditRecord`];
//!   [`GovernanceEngine::evaluate_and_audit`] fails closed when the audit sink fails.

pub mod config;
mod context;
mod decision;
mod engine;
pub mod glob;
pub mod json_path;
pub mod layers;
mod limits;
mod policy;
mod reason;
pub mod secret_scan;

pub use config::{ConfigError, GovernanceConfig};
pub use context::{PolicyContext, Principal, Subject, PROMPT_TARGET};
pub use decision::{Decision, LayerResult, LayerTrace};
pub use engine::{
    audit_record, new_decision_id, Evaluation, EvaluationJson, GovernanceEngine, AUDIT,
    INPUT_LIMITS,
};
pub use limits::{DEFAULT_MAX_ARGUMENT_BYTES, DEFAULT_MAX_ARGUMENT_DEPTH};
pub use policy::{GovernancePolicy, LayerMode, LayerVerdict, Verdict};
pub use reason::{AskReason, DenyReason, LimitKey, Reason};
