//! Fuzzes the secret scanner: arbitrary bytes as text, and (when they parse) as JSON
//! arguments with decoding. Properties: no panic; spans in bounds; limits respected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use warden_security::governance::secret_scan::{ScanLimits, SecretScanConfig, SecretScanner};

fn scanner() -> &'static SecretScanner {
    static S: OnceLock<SecretScanner> = OnceLock::new();
    S.get_or_init(|| SecretScanner::new(&SecretScanConfig::default()).expect("default rules"))
}

fuzz_target!(|data: &[u8]| {
    for f in scanner().scan_bytes(data) {
        assert!(f.start < f.end && f.end <= data.len());
        assert!(f.preview.trim_end_matches('*').chars().count() <= 4);
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let limits = ScanLimits::default();
        let r = scanner().scan_json_with_limits(&v, &limits);
        assert!(r.findings.len() <= limits.max_findings);
    }
});
