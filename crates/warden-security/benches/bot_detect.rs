//! Bot classification throughput on a mixed set of user agents and paths, against two
//! baselines measured in the same run on the same knowledge (the built-in patterns): the
//! seed-style approach (lowercase copies + one substring search per token) and one
//! `regex::RegexSet` per input with word-bounded / segment-bounded patterns. The baselines
//! only find matches; the classifier also checks boundaries and builds the verdict.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use regex::RegexSet;
use warden_security::{BotClassifier, RequestFacts};

#[path = "support/detect_mix.rs"]
mod detect_mix;
use detect_mix::REQUESTS;

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
