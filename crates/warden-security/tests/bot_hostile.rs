//! Hostile input: the classifier never panics, and huge inputs finish (linear-time matching;
//! no timing assertions).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use warden_security::services::MAX_REASONS;
use warden_security::{BotClassifier, RequestFacts, ScannerDetector};

fn classify(path: &str, ua: &str) -> warden_security::Verdict {
    BotClassifier::default().classify(&RequestFacts {
        path: Some(path),
        user_agent: Some(ua),
        velocity: None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_never_panic(path in any::<String>(), ua in any::<String>()) {
        let v = classify(&path, &ua);
        prop_assert!(v.reasons.len() <= MAX_REASONS);
        let _ = ScannerDetector::is_scanner(Some(&path), Some(&ua), Some(1), Some(1));
    }

    #[test]
    fn percent_soup_never_panics(path in "[%0-9a-fA-FuU./\\\\;?#]{0,200}") {
        let _ = ScannerDetector::is_scanner_path(&path);
    }

    #[test]
    fn token_soup_never_panics(ua in "(bot/|Chrome/|Firefox/|curl|zap|\\$\\{jndi:|[0-9]{1,12}|[ ;()/.-]){0,60}") {
        let _ = classify("/", &ua);
    }
}

const MB: usize = 1 << 20;

#[test]
fn a_one_megabyte_user_agent_is_classified() {
    let ua = "Mozilla/5.0 bot/ Chrome/ Firefox/9 ".repeat(MB / 36);
    let v = classify("/", &ua);
    assert!(v.reasons.len() <= MAX_REASONS);
}

#[test]
fn a_one_megabyte_word_of_alternating_letters_and_digits_is_classified() {
    // Every letter run sits inside one long word: finding where that word ends must not be
    // repeated per run (that would be quadratic).
    let ua = "a1".repeat(MB / 2);
    let _ = classify("/", &ua);
    let ua = format!("x {}", "bot1".repeat(MB / 4));
    let _ = classify("/", &ua);
}

#[test]
fn a_one_megabyte_run_of_one_byte_is_classified() {
    let ua = "a".repeat(MB);
    let _ = classify("/", &ua);
}

#[test]
fn a_one_megabyte_path_of_encoded_traversal_is_classified() {
    let path = "/%252e%252e".repeat(MB / 11);
    assert!(ScannerDetector::is_scanner_path(&path));
}

#[test]
fn a_one_megabyte_path_of_slashes_is_classified() {
    let path = "/".repeat(MB);
    assert!(!ScannerDetector::is_scanner_path(&path));
}

#[test]
fn a_one_megabyte_path_of_probe_segments_is_classified() {
    let path = "/wp-admin/.env/..".repeat(MB / 17);
    assert!(ScannerDetector::is_scanner_path(&path));
}

#[test]
fn a_one_megabyte_percent_run_is_classified() {
    let path = format!("/{}", "%".repeat(MB));
    let _ = ScannerDetector::is_scanner_path(&path);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn memoized_and_uncached_classification_agree(ua in "(Mozilla/5.0 |curl/8|GPTBot|Chrome/1[0-4][0-9]|Firefox/9[0-9]|nmap|Zapier|[a-z ;/().]){0,30}") {
        let c = BotClassifier::default();
        let facts = RequestFacts { path: Some("/"), user_agent: Some(&ua), velocity: None };
        // Twice: the second call is answered from the memo.
        prop_assert_eq!(c.classify(&facts), c.classify_uncached(&facts));
        prop_assert_eq!(c.classify(&facts), c.classify_uncached(&facts));
    }
}
