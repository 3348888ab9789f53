//! Bot classification throughput on a mixed set of user agents and paths, against two
//! baselines measured in the same run on the same knowledge (the built-in patterns): the
//! seed-style approach (lowercase copies + one substring search per token) and one
//! `regex::RegexSet` per input with word-bounded / segment-bounded patterns. The baselines
//! only find matches; the classifier also checks boundaries and builds the verdict.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use regex::RegexSet;
use warden_security::{BotClassifier, RequestFacts};

/// Real traffic is mostly browsers; the mix below is 60 % browsers, 40 % bots and probes.
const REQUESTS: &[(&str, &str)] = &[
    ("/", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    ("/api/v1/agents/42/runs", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
    ("/static/app.3f9a1c.js", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
    ("/dashboard", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    ("/api/v1/tools", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"),
    ("/docs/getting-started", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
    ("/login", "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36"),
    ("/api/v1/secrets", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    ("/blog/wp-content-strategy", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0"),
    ("/api/v1/audit?since=2026-01-01", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 356.0.0.26.83 (iPhone15,3; iOS 17_7; en_US; en; scale=3.00; 1290x2796; 654102338)"),
    ("/.env", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.82 Safari/537.36"),
    ("/wp-login.php", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("/", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"),
    ("/api/v1/govern", "python-requests/2.32.3"),
    ("/", "curl/8.5.0"),
    ("/robots.txt", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"),
    ("/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "Go-http-client/1.1"),
    ("/", "sqlmap/1.8.11#stable (https://sqlmap.org)"),
    ("/actuator/env", "Mozilla/5.0 zgrab/0.x"),
    ("/sitemap.xml", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)"),
];

/// Seed-style, on the same knowledge: lowercase copies and one `contains` per token.
fn naive(ua_tokens: &[String], path_tokens: &[String], path: &str, ua: &str) -> usize {
    let ua = ua.to_lowercase();
    let path = path.to_lowercase();
    let mut hits = 0usize;
    for t in path_tokens {
        if path.contains(t.as_str()) {
            hits += 1;
        }
    }
    for t in ua_tokens {
        if ua.contains(t.as_str()) {
            hits += 1;
        }
    }
    hits
}

/// A `RegexSet` per input over the same knowledge, with ASCII word boundaries.
fn regex_sets(ua: &[&str], path: &[&str]) -> (RegexSet, RegexSet) {
    let ua = RegexSet::new(ua.iter().map(|t| {
        let left = if t.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            r"\b"
        } else {
            ""
        };
        let right = if t.ends_with(|c: char| c.is_ascii_alphanumeric()) {
            r"\b"
        } else {
            ""
        };
        format!(r"(?i-u){left}{}{right}", regex::escape(t))
    }))
    .unwrap();
    let path = RegexSet::new(
        path.iter()
            .map(|t| format!(r"(?i-u)(?:^|/){}(?:$|[/;?])", regex::escape(t))),
    )
    .unwrap();
    (ua, path)
}

fn bench(c: &mut Criterion) {
    let classifier = BotClassifier::default();
    let (ua_patterns, path_patterns) = warden_security::services::builtin_patterns();
    let (ua_set, path_set) = regex_sets(&ua_patterns, &path_patterns);
    let ua_tokens: Vec<String> = ua_patterns.iter().map(|t| t.to_lowercase()).collect();
    let path_tokens: Vec<String> = path_patterns.iter().map(|t| t.to_lowercase()).collect();
    let mut g = c.benchmark_group("bot_detect");
    g.throughput(Throughput::Elements(REQUESTS.len() as u64));
    g.bench_function("warden_classifier", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (path, ua) in REQUESTS {
                let v = classifier.classify(&RequestFacts {
                    path: Some(black_box(path)),
                    user_agent: Some(black_box(ua)),
                    velocity: None,
                });
                n += v.class as usize;
            }
            n
        })
    });
    g.bench_function("warden_classifier_uncached", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (path, ua) in REQUESTS {
                let v = classifier.classify_uncached(&RequestFacts {
                    path: Some(black_box(path)),
                    user_agent: Some(black_box(ua)),
                    velocity: None,
                });
                n += v.class as usize;
            }
            n
        })
    });
    g.bench_function("baseline_naive_substrings", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (path, ua) in REQUESTS {
                n += naive(&ua_tokens, &path_tokens, black_box(path), black_box(ua));
            }
            n
        })
    });
    g.bench_function("baseline_regex_set", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (path, ua) in REQUESTS {
                n += ua_set.matches(black_box(ua)).iter().count();
                n += path_set.matches(black_box(path)).iter().count();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
