//! JSON-RPC 2.0 framing as MCP uses it: single messages or (2025-03-26) batches, message
//! classification, and the error codes the gateway answers with.

use serde_json::{json, Map, Value};

/// Error codes the gateway puts into JSON-RPC error responses.
///
/// Warden's own codes live in `-32060..=-32069`, inside the JSON-RPC range reserved for
/// implementation-defined server errors but clear of the codes MCP and its SDKs already use
/// (`-32000` connection closed, `-32001` request timeout, `-32002` resource not found,
/// `-32020..-32022` header / capability / version errors, `-32042` URL elicitation).
pub mod codes {
    /// The body is not JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// The body is JSON but not a JSON-RPC message (or an empty batch).
    pub const INVALID_REQUEST: i64 = -32600;
    /// `tools/call` without a string `params.name` or with non-object `arguments`.
    pub const INVALID_PARAMS: i64 = -32602;
    /// A gateway bug or an unusable internal state.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// `Mcp-Method` / `Mcp-Name` headers disagree with the body (MCP `HEADER_MISMATCH`).
    pub const HEADER_MISMATCH: i64 = -32020;
    /// Governance denied the call or asks for confirmation; `data` holds
    /// `{decision, decision_id, reason, policy, tool}`.
    pub const GOVERNANCE_DENIED: i64 = -32060;
    /// The upstream could not be reached (connection refused, DNS, TLS).
    pub const UPSTREAM_UNREACHABLE: i64 = -32061;
    /// The upstream did not answer within `request_timeout_ms`.
    pub const UPSTREAM_TIMEOUT: i64 = -32062;
    /// The upstream answered with an HTTP error, an unusable body or a body over the limit.
    pub const UPSTREAM_BAD_RESPONSE: i64 = -32063;
    /// A credential to inject could not be resolved; the call is not sent without it.
    pub const CREDENTIAL_UNAVAILABLE: i64 = -32064;
    /// No authenticated caller (sent with HTTP 401).
    pub const UNAUTHENTICATED: i64 = -32065;
    /// No `[[mcp.servers]]` entry with that name (sent with HTTP 404).
    pub const UNKNOWN_SERVER: i64 = -32066;
    /// The request body is larger than `max_body_bytes` (sent with HTTP 413).
    pub const PAYLOAD_TOO_LARGE: i64 = -32067;
    /// The `Mcp-Session-Id` belongs to another caller or is unknown to this gateway
    /// (sent with HTTP 404, which tells MCP clients to start a new session).
    pub const SESSION_NOT_FOUND: i64 = -32068;
}

/// A POST body: one message or a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// One JSON-RPC message.
    Single(Value),
    /// A non-empty JSON array of messages.
    Batch(Vec<Value>),
}

impl Payload {
    /// The messages, in order.
    pub fn messages(&self) -> &[Value] {
        match self {
            Payload::Single(v) => std::slice::from_ref(v),
            Payload::Batch(v) => v,
        }
    }
}

/// Why a body is not a usable payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not JSON.
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
    /// JSON, but neither an object nor a non-empty array of objects.
    #[error("body is not a JSON-RPC message or a non-empty batch of messages")]
    NotJsonRpc,
}

impl PayloadError {
    /// The JSON-RPC code for this error.
    pub fn code(&self) -> i64 {
        match self {
            PayloadError::NotJson(_) => codes::PARSE_ERROR,
            PayloadError::NotJsonRpc => codes::INVALID_REQUEST,
        }
    }
}

/// Parses a body into a payload.
pub fn parse_payload(body: &[u8]) -> Result<Payload, PayloadError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| PayloadError::NotJson(e.to_string()))?;
    match value {
        Value::Object(_) => Ok(Payload::Single(value)),
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            Ok(Payload::Batch(items))
        }
        _ => Err(PayloadError::NotJsonRpc),
    }
}

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<'a> {
    /// A request: `method` and `id`.
    Request {
        /// The id.
        id: &'a Value,
        /// The method.
        method: &'a str,
    },
    /// A notification: `method` without `id`.
    Notification {
        /// The method.
        method: &'a str,
    },
    /// A response: `result` or `error` with `id`.
    Response {
        /// The id.
        id: &'a Value,
    },
    /// Anything else.
    Invalid,
}

/// Classifies one message.
pub fn classify(msg: &Value) -> Kind<'_> {
    let Some(obj) = msg.as_object() else {
        return Kind::Invalid;
    };
    let id = obj.get("id").filter(|v| valid_id(v));
    match (obj.get("method").and_then(Value::as_str), id) {
        (Some(method), Some(id)) => Kind::Request { id, method },
        (Some(method), None) if !obj.contains_key("id") => Kind::Notification { method },
        (None, Some(id)) if obj.contains_key("result") || obj.contains_key("error") => {
            Kind::Response { id }
        }
        _ => Kind::Invalid,
    }
}

fn valid_id(v: &Value) -> bool {
    v.is_string() || v.is_number()
}

/// A stable map key for an id (`"1"` and `1` differ).
pub fn id_key(id: &Value) -> String {
    id.to_string()
}

/// Builds `{"jsonrpc":"2.0","id":id,"error":{"code","message"[,"data"]}}`.
pub fn error_response(id: Value, code: i64, message: &str, data: Option<Value>) -> Value {
    let mut error = Map::new();
    error.insert("code".into(), json!(code));
    error.insert("message".into(), json!(message));
    if let Some(data) = data {
        error.insert("data".into(), data);
    }
    json!({"jsonrpc": "2.0", "id": id, "error": Value::Object(error)})
}

/// `params.name` of a message, when it is a string.
pub fn param_name(msg: &Value) -> Option<&str> {
    msg.get("params")?.get("name")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn classifies_request_notification_response() {
        let r = json!({"jsonrpc":"2.0","id":1,"method":"tools/list"});
        assert!(matches!(
            classify(&r),
            Kind::Request {
                method: "tools/list",
                ..
            }
        ));
        let n = json!({"jsonrpc":"2.0","method":"notifications/initialized"});
        assert!(matches!(classify(&n), Kind::Notification { .. }));
        let s = json!({"jsonrpc":"2.0","id":"a","result":{}});
        assert!(matches!(classify(&s), Kind::Response { .. }));
    }

    #[test]
    fn request_with_null_id_is_invalid() {
        let r = json!({"jsonrpc":"2.0","id":null,"method":"tools/call"});
        assert_eq!(classify(&r), Kind::Invalid);
    }

    #[test]
    fn empty_batch_is_rejected() {
        assert_eq!(parse_payload(b"[]"), Err(PayloadError::NotJsonRpc));
        assert_eq!(parse_payload(b"[1]"), Err(PayloadError::NotJsonRpc));
        assert!(matches!(parse_payload(b"{"), Err(PayloadError::NotJson(_))));
    }

    #[test]
    fn batch_is_parsed() {
        let p =
            parse_payload(br#"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]"#)
                .unwrap();
        assert_eq!(p.messages().len(), 2);
    }

    #[test]
    fn id_keys_distinguish_string_and_number() {
        assert_ne!(id_key(&json!(1)), id_key(&json!("1")));
    }

    #[test]
    fn error_response_carries_data() {
        let e = error_response(
            json!(7),
            codes::GOVERNANCE_DENIED,
            "no",
            Some(json!({"a":1})),
        );
        assert_eq!(e["error"]["code"], -32060);
        assert_eq!(e["error"]["data"]["a"], 1);
        assert_eq!(e["id"], 7);
    }

    proptest! {
        #[test]
        fn parse_and_classify_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            if let Ok(p) = parse_payload(&bytes) {
                for m in p.messages() {
                    let _ = classify(m);
                    let _ = param_name(m);
                }
            }
        }
    }
}
