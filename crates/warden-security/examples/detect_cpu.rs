//! Per-core cost of a classification measured in process CPU time (not wall time), for the
//! shared, overloaded machines where criterion's wall-clock figures include waiting for a
//! core. Linux only (reads `/proc/self/stat`).
//!
//! `cargo run --release -p warden-security --example detect_cpu` (env `N` = iterations).
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

const MIX: &[(&str, &str)] = &[
    ("/", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    ("/api/v1/agents/42/runs", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
    ("/wp-login.php", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("/", "curl/8.5.0"),
];

fn run(name: &str, n: usize, f: impl Fn(&RequestFacts<'_>) -> usize) {
    let (Some(t0), w0) = (cpu_secs(), std::time::Instant::now()) else {
        println!("{name}: /proc/self/stat unavailable");
        return;
    };
    let mut acc = 0usize;
    for i in 0..n {
        let (path, ua) = MIX[i % MIX.len()];
        acc += f(&RequestFacts {
            path: Some(black_box(path)),
            user_agent: Some(black_box(ua)),
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
    let c = BotClassifier::default();
    run("memoized", n, |f| c.classify(f).class as usize);
    run("uncached", n, |f| c.classify_uncached(f).class as usize);
}
