//! Fuzzes the vault envelope parser and `open`: must never panic, and must never accept
//! bytes that were not sealed under the ring's key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_security::vault::{envelope_kid, open, EnvelopeRef, Kek, KeyRing, Kid};

fuzz_target!(|data: &[u8]| {
    let _ = envelope_kid(data);
    if let Ok(env) = EnvelopeRef::parse(data) {
        let _ = env.plaintext_len();
    }
    let kid = Kid::new("fuzz").unwrap_or_else(|_| unreachable!());
    let ring = KeyRing::single(Kek::new([7u8; 32], Some(kid), 0));
    // A random input cannot forge two Poly1305 tags.
    assert!(open(&ring, "ns", "name", data).is_err());
});
