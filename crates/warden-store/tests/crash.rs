//! Crash test: a child process appends under load in strict mode and is killed with SIGKILL;
//! after a restart every acknowledged record is present and the chain verifies.
//!
//! The child is this test binary re-executed on `crash_child_appends_until_killed`, which does
//! nothing unless `WARDEN_CRASH_CHILD_URL` is set. It prints `ACK <seq> <id>` for every append
//! whose commit was acknowledged.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use warden_security::audit::{AuditLog, AuditQuery, AuditSink, MAX_QUERY_LIMIT};
use warden_store::{AuditKey, AuditWriterOptions, Store};

const KEY: [u8; 32] = [7u8; 32];
const CHILD_URL: &str = "WARDEN_CRASH_CHILD_URL";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child_appends_until_killed() {
    let Ok(url) = std::env::var(CHILD_URL) else {
        return; // Only meaningful as the child of the crash tests.
    };
    let store = Store::connect(&url).await.unwrap();
    let writer =
        Arc::new(store.audit_writer(&AuditKey::from_bytes(KEY), AuditWriterOptions::default()));
    let mut tasks = Vec::new();
    for t in 0..16u32 {
        let w = writer.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                let r = common::simple(t * 1_000_000 + i);
                let id = r.id.clone();
                let seq = w.append(r).await.unwrap();
                let mut out = std::io::stdout().lock();
                writeln!(out, "ACK {seq} {id}").unwrap();
                out.flush().unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Runs the child against `url`, kills it after `acks` acknowledgements, and returns what it
/// acknowledged (seq → id).
fn run_and_kill(url: &str, acks: usize) -> HashMap<i64, String> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "crash_child_appends_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_URL, url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut acked = HashMap::new();
    let parse = |line: &str, acked: &mut HashMap<i64, String>| {
        if let Some(rest) = line.strip_prefix("ACK ") {
            let (seq, id) = rest.split_once(' ').unwrap();
            acked.insert(seq.parse::<i64>().unwrap(), id.to_owned());
        }
    };
    for line in lines.by_ref() {
        let line = line.unwrap();
        parse(&line, &mut acked);
        if acked.len() >= acks {
            break;
        }
    }
    // SIGKILL: no destructor, no flush, no graceful shutdown.
    child.kill().unwrap();
    // Lines already written before the kill are acknowledged too.
    for line in lines.map_while(Result::ok) {
        parse(&line, &mut acked);
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "child was expected to die by signal");
    acked
}

async fn assert_acked_records_survived(url: &str, acked: &HashMap<i64, String>) {
    assert!(!acked.is_empty(), "the child acknowledged nothing");
    let store = Store::connect(url).await.unwrap();
    let log = store.audit_log();
    let mut stored: HashMap<i64, String> = HashMap::new();
    let mut q = AuditQuery {
        limit: MAX_QUERY_LIMIT,
        ..AuditQuery::default()
    };
    loop {
        let page = log.query(&q).await.unwrap();
        stored.extend(page.records.into_iter().map(|e| (e.seq, e.record.id)));
        match page.next {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    for (seq, id) in acked {
        assert_eq!(
            stored.get(seq),
            Some(id),
            "acknowledged record {seq} is missing"
        );
    }
    let report = log.verify(&KEY).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert!(report.records >= acked.len() as u64);
    // The log keeps working after the crash.
    let w = store.audit_writer(&AuditKey::from_bytes(KEY), AuditWriterOptions::default());
    let seq = w.append(common::simple(1)).await.unwrap();
    assert_eq!(seq, report.records as i64 + 1);
    w.shutdown().await.unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_strict_appends_survive_sigkill() {
    let db = common::TestDb::sqlite().await;
    let url = db.url().to_owned();
    // Create the schema first so the child starts appending at once.
    Store::connect(&url).await.unwrap().close().await;
    let acked = tokio::task::spawn_blocking({
        let url = url.clone();
        move || run_and_kill(&url, 3000)
    })
    .await
    .unwrap();
    assert_acked_records_survived(&url, &acked).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_strict_appends_survive_sigkill() {
    let Some(db) = common::TestDb::postgres().await else {
        return;
    };
    let url = db.url().to_owned();
    Store::connect(&url).await.unwrap().close().await;
    let acked = tokio::task::spawn_blocking({
        let url = url.clone();
        move || run_and_kill(&url, 1000)
    })
    .await
    .unwrap();
    assert_acked_records_survived(&url, &acked).await;
    db.cleanup().await;
}
