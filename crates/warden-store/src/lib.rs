//! Persistence for Warden behind the traits of `warden-security`: SQLite (the embedded
//! default), PostgreSQL (several instances sharing one store) and Redis (shared counters).
//!
//! - [`Store::connect`] opens `sqlite://PATH` or `postgres://…`, applies the embedded
//!   migrations ([`migrate`]) and hands out the secret store ([`SqlSecretStore`]), the audit
//!   log reader ([`SqlAuditLog`]), the revocation list ([`PersistentRevocationStore`]) and the
//!   group-commit audit writer ([`AuditWriter`]).
//! - [`counters_from_url`] gives the windowed counters: in process when no URL is configured,
//!   else [`RedisCounterStore`] (atomic Lua scripts, one global limit for every instance).
//! - [`audit_key`] creates and loads `<data_dir>/audit.key`.
//!
//! Every operation returns [`StoreError`]; an unreachable backend is
//! [`StoreError::Unavailable`] within the configured connect timeout, so callers on the
//! decision path fail closed quickly.
#![forbid(unsafe_code)]

pub mod audit;
pub mod audit_key;
mod backend;
pub mod config;
pub mod counters;
mod error;
pub mod migrate;
pub mod revocation;
pub mod secrets;
pub mod sql_counters;
mod store;

pub use audit::{export_jsonl, tail, AuditIndexer, AuditWriter, AuditWriterOptions, SqlAuditLog};
pub use audit_key::{AuditKey, AuditKeyError, AUDIT_KEY_FILE};
pub use backend::BackendKind;
pub use config::{AuditConfig, CountersConfig, Durability, SqliteSynchronous, StoreConfig};
pub use counters::{counters_from_config, counters_from_url, RedisCounterStore};
pub use revocation::PersistentRevocationStore;
pub use secrets::SqlSecretStore;
pub use sql_counters::SqlCounterStore;
pub use store::{default_store_url, Store, DEFAULT_DB_FILE};
pub use warden_security::StoreError;
