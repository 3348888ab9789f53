//! Layer 1: secret scanning of tool-call arguments.
//!
//! STUB API (to be replaced by the real scanner): the signatures below are the contract the
//! engine codes against.

use serde::{Deserialize, Serialize};

/// What to do when a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanAction {
    /// Deny the call.
    #[default]
    Deny,
    /// Allow the call with the secret replaced in the arguments.
    Redact,
}

/// `entropy = { enabled, min_len, threshold }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EntropyConfig {
    /// Whether the entropy backstop runs.
    pub enabled: bool,
    /// Shortest token considered.
    pub min_len: usize,
    /// Normalized Shannon entropy (0..=1) at or above which a token is flagged.
    pub threshold: f64,
}

impl Default for EntropyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_len: 32,
            threshold: 0.8,
        }
    }
}

/// `[governance.secret_scan]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecretScanConfig {
    /// Whether the layer runs.
    pub enabled: bool,
    /// Default action for findings.
    pub action: ScanAction,
    /// Regexes; a finding whose matched text matches one is dropped.
    pub allowlist: Vec<String>,
    /// The entropy backstop.
    pub entropy: EntropyConfig,
}

impl Default for SecretScanConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            action: ScanAction::Deny,
            allowlist: Vec::new(),
            entropy: EntropyConfig::default(),
        }
    }
}

/// One secret found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule that fired (e.g. `aws-access-key-id`).
    pub rule_id: String,
    /// JSON path of the string leaf (`$` for plain text).
    pub path: String,
    /// Byte offset of the match start within the leaf string.
    pub start: usize,
    /// Byte offset one past the match end.
    pub end: usize,
    /// Redacted preview revealing at most 4 characters.
    pub preview: String,
    /// What the rule asks for.
    pub action: ScanAction,
}

/// The result of scanning JSON arguments.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonScan {
    /// Every finding.
    pub findings: Vec<Finding>,
    /// The arguments with every redact-action finding replaced (only when some finding
    /// asked for redaction).
    pub redacted: Option<serde_json::Value>,
}

/// A configuration error of the scanner (bad allowlist regex, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("secret_scan: {0}")]
pub struct ScanConfigError(pub String);

/// The compiled scanner.
#[derive(Debug, Clone, Default)]
pub struct SecretScanner {
    _private: (),
}

impl SecretScanner {
    /// Compiles the rules for `config`.
    pub fn new(_config: &SecretScanConfig) -> Result<Self, ScanConfigError> {
        Ok(Self { _private: () })
    }

    /// Scans plain text (path `$`).
    pub fn scan_text(&self, _text: &str) -> Vec<Finding> {
        Vec::new()
    }

    /// Scans every string leaf of JSON arguments.
    pub fn scan_json(&self, _value: &serde_json::Value) -> JsonScan {
        JsonScan::default()
    }
}
