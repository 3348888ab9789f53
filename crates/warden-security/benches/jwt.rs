//! JWT validation: Warden's validator (uncached and cached) against the `jsonwebtoken` crate
//! (v10 with its RustCrypto backend, v9 with ring) on the same ≈350-byte full-claims token,
//! plus the raw HMAC-SHA256 / Ed25519 verify floors.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use warden_security::keys::{Algorithm, KeySet};
use warden_security::{JwtService, SessionGenerator, SessionParams, TokenValidator};
use warden_types::{JwtClaims, Scopes, SessionId, UserId};

struct Fixture {
    token: String,
    keys: Arc<KeySet>,
    jwks: serde_json::Value,
    private: serde_json::Value,
}

fn fixture(alg: Algorithm) -> Fixture {
    let keys = Arc::new(KeySet::generate(alg).unwrap_or_else(|e| panic!("{e}")));
    let svc = JwtService::new(Arc::clone(&keys));
    let mut p = SessionParams::new(
        UserId::new("user_01HZX3K4"),
        SessionId::new("sess_4f2a9c1e"),
        "alice@example.com",
        Scopes::parse("user mcp"),
    );
    p.roles = Some(vec!["user".into()]);
    p.duration = Duration::from_secs(3600);
    let token = SessionGenerator::new(svc)
        .generate(&p)
        .unwrap_or_else(|e| panic!("{e}"));
    let private: serde_json::Value =
        serde_json::from_str(&keys.to_private_json()).unwrap_or_default();
    Fixture {
        jwks: keys.public_jwks(),
        token,
        keys,
        private,
    }
}

fn warden_validator(f: &Fixture) -> TokenValidator {
    TokenValidator::new(Arc::clone(&f.keys))
        .with_issuer("warden")
        .with_audiences(["api"])
}

fn b64d(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap_or_default()
}

fn bench_hs256(c: &mut Criterion) {
    let f = fixture(Algorithm::HS256);
    eprintln!("HS256 token: {} bytes", f.token.len());
    let secret = b64d(f.private["keys"][0]["k"].as_str().unwrap_or_default());
    let mut g = c.benchmark_group("jwt_hs256");

    let v = warden_validator(&f);
    g.bench_function("warden", |b| {
        b.iter(|| {
            v.validate(black_box(&f.token))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    let vc = warden_validator(&f).with_cache(1024);
    g.bench_function("warden_cached", |b| {
        b.iter(|| {
            vc.validate(black_box(&f.token))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    let key10 = jsonwebtoken::DecodingKey::from_secret(&secret);
    let mut val10 = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    val10.set_issuer(&["warden"]);
    val10.set_audience(&["api"]);
    g.bench_function("jsonwebtoken10_rust_crypto", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<JwtClaims>(black_box(&f.token), &key10, &val10)
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    let key9 = jsonwebtoken9::DecodingKey::from_secret(&secret);
    let mut val9 = jsonwebtoken9::Validation::new(jsonwebtoken9::Algorithm::HS256);
    val9.set_issuer(&["warden"]);
    val9.set_audience(&["api"]);
    g.bench_function("jsonwebtoken9_ring", |b| {
        b.iter(|| {
            jsonwebtoken9::decode::<JwtClaims>(black_box(&f.token), &key9, &val9)
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    let dot = f.token.rfind('.').unwrap_or(0);
    let input = f.token.as_bytes()[..dot].to_vec();
    let mac_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret);
    let tag = ring::hmac::sign(&mac_key, &input);
    g.bench_function("floor_hmac_sha256_verify", |b| {
        b.iter(|| ring::hmac::verify(&mac_key, black_box(&input), tag.as_ref()).is_ok())
    });
    g.finish();
}

fn bench_eddsa(c: &mut Criterion) {
    let f = fixture(Algorithm::EdDSA);
    eprintln!("EdDSA token: {} bytes", f.token.len());
    let x = f.jwks["keys"][0]["x"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut g = c.benchmark_group("jwt_eddsa");

    let v = warden_validator(&f);
    g.bench_function("warden", |b| {
        b.iter(|| {
            v.validate(black_box(&f.token))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    let vc = warden_validator(&f).with_cache(1024);
    g.bench_function("warden_cached", |b| {
        b.iter(|| {
            vc.validate(black_box(&f.token))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    let key10 = jsonwebtoken::DecodingKey::from_ed_components(&x).unwrap_or_else(|e| panic!("{e}"));
    let mut val10 = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    val10.set_issuer(&["warden"]);
    val10.set_audience(&["api"]);
    g.bench_function("jsonwebtoken10_rust_crypto", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<JwtClaims>(black_box(&f.token), &key10, &val10)
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    let key9 = jsonwebtoken9::DecodingKey::from_ed_components(&x).unwrap_or_else(|e| panic!("{e}"));
    let mut val9 = jsonwebtoken9::Validation::new(jsonwebtoken9::Algorithm::EdDSA);
    val9.set_issuer(&["warden"]);
    val9.set_audience(&["api"]);
    g.bench_function("jsonwebtoken9_ring", |b| {
        b.iter(|| {
            jsonwebtoken9::decode::<JwtClaims>(black_box(&f.token), &key9, &val9)
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    let dot = f.token.rfind('.').unwrap_or(0);
    let input = f.token.as_bytes()[..dot].to_vec();
    let sig = b64d(&f.token[dot + 1..]);
    let pk = b64d(&x);
    g.bench_function("floor_ed25519_verify_ring", |b| {
        b.iter(|| {
            ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &pk)
                .verify(black_box(&input), &sig)
                .is_ok()
        })
    });
    let pk_arr: [u8; 32] = pk.as_slice().try_into().unwrap_or([0u8; 32]);
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&pk_arr).unwrap_or_else(|e| panic!("{e}"));
    let sig_arr: [u8; 64] = sig.as_slice().try_into().unwrap_or([0u8; 64]);
    let dsig = ed25519_dalek::Signature::from_bytes(&sig_arr);
    g.bench_function("floor_ed25519_verify_dalek", |b| {
        b.iter(|| {
            use ed25519_dalek::Verifier as _;
            vk.verify(black_box(&input), &dsig).is_ok()
        })
    });
    g.bench_function("floor_ed25519_verify_strict_dalek", |b| {
        b.iter(|| vk.verify_strict(black_box(&input), &dsig).is_ok())
    });
    g.finish();
}

criterion_group!(benches, bench_hs256, bench_eddsa);
criterion_main!(benches);
