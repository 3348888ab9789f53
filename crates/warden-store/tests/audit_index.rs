//! The SQLite audit index (`<db>-audit-index`): kept up in the background, rebuilt when it
//! does not belong to the log, filled after the upgrade that moved the indexes off the log,
//! and never able to make a query return a record that does not match.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::record;
use sqlx::Executor;
use warden_security::audit::{AuditLog, AuditOrder, AuditQuery, AuditSink};
use warden_security::governance::Decision;
use warden_store::{AuditKey, AuditWriterOptions, Store};

fn url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("warden.db").display())
}

fn index_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("warden.db-audit-index").display())
}

/// Deletes the index file (and its WAL and shared-memory files) of the log in `dir`.
fn remove_index_files(dir: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("warden.db-audit-index{suffix}")));
    }
}

/// Appends `n` records (users alternate alice/bob, every fourth a deny) after `first`.
async fn append(store: &Store, first: u32, n: u32) {
    let w = store.audit_writer(
        &AuditKey::from_bytes([5u8; 32]),
        AuditWriterOptions::default(),
    );
    for i in first..first + n {
        let user = if i % 2 == 0 { "alice" } else { "bob" };
        let decision = if i % 4 == 0 {
            Decision::Deny
        } else {
            Decision::Allow
        };
        w.append(record(i, user, "Bash", decision, 1_000 + i64::from(i)))
            .await
            .unwrap();
    }
    w.shutdown().await.unwrap();
}

/// Entries in the index file, read outside Warden.
async fn indexed(dir: &Path) -> i64 {
    let pool = sqlx::SqlitePool::connect(&index_url(dir)).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_index")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

async fn seqs(store: &Store, q: AuditQuery) -> Vec<i64> {
    let page = store.audit_log().query(&q).await.unwrap();
    page.records.iter().map(|e| e.seq).collect()
}

fn by_user(user: &str) -> AuditQuery {
    AuditQuery {
        user_id: Some(user.into()),
        limit: 1000,
        ..AuditQuery::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_indexer_follows_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&url(dir.path())).await.unwrap();
    let indexer = store.audit_indexer().expect("SQLite has an index file");
    append(&store, 0, 50).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while indexed(dir.path()).await < 50 {
        assert!(Instant::now() < deadline, "the index never reached the log");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(indexer);
    assert_eq!(indexed(dir.path()).await, 50);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_that_belongs_to_another_log_is_rebuilt() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let store_a = Store::connect(&url(a.path())).await.unwrap();
    append(&store_a, 0, 40).await;
    assert_eq!(seqs(&store_a, by_user("alice")).await.len(), 20);
    store_a.close().await;
    // Log B: 10 records, all bob's; then A's index is put beside it (a restored backup).
    let store_b = Store::connect(&url(b.path())).await.unwrap();
    append(&store_b, 1, 10).await;
    store_b.close().await;
    remove_index_files(b.path());
    for suffix in ["", "-wal", "-shm"] {
        let from = a.path().join(format!("warden.db-audit-index{suffix}"));
        if from.exists() {
            std::fs::copy(
                from,
                b.path().join(format!("warden.db-audit-index{suffix}")),
            )
            .unwrap();
        }
    }
    let store_b = Store::connect(&url(b.path())).await.unwrap();
    assert_eq!(seqs(&store_b, by_user("alice")).await, vec![2, 4, 6, 8, 10]);
    assert_eq!(indexed(b.path()).await, 10);
    store_b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_index_cannot_add_records_to_a_query() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&url(dir.path())).await.unwrap();
    append(&store, 0, 20).await;
    assert_eq!(seqs(&store, by_user("mallory")).await, Vec::<i64>::new());
    let pool = sqlx::SqlitePool::connect(&index_url(dir.path()))
        .await
        .unwrap();
    pool.execute("UPDATE audit_index SET user_id = 'mallory', decision = 'deny' WHERE seq <= 5")
        .await
        .unwrap();
    pool.close().await;
    // The log's own columns decide: the edited entries propose rows that do not match.
    assert_eq!(seqs(&store, by_user("mallory")).await, Vec::<i64>::new());
    let denies = seqs(
        &store,
        AuditQuery {
            decision: Some(Decision::Deny),
            limit: 1000,
            ..AuditQuery::default()
        },
    )
    .await;
    assert!(denies.iter().all(|s| (s - 1) % 4 == 0), "{denies:?}");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrading_moves_the_indexes_off_the_log_and_indexes_what_was_there() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&url(dir.path())).await.unwrap();
    append(&store, 0, 30).await;
    store.close().await;
    // Make the database look like schema 2: the log's own indexes, no index file.
    let pool = sqlx::SqlitePool::connect(&url(dir.path())).await.unwrap();
    for stmt in [
        "CREATE INDEX audit_log_time ON audit_log (time_ms, seq)",
        "CREATE INDEX audit_log_user ON audit_log (user_id, seq)",
        "CREATE INDEX audit_log_target ON audit_log (target, seq)",
        "CREATE INDEX audit_log_decision ON audit_log (decision, seq)",
        "DELETE FROM warden_schema WHERE version = 3",
    ] {
        pool.execute(stmt).await.unwrap();
    }
    pool.close().await;
    remove_index_files(dir.path());

    let store = Store::connect(&url(dir.path())).await.unwrap();
    assert_eq!(store.current_schema_version().await.unwrap(), 3);
    let pool = sqlx::SqlitePool::connect(&url(dir.path())).await.unwrap();
    let log_indexes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(log_indexes, 0);
    let newest_first = seqs(
        &store,
        AuditQuery {
            user_id: Some("alice".into()),
            order: AuditOrder::Desc,
            limit: 3,
            ..AuditQuery::default()
        },
    )
    .await;
    assert_eq!(newest_first, vec![29, 27, 25]);
    assert_eq!(indexed(dir.path()).await, 30);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_index_file_is_created_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&url(dir.path())).await.unwrap();
    append(&store, 0, 12).await;
    assert_eq!(seqs(&store, by_user("bob")).await.len(), 6);
    store.close().await;
    remove_index_files(dir.path());
    let store = Store::connect(&url(dir.path())).await.unwrap();
    assert_eq!(seqs(&store, by_user("bob")).await, vec![2, 4, 6, 8, 10, 12]);
    let verified = store
        .audit_log()
        .verify(AuditKey::from_bytes([5u8; 32]).as_bytes())
        .await
        .unwrap();
    assert!(verified.ok);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_has_no_index_file() {
    let Some(db) = common::TestDb::postgres().await else {
        return;
    };
    let store = Store::connect(db.url()).await.unwrap();
    assert!(store.audit_indexer().is_none());
    let w = store.audit_writer(
        &AuditKey::from_bytes([5u8; 32]),
        AuditWriterOptions::default(),
    );
    w.append(record(1, "alice", "Bash", Decision::Allow, 5))
        .await
        .unwrap();
    w.shutdown().await.unwrap();
    assert_eq!(seqs(&store, by_user("alice")).await, vec![1]);
    store.close().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_index_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&url(dir.path())).await.unwrap();
    append(&store, 0, 8).await;
    store.close().await;
    remove_index_files(dir.path());
    std::fs::write(
        dir.path().join("warden.db-audit-index"),
        b"not a database, just bytes where the index was".repeat(200),
    )
    .unwrap();
    let store = Store::connect(&url(dir.path())).await.unwrap();
    assert_eq!(seqs(&store, by_user("alice")).await, vec![1, 3, 5, 7]);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_that_cannot_be_opened_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("warden.db-audit-index")).unwrap();
    // Named at once, rather than every pooled connection failing to attach it until the
    // pool's timeout ("timed out waiting for a database connection").
    let err = Store::connect(&url(dir.path())).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("warden.db-audit-index"), "{msg}");
    assert!(msg.contains("deleting it is safe"), "{msg}");
}
