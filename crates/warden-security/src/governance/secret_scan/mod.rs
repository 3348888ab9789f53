//! Layer 1: secret scanning of tool-call arguments and text (SPEC §5).
//!
//! [`SecretScanner`] compiles the built-in vendor rules ([`rules`]) once and then scans text
//! or every string leaf of JSON arguments. The hot path is built for speed: a tier-1
//! prefilter ([`prefilter`]) finds candidate regions with a skip search over long token runs
//! and a packed literal searcher, an Aho-Corasick keyword pass selects the rules that can
//! match in each region, and only those rules' regexes run, on bounded windows. Text without
//! candidates costs about a memory scan and allocates nothing.
//!
//! Findings carry the rule id, the JSON path of the leaf, the byte span in the leaf and a
//! preview that reveals at most four characters ([`redact::preview`]). Inside JSON, string
//! leaves are also decoded (base64, percent-encoding, JSON in a string; bounded depth) and
//! findings there report the leaf path with a suffix (`$.args[0]<base64>`) and the span of
//! the whole encoded leaf.

mod decode;
mod engine;
mod entropy;
mod json_walk;
mod prefilter;
pub mod redact;
pub mod rules;
mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use engine::{ENTROPY_RULE_ID, VAULT_RULE_ID};
pub use json_walk::ScanLimits;

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
    /// Shortest token considered (at least 8).
    pub min_len: usize,
    /// Normalized Shannon entropy (0..=1) at or above which a token is flagged.
    pub threshold: f64,
    /// Skip all-hex tokens of 40 or 64 characters (git SHAs, SHA-256 digests).
    pub skip_hex_digests: bool,
}

impl Default for EntropyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_len: 32,
            threshold: 0.8,
            skip_hex_digests: true,
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
    /// Per-rule action overrides (`rule_actions = { "generic-password" = "redact" }`); ids
    /// include `high-entropy-string` and `vault-secret`. Unknown ids are errors.
    pub rule_actions: BTreeMap<String, ScanAction>,
    /// Rule ids switched off. Unknown ids are errors.
    pub disabled_rules: Vec<String>,
}

impl Default for SecretScanConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            action: ScanAction::Deny,
            allowlist: Vec::new(),
            entropy: EntropyConfig::default(),
            rule_actions: BTreeMap::new(),
            disabled_rules: Vec::new(),
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
    /// The arguments with every finding replaced, deny-action ones included (only when some
    /// finding asked for redaction): the copy never holds a found secret.
    pub redacted: Option<serde_json::Value>,
    /// Set when a [`ScanLimits`] bound stopped the scan (nesting depth, string bytes,
    /// number of findings): the arguments were not fully scanned and the caller should deny
    /// with this reason.
    pub limit_exceeded: Option<String>,
}

/// A configuration error of the scanner (bad allowlist regex, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("secret_scan: {0}")]
pub struct ScanConfigError(pub String);

/// Exact-match detection of secrets held elsewhere (the vault): returns the byte spans of
/// `text` equal to a known secret. Implementations keep keyed hashes, not plaintext.
pub trait LeakMatcher: Send + Sync {
    /// Byte spans `(start, end)` of known secrets in `text`. Returning an empty `Vec` does
    /// not allocate, which keeps the common path allocation-free.
    fn find(&self, text: &str) -> Vec<(usize, usize)>;
}

/// A rule as listed by [`SecretScanner::rules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Rule id.
    pub id: &'static str,
    /// What it detects.
    pub description: &'static str,
}

/// The compiled scanner. Cloning is cheap (the compiled rules are shared).
#[derive(Debug, Clone)]
pub struct SecretScanner {
    engine: Arc<engine::Engine>,
}

impl Default for SecretScanner {
    fn default() -> Self {
        // The built-in table is validated by tests; a failure here is a build defect, and
        // failing closed means refusing to construct rather than scanning with no rules.
        #[allow(clippy::expect_used)]
        Self::new(&SecretScanConfig::default()).expect("built-in secret rules compile")
    }
}

impl SecretScanner {
    /// Compiles the rules for `config`. Errors on a bad allowlist regex, an unknown rule id
    /// in `rule_actions`/`disabled_rules` or an out-of-range entropy setting.
    pub fn new(config: &SecretScanConfig) -> Result<Self, ScanConfigError> {
        Ok(Self {
            engine: Arc::new(engine::Engine::new(config)?),
        })
    }

    /// Compiles every rule's regex now instead of on first use. A long-running service
    /// calls it at start so that no request pays for compiling; a one-shot process (a hook
    /// call) skips it and compiles only the rules its input reaches.
    pub fn compile_all(&self) -> Result<(), ScanConfigError> {
        self.engine.compile_all()
    }

    /// Adds exact-match detection of vault secrets (rule id [`VAULT_RULE_ID`]).
    pub fn with_leak_matcher(self, matcher: Arc<dyn LeakMatcher>) -> Self {
        let mut engine = Arc::unwrap_or_clone(self.engine);
        engine.set_leak_matcher(matcher);
        Self {
            engine: Arc::new(engine),
        }
    }

    /// Every built-in rule (id and description), whether enabled or not, followed by the
    /// entropy and vault pseudo-rules.
    pub fn builtin_rules() -> Vec<RuleInfo> {
        rules::builtin()
            .map(|r| RuleInfo {
                id: r.id,
                description: r.description,
            })
            .chain([
                RuleInfo {
                    id: ENTROPY_RULE_ID,
                    description: "High-entropy token no vendor rule recognised (entropy backstop)",
                },
                RuleInfo {
                    id: VAULT_RULE_ID,
                    description: "Exact copy of a secret stored in the Warden vault",
                },
            ])
            .collect()
    }

    /// Number of compiled (enabled) vendor rules.
    pub fn rule_count(&self) -> usize {
        self.engine.specs().count()
    }

    /// Scans plain text (path `$`).
    pub fn scan_text(&self, text: &str) -> Vec<Finding> {
        self.scan_bytes(text.as_bytes())
    }

    /// Scans raw bytes (path `$`); offsets are byte offsets, previews of non-UTF-8 matches
    /// are decoded lossily.
    pub fn scan_bytes(&self, text: &[u8]) -> Vec<Finding> {
        let mut hits = Vec::new();
        self.engine.find(text, &mut hits);
        hits.iter().map(|h| self.finding(h, text, "$")).collect()
    }

    /// Scans every string leaf of JSON arguments with the default [`ScanLimits`].
    pub fn scan_json(&self, value: &serde_json::Value) -> JsonScan {
        self.scan_json_with_limits(value, &ScanLimits::default())
    }

    /// Scans every string leaf (and secret-looking object key) of JSON arguments, decoding
    /// base64, percent-encoded and JSON-in-string leaves, within `limits`.
    pub fn scan_json_with_limits(
        &self,
        value: &serde_json::Value,
        limits: &ScanLimits,
    ) -> JsonScan {
        json_walk::scan(self, value, limits)
    }

    fn finding(&self, h: &engine::Hit, text: &[u8], path: &str) -> Finding {
        let (id, prefixed, action) = self.engine.rule_meta(h.rule);
        let secret = String::from_utf8_lossy(&text[h.start..h.end]);
        Finding {
            rule_id: id.to_string(),
            path: path.to_string(),
            start: h.start,
            end: h.end,
            preview: self.engine.preview(h.rule, &secret, prefixed),
            action,
        }
    }

    pub(crate) fn engine(&self) -> &engine::Engine {
        &self.engine
    }
}

#[cfg(test)]
mod tests;
