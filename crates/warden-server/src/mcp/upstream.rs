//! Talking to one upstream MCP server: which client headers travel, credential injection,
//! and the binding of upstream sessions to the caller that opened them.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use parking_lot::Mutex;
use zeroize::Zeroizing;

use super::config::{InjectConfig, McpConfig, McpServerConfig};
use super::traits::CredentialSource;

/// `Mcp-Session-Id`.
pub const MCP_SESSION_ID: &str = "mcp-session-id";
/// `MCP-Protocol-Version`.
pub const MCP_PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Mcp-Method` (2026-07-28).
pub const MCP_METHOD: &str = "mcp-method";
/// `Mcp-Name` (2026-07-28).
pub const MCP_NAME: &str = "mcp-name";
/// Prefix of the `Mcp-Param-*` headers (2026-07-28).
pub const MCP_PARAM_PREFIX: &str = "mcp-param-";

/// Client request headers forwarded upstream. Everything else — in particular
/// `Authorization`, `x-mcp-proxy-auth` and `Cookie`, which authenticate the caller to Warden —
/// stays at the gateway.
const FORWARDED_REQUEST_HEADERS: &[&str] = &[
    "accept",
    MCP_SESSION_ID,
    MCP_PROTOCOL_VERSION,
    MCP_METHOD,
    MCP_NAME,
    "last-event-id",
    "traceparent",
    "tracestate",
];

/// One configured upstream.
#[derive(Debug, Clone)]
pub struct UpstreamServer {
    /// The configured name.
    pub name: String,
    /// The endpoint.
    pub uri: http::Uri,
    /// Timeout for this server.
    pub timeout: Duration,
    /// Credentials to inject.
    pub inject: Vec<InjectConfig>,
}

impl UpstreamServer {
    /// Builds the runtime form of a validated `[[mcp.servers]]` entry.
    pub(crate) fn from_config(
        global: &McpConfig,
        server: &McpServerConfig,
    ) -> Result<Self, url_error::UrlError> {
        // Through the WHATWG parser first (the one validation used), which normalizes the URL
        // (IDNA host, percent-encoding) into a form http::Uri accepts.
        let uri = url::Url::parse(&server.url)
            .map_err(|e| url_error::UrlError(e.to_string()))?
            .as_str()
            .parse::<http::Uri>()
            .map_err(|e| url_error::UrlError(e.to_string()))?;
        Ok(Self {
            name: server.name.clone(),
            uri,
            timeout: Duration::from_millis(
                server
                    .request_timeout_ms
                    .unwrap_or(global.request_timeout_ms),
            ),
            inject: server.inject.clone(),
        })
    }

    /// The governed name of an upstream tool: `mcp__{server}__{tool}`.
    pub fn governed_tool_name(&self, tool: &str) -> String {
        format!("mcp__{}__{}", self.name, tool)
    }
}

pub(crate) mod url_error {
    /// A configured URL that does not parse (cannot happen after validation).
    #[derive(Debug, thiserror::Error)]
    #[error("invalid upstream url: {0}")]
    pub struct UrlError(pub String);
}

/// Credential material resolved for one upstream request. Holds the header values and, for
/// scrubbing upstream responses, the plaintexts; both are zeroized on drop and never printed.
#[derive(Default)]
pub struct InjectedCredentials {
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Texts that must never reach the client (formatted values first, then raw secrets).
    pub(crate) needles: Vec<Zeroizing<String>>,
}

impl std::fmt::Debug for InjectedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InjectedCredentials")
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("values", &"[REDACTED]")
            .finish()
    }
}

/// Shortest injected text scrubbed from responses (shorter ones would match too much).
const MIN_NEEDLE_LEN: usize = 4;

impl InjectedCredentials {
    /// True when nothing was injected.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }
}

/// A credential could not be resolved; the message names the reference, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CredentialError(pub String);

/// Resolves every `[[mcp.servers.inject]]` entry of `server`.
pub async fn resolve_credentials(
    server: &UpstreamServer,
    source: &dyn CredentialSource,
) -> Result<InjectedCredentials, CredentialError> {
    let mut out = InjectedCredentials::default();
    for inject in &server.inject {
        let Some((ns, name)) = inject.secret_ref() else {
            return Err(CredentialError(format!(
                "credential reference {:?} is invalid",
                inject.secret
            )));
        };
        let secret = match source.resolve(ns, name).await {
            Ok(Some(secret)) => secret,
            Ok(None) => {
                return Err(CredentialError(format!(
                    "credential {ns}/{name} for upstream {:?} is not in the vault",
                    server.name
                )))
            }
            Err(reason) => {
                return Err(CredentialError(format!(
                    "credential {ns}/{name} for upstream {:?} cannot be read: {reason}",
                    server.name
                )))
            }
        };
        let (prefix, suffix) = inject.format().split_once("{secret}").unwrap_or(("", ""));
        let mut value = Zeroizing::new(Vec::with_capacity(
            prefix.len() + secret.len() + suffix.len(),
        ));
        value.extend_from_slice(prefix.as_bytes());
        value.extend_from_slice(&secret);
        value.extend_from_slice(suffix.as_bytes());
        let header_name = HeaderName::from_bytes(inject.header.as_bytes()).map_err(|_| {
            CredentialError(format!("inject header {:?} is invalid", inject.header))
        })?;
        let mut header_value = HeaderValue::from_bytes(&value).map_err(|_| {
            CredentialError(format!(
                "credential {ns}/{name} contains bytes not allowed in an HTTP header"
            ))
        })?;
        header_value.set_sensitive(true);
        out.headers.push((header_name, header_value));
        for text in [&value[..], &secret[..]] {
            if text.len() >= MIN_NEEDLE_LEN {
                if let Ok(s) = std::str::from_utf8(text) {
                    if !out.needles.iter().any(|n| n.as_str() == s) {
                        out.needles.push(Zeroizing::new(s.to_string()));
                    }
                }
            }
        }
    }
    // Longest first, so a formatted value is replaced as a whole before its secret part.
    out.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    Ok(out)
}

/// The headers sent upstream: the forwarded subset of the client's headers (without
/// `Mcp-Param-*` when `drop_param_headers`, i.e. when the arguments were rewritten), a default
/// `Accept`, and the injected credentials.
pub fn upstream_headers(
    client: &HeaderMap,
    default_accept: &'static str,
    with_json_body: bool,
    drop_param_headers: bool,
    credentials: &InjectedCredentials,
) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(8 + credentials.headers.len());
    for (name, value) in client {
        let n = name.as_str();
        let forwarded = FORWARDED_REQUEST_HEADERS.contains(&n)
            || (!drop_param_headers && n.starts_with(MCP_PARAM_PREFIX));
        if forwarded {
            out.append(name.clone(), value.clone());
        }
    }
    if !out.contains_key(http::header::ACCEPT) {
        out.insert(
            http::header::ACCEPT,
            HeaderValue::from_static(default_accept),
        );
    }
    if with_json_body {
        out.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    for (name, value) in &credentials.headers {
        out.append(name.clone(), value.clone());
    }
    out
}

/// Replaces every injected credential text inside the string leaves of `value`.
/// Returns true when something was replaced.
pub fn scrub_credentials(value: &mut serde_json::Value, needles: &[Zeroizing<String>]) -> bool {
    if needles.is_empty() {
        return false;
    }
    match value {
        serde_json::Value::String(s) => scrub_str(s, needles),
        serde_json::Value::Array(items) => {
            let mut changed = false;
            for item in items {
                changed |= scrub_credentials(item, needles);
            }
            changed
        }
        serde_json::Value::Object(map) => {
            let mut changed = false;
            for item in map.values_mut() {
                changed |= scrub_credentials(item, needles);
            }
            changed
        }
        _ => false,
    }
}

/// What replaces an injected credential found in an upstream response.
pub const CREDENTIAL_PLACEHOLDER: &str = "[REDACTED:credential]";

/// Replaces every needle inside `s`; true when something changed.
pub fn scrub_str(s: &mut String, needles: &[Zeroizing<String>]) -> bool {
    let mut changed = false;
    for needle in needles {
        if s.contains(needle.as_str()) {
            let replaced = Zeroizing::new(s.replace(needle.as_str(), CREDENTIAL_PLACEHOLDER));
            s.clear();
            s.push_str(&replaced);
            changed = true;
        }
    }
    changed
}

/// Which caller opened which upstream session: a session id presented by another caller (or
/// one this gateway never saw) is refused, so that callers sharing the gateway's upstream
/// credential cannot join each other's sessions. Bounded; the oldest binding goes first.
#[derive(Debug)]
pub struct SessionBindings {
    inner: Mutex<Bindings>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Bindings {
    owner: HashMap<(String, String), String>,
    order: VecDeque<(String, String)>,
}

/// The result of checking a presented session id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    /// The caller owns the session.
    Owned,
    /// Unknown session, or another caller's.
    Refused,
}

impl SessionBindings {
    /// Bindings holding at most `capacity` sessions.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Bindings::default()),
            capacity: capacity.max(1),
        }
    }

    /// Checks `session` on `server` against `principal`.
    pub fn check(&self, server: &str, session: &str, principal: &str) -> SessionCheck {
        let inner = self.inner.lock();
        match inner.owner.get(&(server.to_string(), session.to_string())) {
            Some(owner) if owner == principal => SessionCheck::Owned,
            _ => SessionCheck::Refused,
        }
    }

    /// Records that `principal` opened `session` on `server`; an existing binding to another
    /// principal is kept (returns false).
    pub fn bind(&self, server: &str, session: &str, principal: &str) -> bool {
        let key = (server.to_string(), session.to_string());
        let mut inner = self.inner.lock();
        if let Some(owner) = inner.owner.get(&key) {
            return owner == principal;
        }
        while inner.owner.len() >= self.capacity {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            inner.owner.remove(&oldest);
        }
        inner.owner.insert(key.clone(), principal.to_string());
        inner.order.push_back(key);
        true
    }

    /// Forgets a session (after DELETE).
    pub fn unbind(&self, server: &str, session: &str) {
        let key = (server.to_string(), session.to_string());
        let mut inner = self.inner.lock();
        if inner.owner.remove(&key).is_some() {
            inner.order.retain(|k| k != &key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strips_caller_credentials_and_keeps_protocol_headers() {
        let mut h = HeaderMap::new();
        h.insert("authorization", HeaderValue::from_static("Bearer caller"));
        h.insert(
            "x-mcp-proxy-auth",
            HeaderValue::from_static("Bearer caller"),
        );
        h.insert("cookie", HeaderValue::from_static("a=b"));
        h.insert(MCP_SESSION_ID, HeaderValue::from_static("s1"));
        h.insert(MCP_PROTOCOL_VERSION, HeaderValue::from_static("2025-06-18"));
        h.insert("mcp-param-repo", HeaderValue::from_static("x"));
        let out = upstream_headers(
            &h,
            "application/json",
            true,
            false,
            &InjectedCredentials::default(),
        );
        assert!(out.get("authorization").is_none());
        assert!(out.get("x-mcp-proxy-auth").is_none());
        assert!(out.get("cookie").is_none());
        assert_eq!(out[MCP_SESSION_ID], "s1");
        assert_eq!(out[MCP_PROTOCOL_VERSION], "2025-06-18");
        assert_eq!(out["mcp-param-repo"], "x");
        assert_eq!(out["accept"], "application/json");
    }

    #[test]
    fn drops_param_headers_when_arguments_were_rewritten() {
        let mut h = HeaderMap::new();
        h.insert("mcp-param-token", HeaderValue::from_static("secret"));
        let out = upstream_headers(
            &h,
            "application/json",
            true,
            true,
            &InjectedCredentials::default(),
        );
        assert!(out.get("mcp-param-token").is_none());
    }

    #[test]
    fn scrubs_credentials_in_nested_strings() {
        let needles = vec![
            Zeroizing::new("Bearer abcd1234".to_string()),
            Zeroizing::new("abcd1234".to_string()),
        ];
        let mut v =
            json!({"h": {"authorization": "Bearer abcd1234"}, "l": ["x abcd1234 y"], "n": 1});
        assert!(scrub_credentials(&mut v, &needles));
        assert_eq!(v["h"]["authorization"], CREDENTIAL_PLACEHOLDER);
        assert_eq!(v["l"][0], format!("x {CREDENTIAL_PLACEHOLDER} y"));
    }

    #[test]
    fn session_of_another_principal_is_refused() {
        let b = SessionBindings::new(10);
        assert!(b.bind("demo", "s1", "alice"));
        assert_eq!(b.check("demo", "s1", "alice"), SessionCheck::Owned);
        assert_eq!(b.check("demo", "s1", "bob"), SessionCheck::Refused);
        assert_eq!(b.check("other", "s1", "alice"), SessionCheck::Refused);
        assert!(!b.bind("demo", "s1", "bob"));
    }

    #[test]
    fn session_bindings_are_bounded() {
        let b = SessionBindings::new(2);
        b.bind("d", "s1", "a");
        b.bind("d", "s2", "a");
        b.bind("d", "s3", "a");
        assert_eq!(b.check("d", "s1", "a"), SessionCheck::Refused);
        assert_eq!(b.check("d", "s3", "a"), SessionCheck::Owned);
        b.unbind("d", "s3");
        assert_eq!(b.check("d", "s3", "a"), SessionCheck::Refused);
    }
}
