//! Layer 1 adapter: runs the secret scanner on the arguments (or the prompt text).

use async_trait::async_trait;

use super::SECRET_SCAN;
use crate::governance::config::ConfigError;
use crate::governance::context::{PolicyContext, Subject};
use crate::governance::policy::{GovernancePolicy, LayerVerdict};
use crate::governance::reason::DenyReason;
use std::sync::Arc;

use crate::governance::secret_scan::{
    Finding, LeakMatcher, ScanAction, ScanLimits, SecretScanConfig, SecretScanner,
};

/// The `secret_scan` layer. Judges tool calls and prompts.
///
/// Any finding whose action is `deny` denies. When every finding asks for `redact`, a tool
/// call is allowed with the scanner's redacted arguments (the layer's trace result is
/// `redact`); a prompt cannot be rewritten, so it is denied. If the scanner reports redact
/// findings without redacted arguments, the call is denied (fail closed).
#[derive(Debug, Clone)]
pub struct SecretScan {
    scanner: SecretScanner,
    limits: ScanLimits,
}

impl SecretScan {
    /// Validates `config` and compiles the scanner.
    pub fn from_config(config: &SecretScanConfig) -> Result<Self, ConfigError> {
        for (i, re) in config.allowlist.iter().enumerate() {
            regex::Regex::new(re).map_err(|e| {
                ConfigError::new(
                    format!("governance.secret_scan.allowlist[{i}]"),
                    format!("invalid regex: {}", one_line(&e.to_string())),
                )
            })?;
        }
        let t = config.entropy.threshold;
        if !(0.0..=1.0).contains(&t) || t.is_nan() {
            return Err(ConfigError::new(
                "governance.secret_scan.entropy.threshold",
                format!("must be between 0 and 1 (normalized entropy), got {t}"),
            ));
        }
        if config.entropy.min_len == 0 {
            return Err(ConfigError::new(
                "governance.secret_scan.entropy.min_len",
                "must be at least 1",
            ));
        }
        let scanner = SecretScanner::new(config).map_err(|e| {
            let msg = e.to_string();
            let msg = msg.strip_prefix("secret_scan: ").unwrap_or(&msg).to_owned();
            // The scanner may name a sub-key (`allowlist[0]: …`); keep the full path.
            match msg.split_once(": ") {
                Some((key, rest)) if !key.is_empty() && !key.contains(' ') => {
                    ConfigError::new(format!("governance.secret_scan.{key}"), rest)
                }
                _ => ConfigError::new("governance.secret_scan", msg),
            }
        })?;
        Ok(Self::from_scanner(scanner))
    }

    /// The same layer, also flagging exact matches of stored secrets.
    #[must_use]
    pub fn with_leak_matcher(self, matcher: Arc<dyn LeakMatcher>) -> Self {
        Self {
            scanner: self.scanner.with_leak_matcher(matcher),
            limits: self.limits,
        }
    }

    /// The same layer scanning up to `max_argument_bytes` of argument text (and its decoded
    /// forms: twice that, at least the default 1 MiB) nested up to `max_argument_depth`, so
    /// that every argument the engine admits is scanned whole. A scan that stops at a bound
    /// denies.
    #[must_use]
    pub fn for_arguments_up_to(
        mut self,
        max_argument_bytes: usize,
        max_argument_depth: usize,
    ) -> Self {
        self.limits.max_depth = self.limits.max_depth.max(max_argument_depth);
        let bytes = max_argument_bytes.saturating_mul(2);
        self.limits.max_string_bytes = self.limits.max_string_bytes.max(bytes);
        self.limits.max_decode_bytes = self.limits.max_decode_bytes.max(max_argument_bytes);
        self
    }

    /// The compiled scanner this layer runs.
    pub fn scanner(&self) -> &SecretScanner {
        &self.scanner
    }

    /// A layer around an already compiled scanner.
    pub fn from_scanner(scanner: SecretScanner) -> Self {
        Self {
            scanner,
            limits: ScanLimits {
                // A base64 leaf of any size the default argument bound admits is decoded
                // and scanned (decoding 1 MiB takes about a millisecond).
                max_decode_bytes: 1 << 20,
                ..ScanLimits::default()
            },
        }
    }
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON path is built from the caller's object keys, and a key can itself be a secret
/// (`{"AKIA…": 1}`). Paths go into reasons, outputs and the audit log, so any secret the
/// scanner finds inside a path is replaced by `[REDACTED]`. Runs only when there are findings.
fn sanitize_paths(scanner: &SecretScanner, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let mut hits = scanner.scan_text(&f.path);
        if hits.is_empty() {
            continue;
        }
        hits.sort_by_key(|h| std::cmp::Reverse(h.start));
        let mut path = f.path.clone();
        let mut floor = path.len();
        for h in hits {
            let (start, end) = (h.start, h.end.min(floor));
            if start < end && path.is_char_boundary(start) && path.is_char_boundary(end) {
                path.replace_range(start..end, "[REDACTED]");
                floor = start;
            }
        }
        f.path = path;
    }
}

fn first_deny(findings: &[Finding]) -> Option<&Finding> {
    findings.iter().find(|f| f.action == ScanAction::Deny)
}

#[async_trait]
impl GovernancePolicy for SecretScan {
    fn id(&self) -> &str {
        SECRET_SCAN
    }

    fn applies_to(&self, _subject: &Subject) -> bool {
        true
    }

    async fn evaluate(&self, ctx: &PolicyContext, _now_ms: u64) -> LayerVerdict {
        let (findings, redacted, is_prompt) = match &ctx.subject {
            Subject::ToolCall { arguments, .. } => {
                let scan = self.scanner.scan_json_with_limits(arguments, &self.limits);
                if let Some(why) = scan.limit_exceeded {
                    // Findings past the bound would be neither denied nor redacted.
                    let mut v = LayerVerdict::deny(DenyReason::ScanIncomplete { why });
                    v.findings = scan.findings;
                    sanitize_paths(&self.scanner, &mut v.findings);
                    return v;
                }
                (scan.findings, scan.redacted, false)
            }
            Subject::Prompt { text } => (self.scanner.scan_text(text), None, true),
        };
        if findings.is_empty() {
            return LayerVerdict::allow("no secrets found");
        }
        let mut findings = findings;
        sanitize_paths(&self.scanner, &mut findings);
        let Some(first) = findings.first() else {
            return LayerVerdict::allow("no secrets found");
        };
        let count = findings.len();
        let mut verdict = if let Some(f) = first_deny(&findings) {
            LayerVerdict::deny(DenyReason::SecretFound {
                rule_id: f.rule_id.clone(),
                path: f.path.clone(),
                count,
            })
        } else if is_prompt {
            LayerVerdict::deny(DenyReason::PromptNotRedactable {
                rule_id: first.rule_id.clone(),
                count,
            })
        } else if let Some(r) = redacted {
            let mut v = LayerVerdict::allow(format!("{count} secret(s) redacted"));
            v.redacted = Some(r);
            v
        } else {
            // Redaction was asked for but the scanner produced nothing to forward.
            LayerVerdict::deny(DenyReason::SecretFound {
                rule_id: first.rule_id.clone(),
                path: first.path.clone(),
                count,
            })
        };
        verdict.findings = findings;
        verdict
    }
}
