//! One behavioural suite for the SQL store, run against SQLite (temp dir) and PostgreSQL
//! (`WARDEN_TEST_POSTGRES_URL`, a fresh schema per test; skipped when unset unless
//! `WARDEN_REQUIRE_SERVICES=1`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{record, simple, TestDb};
use warden_security::audit::{AuditLog, AuditOrder, AuditQuery, AuditSink};
use warden_security::governance::Decision;
use warden_security::vault::{SecretMeta, StoredSecret};
use warden_security::{RevocationStore, StoreError};
use warden_store::migrate::LATEST_VERSION;
use warden_store::{
    export_jsonl, tail, AuditKey, AuditWriter, AuditWriterOptions, Durability, SqlAuditLog, Store,
};

fn key() -> AuditKey {
    AuditKey::from_bytes([42u8; 32])
}

fn strict() -> AuditWriterOptions {
    AuditWriterOptions::default()
}

async fn open(db: &TestDb) -> Store {
    Store::connect(db.url()).await.unwrap()
}

/// Appends `n` simple records in strict mode; returns the store and the ids in order.
async fn filled(db: &TestDb, n: u32) -> (Store, Vec<String>) {
    let store = open(db).await;
    let w = store.audit_writer(&key(), strict());
    let mut ids = Vec::new();
    for i in 1..=n {
        let r = simple(i);
        ids.push(r.id.clone());
        w.append(r).await.unwrap();
    }
    w.shutdown().await.unwrap();
    (store, ids)
}

async fn verify(store: &Store) -> warden_security::audit::ChainReport {
    store.audit_log().verify(key().as_bytes()).await.unwrap()
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = super::TestDb::sqlite().await;
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = super::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}

suite!(
    migrations_apply_once_and_are_idempotent,
    refuses_a_database_with_a_newer_schema,
    strict_appends_return_consecutive_seqs_and_verify,
    concurrent_appends_are_group_committed_into_one_chain,
    writers_taking_turns_chain_after_each_other,
    async_appends_are_all_written_by_shutdown,
    async_full_queue_is_overloaded_and_nothing_is_dropped,
    appends_after_shutdown_are_unavailable,
    two_stores_on_one_database_append_to_one_chain,
    query_filters_by_user_tool_decision_and_time,
    query_pages_follow_the_cursor_in_both_orders,
    tail_returns_the_newest_records_oldest_first,
    export_writes_every_record_as_jsonl,
    verify_streams_through_many_pages,
    verify_with_the_wrong_key_fails_at_the_first_record,
    tamper_edit_of_record_json_is_named,
    tamper_edit_of_an_indexed_column_is_named,
    tamper_edit_of_the_id_column_names_the_real_record,
    tamper_delete_is_named_at_the_next_record,
    tamper_reorder_is_named,
    tamper_insert_is_named,
    secrets_round_trip_and_keep_created_at_on_replace,
    secrets_list_by_namespace_and_delete,
    revocations_persist_across_instances_and_prune,
);

async fn migrations_apply_once_and_are_idempotent(db: &TestDb) {
    let a = open(db).await;
    assert_eq!(a.schema_version(), LATEST_VERSION);
    a.close().await;
    let b = open(db).await;
    assert_eq!(b.current_schema_version().await.unwrap(), LATEST_VERSION);
    b.close().await;
}

async fn refuses_a_database_with_a_newer_schema(db: &TestDb) {
    open(db).await.close().await;
    db.raw(&[
        "INSERT INTO warden_schema (version, description, applied_at_ms) VALUES (999, 'future', 0)",
    ])
    .await;
    let err = Store::connect(db.url()).await.unwrap_err();
    assert_eq!(
        err,
        StoreError::SchemaTooNew {
            found: 999,
            supported: LATEST_VERSION
        }
    );
}

async fn strict_appends_return_consecutive_seqs_and_verify(db: &TestDb) {
    let store = open(db).await;
    let w = store.audit_writer(&key(), strict());
    for i in 1..=5 {
        assert_eq!(w.append(simple(i)).await.unwrap(), i64::from(i));
    }
    w.shutdown().await.unwrap();
    let report = verify(&store).await;
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, 5);
}

async fn concurrent_appends_are_group_committed_into_one_chain(db: &TestDb) {
    let store = open(db).await;
    let w = Arc::new(store.audit_writer(&key(), strict()));
    let mut tasks = Vec::new();
    for i in 0..400u32 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move { w.append(simple(i)).await }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=400).collect::<Vec<i64>>());
    assert_eq!(w.stats().records(), 400);
    assert!(
        w.stats().batches() < 400,
        "expected group commit, got {} batches",
        w.stats().batches()
    );
    w.shutdown().await.unwrap();
    let report = verify(&store).await;
    assert!(report.ok && report.records == 400, "{report:?}");
}

async fn async_appends_are_all_written_by_shutdown(db: &TestDb) {
    let store = open(db).await;
    let w = store.audit_writer(
        &key(),
        AuditWriterOptions {
            durability: Durability::Async,
            ..AuditWriterOptions::default()
        },
    );
    for i in 1..=300 {
        assert_eq!(w.append(simple(i)).await.unwrap(), 0);
    }
    w.shutdown().await.unwrap();
    assert_eq!(store.audit_log().count().await.unwrap(), 300);
    assert!(verify(&store).await.ok);
}

async fn async_full_queue_is_overloaded_and_nothing_is_dropped(db: &TestDb) {
    let store = open(db).await;
    // Hold the write lock from outside so the writer cannot commit.
    let blocker = Blocker::hold(db).await;
    let w = store.audit_writer(
        &key(),
        AuditWriterOptions {
            durability: Durability::Async,
            queue_size: 4,
            batch_size: 1,
            linger: Duration::ZERO,
        },
    );
    let mut accepted = 0u32;
    let mut overloaded = false;
    for i in 1..=50 {
        match w.append(simple(i)).await {
            Ok(_) => accepted += 1,
            Err(StoreError::Overloaded(_)) => {
                overloaded = true;
                break;
            }
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert!(overloaded, "queue never filled");
    assert!(accepted <= 5, "accepted {accepted} with a queue of 4");
    blocker.release().await;
    w.shutdown().await.unwrap();
    assert_eq!(
        store.audit_log().count().await.unwrap(),
        u64::from(accepted)
    );
    assert!(verify(&store).await.ok);
}

async fn appends_after_shutdown_are_unavailable(db: &TestDb) {
    let store = open(db).await;
    let w = store.audit_writer(&key(), strict());
    w.shutdown().await.unwrap();
    assert!(matches!(
        w.append(simple(1)).await,
        Err(StoreError::Unavailable(_))
    ));
}

async fn two_stores_on_one_database_append_to_one_chain(db: &TestDb) {
    let a = open(db).await;
    let b = open(db).await;
    let wa = Arc::new(a.audit_writer(&key(), strict()));
    let wb = Arc::new(b.audit_writer(&key(), strict()));
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let w = if i % 2 == 0 { wa.clone() } else { wb.clone() };
        tasks.push(tokio::spawn(async move { w.append(simple(i)).await }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=200).collect::<Vec<i64>>());
    wa.shutdown().await.unwrap();
    wb.shutdown().await.unwrap();
    let report = verify(&a).await;
    assert!(report.ok && report.records == 200, "{report:?}");
}

/// Each writer remembers the tail it committed last; when the other process appended in
/// between, its next batch must notice and chain after the real tail.
async fn writers_taking_turns_chain_after_each_other(db: &TestDb) {
    let a = open(db).await;
    let b = open(db).await;
    let wa = a.audit_writer(&key(), strict());
    let wb = b.audit_writer(&key(), strict());
    let mut expected = 1i64;
    for round in 0..5u32 {
        for (w, n) in [(&wa, 3u32), (&wb, 2u32)] {
            for i in 0..n {
                let seq = w.append(simple(round * 10 + i)).await.unwrap();
                assert_eq!(seq, expected);
                expected += 1;
            }
        }
    }
    wa.shutdown().await.unwrap();
    wb.shutdown().await.unwrap();
    let report = verify(&a).await;
    assert!(report.ok && report.records == 25, "{report:?}");
}

async fn sample_log(db: &TestDb) -> Store {
    let store = open(db).await;
    let w = store.audit_writer(&key(), strict());
    for i in 0..30u32 {
        let user = ["alice", "bob", "carol"][(i % 3) as usize];
        let tool = if i % 2 == 0 {
            "Bash"
        } else {
            "mcp__github__list"
        };
        let decision = if i % 5 == 0 {
            Decision::Deny
        } else {
            Decision::Allow
        };
        w.append(record(i, user, tool, decision, 10_000 + i64::from(i) * 100))
            .await
            .unwrap();
    }
    w.shutdown().await.unwrap();
    store
}

async fn query_filters_by_user_tool_decision_and_time(db: &TestDb) {
    let store = sample_log(db).await;
    let log = store.audit_log();
    let page = log
        .query(&AuditQuery {
            user_id: Some("alice".into()),
            tool: Some("Bash".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    // alice: i % 3 == 0; Bash: i even → i ∈ {0, 6, 12, 18, 24}.
    let seqs: Vec<i64> = page.records.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 7, 13, 19, 25]);
    assert_eq!(page.next, None);
    let denies = log
        .query(&AuditQuery {
            decision: Some(Decision::Deny),
            since_ms: Some(10_500),
            until_ms: Some(12_000),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    // deny: i % 5 == 0; time 10_500..=12_000 → i ∈ 5..=20 → {5, 10, 15, 20}.
    let ids: Vec<i64> = denies.records.iter().map(|e| e.seq - 1).collect();
    assert_eq!(ids, vec![5, 10, 15, 20]);
    assert!(denies
        .records
        .iter()
        .all(|e| e.record.decision == Decision::Deny));
}

async fn query_pages_follow_the_cursor_in_both_orders(db: &TestDb) {
    let store = sample_log(db).await;
    let log = store.audit_log();
    for order in [AuditOrder::Asc, AuditOrder::Desc] {
        let mut q = AuditQuery {
            limit: 7,
            order,
            ..AuditQuery::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = log.query(&q).await.unwrap();
            assert!(page.records.len() <= 7);
            seen.extend(page.records.iter().map(|e| e.seq));
            match page.next {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        let mut expected: Vec<i64> = (1..=30).collect();
        if order == AuditOrder::Desc {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{order:?}");
    }
}

async fn tail_returns_the_newest_records_oldest_first(db: &TestDb) {
    let store = sample_log(db).await;
    let entries = tail(&store.audit_log(), 4).await.unwrap();
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![27, 28, 29, 30]);
}

async fn export_writes_every_record_as_jsonl(db: &TestDb) {
    let store = sample_log(db).await;
    let mut out = Vec::new();
    let n = export_jsonl(&store.audit_log(), &AuditQuery::default(), &mut out)
        .await
        .unwrap();
    assert_eq!(n, 30);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 30);
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["seq"], 1);
    assert_eq!(first["call_id"], "call-0");
    assert_eq!(first["decision"], "deny");
}

async fn verify_streams_through_many_pages(db: &TestDb) {
    let store = open(db).await;
    let w = Arc::new(store.audit_writer(&key(), strict()));
    let mut tasks = Vec::new();
    for t in 0..8u32 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..320 {
                w.append(simple(t * 1000 + i)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    w.shutdown().await.unwrap();
    let report = verify(&store).await;
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, 2560);
}

async fn verify_with_the_wrong_key_fails_at_the_first_record(db: &TestDb) {
    let (store, ids) = filled(db, 3).await;
    let report = store.audit_log().verify(&[1u8; 32]).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad.unwrap().id, ids[0]);
}

async fn tamper_edit_of_record_json_is_named(db: &TestDb) {
    let (store, ids) = filled(db, 6).await;
    db.raw(&[
        "UPDATE audit_log SET record = replace(record, 'reason 3', 'reason X') WHERE seq = 3",
    ])
    .await;
    let report = verify(&store).await;
    assert!(!report.ok);
    assert_eq!(report.records, 3);
    let bad = report.first_bad.unwrap();
    assert_eq!(bad.id, ids[2]);
    assert!(bad.reason.contains("edited"), "{}", bad.reason);
}

async fn tamper_edit_of_an_indexed_column_is_named(db: &TestDb) {
    let (store, ids) = filled(db, 6).await;
    db.raw(&["UPDATE audit_log SET user_id = 'mallory' WHERE seq = 4"])
        .await;
    let bad = verify(&store).await.first_bad.unwrap();
    assert_eq!(bad.id, ids[3]);
    assert!(bad.reason.contains("indexed columns"), "{}", bad.reason);
}

async fn tamper_edit_of_the_id_column_names_the_real_record(db: &TestDb) {
    let (store, ids) = filled(db, 6).await;
    db.raw(&["UPDATE audit_log SET id = 'dec_forged' WHERE seq = 2"])
        .await;
    let bad = verify(&store).await.first_bad.unwrap();
    assert_eq!(
        bad.id, ids[1],
        "named by the hashed record, not the edited column"
    );
    assert!(bad.reason.contains("record 2"), "{}", bad.reason);
}

async fn tamper_delete_is_named_at_the_next_record(db: &TestDb) {
    let (store, ids) = filled(db, 6).await;
    db.raw(&["DELETE FROM audit_log WHERE seq = 3"]).await;
    let report = verify(&store).await;
    assert!(!report.ok);
    let bad = report.first_bad.unwrap();
    assert_eq!(bad.id, ids[3]);
    assert!(bad.reason.contains("sequence gap"), "{}", bad.reason);
}

async fn tamper_reorder_is_named(db: &TestDb) {
    let (store, ids) = filled(db, 6).await;
    db.raw(&[
        "UPDATE audit_log SET seq = -1 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 4",
        "UPDATE audit_log SET seq = 4 WHERE seq = -1",
    ])
    .await;
    let bad = verify(&store).await.first_bad.unwrap();
    // The record now in position 3 (originally 4th) does not follow record 2.
    assert_eq!(bad.id, ids[3]);
}

async fn tamper_insert_is_named(db: &TestDb) {
    let (store, _ids) = filled(db, 6).await;
    db.raw(&[
        "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3",
        "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000",
        "INSERT INTO audit_log (seq, id, time_ms, user_id, target, decision, record, prev_hash, chain_hash) \
         SELECT 3, 'dec_forged', time_ms, user_id, target, decision, replace(record, id, 'dec_forged'), chain_hash, prev_hash \
         FROM audit_log WHERE seq = 2",
    ])
    .await;
    let bad = verify(&store).await.first_bad.unwrap();
    assert_eq!(bad.id, "dec_forged");
}

fn secret(ns: &str, name: &str, t: i64, envelope: &[u8]) -> StoredSecret {
    StoredSecret {
        meta: SecretMeta {
            namespace: ns.into(),
            name: name.into(),
            kek_id: "k1".into(),
            created_at_ms: t,
            updated_at_ms: t,
        },
        envelope: envelope.to_vec(),
        fingerprints: vec![vec![1, 2, 3], vec![0xff; 32]],
    }
}

async fn secrets_round_trip_and_keep_created_at_on_replace(db: &TestDb) {
    let store = open(db).await;
    let s = store.secrets();
    s.put(secret("gh", "token", 100, b"WSV1-a")).await.unwrap();
    let got = s.get("gh", "token").await.unwrap().unwrap();
    assert_eq!(got, secret("gh", "token", 100, b"WSV1-a"));
    let mut newer = secret("gh", "token", 200, b"WSV1-b");
    newer.meta.kek_id = "k2".into();
    s.put(newer).await.unwrap();
    let got = s.get("gh", "token").await.unwrap().unwrap();
    assert_eq!(got.meta.created_at_ms, 100);
    assert_eq!(got.meta.updated_at_ms, 200);
    assert_eq!(got.meta.kek_id, "k2");
    assert_eq!(got.envelope, b"WSV1-b");
    assert_eq!(s.get("gh", "missing").await.unwrap(), None);
}

async fn secrets_list_by_namespace_and_delete(db: &TestDb) {
    let store = open(db).await;
    let s = store.secrets();
    for (ns, name) in [("b", "x"), ("a", "z"), ("a", "y")] {
        s.put(secret(ns, name, 1, b"e")).await.unwrap();
    }
    let all: Vec<(String, String)> = s
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.namespace, m.name))
        .collect();
    assert_eq!(
        all,
        vec![
            ("a".into(), "y".into()),
            ("a".into(), "z".into()),
            ("b".into(), "x".into())
        ]
    );
    assert_eq!(s.list(Some("a")).await.unwrap().len(), 2);
    assert!(s.delete("a", "y").await.unwrap());
    assert!(!s.delete("a", "y").await.unwrap());
    assert_eq!(s.all().await.unwrap().len(), 2);
}

async fn revocations_persist_across_instances_and_prune(db: &TestDb) {
    let now = warden_security::time::now_secs();
    let a = open(db).await.revocations().await.unwrap();
    a.revoke("jti-live", now + 3600);
    a.revoke("jti-soon", now + 5);
    a.flush().await.unwrap();
    assert!(a.is_revoked("jti-live"));
    // A second instance loads what the first wrote.
    let b = open(db).await.revocations().await.unwrap();
    assert!(b.is_revoked("jti-live") && b.is_revoked("jti-soon"));
    // Revocations made later elsewhere arrive with refresh().
    a.revoke_durable("jti-later", now + 3600).await.unwrap();
    assert!(!b.is_revoked("jti-later"));
    b.refresh().await.unwrap();
    assert!(b.is_revoked("jti-later"));
    // Pruning forgets expired entries, in memory and in the database.
    a.prune(now + 10);
    a.flush().await.unwrap();
    assert!(!a.is_revoked("jti-soon") && a.is_revoked("jti-live"));
    let c = open(db).await.revocations().await.unwrap();
    assert!(!c.is_revoked("jti-soon"));
    assert_eq!(c.len(), 2);
}

/// Holds the audit table's write lock from a separate connection.
enum Blocker {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>, sqlx::SqlitePool),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>, sqlx::PgPool),
}

impl Blocker {
    async fn hold(db: &TestDb) -> Self {
        use sqlx::Executor;
        match db {
            TestDb::Sqlite { url, .. } => {
                let pool = sqlx::SqlitePool::connect(url).await.unwrap();
                let mut conn = pool.acquire().await.unwrap();
                conn.execute("BEGIN IMMEDIATE").await.unwrap();
                Blocker::Sqlite(conn, pool)
            }
            TestDb::Postgres { url, .. } => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                let mut tx = pool.begin().await.unwrap();
                tx.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
                    .await
                    .unwrap();
                Blocker::Postgres(tx, pool)
            }
        }
    }

    async fn release(self) {
        use sqlx::Executor;
        match self {
            Blocker::Sqlite(mut conn, pool) => {
                conn.execute("ROLLBACK").await.unwrap();
                drop(conn);
                pool.close().await;
            }
            Blocker::Postgres(tx, pool) => {
                tx.rollback().await.unwrap();
                pool.close().await;
            }
        }
    }
}

#[allow(dead_code)]
fn _assert_types(_: &SqlAuditLog, _: &AuditWriter) {}

/// SQLite columns take any type: an edit that changes a column's storage class (the same
/// text stored as a blob, a number as text, bytes that are not UTF-8) is named like any
/// other edit, not reported as a store that cannot be read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_type_and_encoding_edits_are_named() {
    for edit in [
        "UPDATE audit_log SET record = CAST(record AS BLOB) WHERE seq = 3",
        "UPDATE audit_log SET time_ms = 'abc' WHERE seq = 3",
        "UPDATE audit_log SET decision = x'00' WHERE seq = 3",
        "UPDATE audit_log SET user_id = CAST(x'ff00' AS TEXT) WHERE seq = 3",
        "UPDATE audit_log SET chain_hash = 'text' WHERE seq = 3",
    ] {
        let db = TestDb::sqlite().await;
        let (store, ids) = filled(&db, 6).await;
        db.raw(&[edit]).await;
        let report = verify(&store).await;
        assert!(!report.ok, "{edit}");
        assert_eq!(report.records, 3, "{edit}");
        let bad = report.first_bad.unwrap();
        assert_eq!(bad.id, ids[2], "{edit}");
        assert!(bad.reason.contains("record 3"), "{edit}: {}", bad.reason);
        db.cleanup().await;
    }
}
