//! Recall and false-positive rate of the classifier on a labelled set of user agents
//! assembled from public documentation (crawler operators' bot pages, browser vendors' UA
//! strings, in-app webviews, tools' default user agents). Prints a table; fails below the bar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use warden_security::{BotClass, BotClassifier, RequestFacts};

/// Every class must be recognized at least this often.
const MIN_RECALL: f64 = 0.95;
/// At most this share of real browsers may be called bots.
const MAX_BROWSER_FP: f64 = 0.01;

#[derive(serde::Deserialize)]
struct Row {
    user_agent: String,
    class: String,
    source: String,
}

fn rows() -> Vec<Row> {
    include_str!("fixtures/user_agents.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn classifier_meets_the_recall_and_false_positive_bar_on_the_fixture_set() {
    let classifier = BotClassifier::default();
    let rows = rows();
    let mut total: BTreeMap<BotClass, usize> = BTreeMap::new();
    let mut hit: BTreeMap<BotClass, usize> = BTreeMap::new();
    let mut predicted: BTreeMap<BotClass, usize> = BTreeMap::new();
    let mut wrong_as: BTreeMap<BotClass, usize> = BTreeMap::new();
    let mut misses = Vec::new();
    for row in &rows {
        let want = BotClass::parse(&row.class).unwrap();
        let got = classifier
            .classify(&RequestFacts {
                path: Some("/"),
                user_agent: Some(&row.user_agent),
                velocity: None,
            })
            .class;
        *total.entry(want).or_default() += 1;
        *predicted.entry(got).or_default() += 1;
        if got == want {
            *hit.entry(want).or_default() += 1;
        } else {
            *wrong_as.entry(got).or_default() += 1;
            misses.push(format!(
                "  {} ({}): want {want}, got {got}",
                row.source, row.user_agent
            ));
        }
    }
    println!("class       n   recall  false-pos-rate");
    let mut failed = Vec::new();
    for class in BotClass::ALL {
        let n = total.get(&class).copied().unwrap_or(0);
        let h = hit.get(&class).copied().unwrap_or(0);
        let recall = if n == 0 { 1.0 } else { h as f64 / n as f64 };
        let negatives = rows.len() - n;
        let fp = wrong_as.get(&class).copied().unwrap_or(0);
        let fp_rate = if negatives == 0 {
            0.0
        } else {
            fp as f64 / negatives as f64
        };
        println!(
            "{:<10} {n:>3}   {recall:>6.3}  {fp_rate:>6.3}",
            class.as_str()
        );
        if recall < MIN_RECALL {
            failed.push(format!("{class} recall {recall:.3} < {MIN_RECALL}"));
        }
    }
    let humans = total.get(&BotClass::Human).copied().unwrap_or(0);
    let humans_as_bots = humans - hit.get(&BotClass::Human).copied().unwrap_or(0);
    let browser_fp = humans_as_bots as f64 / humans.max(1) as f64;
    println!("browser false-positive rate: {browser_fp:.3} ({humans_as_bots}/{humans})");
    if browser_fp > MAX_BROWSER_FP {
        failed.push(format!("browser FP {browser_fp:.3} > {MAX_BROWSER_FP}"));
    }
    for m in &misses {
        println!("{m}");
    }
    assert!(failed.is_empty(), "{failed:?}\n{}", misses.join("\n"));
}

#[test]
fn fixture_set_covers_every_class() {
    let rows = rows();
    for class in BotClass::ALL {
        let n = rows.iter().filter(|r| r.class == class.as_str()).count();
        assert!(n >= 20, "{class}: only {n} fixtures");
    }
}
