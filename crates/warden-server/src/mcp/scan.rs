//! Scanning what the upstream sends back (tool, task, resource and prompt results) before it
//! reaches the agent.
//!
//! Text travels in JSON strings and is scanned as it is. Base64 payloads — the `blob` of a
//! resource's contents (`resources/read`, embedded resources in tool results and prompts) and
//! the `data` of `image` / `audio` content — are decoded first: a payload that decodes to UTF-8
//! text is scanned as text and, when redacted, re-encoded; a binary payload (not UTF-8) passes
//! unchanged. The base64 text itself is never scanned, so a redaction can never corrupt an
//! encoded file and an encoded secret is not missed.

use base64::Engine as _;
use serde_json::Value;

use super::traits::McpGovernor;

/// Scans `result` in place; true when something was redacted.
pub async fn scan_result_in_place(governor: &dyn McpGovernor, result: &mut Value) -> bool {
    let mut payloads = Vec::new();
    take_payloads(result, &mut payloads);
    let mut changed = false;
    if let Some(redacted) = governor.scan_result(result).await {
        *result = redacted;
        changed = true;
    }
    if payloads.is_empty() {
        return changed;
    }
    let mut restored = Vec::with_capacity(payloads.len());
    for encoded in payloads {
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.as_bytes());
        let is_base64 = decoded.is_ok();
        let text = match decoded {
            Ok(bytes) => String::from_utf8(bytes).ok(),
            // Not base64 after all: scanned as the text it is.
            Err(_) => Some(encoded.clone()),
        };
        let Some(text) = text else {
            // Binary: nothing a text scanner could find.
            restored.push(encoded);
            continue;
        };
        match governor.scan_result(&Value::String(text)).await {
            Some(Value::String(redacted)) => {
                changed = true;
                restored.push(if is_base64 {
                    base64::engine::general_purpose::STANDARD.encode(redacted.as_bytes())
                } else {
                    redacted
                });
            }
            // A scanner that answers something other than a string: withhold the payload
            // (fail closed).
            Some(_) => {
                changed = true;
                restored.push(String::new());
            }
            None => restored.push(encoded),
        }
    }
    let mut restored = restored.into_iter();
    put_payloads(result, &mut restored);
    changed
}

/// The key holding a base64 payload in `map`, if any: `blob` (resource contents), or `data`
/// of `image` / `audio` content.
fn payload_key(map: &serde_json::Map<String, Value>) -> Option<&'static str> {
    if matches!(map.get("blob"), Some(Value::String(_))) {
        return Some("blob");
    }
    let media = matches!(
        map.get("type").and_then(Value::as_str),
        Some("image" | "audio")
    );
    (media && matches!(map.get("data"), Some(Value::String(_)))).then_some("data")
}

/// Replaces every base64 payload with an empty string, in a fixed traversal order.
fn take_payloads(value: &mut Value, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| take_payloads(v, out)),
        Value::Object(map) => {
            let key = payload_key(map);
            for (k, v) in map.iter_mut() {
                if Some(k.as_str()) == key {
                    if let Value::String(s) = v {
                        out.push(std::mem::take(s));
                    }
                } else {
                    take_payloads(v, out);
                }
            }
        }
        _ => {}
    }
}

/// Puts the payloads back, in the order [`take_payloads`] took them (the scan changes string
/// values only, so the structure is the same). Payloads left over are dropped.
fn put_payloads(value: &mut Value, payloads: &mut impl Iterator<Item = String>) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| put_payloads(v, payloads)),
        Value::Object(map) => {
            let key = payload_key(map);
            for (k, v) in map.iter_mut() {
                if Some(k.as_str()) == key {
                    *v = Value::String(payloads.next().unwrap_or_default());
                } else {
                    put_payloads(v, payloads);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(s: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn payloads_come_back_in_place() {
        let mut v = json!({"contents": [
            {"uri": "a", "text": "x"},
            {"uri": "b", "blob": enc(b"one")},
            {"content": [{"type": "image", "data": enc(&[0xff, 0x00]), "mimeType": "image/png"}]},
            {"type": "audio", "data": "not base64 !"},
        ]});
        let original = v.clone();
        let mut taken = Vec::new();
        take_payloads(&mut v, &mut taken);
        assert_eq!(taken.len(), 3);
        assert_eq!(v["contents"][1]["blob"], "");
        let mut it = taken.into_iter();
        put_payloads(&mut v, &mut it);
        assert_eq!(v, original);
    }

    #[test]
    fn data_of_text_content_is_not_a_payload() {
        let mut v = json!({"type": "text", "text": "t", "data": "d"});
        let mut taken = Vec::new();
        take_payloads(&mut v, &mut taken);
        assert!(taken.is_empty());
    }
}
