//! MCP gateway overhead: `tools/call` requests/s and latency percentiles through the gateway
//! vs directly to the same fake upstream, in the same run, over loopback.
//!
//! `cargo bench -p warden-server --bench mcp_gateway` (env: `MCP_BENCH_REQUESTS`, default
//! 20000 per round; `MCP_BENCH_CONCURRENCY`, default 16; `MCP_BENCH_ROUNDS`, default 3).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;

struct Round {
    rps: f64,
    p50: Duration,
    p99: Duration,
}

async fn run(url: String, requests: usize, concurrency: usize, sleep_ms: u64) -> Round {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency * 2)
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let body = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello world","n":42,"sleep_ms":sleep_ms}}}).to_string();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, body, next) = (client.clone(), url.clone(), body.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                let t = Instant::now();
                let resp = client
                    .post(&url)
                    .header("x-test-user", "bench")
                    .header("content-type", "application/json")
                    .header("accept", "application/json, text/event-stream")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200);
                let bytes = resp.bytes().await.unwrap();
                assert!(bytes.windows(8).any(|w| w == b"\"result\""));
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::with_capacity(requests);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Round {
        rps: all.len() as f64 / elapsed.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

/// Sequential requests, alternating direct and gateway one by one so that machine noise hits
/// both alike; returns (direct, gateway) latencies sorted.
async fn paired_latency(direct: &str, gateway: &str, n: usize) -> (Vec<Duration>, Vec<Duration>) {
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let body = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello world","n":42}}}).to_string();
    let (mut d, mut g) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        for (url, out) in [(direct, &mut d), (gateway, &mut g)] {
            let t = Instant::now();
            let resp = client
                .post(url)
                .header("x-test-user", "bench")
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            resp.bytes().await.unwrap();
            out.push(t.elapsed());
        }
    }
    d.sort();
    g.sort();
    (d, g)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let requests = env_usize("MCP_BENCH_REQUESTS", 20_000);
        let concurrency = env_usize("MCP_BENCH_CONCURRENCY", 16);
        let rounds = env_usize("MCP_BENCH_ROUNDS", 3);
        let (upstream, _log) = start_upstream().await;
        let governor = Arc::new(FakeGovernor::default());
        let gateway = start_gateway(&config(upstream, dead_addr().await), governor.clone()).await;
        let direct_url = format!("http://{upstream}/mcp");
        let gateway_url = format!("http://{gateway}/mcp/demo");
        // Warm-up.
        run(direct_url.clone(), 500, concurrency, 0).await;
        run(gateway_url.clone(), 500, concurrency, 0).await;
        let sequential = env_usize("MCP_BENCH_SEQUENTIAL", 5_000);
        let (d, g) = paired_latency(&direct_url, &gateway_url, sequential).await;
        governor.calls.lock().clear();
        println!("== sequential latency, {sequential} paired requests (concurrency 1)");
        println!("  direct : p50 {:.3} ms, p99 {:.3} ms", pct(&d, 0.5), pct(&d, 0.99));
        println!("  gateway: p50 {:.3} ms, p99 {:.3} ms", pct(&g, 0.5), pct(&g, 0.99));
        println!(
            "  added p50 {:.3} ms, added p99 {:.3} ms",
            pct(&g, 0.5) - pct(&d, 0.5),
            pct(&g, 0.99) - pct(&d, 0.99)
        );
        for (label, sleep_ms) in [("echo tool (no work: worst case)", 0u64), ("tool taking 2 ms", 2)] {
            let (mut d_rps, mut d_p50, mut d_p99, mut g_rps, mut g_p50, mut g_p99) =
                (vec![], vec![], vec![], vec![], vec![], vec![]);
            println!("== {label}");
            for round in 0..rounds {
                let d = run(direct_url.clone(), requests, concurrency, sleep_ms).await;
                governor.calls.lock().clear();
                let g = run(gateway_url.clone(), requests, concurrency, sleep_ms).await;
                governor.calls.lock().clear();
                println!(
                    "round {round}: direct {:.0} req/s p50 {:?} p99 {:?} | gateway {:.0} req/s p50 {:?} p99 {:?}",
                    d.rps, d.p50, d.p99, g.rps, g.p50, g.p99
                );
                d_rps.push(d.rps);
                d_p50.push(d.p50.as_secs_f64() * 1e3);
                d_p99.push(d.p99.as_secs_f64() * 1e3);
                g_rps.push(g.rps);
                g_p50.push(g.p50.as_secs_f64() * 1e3);
                g_p99.push(g.p99.as_secs_f64() * 1e3);
            }
            let (dr, gr) = (median(d_rps), median(g_rps));
            let (dp99, gp99) = (median(d_p99), median(g_p99));
            let (dp50, gp50) = (median(d_p50), median(g_p50));
            println!(
                "median over {rounds} rounds of {requests} tools/call at concurrency {concurrency}:"
            );
            println!("  direct : {dr:.0} req/s, p50 {dp50:.3} ms, p99 {dp99:.3} ms");
            println!("  gateway: {gr:.0} req/s, p50 {gp50:.3} ms, p99 {gp99:.3} ms");
            println!(
                "  ratio {:.1} % of direct throughput, added p50 {:.3} ms, added p99 {:.3} ms",
                100.0 * gr / dr,
                gp50 - dp50,
                gp99 - dp99
            );
        }
    });
}
