//! Per-core cost of a classification measured in process CPU time (not wall time), for the
//! shared, overloaded machines where criterion's wall-clock figures include waiting for a
//! core. Linux only (reads `/proc/self/stat`).
//!
//! `cargo run --release -p warden-security --example detect_cpu` (env `N` = iterations, `ONLY` =
//! `memoized` or `uncached` to run one variant, e.g. under `valgrind --tool=callgrind`;
//! `FACTS` = `path` or `agent` to classify only that half of each request).
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use warden_security::{BotClassifier, RequestFacts};

/// User + system CPU seconds of this process (10 ms resolution; runs last seconds).
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

#[path = "../benches/support/detect_mix.rs"]
mod detect_mix;
use detect_mix::REQUESTS as MIX;

fn run(name: &str, n: usize, facts: &str, f: impl Fn(&RequestFacts<'_>) -> usize) {
    let (Some(t0), w0) = (cpu_secs(), std::time::Instant::now()) else {
        println!("{name}: /proc/self/stat unavailable");
        return;
    };
    let mut acc = 0usize;
    for i in 0..n {
        let (path, ua) = MIX[i % MIX.len()];
        acc += f(&RequestFacts {
            path: (facts != "agent").then(|| black_box(path)),
            user_agent: (facts != "path").then(|| black_box(ua)),
            velocity: None,
        });
    }
    let cpu = cpu_secs().unwrap_or(t0) - t0;
    println!(
        "{name}: {:.0} ns/classification CPU, {:.0} ns wall ({acc})",
        cpu * 1e9 / n as f64,
        w0.elapsed().as_secs_f64() * 1e9 / n as f64
    );
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000_000);
    let only = std::env::var("ONLY").unwrap_or_default();
    let facts = std::env::var("FACTS").unwrap_or_default();
    let c = BotClassifier::default();
    if only.is_empty() || only == "memoized" {
        run("memoized", n, &facts, |f| c.classify(f).class as usize);
    }
    if only.is_empty() || only == "uncached" {
        run("uncached", n, &facts, |f| {
            c.classify_uncached(f).class as usize
        });
    }
}
