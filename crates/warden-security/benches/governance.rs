//! Governance decision latency: a full four-layer decision on a realistic 1 KiB tool call.
//!
//! criterion reports the median; a second pass times every call of a long loop and prints
//! p50/p90/p99/p99.9 (criterion reports means and medians only). Baseline in the same run:
//! parsing the same call from JSON with serde_json (the floor any API pays to receive it).
//!
//! Run: `cargo bench -p warden-security --bench governance -- --warm-up-time 1 --measurement-time 3`

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use criterion::Criterion;
use serde_json::{json, Value};
use warden_security::counters::InMemoryCounterStore;
use warden_security::governance::{
    Decision, GovernanceConfig, GovernanceEngine, PolicyContext, Principal,
};
use warden_types::Scopes;

/// Polls a future that never suspends (every in-process layer completes immediately).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// The SPEC example policy plus the baseline pack; rate limits high enough that the loop
/// (one call per simulated millisecond) stays on the allow path through all four layers.
const POLICY: &str = r#"
[scope_check]
default = "allow"
[[scope_check.rules]]
tools = ["mcp__github__*"]
scopes = ["github"]
[[scope_check.rules]]
tools = ["Bash", "Edit", "Write"]
scopes = ["user", "dev"]

[tool_blocklist]
deny = ["*delete*", "mcp__db__drop_*"]
[[tool_blocklist.argument_rules]]
tool = "Bash"
path = "command"
pattern = "rm\\s+-rf\\s+/"

[[rate_limit.limits]]
key = "principal"
limit = 100000
window_secs = 60
[[rate_limit.limits]]
key = "principal_tool"
limit = 100000
window_secs = 60
"#;

fn bash_call() -> Value {
    // ≈ 1 KiB: a realistic build-and-test command with a description.
    let command = "cd /home/dev/projects/warden && cargo build --release -p warden-server 2>&1 | tail -n 40 && \
        RUST_LOG=info ./target/release/warden serve --listen 127.0.0.1:8080 --data-dir ./warden-data & \
        sleep 2 && curl -s -X POST http://127.0.0.1:8080/v1/govern -H 'content-type: application/json' \
        -d '{\"tool\":\"Read\",\"arguments\":{\"file_path\":\"src/main.rs\"}}' | jq . && \
        grep -rn \"fn evaluate\" crates/warden-security/src/governance/ | head -n 20 && \
        find . -name '*.rs' -newer Cargo.lock -not -path './target/*' | xargs wc -l | sort -n | tail -n 15 && \
        git status --short && git diff --stat HEAD~1 && rm -rf ./target/tmp-bench && mkdir -p ./target/tmp-bench";
    json!({
        "command": command,
        "description": "Build the server in release mode, start it in the background on the loopback interface, send one governance request for a harmless Read call, then list the Rust sources changed since the lock file was written, sorted by size, and show the working tree status and the last commit's diffstat",
        "timeout": 120000,
        "run_in_background": false
    })
}

fn edit_call() -> Value {
    json!({
        "file_path": "/home/dev/projects/warden/crates/warden-security/src/governance/engine.rs",
        "old_string": "    pub async fn evaluate(&self, ctx: &PolicyContext) -> Evaluation {\n        self.evaluate_at(ctx, crate::time::now_millis()).await\n    }\n",
        "new_string": "    /// Evaluates `ctx` now (wall clock).\n    pub async fn evaluate(&self, ctx: &PolicyContext) -> Evaluation {\n        let now = crate::time::now_millis();\n        tracing::trace!(target = ctx.target(), \"evaluating\");\n        let eval = self.evaluate_at(ctx, now).await;\n        tracing::debug!(decision = %eval.decision, policy = ?eval.policy, \"evaluated\");\n        eval\n    }\n\n    /// The number of layers.\n    pub fn len(&self) -> usize {\n        self.slots.len()\n    }\n\n    /// True when the engine has no layer.\n    pub fn is_empty(&self) -> bool {\n        self.slots.is_empty()\n    }\n\n    /// The layer ids, in order.\n    pub fn layer_ids(&self) -> Vec<&str> {\n        self.slots.iter().map(|s| s.policy.id()).collect()\n    }\n",
        "replace_all": false
    })
}

fn engine() -> GovernanceEngine {
    let cfg = GovernanceConfig::from_toml_str(POLICY).unwrap_or_else(|e| panic!("{e}"));
    GovernanceEngine::new(&cfg, Arc::new(InMemoryCounterStore::default()))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ctx(tool: &str, args: Value) -> PolicyContext {
    PolicyContext::tool_call(
        tool,
        args,
        Principal::new("alice", "sess-1", Scopes::parse("user dev")),
    )
}

fn wire(tool: &str, args: &Value) -> String {
    json!({"tool": tool, "arguments": args, "user_id": "alice", "session_id": "sess-1", "scopes": ["user", "dev"]}).to_string()
}

fn calls() -> [(&'static str, &'static str, Value); 2] {
    [
        ("bash_1k", "Bash", bash_call()),
        ("edit_1k", "Edit", edit_call()),
    ]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("governance");
    for (name, tool, args) in calls() {
        let text = wire(tool, &args);
        eprintln!(
            "{name}: arguments {} bytes, request {} bytes",
            args.to_string().len(),
            text.len()
        );
        let eng = engine();
        let c = ctx(tool, args);
        let mut now = 1_000_000u64;
        assert_eq!(block_on(eng.evaluate_at(&c, now)).decision, Decision::Allow);
        g.bench_function(format!("decision_{name}"), |b| {
            b.iter(|| {
                now += 1;
                black_box(block_on(eng.evaluate_at(black_box(&c), now)))
            })
        });
        g.bench_function(format!("baseline_parse_{name}"), |b| {
            b.iter(|| black_box(serde_json::from_str::<Value>(black_box(&text)).ok()))
        });
    }
    let eng = engine();
    let deny = ctx(
        "Bash",
        json!({"command": "sudo rm -rf / --no-preserve-root"}),
    );
    assert_eq!(block_on(eng.evaluate_at(&deny, 0)).decision, Decision::Deny);
    g.bench_function("decision_deny_blocklist", |b| {
        b.iter(|| black_box(block_on(eng.evaluate_at(black_box(&deny), 0))))
    });
    g.bench_function("part_decision_id_uuid_v4", |b| {
        b.iter(|| black_box(warden_security::audit::AuditRecord::new_id()))
    });
    g.bench_function("part_decision_id_engine", |b| {
        b.iter(|| black_box(warden_security::governance::new_decision_id()))
    });
    g.finish();
}

/// Times each call of a long loop and prints percentiles. Decision and baseline (parsing the
/// same request) alternate, so both see the same machine load.
fn percentiles() {
    const CALLS: usize = 200_000;
    for (name, tool, args) in calls() {
        let text = wire(tool, &args);
        let eng = engine();
        let c = ctx(tool, args);
        let mut now = 1_000_000u64;
        for _ in 0..10_000 {
            now += 1;
            black_box(block_on(eng.evaluate_at(&c, now)));
        }
        let mut dec: Vec<u64> = Vec::with_capacity(CALLS);
        let mut base: Vec<u64> = Vec::with_capacity(CALLS);
        for _ in 0..CALLS {
            now += 1;
            let t = Instant::now();
            black_box(block_on(eng.evaluate_at(black_box(&c), now)));
            dec.push(u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX));
            let t = Instant::now();
            black_box(serde_json::from_str::<Value>(black_box(&text)).ok());
            base.push(u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX));
        }
        for (what, ns) in [("decision", &mut dec), ("baseline_parse", &mut base)] {
            ns.sort_unstable();
            let p = |q: f64| ns[((ns.len() as f64 - 1.0) * q) as usize] as f64 / 1000.0;
            println!(
                "governance/percentiles_{what}_{name}: calls={CALLS} p50={:.2}us p90={:.2}us p99={:.2}us p99.9={:.2}us",
                p(0.50),
                p(0.90),
                p(0.99),
                p(0.999),
            );
        }
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    percentiles();
}
