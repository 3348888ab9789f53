//! `[governance]` of `warden.toml` (SPEC §5). The keys of the SPEC schema are a contract;
//! this module adds `mode` per layer, `max_argument_bytes`, `max_argument_depth`,
//! `tool_blocklist.ask`, `tool_blocklist.baseline`, argument-rule `id`/`action`/`reason`
//! and rate-limit `tools`.
//!
//! Parsing is strict (`deny_unknown_fields`), and every error names the exact key path:
//! `governance.tool_blocklist.argument_rules[0].pattern: invalid regex: …`.
//! [`GovernanceConfig::from_toml_str`] and [`GovernanceConfig::from_table`] also validate
//! (compile every glob and regex), so a value obtained from them builds an engine.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::limits::{DEFAULT_MAX_ARGUMENT_BYTES, DEFAULT_MAX_ARGUMENT_DEPTH};
use super::policy::LayerMode;
use super::reason::LimitKey;
use super::secret_scan::SecretScanConfig;

/// A configuration value was refused: `path` is the exact key (`governance.…`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// Dotted key path with `[i]` for array elements, starting with `governance`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, message: impl fmt::Display) -> Self {
        Self {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

/// [`ConfigError::path`] of an error that concerns the whole file (TOML syntax).
pub const FILE_LEVEL: &str = "(file)";

/// The whole `[governance]` section. Serializes to the TOML shape it parses from
/// (`secret_scan_mode` as `secret_scan.mode`).
#[derive(Debug, Clone, PartialEq)]
pub struct GovernanceConfig {
    /// Master switch: `false` allows everything and records every layer as `skip`.
    pub enabled: bool,
    /// `shadow` makes every layer decide without denying anything.
    pub mode: LayerMode,
    /// Largest accepted arguments (string and key bytes plus 8 per JSON node) or prompt.
    pub max_argument_bytes: usize,
    /// Deepest accepted nesting of the arguments.
    pub max_argument_depth: usize,
    /// Layer 1 (the scanner's own configuration type).
    pub secret_scan: SecretScanConfig,
    /// Layer 1's mode (`[governance.secret_scan] mode = "shadow"`), kept apart because the
    /// scanner's configuration type does not carry it.
    pub secret_scan_mode: Option<LayerMode>,
    /// Layer 2.
    pub scope_check: ScopeCheckConfig,
    /// Layer 3.
    pub tool_blocklist: ToolBlocklistConfig,
    /// Layer 4.
    pub rate_limit: RateLimitConfig,
}

impl Default for GovernanceConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: LayerMode::Enforce,
            max_argument_bytes: DEFAULT_MAX_ARGUMENT_BYTES,
            max_argument_depth: DEFAULT_MAX_ARGUMENT_DEPTH,
            secret_scan: SecretScanConfig::default(),
            secret_scan_mode: None,
            scope_check: ScopeCheckConfig::default(),
            tool_blocklist: ToolBlocklistConfig::default(),
            rate_limit: RateLimitConfig::default(),
        }
    }
}

/// The serde shape of `[governance]` (everything but `secret_scan.mode`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawGovernance {
    enabled: bool,
    mode: LayerMode,
    max_argument_bytes: usize,
    max_argument_depth: usize,
    secret_scan: SecretScanConfig,
    scope_check: ScopeCheckConfig,
    tool_blocklist: ToolBlocklistConfig,
    rate_limit: RateLimitConfig,
}

impl Default for RawGovernance {
    fn default() -> Self {
        let d = GovernanceConfig::default();
        Self {
            enabled: d.enabled,
            mode: d.mode,
            max_argument_bytes: d.max_argument_bytes,
            max_argument_depth: d.max_argument_depth,
            secret_scan: d.secret_scan,
            scope_check: d.scope_check,
            tool_blocklist: d.tool_blocklist,
            rate_limit: d.rate_limit,
        }
    }
}

/// What scope_check does with a tool no rule maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnmappedDefault {
    /// Allow it.
    #[default]
    Allow,
    /// Deny it.
    Deny,
}

/// `[governance.scope_check]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScopeCheckConfig {
    /// Whether the layer runs.
    pub enabled: bool,
    /// Layer mode (the global `mode = "shadow"` overrides it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<LayerMode>,
    /// Decision for a tool that no rule maps.
    pub default: UnmappedDefault,
    /// Tool globs → scopes.
    pub rules: Vec<ScopeRuleConfig>,
}

impl Default for ScopeCheckConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: None,
            default: UnmappedDefault::Allow,
            rules: Vec::new(),
        }
    }
}

/// `[[governance.scope_check.rules]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRuleConfig {
    /// Globs (or `re:` regexes) on the tool name.
    pub tools: Vec<String>,
    /// The caller needs at least one of these scopes.
    pub scopes: Vec<String>,
}

/// What an argument rule does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleAction {
    /// Deny the call.
    #[default]
    Deny,
    /// Ask a person to confirm the call.
    Ask,
}

/// `[governance.tool_blocklist]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ToolBlocklistConfig {
    /// Whether the layer runs.
    pub enabled: bool,
    /// Layer mode (the global `mode = "shadow"` overrides it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<LayerMode>,
    /// Administrators skip this layer entirely.
    pub admin_bypass: bool,
    /// Whether the built-in baseline pack for coding agents applies (in addition to
    /// `deny`/`ask`/`argument_rules`).
    pub baseline: bool,
    /// Tool-name patterns that deny.
    pub deny: Vec<String>,
    /// Tool-name patterns that override `deny` and `ask` (not argument rules).
    pub allow: Vec<String>,
    /// Tool-name patterns that ask for confirmation.
    pub ask: Vec<String>,
    /// Argument conditions.
    pub argument_rules: Vec<ArgumentRuleConfig>,
    /// Rules added by the server for the data directory in use
    /// ([`GovernanceConfig::protect_data_dir`]), matched as the baseline pack is (also on the
    /// command with shell quoting undone) and only while it is on. Not a config key.
    #[serde(skip)]
    pub protected: Vec<ArgumentRuleConfig>,
}

impl Default for ToolBlocklistConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: None,
            admin_bypass: true,
            baseline: true,
            deny: Vec::new(),
            allow: Vec::new(),
            ask: Vec::new(),
            argument_rules: Vec::new(),
            protected: Vec::new(),
        }
    }
}

/// `[[governance.tool_blocklist.argument_rules]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgumentRuleConfig {
    /// Rule id shown in reasons (default `argument_rules[i]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Glob (or `re:` regex) on the tool name.
    pub tool: String,
    /// Dotted JSON path into the arguments (`command`, `edits.*.new_string`).
    pub path: String,
    /// Regex matched (anywhere) against the selected value.
    pub pattern: String,
    /// `deny` (default) or `ask`.
    #[serde(default)]
    pub action: RuleAction,
    /// What the rule guards against, shown in the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `[governance.rate_limit]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Whether the layer runs.
    pub enabled: bool,
    /// Layer mode (the global `mode = "shadow"` overrides it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<LayerMode>,
    /// The limits; a call must fit in every one that applies.
    pub limits: Vec<LimitConfig>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: None,
            limits: vec![LimitConfig {
                key: LimitKey::Principal,
                limit: 300,
                window_secs: 60,
                tools: None,
            }],
        }
    }
}

/// Largest accepted `limit` (bounds the memory of the sliding-window log).
pub const MAX_LIMIT: u64 = 100_000;
/// Largest accepted `window_secs` (one week).
pub const MAX_WINDOW_SECS: u64 = 7 * 24 * 3600;

/// `[[governance.rate_limit.limits]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitConfig {
    /// What is counted.
    pub key: LimitKey,
    /// Calls allowed per window (1..=100000).
    pub limit: u64,
    /// Sliding window length in seconds (1..=604800).
    pub window_secs: u64,
    /// Restrict the limit to tools matching these patterns (default: every tool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
}

impl GovernanceConfig {
    /// Parses and validates the body of a `[governance]` section written as a TOML document
    /// (keys at top level: `enabled`, `[secret_scan]`, …).
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::new("governance", e.message()))?;
        Self::from_table(table)
    }

    /// Parses and validates a whole `warden.toml`, returning its `[governance]` section
    /// (defaults when absent). Other sections are not looked at.
    pub fn from_warden_toml(text: &str) -> Result<Self, ConfigError> {
        let mut doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::new(FILE_LEVEL, toml_error_text(&e)))?;
        match doc.remove("governance") {
            None => Ok(Self::default()),
            Some(toml::Value::Table(t)) => Self::from_table(t),
            Some(other) => Err(ConfigError::new(
                "governance",
                format!("expected a table, found {}", other.type_str()),
            )),
        }
    }

    /// Parses and validates the `[governance]` table.
    pub fn from_table(mut table: toml::Table) -> Result<Self, ConfigError> {
        let secret_scan_mode = take_secret_scan_mode(&mut table)?;
        let raw: RawGovernance = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| {
                let path = e.path().to_string();
                let path = if path == "." || path.is_empty() {
                    "governance".to_owned()
                } else {
                    format!("governance.{path}")
                };
                ConfigError::new(path, e.inner().message())
            })?;
        let cfg = Self {
            enabled: raw.enabled,
            mode: raw.mode,
            max_argument_bytes: raw.max_argument_bytes,
            max_argument_depth: raw.max_argument_depth,
            secret_scan: raw.secret_scan,
            secret_scan_mode,
            scope_check: raw.scope_check,
            tool_blocklist: raw.tool_blocklist,
            rate_limit: raw.rate_limit,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Compiles every layer (globs, regexes, the scanner) and checks every value, returning
    /// the first problem with its key path.
    pub fn validate(&self) -> Result<(), ConfigError> {
        super::engine::compile_layers(self, None, None).map(|_| ())
    }

    /// Sets the rules that keep agents out of Warden's data directory, whatever its name
    /// ([`super::layers::data_dir_rules`]; they apply while the baseline pack is on). `dirs`
    /// are its absolute spellings; `home` is the user's home directory, for `~/…`; `cwd` the
    /// agent's working directory when known, for relative paths.
    pub fn protect_data_dir(
        &mut self,
        dirs: &[&std::path::Path],
        home: Option<&std::path::Path>,
        cwd: Option<&std::path::Path>,
    ) {
        self.tool_blocklist.protected = super::layers::data_dir_rules(dirs, home, cwd);
    }

    /// The effective mode of a layer: global shadow wins, else the layer's own mode.
    pub fn effective_mode(&self, layer: Option<LayerMode>) -> LayerMode {
        match self.mode {
            LayerMode::Shadow => LayerMode::Shadow,
            LayerMode::Enforce => layer.unwrap_or_default(),
        }
    }
}

fn toml_error_text(e: &toml::de::Error) -> String {
    // The Display form carries line/column and a source excerpt; keep it on one line.
    e.to_string()
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pulls `secret_scan.mode` out of the table (the scanner's config type has no such key).
fn take_secret_scan_mode(table: &mut toml::Table) -> Result<Option<LayerMode>, ConfigError> {
    let Some(toml::Value::Table(scan)) = table.get_mut("secret_scan") else {
        return Ok(None);
    };
    let Some(v) = scan.remove("mode") else {
        return Ok(None);
    };
    match v.as_str() {
        Some("enforce") => Ok(Some(LayerMode::Enforce)),
        Some("shadow") => Ok(Some(LayerMode::Shadow)),
        Some(other) => Err(ConfigError::new(
            "governance.secret_scan.mode",
            format!("unknown variant `{other}`, expected `enforce` or `shadow`"),
        )),
        None => Err(ConfigError::new(
            "governance.secret_scan.mode",
            format!(
                "invalid type: {}, expected `enforce` or `shadow`",
                v.type_str()
            ),
        )),
    }
}

/// `[governance.secret_scan]` as written: the scanner's keys plus `mode`.
#[derive(Serialize)]
struct SecretScanOut<'a> {
    #[serde(flatten)]
    config: &'a SecretScanConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<LayerMode>,
}

#[derive(Serialize)]
struct GovernanceOut<'a> {
    enabled: bool,
    mode: LayerMode,
    max_argument_bytes: usize,
    max_argument_depth: usize,
    secret_scan: SecretScanOut<'a>,
    scope_check: &'a ScopeCheckConfig,
    tool_blocklist: &'a ToolBlocklistConfig,
    rate_limit: &'a RateLimitConfig,
}

impl Serialize for GovernanceConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        GovernanceOut {
            enabled: self.enabled,
            mode: self.mode,
            max_argument_bytes: self.max_argument_bytes,
            max_argument_depth: self.max_argument_depth,
            secret_scan: SecretScanOut {
                config: &self.secret_scan,
                mode: self.secret_scan_mode,
            },
            scope_check: &self.scope_check,
            tool_blocklist: &self.tool_blocklist,
            rate_limit: &self.rate_limit,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for GovernanceConfig {
    /// Deserializes through a TOML table so that errors carry the full key path; validates.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let table = toml::Table::deserialize(d)?;
        Self::from_table(table).map_err(serde::de::Error::custom)
    }
}
