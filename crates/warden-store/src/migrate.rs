//! Embedded schema migrations, applied at start-up for SQLite and PostgreSQL.
//!
//! The `warden_schema` table records every applied version. Start-up takes the write lock
//! (`BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on PostgreSQL, so that
//! several instances starting together apply each migration once), reads the highest version,
//! refuses to run against a schema newer than [`LATEST_VERSION`]
//! ([`StoreError::SchemaTooNew`]) and applies the missing versions in order, each in the same
//! transaction as its `warden_schema` row. Running it again is a no-op.

use warden_security::StoreError;

use crate::backend::{with_pool, Backend};
use crate::error;

/// One schema version: the statements for each dialect.
struct Migration {
    version: i64,
    description: &'static str,
    sqlite: &'static [&'static str],
    postgres: &'static [&'static str],
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "audit log, secrets, revoked tokens",
        sqlite: &[
            "CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            user_id TEXT NOT NULL,
            target TEXT NOT NULL,
            decision TEXT NOT NULL,
            record TEXT NOT NULL,
            prev_hash BLOB NOT NULL,
            chain_hash BLOB NOT NULL
        )",
            "CREATE INDEX audit_log_time ON audit_log (time_ms, seq)",
            "CREATE INDEX audit_log_user ON audit_log (user_id, seq)",
            "CREATE INDEX audit_log_target ON audit_log (target, seq)",
            "CREATE INDEX audit_log_decision ON audit_log (decision, seq)",
            "CREATE TABLE secrets (
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            kek_id TEXT NOT NULL,
            envelope BLOB NOT NULL,
            fingerprints TEXT NOT NULL,
            created_at_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL,
            PRIMARY KEY (namespace, name)
        )",
            "CREATE TABLE revoked_tokens (
            jti TEXT PRIMARY KEY,
            expires_at INTEGER NOT NULL
        )",
            "CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at)",
        ],
        postgres: &[
            "CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY,
            id TEXT NOT NULL,
            time_ms BIGINT NOT NULL,
            user_id TEXT NOT NULL,
            target TEXT NOT NULL,
            decision TEXT NOT NULL,
            record TEXT NOT NULL,
            prev_hash BYTEA NOT NULL,
            chain_hash BYTEA NOT NULL
        )",
            "CREATE INDEX audit_log_time ON audit_log (time_ms, seq)",
            "CREATE INDEX audit_log_user ON audit_log (user_id, seq)",
            "CREATE INDEX audit_log_target ON audit_log (target, seq)",
            "CREATE INDEX audit_log_decision ON audit_log (decision, seq)",
            "CREATE TABLE secrets (
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            kek_id TEXT NOT NULL,
            envelope BYTEA NOT NULL,
            fingerprints TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            updated_at_ms BIGINT NOT NULL,
            PRIMARY KEY (namespace, name)
        )",
            "CREATE TABLE revoked_tokens (
            jti TEXT PRIMARY KEY,
            expires_at BIGINT NOT NULL
        )",
            "CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at)",
        ],
    },
    Migration {
        version: 2,
        description: "windowed counters kept in the database (in-process hooks, no Redis)",
        sqlite: &[
            "CREATE TABLE counter_hits (key TEXT NOT NULL, at_ms INTEGER NOT NULL)",
            "CREATE INDEX counter_hits_key ON counter_hits (key, at_ms)",
            "CREATE TABLE counter_calls (
            call_key TEXT PRIMARY KEY,
            outcome TEXT NOT NULL,
            at_ms INTEGER NOT NULL
        )",
        ],
        postgres: &[
            "CREATE TABLE counter_hits (key TEXT NOT NULL, at_ms BIGINT NOT NULL)",
            "CREATE INDEX counter_hits_key ON counter_hits (key, at_ms)",
            "CREATE TABLE counter_calls (
            call_key TEXT PRIMARY KEY,
            outcome TEXT NOT NULL,
            at_ms BIGINT NOT NULL
        )",
        ],
    },
    Migration {
        version: 3,
        description:
            "SQLite: the audit query columns are indexed behind the log, in the audit index file",
        // The attached index file (`audit::index`) takes over; it fills itself from the log.
        sqlite: &[
            "DROP INDEX IF EXISTS audit_log_time",
            "DROP INDEX IF EXISTS audit_log_user",
            "DROP INDEX IF EXISTS audit_log_target",
            "DROP INDEX IF EXISTS audit_log_decision",
        ],
        postgres: &[],
    },
];

/// The newest schema version this build knows.
pub const LATEST_VERSION: i64 = 3;

/// Advisory lock id held while migrating PostgreSQL (`"wardenMG"` as big-endian bytes).
const PG_MIGRATION_LOCK: i64 = 0x7761_7264_656e_4d47;

const CREATE_SCHEMA_TABLE: &str = "CREATE TABLE IF NOT EXISTS warden_schema (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at_ms BIGINT NOT NULL
)";

/// Applies missing migrations; returns the schema version now in force.
pub(crate) async fn run(backend: &Backend) -> Result<i64, StoreError> {
    let now = i64::try_from(warden_security::time::now_millis()).unwrap_or(i64::MAX);
    macro_rules! migrate_in {
        ($tx:ident, $dialect:ident) => {{
            sqlx::query(CREATE_SCHEMA_TABLE)
                .execute(&mut *$tx)
                .await
                .map_err(error::sql)?;
            let current: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM warden_schema")
                    .fetch_one(&mut *$tx)
                    .await
                    .map_err(error::sql)?;
            if current > LATEST_VERSION {
                return Err(StoreError::SchemaTooNew {
                    found: current,
                    supported: LATEST_VERSION,
                });
            }
            for m in MIGRATIONS.iter().filter(|m| m.version > current) {
                for stmt in m.$dialect {
                    sqlx::query(stmt)
                        .execute(&mut *$tx)
                        .await
                        .map_err(error::sql)?;
                }
                sqlx::query(
                    "INSERT INTO warden_schema (version, description, applied_at_ms) VALUES ($1, $2, $3)",
                )
                .bind(m.version)
                .bind(m.description)
                .bind(now)
                .execute(&mut *$tx)
                .await
                .map_err(error::sql)?;
                tracing::info!(version = m.version, "applied store migration");
            }
            $tx.commit().await.map_err(error::sql)?;
            Ok(current.max(LATEST_VERSION))
        }};
    }
    match backend {
        Backend::Sqlite(pool) => {
            let mut tx = pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(error::sql)?;
            migrate_in!(tx, sqlite)
        }
        Backend::Postgres(pool) => {
            let mut tx = pool.begin().await.map_err(error::sql)?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(PG_MIGRATION_LOCK)
                .execute(&mut *tx)
                .await
                .map_err(error::sql)?;
            migrate_in!(tx, postgres)
        }
    }
}

/// The schema version recorded in the database (0 when none).
pub(crate) async fn current_version(backend: &Backend) -> Result<i64, StoreError> {
    with_pool!(backend, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(version), 0) FROM warden_schema")
            .fetch_one(pool)
            .await
            .map_err(error::sql)
    })
}
