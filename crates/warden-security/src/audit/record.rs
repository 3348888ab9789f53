//! The audit record.

use serde::{Deserialize, Serialize};

use crate::governance::{Decision, LayerTrace};

/// A secret-scan finding as recorded: never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// Rule that fired.
    pub rule_id: String,
    /// JSON path of the string leaf (e.g. `$.command`).
    pub path: String,
    /// Redacted preview revealing at most 4 characters.
    pub preview: String,
}

impl From<&crate::governance::secret_scan::Finding> for FindingRecord {
    /// The finding without its offsets (and, as always, without the secret).
    fn from(f: &crate::governance::secret_scan::Finding) -> Self {
        Self {
            rule_id: f.rule_id.clone(),
            path: f.path.clone(),
            preview: f.preview.clone(),
        }
    }
}

/// One governance decision, as written to the audit log.
///
/// Field order is part of the canonical encoding used by the hash chain
/// (`serde_json::to_vec` of this struct); never reorder fields, only append new optional ones
/// at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Decision id (`dec_` + UUID v4).
    pub id: String,
    /// When the decision was made, unix milliseconds.
    pub time_ms: i64,
    /// Caller-supplied call id, when given.
    pub call_id: Option<String>,
    /// Trace id.
    pub trace_id: String,
    /// Principal: user id.
    pub user_id: String,
    /// Principal: session id.
    pub session_id: String,
    /// Principal: agent id, when known.
    pub agent_id: Option<String>,
    /// What was judged: a tool name, or `prompt`.
    pub target: String,
    /// The verdict.
    pub decision: Decision,
    /// The deciding layer (`None` when every layer allowed).
    pub policy: Option<String>,
    /// Why.
    pub reason: String,
    /// Every layer with its result and duration.
    pub chain: Vec<LayerTrace>,
    /// Secret-scan findings, without secret values.
    pub findings: Vec<FindingRecord>,
    /// Where the call came from: `govern`, `hook`, `mcp`, `cli`.
    pub source: String,
}

impl AuditRecord {
    /// A fresh decision id.
    pub fn new_id() -> String {
        format!("dec_{}", uuid::Uuid::new_v4().simple())
    }

    /// The canonical bytes hashed into the chain.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // Serializing a struct of strings, integers and vectors cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}
