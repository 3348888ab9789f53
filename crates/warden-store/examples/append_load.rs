//! Appends records from many concurrent tasks and reports wall-clock and CPU throughput.
//!
//! ```sh
//! cargo run --release -p warden-store --example append_load -- [URL] [RECORDS] [APPENDERS] [BATCH]
//! ```
//! CPU time (from `/proc/self/stat`) makes the figure meaningful on a shared, loaded machine.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use warden_security::audit::{AuditRecord, AuditSink};
use warden_security::governance::{Decision, LayerResult, LayerTrace};
use warden_store::{AuditKey, AuditWriterOptions, Store};

fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(") ").map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn record() -> AuditRecord {
    let layer = |id: &str| LayerTrace {
        policy_id: id.into(),
        result: LayerResult::Allow,
        detail: "ok".into(),
        duration_us: 3,
    };
    AuditRecord {
        id: AuditRecord::new_id(),
        time_ms: 1_764_800_000_000,
        call_id: Some("call-0123456789".into()),
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
        user_id: "user-42".into(),
        session_id: "sess-abcdef".into(),
        agent_id: Some("claude-code".into()),
        target: "mcp__github__create_issue".into(),
        decision: Decision::Allow,
        policy: None,
        reason: "all layers allowed the call".into(),
        chain: ["secret_scan", "scope_check", "tool_blocklist", "rate_limit"]
            .iter()
            .map(|l| layer(l))
            .collect(),
        findings: vec![],
        source: "govern".into(),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = tempfile::tempdir().unwrap();
    let default_url = format!("sqlite://{}", dir.path().join("load.db").display());
    let url = args
        .get(1)
        .filter(|u| !u.is_empty())
        .cloned()
        .unwrap_or(default_url);
    let records: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let appenders: usize = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(256);
    let batch: usize = args.get(4).and_then(|v| v.parse().ok()).unwrap_or(512);
    let store = Store::connect(&url).await.unwrap();
    let writer = Arc::new(store.audit_writer(
        &AuditKey::from_bytes([1u8; 32]),
        AuditWriterOptions {
            batch_size: batch,
            ..AuditWriterOptions::default()
        },
    ));
    let base = record();
    let per = records / appenders;
    let (c0, t0) = (cpu_secs(), Instant::now());
    let mut tasks = Vec::new();
    for t in 0..appenders {
        let w = writer.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per {
                let mut r = base.clone();
                r.id = format!("dec_{t:04}_{i:08}");
                w.append(r).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_secs() - c0);
    let n = (per * appenders) as f64;
    println!(
        "{n} records, {appenders} appenders, batch {batch}: {:.0} records/s wall, {:.1} µs CPU/record, {} transactions",
        n / wall,
        cpu * 1e6 / n,
        writer.stats().batches()
    );
    writer.shutdown().await.unwrap();
}
