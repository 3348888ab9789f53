//! `[mcp]` in `warden.toml`: the upstream MCP servers the gateway fronts.
//!
//! ```toml
//! [mcp]
//! request_timeout_ms = 30000      # per upstream request (headers, JSON body, gap between SSE events)
//! max_body_bytes = 4194304        # client request bodies and upstream JSON bodies / SSE events
//! credential_cache_ms = 5000      # how long injected credentials read from the vault are reused
//!
//! [[mcp.servers]]
//! name = "demo"                   # served at /mcp/demo; tools are governed as mcp__demo__{tool}
//! url = "http://127.0.0.1:9000/mcp"
//! request_timeout_ms = 5000       # optional per-server override
//!
//! [[mcp.servers.inject]]          # optional, repeatable: credentials added by the gateway
//! header = "Authorization"
//! secret = "github/token"         # vault reference "namespace/name"
//! format = "Bearer {secret}"      # optional; default "{secret}"
//! ```
//!
//! [`McpConfig::validate`] checks everything once at start-up; a bad section stops the server.

use serde::Deserialize;

/// Default per-request upstream timeout.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
/// Default bound on a request body, an upstream JSON body and one upstream SSE event.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Default time an injected credential read from the vault is reused.
pub const DEFAULT_CREDENTIAL_CACHE_MS: u64 = 5_000;
/// Longest accepted server name.
pub const MAX_SERVER_NAME_LEN: usize = 64;

/// A `[mcp]` section that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum McpConfigError {
    /// A server name is empty, too long, uses other characters than `[A-Za-z0-9_-]` or contains
    /// `__` (which would make `mcp__{server}__{tool}` ambiguous).
    #[error("[[mcp.servers]] name {0:?} is invalid: use 1-64 characters from [A-Za-z0-9_-], without \"__\"")]
    BadServerName(String),
    /// Two servers share a name.
    #[error("[[mcp.servers]] name {0:?} is used twice")]
    DuplicateServer(String),
    /// The URL does not parse or is not `http`/`https`.
    #[error("[[mcp.servers]] {server:?}: url {url:?} is not an http(s) URL: {reason}")]
    BadUrl {
        /// The server.
        server: String,
        /// The URL as written.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A timeout of zero.
    #[error("{0}: request_timeout_ms must be greater than 0")]
    ZeroTimeout(String),
    /// A body limit below 1 KiB.
    #[error("[mcp] max_body_bytes must be at least 1024")]
    BodyLimitTooSmall,
    /// An injected header name is invalid or reserved.
    #[error("[[mcp.servers]] {server:?}: inject header {header:?} is not allowed: {reason}")]
    BadInjectHeader {
        /// The server.
        server: String,
        /// The header as written.
        header: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A secret reference is not `namespace/name`.
    #[error("[[mcp.servers]] {server:?}: inject secret {secret:?} must be \"namespace/name\"")]
    BadSecretRef {
        /// The server.
        server: String,
        /// The reference as written.
        secret: String,
    },
    /// A format string lacks exactly one `{secret}` placeholder.
    #[error("[[mcp.servers]] {server:?}: inject format {format:?} must contain \"{{secret}}\" exactly once")]
    BadFormat {
        /// The server.
        server: String,
        /// The format as written.
        format: String,
    },
    /// A format string contains characters not allowed in a header value.
    #[error("[[mcp.servers]] {server:?}: inject format {format:?} contains characters not allowed in an HTTP header")]
    BadFormatChars {
        /// The server.
        server: String,
        /// The format as written.
        format: String,
    },
}

/// The `[mcp]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpConfig {
    /// Upstream request timeout in milliseconds (time to response headers, to read a JSON body,
    /// and the longest gap between two events of an SSE response to a POST).
    #[serde(default = "default_timeout")]
    pub request_timeout_ms: u64,
    /// Bound on client request bodies, upstream JSON bodies and single upstream SSE events.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// How long, in milliseconds, the credentials injected for one upstream are reused before
    /// the vault is read again (0: read on every request). A secret rotated or deleted in the
    /// vault is picked up within this time.
    #[serde(default = "default_credential_cache")]
    pub credential_cache_ms: u64,
    /// `[[mcp.servers]]`.
    #[serde(default)]
    pub servers: Vec<McpServerConfig>,
}

impl Default for McpConfig {
    fn default() -> Self {
        Self {
            request_timeout_ms: DEFAULT_REQUEST_TIMEOUT_MS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            credential_cache_ms: DEFAULT_CREDENTIAL_CACHE_MS,
            servers: Vec::new(),
        }
    }
}

fn default_credential_cache() -> u64 {
    DEFAULT_CREDENTIAL_CACHE_MS
}

fn default_timeout() -> u64 {
    DEFAULT_REQUEST_TIMEOUT_MS
}

fn default_max_body() -> usize {
    DEFAULT_MAX_BODY_BYTES
}

/// One `[[mcp.servers]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServerConfig {
    /// Name: the path segment of `/mcp/{name}` and the middle of `mcp__{name}__{tool}`.
    pub name: String,
    /// The upstream's streamable-HTTP endpoint.
    pub url: String,
    /// Per-server timeout override in milliseconds.
    #[serde(default)]
    pub request_timeout_ms: Option<u64>,
    /// `[[mcp.servers.inject]]`: headers the gateway adds from the vault.
    #[serde(default)]
    pub inject: Vec<InjectConfig>,
}

/// One `[[mcp.servers.inject]]` entry: a header whose value comes from a vault secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectConfig {
    /// Header name, e.g. `Authorization` or `X-Api-Key`.
    pub header: String,
    /// Vault reference `namespace/name`.
    pub secret: String,
    /// Header value template with one `{secret}` placeholder; default `{secret}`.
    #[serde(default)]
    pub format: Option<String>,
}

impl InjectConfig {
    /// The `(namespace, name)` of the secret reference (validated by [`McpConfig::validate`]).
    pub fn secret_ref(&self) -> Option<(&str, &str)> {
        let (ns, name) = self.secret.split_once('/')?;
        if ns.is_empty() || name.is_empty() || name.contains('/') {
            return None;
        }
        Some((ns, name))
    }

    /// The template in effect.
    pub fn format(&self) -> &str {
        self.format.as_deref().unwrap_or("{secret}")
    }
}

/// Headers the gateway manages itself; an inject entry may not set them.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "accept",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "keep-alive",
    "proxy-connection",
    "mcp-session-id",
    "mcp-protocol-version",
    "mcp-method",
    "mcp-name",
    "last-event-id",
];

impl McpConfig {
    /// Checks the whole section; the first problem is returned.
    pub fn validate(&self) -> Result<(), McpConfigError> {
        if self.request_timeout_ms == 0 {
            return Err(McpConfigError::ZeroTimeout("[mcp]".into()));
        }
        if self.max_body_bytes < 1024 {
            return Err(McpConfigError::BodyLimitTooSmall);
        }
        let mut seen = std::collections::HashSet::new();
        for server in &self.servers {
            if !valid_server_name(&server.name) {
                return Err(McpConfigError::BadServerName(server.name.clone()));
            }
            if !seen.insert(server.name.as_str()) {
                return Err(McpConfigError::DuplicateServer(server.name.clone()));
            }
            validate_url(&server.name, &server.url)?;
            if server.request_timeout_ms == Some(0) {
                return Err(McpConfigError::ZeroTimeout(format!(
                    "[[mcp.servers]] {:?}",
                    server.name
                )));
            }
            for inject in &server.inject {
                validate_inject(&server.name, inject)?;
            }
        }
        Ok(())
    }
}

/// `[A-Za-z0-9_-]{1,64}` without `__`.
pub fn valid_server_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_SERVER_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !name.contains("__")
}

fn validate_url(server: &str, url: &str) -> Result<(), McpConfigError> {
    let bad = |reason: &str| McpConfigError::BadUrl {
        server: server.to_string(),
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(bad("scheme must be http or https"));
    }
    if parsed.host_str().is_none() {
        return Err(bad("no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "credentials in the URL are not allowed; use [[mcp.servers.inject]]",
        ));
    }
    Ok(())
}

fn validate_inject(server: &str, inject: &InjectConfig) -> Result<(), McpConfigError> {
    let bad_header = |reason: &str| McpConfigError::BadInjectHeader {
        server: server.to_string(),
        header: inject.header.clone(),
        reason: reason.to_string(),
    };
    let name = http::HeaderName::from_bytes(inject.header.as_bytes())
        .map_err(|_| bad_header("not a valid header name"))?;
    if RESERVED_HEADERS.contains(&name.as_str()) || name.as_str().starts_with("mcp-param-") {
        return Err(bad_header("the gateway manages this header"));
    }
    if inject.secret_ref().is_none() {
        return Err(McpConfigError::BadSecretRef {
            server: server.to_string(),
            secret: inject.secret.clone(),
        });
    }
    let format = inject.format();
    if format.matches("{secret}").count() != 1 {
        return Err(McpConfigError::BadFormat {
            server: server.to_string(),
            format: format.to_string(),
        });
    }
    if format
        .bytes()
        .any(|b| b == b'\r' || b == b'\n' || b == 0 || b == 0x7f)
    {
        return Err(McpConfigError::BadFormatChars {
            server: server.to_string(),
            format: format.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<McpConfig, toml::de::Error> {
        #[derive(Deserialize)]
        struct Root {
            mcp: McpConfig,
        }
        toml::from_str::<Root>(text).map(|r| r.mcp)
    }

    #[test]
    fn parses_documented_example() {
        let cfg = parse(
            r#"
[mcp]
request_timeout_ms = 1000
[[mcp.servers]]
name = "demo"
url = "http://127.0.0.1:9000/mcp"
[[mcp.servers.inject]]
header = "Authorization"
secret = "ns/name"
format = "Bearer {secret}"
"#,
        )
        .unwrap();
        assert_eq!(cfg.request_timeout_ms, 1000);
        assert_eq!(cfg.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(cfg.servers[0].inject[0].secret_ref(), Some(("ns", "name")));
        cfg.validate().unwrap();
    }

    #[test]
    fn rejects_unknown_keys() {
        assert!(parse("[mcp]\nbogus = 1\n").is_err());
        assert!(parse("[mcp]\n[[mcp.servers]]\nname=\"a\"\nurl=\"http://x\"\nextra=1\n").is_err());
    }

    fn server(name: &str, url: &str) -> McpServerConfig {
        McpServerConfig {
            name: name.into(),
            url: url.into(),
            request_timeout_ms: None,
            inject: vec![],
        }
    }

    #[test]
    fn rejects_ambiguous_server_name() {
        let cfg = McpConfig {
            servers: vec![server("a__b", "http://x/")],
            ..McpConfig::default()
        };
        assert_eq!(
            cfg.validate(),
            Err(McpConfigError::BadServerName("a__b".into()))
        );
    }

    #[test]
    fn rejects_duplicate_server() {
        let cfg = McpConfig {
            servers: vec![server("a", "http://x/"), server("a", "http://y/")],
            ..McpConfig::default()
        };
        assert_eq!(
            cfg.validate(),
            Err(McpConfigError::DuplicateServer("a".into()))
        );
    }

    #[test]
    fn rejects_non_http_url_and_userinfo() {
        for url in ["ftp://x/", "not a url", "http://u:p@x/"] {
            let cfg = McpConfig {
                servers: vec![server("a", url)],
                ..McpConfig::default()
            };
            assert!(
                matches!(cfg.validate(), Err(McpConfigError::BadUrl { .. })),
                "{url}"
            );
        }
    }

    fn with_inject(header: &str, secret: &str, format: Option<&str>) -> McpConfig {
        let mut s = server("a", "http://x/");
        s.inject.push(InjectConfig {
            header: header.into(),
            secret: secret.into(),
            format: format.map(str::to_string),
        });
        McpConfig {
            servers: vec![s],
            ..McpConfig::default()
        }
    }

    #[test]
    fn rejects_reserved_or_invalid_inject_header() {
        for h in ["Mcp-Session-Id", "Host", "bad header", "Mcp-Param-X"] {
            assert!(
                matches!(
                    with_inject(h, "a/b", None).validate(),
                    Err(McpConfigError::BadInjectHeader { .. })
                ),
                "{h}"
            );
        }
    }

    #[test]
    fn rejects_bad_secret_reference() {
        for s in ["nosep", "/b", "a/", "a/b/c"] {
            assert!(
                matches!(
                    with_inject("X-Key", s, None).validate(),
                    Err(McpConfigError::BadSecretRef { .. })
                ),
                "{s}"
            );
        }
    }

    #[test]
    fn rejects_format_without_single_placeholder() {
        for f in ["Bearer", "{secret}{secret}"] {
            assert!(matches!(
                with_inject("X-Key", "a/b", Some(f)).validate(),
                Err(McpConfigError::BadFormat { .. })
            ));
        }
        assert!(matches!(
            with_inject("X-Key", "a/b", Some("a\r\n{secret}")).validate(),
            Err(McpConfigError::BadFormatChars { .. })
        ));
    }

    #[test]
    fn rejects_zero_timeout() {
        let cfg = McpConfig {
            request_timeout_ms: 0,
            ..McpConfig::default()
        };
        assert!(matches!(
            cfg.validate(),
            Err(McpConfigError::ZeroTimeout(_))
        ));
    }

    #[test]
    fn warden_config_carries_typed_mcp_section() {
        let cfg = crate::config::WardenConfig::from_toml_str(
            "[mcp]\n[[mcp.servers]]\nname = \"demo\"\nurl = \"http://127.0.0.1:9000/mcp\"\n",
            std::path::Path::new("warden.toml"),
        )
        .unwrap();
        assert_eq!(cfg.mcp.servers[0].name, "demo");
        let bad = crate::config::WardenConfig::from_toml_str(
            "[mcp]\ntimeout = 1\n",
            std::path::Path::new("warden.toml"),
        );
        assert!(bad.is_err());
        assert!(crate::config::WardenConfig::default()
            .mcp
            .servers
            .is_empty());
    }

    #[test]
    fn error_messages_name_the_problem() {
        let e = McpConfigError::BadServerName("x y".into()).to_string();
        assert!(e.contains("\"x y\"") && e.contains("[A-Za-z0-9_-]"));
    }
}
