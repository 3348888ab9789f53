//! Removing secrets from what reaches an agent: MCP tool results (the gateway) and built-in
//! tool outputs (the Claude Code `PostToolUse` hook) go through the same fail-closed steps.

use serde_json::Value;
use warden_security::governance::secret_scan::{JsonScan, ScanLimits, SecretScanner};

/// A copy of `value` with every finding replaced, whatever the rule's action (a tool response
/// that reaches the model must not carry the secret even when the policy is "deny").
pub fn redact_all(value: &Value, scanner: &SecretScanner) -> Value {
    match value {
        Value::String(s) => {
            let mut findings = scanner.scan_text(s);
            if findings.is_empty() {
                return value.clone();
            }
            findings.sort_by_key(|f| std::cmp::Reverse(f.start));
            let mut out = s.clone();
            for f in findings {
                if f.end <= out.len()
                    && out.is_char_boundary(f.start)
                    && out.is_char_boundary(f.end)
                {
                    out.replace_range(f.start..f.end, &format!("[REDACTED:{}]", f.rule_id));
                }
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| redact_all(v, scanner)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact_all(v, scanner)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Bounds of a result scan: a result the scanner cannot cover entirely is withheld, so the
/// string budget is larger than the gateway's body limit (`[mcp] max_body_bytes`, 4 MiB by
/// default).
fn result_limits() -> ScanLimits {
    ScanLimits {
        max_string_bytes: 64 << 20,
        ..ScanLimits::default()
    }
}

/// Scans a value on its way to an agent, with the result limits.
pub fn scan_outgoing(scanner: &SecretScanner, value: &Value) -> JsonScan {
    scanner.scan_json_with_limits(value, &result_limits())
}

/// True when a scan of `value` found nothing and covered all of it.
pub fn is_clean(scanner: &SecretScanner, value: &Value) -> bool {
    let scan = scan_outgoing(scanner, value);
    scan.findings.is_empty() && scan.limit_exceeded.is_none()
}

/// What replaces a value that still contains secrets after redaction.
pub const WITHHELD_RESULT: &str =
    "[REDACTED: Warden withheld this result: it contains secrets that could not be removed]";

/// Removes every secret from a value that reaches an agent (an MCP tool result, a built-in
/// tool's output), whatever the rules' actions: first span by span in each string (the
/// finding's bytes are replaced), then, for what is still found — secrets inside decoded text
/// (base64, URL-encoding, JSON in a string) or a value found through its credential-like key —
/// the whole string. `None` when even that does not scan clean: the caller withholds the
/// value (fail closed).
pub fn redact_fully(value: &Value, scanner: &SecretScanner) -> Option<Value> {
    let mut out = redact_all(value, scanner);
    if is_clean(scanner, &out) {
        return Some(out);
    }
    redact_whole_strings(&mut out, scanner);
    is_clean(scanner, &out).then_some(out)
}

/// Replaces every string (each scanned with its object key) in which the scanner still finds
/// something with `[REDACTED:{rule}]`.
fn redact_whole_strings(value: &mut Value, scanner: &SecretScanner) {
    let marker = |scan: &warden_security::governance::secret_scan::JsonScan| {
        scan.findings
            .first()
            .map(|f| format!("[REDACTED:{}]", f.rule_id))
            .unwrap_or_else(|| "[REDACTED]".to_owned())
    };
    match value {
        Value::Array(items) => {
            for item in items {
                if let Value::String(s) = item {
                    let scan = scanner.scan_json(&Value::String(s.clone()));
                    if !scan.findings.is_empty() {
                        *item = Value::String(marker(&scan));
                    }
                } else {
                    redact_whole_strings(item, scanner);
                }
            }
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                if let Value::String(s) = item {
                    let mut single = serde_json::Map::new();
                    single.insert(k.clone(), Value::String(s.clone()));
                    let scan = scanner.scan_json(&Value::Object(single));
                    if !scan.findings.is_empty() {
                        *item = Value::String(marker(&scan));
                    }
                } else {
                    redact_whole_strings(item, scanner);
                }
            }
        }
        _ => {}
    }
}
