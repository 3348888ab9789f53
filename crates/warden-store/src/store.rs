//! The [`Store`] facade: one connection pool, migrations applied, every persistent seam.

use std::path::Path;
use std::sync::Arc;

use warden_security::vault::SecretStore;
use warden_security::StoreError;

use crate::audit::{
    pg_append_lock_id, AuditIndexer, AuditWriter, AuditWriterOptions, SqlAuditLog, INDEX_PERIOD,
};
use crate::audit_key::AuditKey;
use crate::backend::{Backend, BackendKind};
use crate::config::StoreConfig;
use crate::error;
use crate::migrate;
use crate::revocation::PersistentRevocationStore;
use crate::secrets::SqlSecretStore;
use crate::sql_counters::SqlCounterStore;
use warden_security::CounterStore;

/// File name of the default SQLite database inside the data directory.
pub const DEFAULT_DB_FILE: &str = "warden.db";

/// `sqlite://<data_dir>/warden.db`.
pub fn default_store_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join(DEFAULT_DB_FILE).display())
}

/// An open SQL store (SQLite or PostgreSQL) with its schema up to date. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    append_lock_id: i64,
    schema_version: i64,
    /// The SQLite database file and which file it was when opened.
    sqlite_file: Option<(std::path::PathBuf, Option<crate::backend::FileIdentity>)>,
}

impl Store {
    /// Opens `url` (`sqlite://PATH` or `postgres://…`) with default options and applies the
    /// migrations. An unreachable database is [`StoreError::Unavailable`] within 2 s; a
    /// database whose schema is newer than this build is [`StoreError::SchemaTooNew`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(&StoreConfig::for_url(url)).await
    }

    /// Opens the store described by `cfg` (whose `url` must be set; see
    /// [`Store::open_in_data_dir`] for the default).
    pub async fn connect_with(cfg: &StoreConfig) -> Result<Self, StoreError> {
        let backend = Backend::connect(cfg).await?;
        let schema_version = match migrate::run(&backend).await {
            Ok(v) => v,
            Err(e) => {
                backend.close().await;
                return Err(e);
            }
        };
        let append_lock_id = match &backend {
            Backend::Sqlite(_) => 0,
            Backend::Postgres(pool) => {
                let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
                    .fetch_one(pool)
                    .await
                    .map_err(error::sql)?;
                pg_append_lock_id(&schema)
            }
        };
        let sqlite_file = match &backend {
            Backend::Sqlite(pool) => {
                let path = pool.connect_options().get_filename().to_path_buf();
                let identity = crate::backend::identity_of(&path);
                Some((path, identity))
            }
            Backend::Postgres(_) => None,
        };
        Ok(Self {
            backend,
            append_lock_id,
            schema_version,
            sqlite_file,
        })
    }

    /// Opens `cfg.url`, or `sqlite://<data_dir>/warden.db` when it is unset.
    pub async fn open_in_data_dir(data_dir: &Path, cfg: &StoreConfig) -> Result<Self, StoreError> {
        let mut cfg = cfg.clone();
        if cfg.url.is_none() {
            cfg.url = Some(default_store_url(data_dir));
        }
        Self::connect_with(&cfg).await
    }

    /// Which database this is.
    pub fn kind(&self) -> BackendKind {
        self.backend.kind()
    }

    /// The schema version in force after migrating.
    pub fn schema_version(&self) -> i64 {
        self.schema_version
    }

    /// The schema version recorded in the database right now.
    pub async fn current_schema_version(&self) -> Result<i64, StoreError> {
        migrate::current_version(&self.backend).await
    }

    /// The secret store.
    pub fn secrets(&self) -> Arc<dyn SecretStore> {
        Arc::new(SqlSecretStore::new(self.backend.clone()))
    }

    /// Windowed counters kept in this database (see [`SqlCounterStore`]).
    pub fn counters(&self) -> Arc<dyn CounterStore> {
        Arc::new(SqlCounterStore::new(self.backend.clone()))
    }

    /// The audit log (read side: queries, verification, export).
    pub fn audit_log(&self) -> SqlAuditLog {
        SqlAuditLog::new(self.backend.clone())
    }

    /// `Unavailable` when the SQLite database file was removed or replaced since the store
    /// opened it (the pool would go on using the unlinked file); always `Ok` on PostgreSQL.
    pub fn check_files(&self) -> Result<(), StoreError> {
        match &self.sqlite_file {
            Some((path, opened))
                if opened.is_some() && crate::backend::identity_of(path) != *opened =>
            {
                Err(StoreError::Unavailable(format!(
                    "the database {} was removed or replaced while in use",
                    path.display()
                )))
            }
            _ => Ok(()),
        }
    }

    /// Starts the group-commit audit writer (write side). Inside a Tokio runtime.
    pub fn audit_writer(&self, audit_key: &AuditKey, options: AuditWriterOptions) -> AuditWriter {
        AuditWriter::spawn(self, audit_key, options)
    }

    /// Like [`Store::audit_writer`], with the writer task on `runtime`
    /// ([`AuditWriter::spawn_in`]).
    pub fn audit_writer_in(
        &self,
        audit_key: &AuditKey,
        options: AuditWriterOptions,
        runtime: &tokio::runtime::Handle,
    ) -> AuditWriter {
        AuditWriter::spawn_in(self, audit_key, options, runtime)
    }

    /// Keeps the SQLite audit index up to date in the background (every 200 ms) for as long
    /// as the returned handle lives, so that queries read little of the log directly; `None`
    /// on PostgreSQL, whose audit indexes are on the log itself. Inside a Tokio runtime.
    pub fn audit_indexer(&self) -> Option<AuditIndexer> {
        match &self.backend {
            Backend::Sqlite(pool) => Some(AuditIndexer::spawn(pool, INDEX_PERIOD)),
            Backend::Postgres(_) => None,
        }
    }

    /// Loads the revocation list into memory and starts its write-through task.
    pub async fn revocations(&self) -> Result<Arc<PersistentRevocationStore>, StoreError> {
        Ok(Arc::new(
            PersistentRevocationStore::load(self.backend.clone()).await?,
        ))
    }

    /// Closes the pool (waits for connections in use to be returned).
    pub async fn close(&self) {
        self.backend.close().await;
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    pub(crate) fn append_lock_id(&self) -> i64 {
        self.append_lock_id
    }
}
