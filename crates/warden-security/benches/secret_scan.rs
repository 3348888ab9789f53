//! Secret-scan throughput: the compiled scanner against a naive baseline (every rule's regex
//! over the whole text with the `regex` crate), on a generated corpus:
//! - `clean`: prose and code without prefilter candidates,
//! - `mixed`: tool-call JSON, source code, prose and logs (realistic, with keywords such as
//!   `token`, `password`, URLs, paths, UUIDs and hashes but no secrets),
//! - `planted`: `mixed` with a synthetic secret planted every ~4 KiB.
#![allow(missing_docs, clippy::expect_used)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use regex::bytes::{Regex, RegexBuilder};
use warden_security::governance::secret_scan::{rules, SecretScanConfig, SecretScanner};

const SIZE: usize = 256 * 1024;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| b"0123456789abcdef"[(self.next() % 16) as usize] as char)
            .collect()
    }
    fn alnum(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| A[(self.next() % A.len() as u64) as usize] as char)
            .collect()
    }
}

const WORDS: &[&str] = &[
    "the", "agent", "reads", "a", "file", "and", "then", "runs", "tests", "for", "each", "module",
    "with", "care", "while", "we", "check", "results", "before", "merging", "small", "changes",
    "into", "main", "branch", "of", "our", "project", "build", "is", "green", "again", "today",
];

fn prose(r: &mut Rng, out: &mut String) {
    for i in 0..40 {
        out.push_str(r.pick(WORDS));
        out.push(if i % 12 == 11 { '.' } else { ' ' });
    }
    out.push('\n');
}

fn code(r: &mut Rng, out: &mut String) {
    let names = [
        "count", "items", "result", "buffer", "index", "value", "config", "handler",
    ];
    let n = r.pick(&names);
    out.push_str(&format!(
        "fn update_{n}(x: &mut Vec<u32>, y: usize) -> Option<u32> {{\n    let {n} = x.get(y)?;\n    if *{n} > 10 {{ return Some(*{n} * 2); }}\n    x.push(y as u32);\n    None\n}}\n"
    ));
}

fn tool_call(r: &mut Rng, out: &mut String) {
    let tools = [
        "Bash",
        "Read",
        "Edit",
        "mcp__github__create_issue",
        "WebFetch",
    ];
    let t = r.pick(&tools);
    let id = r.hex(32);
    out.push_str(&format!(
        "{{\"tool\":\"{t}\",\"call_id\":\"{}-{}-{}-{}-{}\",\"arguments\":{{\"command\":\"cargo test -p warden-security --lib\",\"path\":\"/home/dev/project/src/lib.rs\",\"url\":\"https://docs.rs/regex/latest/regex/\",\"token_count\":{},\"commit\":\"{}\"}}}}\n",
        &id[..8], &id[8..12], &id[12..16], &id[16..20], &id[20..], r.next() % 5000, r.hex(40)
    ));
}

fn log(r: &mut Rng, out: &mut String) {
    out.push_str(&format!(
        "2026-12-04T16:{:02}:{:02}Z INFO request handled path=/v1/govern status=200 duration_us={} user=alice password_reset=false\n",
        r.next() % 60, r.next() % 60, r.next() % 900
    ));
}

fn clean_corpus() -> String {
    let mut r = Rng(7);
    let mut s = String::new();
    while s.len() < SIZE {
        prose(&mut r, &mut s);
        if r.next() % 3 == 0 {
            s.push_str("let x = a + b; if x > 10 { y = x * 2 } else { y = 0 }\n");
        }
    }
    s
}

fn mixed_corpus(planted: bool) -> String {
    let mut r = Rng(11);
    let mut s = String::new();
    let mut next_plant = 4096;
    while s.len() < SIZE {
        match r.next() % 4 {
            0 => prose(&mut r, &mut s),
            1 => code(&mut r, &mut s),
            2 => tool_call(&mut r, &mut s),
            _ => log(&mut r, &mut s),
        }
        if planted && s.len() >= next_plant {
            next_plant += 4096;
            let secret = match r.next() % 4 {
                0 => format!("AKIA{}", r.alnum(16).to_uppercase()),
                1 => format!("sk-ant-api03-{}AA", r.alnum(93)),
                2 => format!("xoxb-123456789012-123456789012-{}", r.alnum(24)),
                _ => format!("postgres://app:{}@db:5432/app", r.alnum(12)),
            };
            s.push_str(&format!(
                "{{\"tool\":\"Bash\",\"arguments\":{{\"command\":\"export X={secret}\"}}}}\n"
            ));
        }
    }
    s
}

fn naive_rules() -> Vec<Regex> {
    rules::builtin()
        .filter_map(|r| RegexBuilder::new(r.pattern).unicode(false).build().ok())
        .collect()
}

fn naive_scan(rules: &[Regex], text: &[u8]) -> usize {
    rules.iter().map(|re| re.find_iter(text).count()).sum()
}

fn bench(c: &mut Criterion) {
    let scanner = SecretScanner::new(&SecretScanConfig::default()).expect("scanner");
    let naive = naive_rules();
    let corpora = [
        ("clean", clean_corpus()),
        ("mixed", mixed_corpus(false)),
        ("planted", mixed_corpus(true)),
    ];
    let mut g = c.benchmark_group("secret_scan");
    g.sample_size(20);
    for (name, text) in &corpora {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("warden/{name}"), |b| {
            b.iter(|| black_box(scanner.scan_text(black_box(text))).len())
        });
        g.bench_function(format!("naive/{name}"), |b| {
            b.iter(|| naive_scan(&naive, black_box(text.as_bytes())))
        });
    }
    g.finish();

    let call = serde_json::json!({
        "command": "cd /home/dev/project && cargo test -p warden-security --lib secret_scan -- --nocapture",
        "description": "Run the secret scanner unit tests and show their output",
        "env": {"RUST_LOG": "debug", "CARGO_TERM_COLOR": "always", "PATH": "/usr/local/bin:/usr/bin:/bin"},
        "files": ["src/governance/secret_scan/mod.rs", "src/governance/secret_scan/engine.rs"],
        "timeout": 120000,
        "notes": "The agent read the module docs, then edited the prefilter; it wants to check the merged regions and the keyword pass before committing the change to the branch."
    });
    let bytes = call.to_string().len() as u64;
    let mut g = c.benchmark_group("secret_scan_json");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("warden/tool_call_1k", |b| {
        b.iter(|| {
            black_box(scanner.scan_json(black_box(&call)))
                .findings
                .len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
