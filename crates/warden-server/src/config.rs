//! `warden.toml`: one section per feature. Sections are validated once at start-up; a bad
//! file is an error (the server refuses to start — fail closed).
//!
//! Resolution order: `--config FILE`, else `$WARDEN_CONFIG`, else `./warden.toml` if present,
//! else built-in defaults.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not match the schema.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A value is well-formed but not acceptable.
    #[error("invalid config: {0}")]
    Invalid(String),
}

/// The whole configuration file. Unknown top-level sections are errors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WardenConfig {
    /// `[governance]` (SPEC §5): parsed strictly and fully validated (globs and regexes
    /// compiled) while the file loads; built-in defaults when the section is absent.
    #[serde(default)]
    pub governance: warden_security::governance::GovernanceConfig,
    /// `[store]`: `url = "sqlite://…" | "postgres://…"` (default `sqlite://<data_dir>/warden.db`).
    #[serde(default)]
    pub store: warden_store::StoreConfig,
    /// `[counters]`: `url = "redis://…"` (default: in process).
    #[serde(default)]
    pub counters: warden_store::CountersConfig,
    /// `[audit]`: `durability = "strict" | "async"` (default `strict`), queue and batch sizes.
    #[serde(default)]
    pub audit: warden_store::AuditConfig,
    /// `[server]`.
    #[serde(default)]
    pub server: ServerConfig,
    /// `[auth]`.
    #[serde(default)]
    pub auth: Option<toml::Table>,
    /// `[mcp]`: the MCP gateway's upstream servers (see [`crate::mcp::McpConfig`]).
    #[serde(default)]
    pub mcp: crate::mcp::McpConfig,
    /// `[hook]` (Claude Code hooks).
    #[serde(default)]
    pub hook: crate::hook::HookConfig,
    /// `[detect]` (bot and scanner detection).
    #[serde(default)]
    pub detect: warden_security::services::DetectConfig,
}

/// `[server]`: the HTTP service.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on (the `--listen` flag wins).
    pub listen: String,
    /// Largest request body in bytes (default 1 MiB); larger bodies get 413.
    pub max_body_bytes: usize,
    /// Deepest JSON nesting accepted in request bodies (default 64).
    pub max_json_depth: usize,
    /// Per-request timeout in milliseconds (default 30 000); slower requests get 504.
    pub request_timeout_ms: u64,
    /// Seconds to wait for in-flight requests and the audit queue on shutdown (default 10).
    pub shutdown_grace_secs: u64,
    /// Seconds a client may take to send a request's headers; also how long an idle
    /// keep-alive connection stays open (default 10).
    pub header_read_timeout_secs: u64,
    /// Connections served at once (default 8192; lowered to what the file-descriptor limit
    /// allows); more wait in the accept backlog.
    pub max_connections: usize,
    /// Connections served at once per client IP address (default 512; 0 = no limit); more
    /// are closed at once.
    pub max_connections_per_ip: usize,
    /// Threads that serve connections, each with a single-threaded runtime of its own
    /// (default 0: one per CPU; at most 256). See [`crate::connection_threads`].
    pub io_threads: usize,
    /// Audiences a bearer token must name at least one of (default: the ones Warden mints
    /// with, `["web", "api", "a2a", "mcp"]`); a token for another service is refused with
    /// `wrong_audience`, one without `aud` with `missing_claim`.
    pub audiences: Vec<String>,
    /// Clock leeway in seconds for a bearer token's `nbf` and `iat` (default 30, at most
    /// 300); `exp` gets none.
    pub leeway_secs: u64,
}

/// The most clock leeway `[server] leeway_secs` accepts.
pub const MAX_LEEWAY_SECS: u64 = 300;

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            max_body_bytes: 1024 * 1024,
            max_json_depth: crate::json::DEFAULT_MAX_JSON_DEPTH,
            request_timeout_ms: 30_000,
            shutdown_grace_secs: 10,
            header_read_timeout_secs: 10,
            max_connections: 8192,
            max_connections_per_ip: 512,
            io_threads: 0,
            audiences: warden_types::JwtAudience::standard()
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            leeway_secs: warden_security::jwt::DEFAULT_LEEWAY_SECS.unsigned_abs(),
        }
    }
}

impl ServerConfig {
    /// Checks the values that deserialize but cannot be served with.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_body_bytes == 0 || self.request_timeout_ms == 0 || self.max_json_depth == 0 {
            return Err(
                "server.max_body_bytes, server.max_json_depth and server.request_timeout_ms must be positive"
                    .to_owned(),
            );
        }
        if self.header_read_timeout_secs == 0 || self.max_connections == 0 {
            return Err(
                "server.header_read_timeout_secs and server.max_connections must be positive"
                    .to_owned(),
            );
        }
        if self.io_threads > crate::connection_threads::MAX_CONNECTION_THREADS {
            return Err(format!(
                "server.io_threads must be at most {} (0 = one per CPU)",
                crate::connection_threads::MAX_CONNECTION_THREADS
            ));
        }
        if !is_host_port(&self.listen) {
            return Err(format!(
                "server.listen must be HOST:PORT (e.g. \"127.0.0.1:8080\"), not {:?}",
                self.listen
            ));
        }
        if self.audiences.is_empty() || self.audiences.iter().any(|a| a.trim().is_empty()) {
            return Err("server.audiences must name at least one audience, none empty".to_owned());
        }
        if self.leeway_secs > MAX_LEEWAY_SECS {
            return Err(format!(
                "server.leeway_secs must be at most {MAX_LEEWAY_SECS}, not {}",
                self.leeway_secs
            ));
        }
        Ok(())
    }
}

/// `HOST:PORT` with a numeric port and a non-empty host (an IPv6 host in brackets).
fn is_host_port(s: &str) -> bool {
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    let host_ok = match host.strip_prefix('[') {
        Some(v6) => v6
            .strip_suffix(']')
            .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok()),
        None => !host.is_empty() && !host.contains(':') && !host.contains(char::is_whitespace),
    };
    host_ok && port.parse::<u16>().is_ok()
}

/// A TOML syntax error with its line, column and excerpt; a `[governance]` value that parses
/// but fails validation (reported by the section's own deserializer, whose error already names
/// the key, `governance.rate_limit.limits: …`) as that message alone: the excerpt would point
/// at the section's header, not at the value.
fn parse_error_text(e: &toml::de::Error) -> String {
    if e.message().starts_with("governance") {
        e.message().to_owned()
    } else {
        e.to_string()
    }
}

impl WardenConfig {
    /// Parses TOML text and validates every section; `origin` names the source in error
    /// messages.
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        let cfg: WardenConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: parse_error_text(&e),
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks values that deserialize but cannot be used (the server refuses to start).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |e: &dyn std::fmt::Display| ConfigError::Invalid(e.to_string());
        self.store.validate().map_err(|e| invalid(&e))?;
        self.counters.validate().map_err(|e| invalid(&e))?;
        self.audit.validate().map_err(|e| invalid(&e))?;
        self.mcp.validate().map_err(|e| invalid(&e))?;
        warden_security::services::BotDetectionLayer::from_config(&self.detect)
            .map_err(|e| invalid(&e))?;
        self.server.validate().map_err(ConfigError::Invalid)
    }

    /// Reads and parses a file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text, path)
    }

    /// Finds the file to use: `explicit`, else `$WARDEN_CONFIG`, else `./warden.toml` when it
    /// exists; `None` means built-in defaults.
    pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
        if let Some(p) = explicit {
            return Some(p.to_path_buf());
        }
        if let Some(p) = std::env::var_os("WARDEN_CONFIG").filter(|v| !v.is_empty()) {
            return Some(PathBuf::from(p));
        }
        let local = PathBuf::from("warden.toml");
        local.is_file().then_some(local)
    }

    /// Loads the configuration following [`WardenConfig::locate`].
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        match Self::locate(explicit) {
            Some(path) => Self::from_file(&path),
            None => Ok(Self::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(text: &str) -> Result<WardenConfig, ConfigError> {
        WardenConfig::from_toml_str(&format!("[server]\n{text}\n"), Path::new("test.toml"))
    }

    #[test]
    fn a_governance_error_is_reported_without_the_toml_excerpt() {
        let e = server("[governance.rate_limit]\nlimits = []\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.ends_with(": governance.rate_limit.limits: is empty, so nothing would be limited: \
                         list at least one limit, or set `enabled = false` to turn rate limiting off"),
            "{e}"
        );
        // A syntax error keeps its line and column.
        let e = server("[governance\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("TOML parse error at line 2, column"), "{e}");
    }

    #[test]
    fn listen_must_be_host_and_port() {
        for ok in [
            "127.0.0.1:8080",
            "0.0.0.0:0",
            "localhost:9000",
            "[::1]:8080",
        ] {
            assert!(server(&format!("listen = {ok:?}")).is_ok(), "{ok}");
        }
        for bad in [
            "notanaddr",
            "127.0.0.1",
            ":8080",
            "host:port",
            "[::1]",
            "a b:80",
            "::1:80",
        ] {
            let err = server(&format!("listen = {bad:?}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("server.listen"), "{bad}: {err}");
        }
    }

    #[test]
    fn audiences_default_to_the_minted_ones_and_may_not_be_empty() {
        let cfg = WardenConfig::default();
        assert_eq!(cfg.server.audiences, ["web", "api", "a2a", "mcp"]);
        assert!(server("audiences = []").is_err());
        assert!(server("audiences = [\"\"]").is_err());
        assert!(server("audiences = [\"billing\"]").is_ok());
    }

    #[test]
    fn leeway_is_configurable_within_bounds() {
        assert_eq!(WardenConfig::default().server.leeway_secs, 30);
        assert!(server("leeway_secs = 0").is_ok());
        assert!(server("leeway_secs = 120").is_ok());
        assert!(server("leeway_secs = 301").is_err());
    }

    #[test]
    fn io_threads_default_to_one_per_cpu_and_are_bounded() {
        assert_eq!(WardenConfig::default().server.io_threads, 0);
        assert!(server("io_threads = 4").is_ok());
        assert!(server("io_threads = 256").is_ok());
        let err = server("io_threads = 257").unwrap_err().to_string();
        assert!(err.contains("server.io_threads"), "{err}");
    }

    #[test]
    fn limits_must_be_positive() {
        for field in [
            "max_json_depth",
            "max_body_bytes",
            "request_timeout_ms",
            "header_read_timeout_secs",
            "max_connections",
        ] {
            assert!(server(&format!("{field} = 0")).is_err(), "{field}");
        }
    }
}
