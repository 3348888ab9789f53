//! Profiling helper (temporary).
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]
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

fn main() {
    let text = mixed_corpus(false);
    let all: Vec<&str> = rules::builtin().map(|r| r.id).collect();
    let time = |cfg: &SecretScanConfig| {
        let sc = SecretScanner::new(cfg).unwrap();
        let t = std::time::Instant::now();
        let mut n = 0;
        for _ in 0..10 {
            n += sc.scan_text(&text).len();
        }
        (t.elapsed().as_secs_f64() / 10.0 * 1e3, n)
    };
    println!("all: {:?}", time(&SecretScanConfig::default()));
    let mut none = SecretScanConfig::default();
    none.disabled_rules = all.iter().map(|s| s.to_string()).collect();
    println!("none: {:?}", time(&none));
    for id in &all {
        let mut c = none.clone();
        c.disabled_rules.retain(|d| d != id);
        let (ms, n) = time(&c);
        if ms > 0.4 {
            println!("{id}: {ms:.2} ms {n}");
        }
    }
}
