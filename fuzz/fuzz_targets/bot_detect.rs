//! Bot classification never panics on arbitrary paths and user agents, and the memoized and
//! uncached classifications agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_security::{BotClassifier, RequestFacts, ScannerDetector};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (path, ua) = text.split_once('\n').unwrap_or((&text, ""));
    let facts = RequestFacts {
        path: Some(path),
        user_agent: Some(ua),
        velocity: None,
    };
    let c = BotClassifier::default();
    assert_eq!(c.classify(&facts), c.classify_uncached(&facts));
    let _ = ScannerDetector::is_scanner(Some(path), Some(ua), Some(1), Some(1));
});
