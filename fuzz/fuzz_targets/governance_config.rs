//! Arbitrary text as a `warden.toml`: parsing and validation never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_security::governance::GovernanceConfig;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = GovernanceConfig::from_warden_toml(text);
        let _ = GovernanceConfig::from_toml_str(text);
    }
});
