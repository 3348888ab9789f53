//! Fuzzes the JWS compact parser/validator and the unverified decoder with arbitrary bytes,
//! and the claim/header parsers behind a valid signature (the input is split on the first
//! 0x00 into header and payload JSON and signed with a fixed HMAC key).
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use warden_security::jwt::{decode_unverified, encode_raw_for_fuzzing};
use warden_security::keys::KeySet;
use warden_security::TokenValidator;

fn validator() -> &'static (TokenValidator, Arc<KeySet>) {
    static V: OnceLock<(TokenValidator, Arc<KeySet>)> = OnceLock::new();
    V.get_or_init(|| {
        let keys = Arc::new(KeySet::from_hs256_secret(&[7u8; 32]).unwrap_or_default());
        (
            TokenValidator::new(Arc::clone(&keys))
                .with_issuer("warden")
                .with_audiences(["api"])
                .with_cache(64),
            keys,
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (v, keys) = validator();
    let text = String::from_utf8_lossy(data);
    let _ = v.validate(&text);
    let _ = decode_unverified(&text);
    let mut parts = data.splitn(2, |b| *b == 0);
    let header = parts.next().unwrap_or_default();
    let payload = parts.next().unwrap_or_default();
    if let Some(token) = encode_raw_for_fuzzing(keys, header, payload) {
        let _ = v.validate(&token);
    }
});
