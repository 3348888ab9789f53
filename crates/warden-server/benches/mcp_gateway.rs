//! MCP gateway overhead: `tools/call` requests/s and latency percentiles through Warden vs
//! directly to the same fake upstream, in the same run, over loopback.
//!
//! Paths measured, each against the direct baseline of the same round:
//! - `gateway`: the gateway alone (`mcp::router` behind a trivial auth layer, fake governor
//!   that allows, no audit) — the proxy's own cost;
//! - `warden strict` / `warden async`: a real `warden serve` in process (JWT auth, governance
//!   pipeline with the secret scanner, vault credential injection, result scanning, SQLite audit
//!   with `[audit] durability` strict or async; rate limiting off).
//!
//! Loads: sequential calls, then 16 connections calling a tool that answers at once, one that
//! sleeps 2 ms on the runtime timer, and one that sleeps 2 ms on a thread ([`Tool`]).
//!
//! The proxy under test (the gateway alone, or Warden) runs on a Tokio runtime of its own,
//! two worker threads as `warden serve` has on this machine, the way it runs beside the
//! agent and the MCP server in a deployment: separate processes, one kernel scheduler. The
//! client and the upstream share the bench's runtime. `MCP_BENCH_SHARED_RUNTIME=1` puts the
//! proxy on that runtime too (sessions 1–4 measured so: the proxy's blocking work then held
//! up the client's and the upstream's tasks as well).
//!
//! `cargo bench -p warden-server --bench mcp_gateway` (env: `MCP_BENCH_REQUESTS`, default
//! 10000 per round and path; `MCP_BENCH_CONCURRENCY`, default 16; `MCP_BENCH_ROUNDS`, default
//! 3; `MCP_BENCH_SEQUENTIAL`, default 3000 paired calls at concurrency 1; `MCP_BENCH_PATHS`,
//! default `gateway,strict,async`; `MCP_BENCH_SHARED_RUNTIME`; `MCP_BENCH_IO_THREADS`, the
//! Warden's `[server] io_threads`, default 0 = one per CPU; `MCP_BENCH_PIN=1`, the proxy's
//! threads on a CPU of their own, [`pin_threads`]).
//!
//! Each round also prints the proxy's CPU time per call (its threads' `schedstat`) and how
//! the calls at or over the round's p99 fall in time ([`TailBursts`]).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// The allocator of the shipped `warden` binary (`warden-cli`'s `main.rs`): the server runs
/// in this process, and with glibc's malloc about a third of its instructions were the
/// allocator's, which `warden serve` does not pay.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    tail: TailBursts,
}

/// How the calls at or over a round's p99 fall in time: one at a time here and there (each
/// call's own bad luck) or in bursts that hold up most connections at once (a stall of the
/// process or of the machine).
struct TailBursts {
    /// Calls at or over the p99.
    over: usize,
    /// Of those, calls in a burst: at least [`BURST_MIN`] of them starting within
    /// [`BURST_GAP`] of the one before.
    in_bursts: usize,
    /// The largest burst.
    largest: usize,
}

/// Whether a thread of this process (by its name) belongs to the proxy under test: Warden's
/// `warden-*` threads and its SQLite pool's `sqlx-sqlite-worker-*`, and the runtime the proxy
/// was started on (`proxy-worker`, [`on_own_runtime`]).
fn is_proxy_thread(comm: &str) -> bool {
    ["warden-", "proxy-worker", "sqlx-sqlite-wor"]
        .iter()
        .any(|prefix| comm.starts_with(prefix))
}

/// CPU time used so far by the proxy's threads ([`is_proxy_thread`]), from
/// `/proc/self/task/*/schedstat` (Linux; zero elsewhere).
fn proxy_cpu() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let mut total = Duration::ZERO;
    for task in tasks.flatten() {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if !is_proxy_thread(&comm) {
            continue;
        }
        let schedstat = std::fs::read_to_string(path.join("schedstat")).unwrap_or_default();
        if let Some(ns) = schedstat
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
        {
            total += Duration::from_nanos(ns);
        }
    }
    total
}

/// `MCP_BENCH_PIN=1` (Linux): the proxy's threads (see [`proxy_cpu`]) on the last CPU, every
/// other thread of the process (the client, the upstream, their blocking threads, which
/// inherit it) on the others, as when Warden has a core of its own. Threads started later
/// inherit the CPUs of the thread that starts them.
#[cfg(target_os = "linux")]
fn pin_threads() {
    use rustix::thread::{sched_setaffinity, CpuSet};
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus < 2 {
        panic!("MCP_BENCH_PIN needs two CPUs");
    }
    let (mut proxy, mut rest) = (CpuSet::new(), CpuSet::new());
    proxy.set(cpus - 1);
    (0..cpus - 1).for_each(|c| rest.set(c));
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        let tid: i32 = task.file_name().to_string_lossy().parse().unwrap();
        let set = if is_proxy_thread(&comm) {
            &proxy
        } else {
            &rest
        };
        // A thread that ended meanwhile is no error.
        let _ = sched_setaffinity(rustix::process::Pid::from_raw(tid), set);
    }
}

#[cfg(not(target_os = "linux"))]
fn pin_threads() {
    panic!("MCP_BENCH_PIN is Linux only");
}

const BURST_GAP: Duration = Duration::from_millis(3);
const BURST_MIN: usize = 4;

/// `timed`: (start since the round began, latency) of every call of a round.
fn tail_bursts(timed: &[(Duration, Duration)], p99: Duration) -> TailBursts {
    let mut starts: Vec<Duration> = timed
        .iter()
        .filter(|(_, latency)| *latency >= p99)
        .map(|(start, _)| *start)
        .collect();
    starts.sort();
    let mut groups: Vec<usize> = Vec::new();
    let mut previous: Option<Duration> = None;
    for start in &starts {
        match (previous, groups.last_mut()) {
            (Some(p), Some(size)) if *start - p < BURST_GAP => *size += 1,
            _ => groups.push(1),
        }
        previous = Some(*start);
    }
    TailBursts {
        over: starts.len(),
        in_bursts: groups.iter().filter(|&&g| g >= BURST_MIN).sum(),
        largest: groups.iter().copied().max().unwrap_or(0),
    }
}

#[derive(Clone)]
struct Target {
    url: String,
    header: (&'static str, String),
}

fn client(concurrency: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency * 2)
        .tcp_nodelay(true)
        .build()
        .unwrap()
}

/// What the upstream's `echo` tool does before answering.
#[derive(Clone, Copy)]
enum Tool {
    /// Answers at once.
    NoOp,
    /// `tokio::time::sleep`: ends on the runtime timer's next millisecond tick, which lines
    /// the calls of all connections up on the same ticks.
    Timer { ms: u64 },
    /// A thread sleep: ends when it ends, as a database query or an HTTP call would.
    Blocking { us: u64 },
}

fn body(tool: Tool) -> String {
    let mut arguments = json!({"text": "hello world", "n": 42});
    match tool {
        // Only when asked: even a zero sleep waits for the next tick of tokio's 1 ms timer.
        Tool::NoOp => {}
        Tool::Timer { ms } => arguments["sleep_ms"] = json!(ms),
        Tool::Blocking { us } => arguments["block_us"] = json!(us),
    }
    json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":arguments}}).to_string()
}

async fn call(client: &reqwest::Client, target: &Target, body: &str) {
    let resp = client
        .post(&target.url)
        .header(target.header.0, &target.header.1)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    assert!(
        bytes.windows(8).any(|w| w == b"\"result\""),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

async fn run(target: &Target, requests: usize, concurrency: usize, tool: Tool) -> Round {
    let client = client(concurrency);
    let body = body(tool);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, target, body, next) =
            (client.clone(), target.clone(), body.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                let t = Instant::now();
                call(&client, &target, &body).await;
                lat.push((t - start, t.elapsed()));
            }
            lat
        }));
    }
    let mut timed = Vec::with_capacity(requests);
    for t in tasks {
        timed.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    let mut all: Vec<Duration> = timed.iter().map(|(_, latency)| *latency).collect();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Round {
        rps: all.len() as f64 / elapsed.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
        tail: tail_bursts(&timed, pct(0.99)),
    }
}

/// Sequential requests, alternating direct and through Warden one by one so that machine
/// noise hits both alike; returns (direct, via) latencies sorted.
async fn paired_latency(direct: &Target, via: &Target, n: usize) -> (Vec<Duration>, Vec<Duration>) {
    let client = client(2);
    let body = body(Tool::NoOp);
    let (mut d, mut g) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        for (target, out) in [(direct, &mut d), (via, &mut g)] {
            let t = Instant::now();
            call(&client, target, &body).await;
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

/// Runs `start` on a new two-worker Tokio runtime on threads of its own, which lives as long
/// as the process; returns what `start` returned (a server's address and handles). With
/// `MCP_BENCH_SHARED_RUNTIME=1`, runs it on the caller's runtime instead.
async fn on_own_runtime<F, Fut, T>(start: F) -> T
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T>,
    T: Send + 'static,
{
    if std::env::var("MCP_BENCH_SHARED_RUNTIME").is_ok_and(|v| v == "1") {
        return start().await;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            // Named, so that a profile (`perf report --sort comm`) tells the proxy's CPU from
            // the client's and the upstream's.
            .thread_name("proxy-worker")
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let _ = tx.send(start().await);
            std::future::pending::<()>().await;
        });
    });
    rx.await.unwrap()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One line of the summary table.
struct Row {
    path: String,
    load: String,
    direct_rps: f64,
    via_rps: f64,
    direct_p50: f64,
    direct_p99: f64,
    via_p50: f64,
    via_p99: f64,
    /// Median of the per-round via/direct ratios (each round measures both back to back, so
    /// this follows load changes between rounds better than the ratio of the medians).
    paired_ratio: f64,
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("bench-worker")
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let requests = env_usize("MCP_BENCH_REQUESTS", 10_000);
        let concurrency = env_usize("MCP_BENCH_CONCURRENCY", 16);
        let rounds = env_usize("MCP_BENCH_ROUNDS", 3);
        let sequential = env_usize("MCP_BENCH_SEQUENTIAL", 3_000);
        let paths = std::env::var("MCP_BENCH_PATHS")
            .unwrap_or_else(|_| "gateway,strict,async".into());
        let (upstream, _log) = start_upstream().await;
        let direct = Target {
            url: format!("http://{upstream}/mcp"),
            header: ("x-test-user", "bench".into()),
        };
        let mut targets = Vec::new();
        let mut keep = Vec::new();
        for path in paths.split(',') {
            match path {
                "gateway" => {
                    let governor = Arc::new(FakeGovernor::default());
                    let cfg = config(upstream, dead_addr().await);
                    let g = governor.clone();
                    let gateway =
                        on_own_runtime(move || async move { start_gateway(&cfg, g).await }).await;
                    targets.push((
                        "gateway alone (fake governor, no audit)".to_string(),
                        Target {
                            url: format!("http://{gateway}/mcp/demo"),
                            header: ("x-test-user", "bench".into()),
                        },
                        Some(governor),
                    ));
                }
                "strict" | "async" => {
                    let durability = path.to_owned();
                    let warden = on_own_runtime(move || async move {
                        start_warden(upstream, &durability).await
                    })
                    .await;
                    targets.push((
                        format!("warden serve, audit {path}"),
                        Target {
                            url: format!("http://{}/mcp/demo", warden.addr),
                            header: ("authorization", format!("Bearer {}", warden.token)),
                        },
                        None,
                    ));
                    keep.push(warden);
                }
                other => panic!("unknown path {other:?}"),
            }
        }
        let clear = |g: &Option<Arc<FakeGovernor>>| {
            if let Some(g) = g {
                g.calls.lock().clear();
            }
        };
        if std::env::var("MCP_BENCH_PIN").is_ok_and(|v| v == "1") {
            pin_threads();
        }
        // Warm-up.
        run(&direct, 500, concurrency, Tool::NoOp).await;
        for (_, target, governor) in &targets {
            run(target, 500, concurrency, Tool::NoOp).await;
            clear(governor);
        }
        let mut rows = Vec::new();
        for (name, target, governor) in &targets {
            let (d, g) = paired_latency(&direct, target, sequential).await;
            clear(governor);
            println!("== {name}: sequential latency, {sequential} paired requests");
            println!("  direct : p50 {:.3} ms, p99 {:.3} ms", pct(&d, 0.5), pct(&d, 0.99));
            println!("  via    : p50 {:.3} ms, p99 {:.3} ms", pct(&g, 0.5), pct(&g, 0.99));
            rows.push(Row {
                path: name.clone(),
                load: "sequential".into(),
                direct_rps: n_per_sec(&d),
                via_rps: n_per_sec(&g),
                direct_p50: pct(&d, 0.5),
                direct_p99: pct(&d, 0.99),
                via_p50: pct(&g, 0.5),
                via_p99: pct(&g, 0.99),
                paired_ratio: n_per_sec(&g) / n_per_sec(&d),
            });
            for (label, tool) in [
                ("no-op tool", Tool::NoOp),
                ("2 ms tool", Tool::Timer { ms: 2 }),
                ("2 ms blocking tool", Tool::Blocking { us: 2000 }),
            ] {
                let mut m: [Vec<f64>; 6] = Default::default();
                let mut ratios = Vec::new();
                println!("== {name}: {label}, {concurrency} connections");
                for round in 0..rounds {
                    let d = run(&direct, requests, concurrency, tool).await;
                    let cpu_before = proxy_cpu();
                    let g = run(target, requests, concurrency, tool).await;
                    let proxy_cpu_per_call = (proxy_cpu() - cpu_before) / requests as u32;
                    clear(governor);
                    println!(
                        "  round {round}: direct {:.0} req/s p50 {:.3} ms p99 {:.3} ms | via {:.0} req/s p50 {:.3} ms p99 {:.3} ms | {:.1} %",
                        d.rps,
                        d.p50.as_secs_f64() * 1e3,
                        d.p99.as_secs_f64() * 1e3,
                        g.rps,
                        g.p50.as_secs_f64() * 1e3,
                        g.p99.as_secs_f64() * 1e3,
                        100.0 * g.rps / d.rps
                    );
                    println!(
                        "    proxy CPU {:.1} us/call; calls at or over p99 in bursts (>= {BURST_MIN} within {} ms): direct {}/{} (largest {}) | via {}/{} (largest {})",
                        proxy_cpu_per_call.as_secs_f64() * 1e6,
                        BURST_GAP.as_millis(),
                        d.tail.in_bursts,
                        d.tail.over,
                        d.tail.largest,
                        g.tail.in_bursts,
                        g.tail.over,
                        g.tail.largest
                    );
                    ratios.push(g.rps / d.rps);
                    for (i, v) in [d.rps, d.p50.as_secs_f64() * 1e3, d.p99.as_secs_f64() * 1e3, g.rps, g.p50.as_secs_f64() * 1e3, g.p99.as_secs_f64() * 1e3]
                        .into_iter()
                        .enumerate()
                    {
                        m[i].push(v);
                    }
                }
                let [a, b, c, d, e, f] = m.map(median);
                rows.push(Row {
                    path: name.clone(),
                    load: format!("{label}, {concurrency} conn"),
                    direct_rps: a,
                    direct_p50: b,
                    direct_p99: c,
                    via_rps: d,
                    via_p50: e,
                    via_p99: f,
                    paired_ratio: median(ratios),
                });
            }
        }
        println!();
        println!(
            "medians over {rounds} rounds of {requests} tools/call per path (sequential: {sequential} paired calls)"
        );
        println!("| path | load | direct req/s | via req/s | ratio (of medians / median per round) | direct p50 / p99 ms | via p50 / p99 ms | added p50 / p99 ms |");
        println!("|---|---|---|---|---|---|---|---|");
        for r in rows {
            println!(
                "| {} | {} | {:.0} | {:.0} | {:.1} % / {:.1} % | {:.3} / {:.3} | {:.3} / {:.3} | {:+.3} / {:+.3} |",
                r.path,
                r.load,
                r.direct_rps,
                r.via_rps,
                100.0 * r.via_rps / r.direct_rps,
                100.0 * r.paired_ratio,
                r.direct_p50,
                r.direct_p99,
                r.via_p50,
                r.via_p99,
                r.via_p50 - r.direct_p50,
                r.via_p99 - r.direct_p99
            );
        }
        drop(keep);
    });
}

/// Calls per second of one sequential client (1 / mean latency).
fn n_per_sec(sorted: &[Duration]) -> f64 {
    let total: Duration = sorted.iter().sum();
    sorted.len() as f64 / total.as_secs_f64()
}
