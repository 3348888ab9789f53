//! Configuration sections owned by the store: `[store]`, `[counters]` and `[audit]`.
//!
//! ```toml
//! [store]
//! url = "sqlite://./warden-data/warden.db"   # or "postgres://user@host/db"
//! sqlite_synchronous = "normal"              # "normal" (default, WAL) | "full"
//! connect_timeout_ms = 2000
//!
//! [counters]
//! url = "redis://127.0.0.1:6379"             # omit for in-process counters
//! key_prefix = "warden:"
//!
//! [audit]
//! durability = "strict"                      # "strict" (default) | "async"
//! queue_size = 65536
//! batch_size = 512
//! linger_ms = 0
//! ```

use std::time::Duration;

use serde::Deserialize;

/// Bounds checked by the `validate` methods.
const MAX_BATCH_SIZE: usize = 4096;

/// A configuration value is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid [{section}] {key}: {message}")]
pub struct ConfigValueError {
    /// Section name (`store`, `counters`, `audit`).
    pub section: &'static str,
    /// Key within the section.
    pub key: &'static str,
    /// What is wrong.
    pub message: String,
}

fn invalid(
    section: &'static str,
    key: &'static str,
    message: impl Into<String>,
) -> ConfigValueError {
    ConfigValueError {
        section,
        key,
        message: message.into(),
    }
}

/// `PRAGMA synchronous` for SQLite in WAL mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Commits reach the WAL file (the OS page cache) before they are acknowledged: a killed
    /// process loses nothing; a power loss or kernel crash may lose the last commits (the
    /// database stays consistent).
    #[default]
    Normal,
    /// Every commit is fsynced: survives power loss too, at a cost per batch.
    Full,
}

/// `[store]`: where secrets, the audit log and the revocation list live.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `sqlite://PATH` or `postgres://…`; default `sqlite://<data_dir>/warden.db`.
    pub url: Option<String>,
    /// SQLite durability (ignored for PostgreSQL).
    pub sqlite_synchronous: SqliteSynchronous,
    /// How long to wait for a connection before answering `Unavailable`, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Pool size (default: 4 for SQLite, 10 for PostgreSQL).
    pub max_connections: Option<u32>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: None,
            sqlite_synchronous: SqliteSynchronous::Normal,
            connect_timeout_ms: 2000,
            max_connections: None,
        }
    }
}

impl StoreConfig {
    /// A configuration for `url` with every other value at its default.
    pub fn for_url(url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// The SQLite database file that [`crate::Store::open_in_data_dir`] opens for
    /// `data_dir`: the configured `sqlite:` URL's, else the data dir's `warden.db`; `None`
    /// for PostgreSQL. Opening creates a missing file, so commands that only read check it
    /// exists first (a mistyped path would otherwise read an empty new store).
    pub fn sqlite_file_in(&self, data_dir: &std::path::Path) -> Option<std::path::PathBuf> {
        match self.url.as_deref() {
            Some(url) => crate::backend::sqlite_path(url),
            None => Some(data_dir.join(crate::store::DEFAULT_DB_FILE)),
        }
    }

    /// The connect timeout as a `Duration`.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// Checks values that deserialize but make no sense.
    pub fn validate(&self) -> Result<(), ConfigValueError> {
        if let Some(url) = &self.url {
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                return Err(invalid(
                    "store",
                    "url",
                    "expected sqlite://PATH or postgres://…",
                ));
            }
        }
        if self.connect_timeout_ms == 0 || self.connect_timeout_ms > 60_000 {
            return Err(invalid("store", "connect_timeout_ms", "must be 1..=60000"));
        }
        if self.max_connections == Some(0) {
            return Err(invalid("store", "max_connections", "must be at least 1"));
        }
        Ok(())
    }
}

/// `[counters]`: where rate-limit and velocity counters live.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CountersConfig {
    /// `redis://…` (or `rediss://…`); `None` keeps counters in process.
    pub url: Option<String>,
    /// Prefix of every Redis key (lets several deployments share one Redis).
    pub key_prefix: String,
    /// Connect and response timeout, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for CountersConfig {
    fn default() -> Self {
        Self {
            url: None,
            key_prefix: "warden:".into(),
            timeout_ms: 1000,
        }
    }
}

impl CountersConfig {
    /// Checks values that deserialize but make no sense.
    pub fn validate(&self) -> Result<(), ConfigValueError> {
        if let Some(url) = &self.url {
            if !(url.starts_with("redis://")
                || url.starts_with("rediss://")
                || url.starts_with("redis+unix://")
                || url.starts_with("unix://"))
            {
                return Err(invalid("counters", "url", "expected redis://…"));
            }
        }
        if self.timeout_ms == 0 || self.timeout_ms > 60_000 {
            return Err(invalid("counters", "timeout_ms", "must be 1..=60000"));
        }
        Ok(())
    }
}

/// When an audit append is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// After the batch holding the record is committed (the decision waits for it).
    #[default]
    Strict,
    /// After the record is queued; a full queue is `Overloaded` (the caller denies), never
    /// a dropped record.
    Async,
}

/// `[audit]`: how decisions are written to the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// `strict` (default) or `async`.
    pub durability: Durability,
    /// Records that may wait for the writer.
    pub queue_size: usize,
    /// Most records committed in one transaction.
    pub batch_size: usize,
    /// How long the writer waits for more records before committing a partial batch, in
    /// milliseconds (0: commit what is queued at once; batches still form under load).
    pub linger_ms: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            durability: Durability::Strict,
            queue_size: 65_536,
            batch_size: 512,
            linger_ms: 0,
        }
    }
}

impl AuditConfig {
    /// Checks values that deserialize but make no sense.
    pub fn validate(&self) -> Result<(), ConfigValueError> {
        if self.queue_size == 0 || self.queue_size > 10_000_000 {
            return Err(invalid("audit", "queue_size", "must be 1..=10000000"));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH_SIZE {
            return Err(invalid(
                "audit",
                "batch_size",
                format!("must be 1..={MAX_BATCH_SIZE}"),
            ));
        }
        if self.linger_ms > 1000 {
            return Err(invalid("audit", "linger_ms", "must be at most 1000"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct File {
        #[serde(default)]
        store: StoreConfig,
        #[serde(default)]
        counters: CountersConfig,
        #[serde(default)]
        audit: AuditConfig,
    }

    #[test]
    fn defaults_are_strict_sqlite_and_in_process_counters() {
        let f: File = serde_json::from_str("{}").unwrap();
        assert_eq!(f.audit.durability, Durability::Strict);
        assert_eq!(f.store.url, None);
        assert_eq!(f.counters.url, None);
        assert!(f.store.validate().is_ok());
        assert!(f.audit.validate().is_ok());
    }

    #[test]
    fn durability_parses_both_modes() {
        let a: AuditConfig = serde_json::from_str(r#"{"durability":"async"}"#).unwrap();
        assert_eq!(a.durability, Durability::Async);
        assert!(serde_json::from_str::<AuditConfig>(r#"{"durability":"sometimes"}"#).is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(serde_json::from_str::<StoreConfig>(r#"{"uri":"x"}"#).is_err());
        assert!(serde_json::from_str::<CountersConfig>(r#"{"prefix":"x"}"#).is_err());
        assert!(serde_json::from_str::<AuditConfig>(r#"{"mode":"strict"}"#).is_err());
    }

    #[test]
    fn bad_values_fail_validation_with_the_key_named() {
        let s = StoreConfig::for_url("mysql://x");
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "invalid [store] url: expected sqlite://PATH or postgres://…"
        );
        let a = AuditConfig {
            batch_size: 0,
            ..AuditConfig::default()
        };
        assert!(a.validate().unwrap_err().to_string().contains("batch_size"));
        let c = CountersConfig {
            url: Some("http://x".into()),
            ..CountersConfig::default()
        };
        assert!(c.validate().is_err());
    }
}
