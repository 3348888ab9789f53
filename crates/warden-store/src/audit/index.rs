//! The SQLite audit index: the query columns of `audit_log`, indexed behind the log.
//!
//! Indexes on `audit_log` itself made every group commit rewrite four index B-tree pages:
//! half the WAL frames of a commit and about 7 µs of a strict `/v1/govern` request, more with
//! many users (each user's entries land on a different page). The query columns are instead
//! copied, in bulk and in `seq` order, into table `audit_index` of a second database file
//! beside the log (`<db>-audit-index`), attached to every pooled connection as `ix`. A bulk
//! copy touches each index page once for thousands of records, and it takes the write lock of
//! the index file only: the audit writer never waits for it.
//!
//! The index is derived data and never trusted alone:
//! - a query reads the index up to its last `seq` and `audit_log` itself beyond it, and checks
//!   every filter again on the log's own columns ([`super::log`]), so a lagging index misses
//!   nothing and an edited one cannot add a record that does not match;
//! - each catch-up first compares the index's last entry with the log; when they disagree
//!   (the database was replaced or restored), the index is rebuilt from the log;
//! - deleting the file is safe: it is created again, empty, and filled from the log.
//!
//! `warden serve` catches up in the background ([`AuditIndexer`], on a maintenance thread
//! below the requests' priority: [`super::background`]); every query catches up before it
//! reads ([`catch_up`]), so that a log written only by `warden hook` runs is indexed by the
//! first `warden audit query`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::SqliteConnection;
use sqlx::SqlitePool;
use warden_security::StoreError;

use super::background::BackgroundJob;
use crate::backend::{open_existing, SQLITE_BUSY_TIMEOUT};

/// Records copied per statement while catching up (bounds each write transaction of the
/// index file).
const CHUNK: i64 = 20_000;

/// How often `warden serve` catches the index up.
pub(crate) const INDEX_PERIOD: Duration = Duration::from_millis(200);

/// The index file of the SQLite database at `db`: `<db>-audit-index`, beside SQLite's own
/// `-wal` and `-shm` files.
pub(crate) fn index_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-audit-index");
    PathBuf::from(name)
}

/// Makes sure the index file of `db` opens, before any pooled connection attaches it: a
/// file that is not a database (corrupt, or cut short) is derived data and is deleted and
/// created again; one that cannot be opened at all (a directory, no permission) is a clear
/// error naming it, instead of every connection failing to attach it. Runs the same
/// statements as [`attach`].
pub(crate) fn prepare(db: &Path) -> Result<(), StoreError> {
    let path = index_path(db);
    let unusable = |e: &dyn std::fmt::Display| {
        StoreError::Unavailable(format!(
            "cannot open the audit index {}: {e} (it holds only what is derived from the audit \
             log; deleting it is safe)",
            path.display()
        ))
    };
    let name = utf8(&path).map_err(|e| unusable(&e))?;
    let open = || -> rusqlite::Result<()> {
        // Private like the log it is derived from (the `-wal`/`-shm` files follow its mode).
        let _ = crate::backend::create_private(&path);
        let conn = rusqlite::Connection::open_in_memory()?;
        attach_with(&conn, name)
    };
    match open() {
        Ok(()) => Ok(()),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
            ) =>
        {
            tracing::warn!(path = %path.display(), error = %e, "the audit index is damaged; creating it again");
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
            open().map_err(|e| unusable(&e))
        }
        Err(e) => Err(unusable(&e)),
    }
}

/// Attaches the index file `name` to a `rusqlite` connection as `ix`, with [`SETUP`].
fn attach_with(conn: &rusqlite::Connection, name: &str) -> rusqlite::Result<()> {
    conn.execute("ATTACH DATABASE ?1 AS ix", [name])?;
    for stmt in SETUP {
        // `PRAGMA journal_mode` answers with a row.
        conn.query_row(stmt, [], |_| Ok(())).or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(()),
            e => Err(e),
        })?;
    }
    Ok(())
}

/// A connection to the database at `db` with its index attached, for catching the index up.
fn open_for_indexing(db: &Path) -> Result<rusqlite::Connection, StoreError> {
    let failed = |e: &dyn std::fmt::Display| {
        StoreError::Unavailable(format!(
            "cannot open the audit index of {}: {e}",
            db.display()
        ))
    };
    let path = index_path(db);
    let name = utf8(&path).map_err(|e| failed(&e))?;
    let conn = open_existing(db, SQLITE_BUSY_TIMEOUT).map_err(|e| failed(&e))?;
    attach_with(&conn, name).map_err(|e| failed(&e))?;
    Ok(conn)
}

/// The index file's path as SQL text (`ATTACH` takes a string).
fn utf8(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| "the path is not valid UTF-8".to_owned())
}

/// Run on the attached index (`ix`) by every connection: WAL mode, and the schema when
/// missing.
const SETUP: &[&str] = &[
    "PRAGMA ix.journal_mode = WAL",
    "PRAGMA ix.synchronous = NORMAL",
    "CREATE TABLE IF NOT EXISTS ix.audit_index (
        seq INTEGER PRIMARY KEY,
        time_ms INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        target TEXT NOT NULL,
        decision TEXT NOT NULL
    )",
    // Each index ends with the rowid (`seq`): entries with one key are in `seq` order.
    "CREATE INDEX IF NOT EXISTS ix.audit_index_time ON audit_index (time_ms)",
    "CREATE INDEX IF NOT EXISTS ix.audit_index_user ON audit_index (user_id)",
    "CREATE INDEX IF NOT EXISTS ix.audit_index_target ON audit_index (target)",
    "CREATE INDEX IF NOT EXISTS ix.audit_index_decision ON audit_index (decision)",
];

/// Attaches the index file of `db` to `conn` as `ix` (creating it, in WAL mode, with its
/// schema, when missing). Runs for every new pooled connection.
pub(crate) async fn attach(conn: &mut SqliteConnection, db: &Path) -> Result<(), sqlx::Error> {
    let path = index_path(db);
    let name = utf8(&path).map_err(|e| sqlx::Error::Configuration(e.into()))?;
    sqlx::query("ATTACH DATABASE $1 AS ix")
        .bind(name)
        .execute(&mut *conn)
        .await?;
    for stmt in SETUP {
        sqlx::query(stmt).execute(&mut *conn).await?;
    }
    Ok(())
}

/// `1` when the index's last entry is missing from the log or disagrees with it.
const STALE: &str =
    "SELECT COUNT(*) FROM ix.audit_index i LEFT JOIN main.audit_log l ON l.seq = i.seq \
     WHERE i.seq = (SELECT MAX(seq) FROM ix.audit_index) \
       AND (l.seq IS NULL OR l.time_ms <> i.time_ms OR l.user_id <> i.user_id \
            OR l.target <> i.target OR l.decision <> i.decision)";

/// `1` when entries are missing below the index's last one: the log's `seq`s have no gaps
/// (`audit verify` checks that), so the index must hold as many entries as its last `seq`.
/// One pass over the smallest index of the index table: checked before every query, not by
/// the background catch-up.
const HOLES: &str = "SELECT COUNT(*) <> COALESCE(MAX(seq), 0) FROM ix.audit_index";

/// Copies the next records after the index's last one, in `seq` order.
const COPY: &str =
    "INSERT OR IGNORE INTO ix.audit_index (seq, time_ms, user_id, target, decision) \
     SELECT seq, time_ms, user_id, target, decision FROM main.audit_log \
     WHERE seq > (SELECT COALESCE(MAX(seq), 0) FROM ix.audit_index) ORDER BY seq LIMIT ?1";

/// Brings the index of the database behind `pool` up to the log's last committed record;
/// returns how many records were indexed. Runs on a blocking thread with a connection of its
/// own (see [`catch_up_on`]).
pub(crate) async fn catch_up(pool: &SqlitePool) -> Result<u64, StoreError> {
    let db = pool.connect_options().get_filename().to_path_buf();
    tokio::task::spawn_blocking(move || catch_up_on(&open_for_indexing(&db)?, true))
        .await
        .map_err(|e| StoreError::Other(format!("the audit index task failed: {e}")))?
}

/// Brings the index attached to `conn` up to the log's last committed record; returns how
/// many records were indexed. Rebuilds the index first when its last entry disagrees with
/// the log or, with `check_holes` (before a query), when entries are missing below it.
fn catch_up_on(conn: &rusqlite::Connection, check_holes: bool) -> Result<u64, StoreError> {
    let sql = |e: rusqlite::Error| StoreError::Unavailable(format!("audit index: {e}"));
    let mut stale: i64 = conn.query_row(STALE, [], |r| r.get(0)).map_err(sql)?;
    if stale == 0 && check_holes {
        stale = conn.query_row(HOLES, [], |r| r.get(0)).map_err(sql)?;
    }
    if stale > 0 {
        tracing::warn!("the audit index disagrees with the audit log; rebuilding it");
        conn.execute("DELETE FROM ix.audit_index", [])
            .map_err(sql)?;
    }
    let mut copy = conn.prepare_cached(COPY).map_err(sql)?;
    let mut indexed = 0_u64;
    loop {
        let done = copy.execute([CHUNK]).map_err(sql)? as u64;
        indexed += done;
        if done < CHUNK as u64 {
            return Ok(indexed);
        }
    }
}

/// The background catch-up of the audit index; stops when dropped.
#[derive(Debug)]
pub struct AuditIndexer {
    _job: Option<BackgroundJob>,
}

impl AuditIndexer {
    /// Starts catching the index of `pool`'s database up every `period`, on a maintenance
    /// thread ([`super::background`]) with a connection of its own.
    pub(crate) fn spawn(pool: &SqlitePool, period: Duration) -> Self {
        let db = pool.connect_options().get_filename().to_path_buf();
        let mut conn: Option<rusqlite::Connection> = None;
        // A failure is logged once when it starts and once when it ends; queries stay
        // correct meanwhile (they read the log beyond the index).
        let mut failing = false;
        let job = BackgroundJob::spawn("warden-audit-ix", period, move || {
            let done = match conn.take() {
                Some(c) => Ok(c),
                None => open_for_indexing(&db),
            }
            .and_then(|c| catch_up_on(&c, false).map(|_| c));
            match done {
                Ok(c) => {
                    conn = Some(c);
                    if failing {
                        failing = false;
                        tracing::info!("the audit index is being kept up to date again");
                    }
                }
                Err(e) => {
                    if !failing {
                        failing = true;
                        tracing::warn!(error = %e, "cannot update the audit index; queries read the log beyond it");
                    }
                }
            }
        });
        match job {
            Ok(job) => Self { _job: Some(job) },
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the audit index thread; queries index before they read");
                Self { _job: None }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::SqlAuditLog;
    use crate::backend::Backend;
    use crate::{AuditKey, AuditWriterOptions, Store};
    use warden_security::audit::{AuditOrder, AuditQuery, AuditRecord, AuditSink};

    fn record(n: i64, user: &str) -> AuditRecord {
        AuditRecord {
            user_id: user.into(),
            time_ms: 1_000 + n,
            ..crate::audit::writer::tests::record(format!("dec_{n}"))
        }
    }

    /// A store on a fresh SQLite file, and its pool (the directory lives as long as the
    /// first element).
    async fn temp_store() -> (tempfile::TempDir, Store, SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("warden.db");
        let store = Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let Backend::Sqlite(pool) = store.backend().clone() else {
            unreachable!("a SQLite URL")
        };
        (dir, store, pool)
    }

    /// Records past the index's last entry are read from the log itself, in both orders and
    /// across pages, merged with what the index finds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_index_that_lost_entries_hides_nothing() {
        let (_dir, store, pool) = temp_store().await;
        let w = store.audit_writer(
            &AuditKey::from_bytes([1u8; 32]),
            AuditWriterOptions::default(),
        );
        for n in 1..=10 {
            w.append(record(n, "alice")).await.unwrap();
        }
        w.shutdown().await.unwrap();
        assert_eq!(catch_up(&pool).await.unwrap(), 10);
        // Someone deletes one entry from the (unprotected) index file.
        sqlx::query("DELETE FROM ix.audit_index WHERE seq = 4")
            .execute(&pool)
            .await
            .unwrap();
        let log = SqlAuditLog::new(store.backend().clone());
        // Unfiltered reads never consult the index.
        let all = log
            .page(&AuditQuery {
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(all.records.len(), 10);
        // A filtered query through the public API catches up first, sees the hole and
        // rebuilds the index.
        let alice = warden_security::audit::AuditLog::query(
            &log,
            &AuditQuery {
                user_id: Some("alice".into()),
                limit: 100,
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(alice.records.len(), 10);
        store.close().await;
    }

    #[tokio::test]
    async fn a_lagging_index_misses_nothing() {
        let (_dir, store, pool) = temp_store().await;
        let w = store.audit_writer(
            &AuditKey::from_bytes([1u8; 32]),
            AuditWriterOptions::default(),
        );
        for n in 1..=10 {
            w.append(record(n, if n % 2 == 0 { "alice" } else { "bob" }))
                .await
                .unwrap();
        }
        assert_eq!(catch_up(&pool).await.unwrap(), 10);
        for n in 11..=20 {
            w.append(record(n, if n % 2 == 0 { "alice" } else { "bob" }))
                .await
                .unwrap();
        }
        w.shutdown().await.unwrap();
        let log = SqlAuditLog::new(store.backend().clone());
        for order in [AuditOrder::Asc, AuditOrder::Desc] {
            let mut q = AuditQuery {
                user_id: Some("alice".into()),
                limit: 3,
                order,
                ..AuditQuery::default()
            };
            let mut seen = Vec::new();
            loop {
                let page = log.page(&q).await.unwrap();
                seen.extend(page.records.iter().map(|e| e.seq));
                match page.next {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
            }
            let mut want: Vec<i64> = (1..=10).map(|k| 2 * k).collect();
            if order == AuditOrder::Desc {
                want.reverse();
            }
            assert_eq!(seen, want, "{order:?}");
        }
        assert_eq!(catch_up(&pool).await.unwrap(), 10, "the rest, once");
        assert_eq!(catch_up(&pool).await.unwrap(), 0);
        store.close().await;
    }

    mod props {
        use super::*;
        use proptest::prelude::*;
        use warden_security::audit::{AuditLog, InMemoryAuditSink};
        use warden_security::governance::Decision;

        /// (user, tool, decision, time step) of one record.
        fn records() -> impl Strategy<Value = Vec<(u8, u8, u8, u8)>> {
            prop::collection::vec((0u8..3, 0u8..2, 0u8..3, 0u8..3), 1..50)
        }

        fn queries() -> impl Strategy<Value = Vec<AuditQuery>> {
            let one = (
                prop::option::of(0u8..3),
                prop::option::of(0u8..2),
                prop::option::of(0u8..3),
                prop::option::of(0i64..60),
                prop::option::of(0i64..60),
                1u32..7,
                any::<bool>(),
            )
                .prop_map(|(u, t, d, since, until, limit, desc)| AuditQuery {
                    user_id: u.map(|u| format!("user{u}")),
                    tool: t.map(|t| format!("tool{t}")),
                    decision: d.map(decision),
                    since_ms: since.map(|s| 1_000 + s),
                    until_ms: until.map(|s| 1_000 + s),
                    limit,
                    order: if desc {
                        AuditOrder::Desc
                    } else {
                        AuditOrder::Asc
                    },
                    cursor: None,
                });
            prop::collection::vec(one, 1..8)
        }

        fn decision(d: u8) -> Decision {
            match d {
                0 => Decision::Allow,
                1 => Decision::Deny,
                _ => Decision::Ask,
            }
        }

        /// Every page of `q`, following the cursor.
        async fn pages<F, Fut>(q: &AuditQuery, page: F) -> Vec<Vec<i64>>
        where
            F: Fn(AuditQuery) -> Fut,
            Fut: std::future::Future<Output = warden_security::audit::AuditPage>,
        {
            let mut q = q.clone();
            let mut out = Vec::new();
            loop {
                let p = page(q.clone()).await;
                out.push(p.records.iter().map(|e| e.seq).collect());
                match p.next {
                    Some(c) => q.cursor = Some(c),
                    None => return out,
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(24))]

            /// With the index caught up to any prefix of the log, every page of every query
            /// equals what the in-memory log (the reference semantics) answers.
            #[test]
            fn queries_match_the_reference_whatever_the_index_lag(
                recs in records(),
                indexed in 0usize..50,
                qs in queries(),
            ) {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let (_dir, store, pool) = super::temp_store().await;
                    let reference = InMemoryAuditSink::new(b"k");
                    let w = store.audit_writer(
                        &AuditKey::from_bytes([1u8; 32]),
                        AuditWriterOptions::default(),
                    );
                    let mut time = 1_000;
                    for (n, &(u, t, d, step)) in recs.iter().enumerate() {
                        time += i64::from(step);
                        let r = AuditRecord {
                            user_id: format!("user{u}"),
                            target: format!("tool{t}"),
                            decision: decision(d),
                            time_ms: time,
                            ..crate::audit::writer::tests::record(format!("dec_{n}"))
                        };
                        reference.append(r.clone()).await.unwrap();
                        w.append(r).await.unwrap();
                        if n + 1 == indexed.min(recs.len()) {
                            catch_up(&pool).await.unwrap();
                        }
                    }
                    w.shutdown().await.unwrap();
                    let log = SqlAuditLog::new(store.backend().clone());
                    for q in &qs {
                        let got = pages(q, |q| {
                            let log = log.clone();
                            async move { log.page(&q).await.unwrap() }
                        })
                        .await;
                        let want = pages(q, |q| {
                            let r = &reference;
                            async move { r.query(&q).await.unwrap() }
                        })
                        .await;
                        assert_eq!(got, want, "{q:?}");
                    }
                    store.close().await;
                });
            }
        }
    }

    #[test]
    fn the_index_file_sits_beside_the_database() {
        assert_eq!(
            index_path(Path::new("/var/lib/warden/warden.db")),
            PathBuf::from("/var/lib/warden/warden.db-audit-index")
        );
        assert_eq!(
            index_path(Path::new("w.db")),
            PathBuf::from("w.db-audit-index")
        );
    }
}
