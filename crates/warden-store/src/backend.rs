//! The SQL backends behind one handle, chosen by URL.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use warden_security::StoreError;

use crate::config::{self, StoreConfig};
use crate::error;

/// Which SQL database a [`crate::Store`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// An embedded SQLite file (WAL mode).
    Sqlite,
    /// A PostgreSQL server, possibly shared by several Warden instances.
    Postgres,
}

impl BackendKind {
    /// `sqlite` or `postgres`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            BackendKind::Sqlite => "sqlite",
            BackendKind::Postgres => "postgres",
        }
    }
}

/// How long a SQLite connection waits for another connection's write lock (the pool's
/// `busy_timeout`; the audit writer's own connection retries for as long).
pub(crate) const SQLITE_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A connection pool to one of the SQL backends.
#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code against whichever pool `backend` holds (the SQL text is shared: both
/// SQLite and PostgreSQL accept `$N` placeholders).
macro_rules! with_pool {
    ($backend:expr, $pool:ident => $body:expr) => {
        match $backend {
            $crate::backend::Backend::Sqlite($pool) => $body,
            $crate::backend::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

impl Backend {
    pub(crate) fn kind(&self) -> BackendKind {
        match self {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Opens a pool for `cfg.url` (which must be set).
    pub(crate) async fn connect(cfg: &StoreConfig) -> Result<Self, StoreError> {
        cfg.validate()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let url = cfg
            .url
            .as_deref()
            .ok_or_else(|| StoreError::Other("no store URL configured".into()))?;
        if let Some(path) = sqlite_path(url) {
            Self::connect_sqlite(path, cfg).await
        } else {
            Self::connect_postgres(url, cfg).await
        }
    }

    async fn connect_sqlite(path: PathBuf, cfg: &StoreConfig) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Unavailable(format!(
                    "cannot create the directory of {}: {e}",
                    path.display()
                ))
            })?;
        }
        let sync = match cfg.sqlite_synchronous {
            config::SqliteSynchronous::Normal => SqliteSynchronous::Normal,
            config::SqliteSynchronous::Full => SqliteSynchronous::Full,
        };
        let opts = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sync)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true)
            // Statement journals of multi-row INSERTs stay in memory instead of a temp file.
            // 8 KiB pages hold more ≈ 600-byte audit rows and index entries per page: fewer
            // page splits and WAL frames per batch (new databases only).
            .page_size(8192)
            .pragma("temp_store", "memory")
            // 16 MiB page cache per connection: the audit indexes stay in memory.
            .pragma("cache_size", "-16384")
            // Checkpoint every 4096 pages (16 MiB of WAL): pages rewritten in between (index
            // and tail pages) are copied to the database once.
            .pragma("wal_autocheckpoint", "4096");
        create_private(&path)?;
        crate::audit::prepare_index(&path)?;
        let db = path.clone();
        let pool = SqlitePoolOptions::new()
            .max_connections(cfg.max_connections.unwrap_or(4))
            // Every connection sees the audit index as `ix` (see `audit::index`).
            .after_connect(move |conn, _| {
                let db = db.clone();
                Box::pin(async move { crate::audit::attach_index(conn, &db).await })
            })
            .acquire_timeout(cfg.connect_timeout())
            .connect_with(opts)
            .await
            .map_err(|e| match error::sql(e) {
                StoreError::Other(m) | StoreError::Unavailable(m) => StoreError::Unavailable(
                    format!("cannot open SQLite database {}: {m}", path.display()),
                ),
                other => other,
            })?;
        Ok(Backend::Sqlite(pool))
    }

    async fn connect_postgres(url: &str, cfg: &StoreConfig) -> Result<Self, StoreError> {
        let opts = PgConnectOptions::from_str(url).map_err(|_| {
            StoreError::Other(format!("invalid PostgreSQL URL {}", error::redact_url(url)))
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(cfg.max_connections.unwrap_or(10))
            .acquire_timeout(cfg.connect_timeout())
            .connect_with(opts)
            .await
            .map_err(|e| match error::sql(e) {
                StoreError::Unavailable(m) | StoreError::Other(m) => StoreError::Unavailable(
                    format!("cannot connect to {}: {m}", error::redact_url(url)),
                ),
                other => other,
            })?;
        Ok(Backend::Postgres(pool))
    }

    pub(crate) async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }
}

/// The file path of a `sqlite://PATH` / `sqlite:PATH` URL (query string ignored), else `None`.
pub(crate) fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    Some(PathBuf::from(path))
}

/// Creates `path` empty with mode 0600 when it does not exist, so that the SQLite files —
/// the database, and the `-wal` and `-shm` files SQLite creates with the database's
/// permissions — are readable by their owner only (they hold the audit log, sealed secrets
/// and revocations). An empty file is an empty SQLite database. An existing file is left as
/// it is.
pub(crate) fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Unavailable(format!(
            "cannot create SQLite database {}: {e}",
            path.display()
        ))),
    }
}

/// A `rusqlite` connection to the existing SQLite database at `path` (never created), for
/// the store's own threads (the audit writer, the checkpoint and index jobs), waiting up to
/// `busy_timeout` for a lock.
pub(crate) fn open_existing(
    path: &Path,
    busy_timeout: std::time::Duration,
) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(busy_timeout)?;
    Ok(conn)
}

/// A file's device and inode (Unix); `None` elsewhere.
pub(crate) type FileIdentity = (u64, u64);

/// Which file `path` is now (`None` when it is missing, or off Unix).
pub(crate) fn identity_of(path: &Path) -> Option<FileIdentity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_give_their_path() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/w.db"),
            Some(PathBuf::from("/var/lib/w.db"))
        );
        assert_eq!(
            sqlite_path("sqlite://./data/w.db?mode=rwc"),
            Some(PathBuf::from("./data/w.db"))
        );
        assert_eq!(sqlite_path("sqlite:w.db"), Some(PathBuf::from("w.db")));
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }
}
