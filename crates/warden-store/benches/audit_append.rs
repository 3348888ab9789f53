//! Audit append throughput in strict mode: group commit (one writer task batching whatever
//! many concurrent appenders queued) against one transaction per record (the same writer with
//! `batch_size = 1`), on SQLite and — when `WARDEN_TEST_POSTGRES_URL` is set — PostgreSQL.
//!
//! ```sh
//! cargo bench -p warden-store --bench audit_append -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use warden_security::audit::{AuditRecord, AuditSink};
use warden_security::governance::{Decision, LayerResult, LayerTrace};
use warden_store::{AuditKey, AuditWriter, AuditWriterOptions, Store};

/// Concurrent appenders (e.g. in-flight HTTP requests).
const APPENDERS: usize = 256;

/// A realistic record: four layers in the trace, ≈ 600 bytes of canonical JSON.
fn template() -> AuditRecord {
    let layer = |id: &str, r: LayerResult| LayerTrace {
        policy_id: id.into(),
        result: r,
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
        chain: vec![
            layer("secret_scan", LayerResult::Allow),
            layer("scope_check", LayerResult::Allow),
            layer("tool_blocklist", LayerResult::Allow),
            layer("rate_limit", LayerResult::Allow),
        ],
        findings: vec![],
        source: "govern".into(),
    }
}

/// Appends `total` records from `APPENDERS` concurrent tasks; returns the elapsed time.
async fn run(writer: &Arc<AuditWriter>, total: usize) -> Duration {
    let per_task = total.div_ceil(APPENDERS);
    let base = template();
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(APPENDERS);
    for t in 0..APPENDERS {
        let w = writer.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_task {
                let mut r = base.clone();
                r.id = format!("dec_{t:04}_{i:08}");
                w.append(r).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    start.elapsed()
}

fn bench_backend(c: &mut Criterion, rt: &tokio::runtime::Runtime, name: &str, url: &str) {
    let store = rt.block_on(Store::connect(url)).unwrap();
    let key = AuditKey::from_bytes([5u8; 32]);
    let mut group = c.benchmark_group(format!("audit_append_strict_{name}"));
    group.sample_size(10);
    for (label, batch_size, per_iter) in [
        ("group_commit", 512, 20_000),
        ("one_txn_per_record", 1, 2_000),
    ] {
        let writer = rt.block_on(async {
            Arc::new(store.audit_writer(
                &key,
                AuditWriterOptions {
                    batch_size,
                    ..AuditWriterOptions::default()
                },
            ))
        });
        let records = (per_iter / APPENDERS) * APPENDERS;
        group.throughput(Throughput::Elements(records as u64));
        group.bench_function(label, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += run(&writer, records).await;
                    }
                    total
                })
            })
        });
        let stats = writer.stats();
        eprintln!(
            "{name}/{label}: {} records in {} transactions (mean batch {:.1})",
            stats.records(),
            stats.batches(),
            stats.records() as f64 / stats.batches().max(1) as f64
        );
        rt.block_on(writer.shutdown()).unwrap();
    }
    group.finish();
    rt.block_on(store.close());
}

fn audit_append(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    bench_backend(c, &rt, "sqlite", &url);

    match std::env::var("WARDEN_TEST_POSTGRES_URL") {
        Ok(admin) if !admin.is_empty() => {
            let schema = format!("warden_bench_{}", uuid::Uuid::new_v4().simple());
            rt.block_on(async {
                use sqlx::Executor;
                let pool = sqlx::PgPool::connect(&admin).await.unwrap();
                pool.execute(format!("CREATE SCHEMA {schema}").as_str())
                    .await
                    .unwrap();
                pool.close().await;
            });
            let sep = if admin.contains('?') { '&' } else { '?' };
            let url = format!("{admin}{sep}options=-c%20search_path%3D{schema}");
            bench_backend(c, &rt, "postgres", &url);
            rt.block_on(async {
                use sqlx::Executor;
                let pool = sqlx::PgPool::connect(&admin).await.unwrap();
                let _ = pool
                    .execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
                    .await;
                pool.close().await;
            });
        }
        _ => eprintln!("skipping PostgreSQL: WARDEN_TEST_POSTGRES_URL is unset"),
    }
}

criterion_group!(benches, audit_append);
criterion_main!(benches);
