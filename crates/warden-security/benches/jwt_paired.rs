//! Paired JWT validation measurement for a noisy shared machine: the contenders run in
//! alternating short rounds (≈ 5 ms each), so a load change hits all of them alike, and the
//! reported figure is the median over rounds of the per-round ratio. Complements
//! `benches/jwt.rs` (criterion), whose sequential groups can land in different load phases.
//!
//! `cargo bench -p warden-security --bench jwt_paired`
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use warden_security::keys::{Algorithm, KeySet};
use warden_security::{JwtService, SessionGenerator, SessionParams, TokenValidator};
use warden_types::{JwtClaims, Scopes, SessionId, UserId};

fn token(keys: &Arc<KeySet>) -> String {
    let mut p = SessionParams::new(
        UserId::new("user_01HZX3K4"),
        SessionId::new("sess_4f2a9c1e"),
        "alice@example.com",
        Scopes::parse("user mcp"),
    );
    p.roles = Some(vec!["user".into()]);
    p.duration = Duration::from_secs(3600);
    SessionGenerator::new(JwtService::new(Arc::clone(keys)))
        .generate(&p)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A named contender.
type Contender<'a> = (&'a str, Box<dyn FnMut() + 'a>);

/// Nanoseconds per call of `f` over `iters` calls.
fn time_round(iters: u32, f: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    t.elapsed().as_nanos() as f64 / f64::from(iters)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the contenders in alternating rounds; prints per-contender median ns and the median
/// per-round ratio of `contenders[i]` to `contenders[0]`.
fn paired(group: &str, iters: u32, rounds: usize, contenders: &mut [Contender<'_>]) {
    let n = contenders.len();
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); n];
    for (_, f) in contenders.iter_mut() {
        time_round(iters, f.as_mut()); // warm-up
    }
    for r in 0..rounds {
        // Rotate the order each round so no contender always runs first.
        for k in 0..n {
            let i = (k + r) % n;
            let t = time_round(iters, contenders[i].1.as_mut());
            times[i].push(t);
        }
    }
    println!("{group}: {rounds} rounds x {iters} iterations, medians (ratio = median over rounds of contender / first):");
    for i in 0..n {
        let ratios: Vec<f64> = (0..rounds).map(|r| times[i][r] / times[0][r]).collect();
        println!(
            "  {:<34} {:>10.1} ns   x{:.3} of {}",
            contenders[i].0,
            median(times[i].clone()),
            median(ratios),
            contenders[0].0
        );
    }
}

fn main() {
    // HS256
    let keys = Arc::new(KeySet::generate(Algorithm::HS256).unwrap_or_else(|e| panic!("{e}")));
    let t = token(&keys);
    let private: serde_json::Value =
        serde_json::from_str(&keys.to_private_json()).unwrap_or_default();
    let secret = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(private["keys"][0]["k"].as_str().unwrap_or_default())
            .unwrap_or_default()
    };
    let v = TokenValidator::new(Arc::clone(&keys))
        .with_issuer("warden")
        .with_audiences(["api"]);
    let vc = TokenValidator::new(Arc::clone(&keys))
        .with_issuer("warden")
        .with_audiences(["api"])
        .with_cache(1024);
    let k9 = jsonwebtoken9::DecodingKey::from_secret(&secret);
    let mut val9 = jsonwebtoken9::Validation::new(jsonwebtoken9::Algorithm::HS256);
    val9.set_issuer(&["warden"]);
    val9.set_audience(&["api"]);
    let k10 = jsonwebtoken::DecodingKey::from_secret(&secret);
    let mut val10 = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    val10.set_issuer(&["warden"]);
    val10.set_audience(&["api"]);
    println!("HS256 token: {} bytes", t.len());
    paired(
        "jwt_hs256",
        2000,
        301,
        &mut [
            (
                "jsonwebtoken9_ring",
                Box::new(|| {
                    black_box(
                        jsonwebtoken9::decode::<JwtClaims>(black_box(&t), &k9, &val9).is_ok(),
                    );
                }),
            ),
            (
                "jsonwebtoken10_rust_crypto",
                Box::new(|| {
                    black_box(
                        jsonwebtoken::decode::<JwtClaims>(black_box(&t), &k10, &val10).is_ok(),
                    );
                }),
            ),
            (
                "warden",
                Box::new(|| {
                    black_box(v.validate(black_box(&t)).is_ok());
                }),
            ),
            (
                "warden_cached",
                Box::new(|| {
                    black_box(vc.validate(black_box(&t)).is_ok());
                }),
            ),
        ],
    );

    // EdDSA
    let keys = Arc::new(KeySet::generate(Algorithm::EdDSA).unwrap_or_else(|e| panic!("{e}")));
    let t = token(&keys);
    let x = keys.public_jwks()["keys"][0]["x"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let v = TokenValidator::new(Arc::clone(&keys))
        .with_issuer("warden")
        .with_audiences(["api"]);
    let vc = TokenValidator::new(Arc::clone(&keys))
        .with_issuer("warden")
        .with_audiences(["api"])
        .with_cache(1024);
    let k9 = jsonwebtoken9::DecodingKey::from_ed_components(&x).unwrap_or_else(|e| panic!("{e}"));
    let mut val9 = jsonwebtoken9::Validation::new(jsonwebtoken9::Algorithm::EdDSA);
    val9.set_issuer(&["warden"]);
    val9.set_audience(&["api"]);
    let k10 = jsonwebtoken::DecodingKey::from_ed_components(&x).unwrap_or_else(|e| panic!("{e}"));
    let mut val10 = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    val10.set_issuer(&["warden"]);
    val10.set_audience(&["api"]);
    println!("EdDSA token: {} bytes", t.len());
    paired(
        "jwt_eddsa",
        100,
        201,
        &mut [
            (
                "jsonwebtoken10_rust_crypto",
                Box::new(|| {
                    black_box(
                        jsonwebtoken::decode::<JwtClaims>(black_box(&t), &k10, &val10).is_ok(),
                    );
                }),
            ),
            (
                "jsonwebtoken9_ring",
                Box::new(|| {
                    black_box(
                        jsonwebtoken9::decode::<JwtClaims>(black_box(&t), &k9, &val9).is_ok(),
                    );
                }),
            ),
            (
                "warden",
                Box::new(|| {
                    black_box(v.validate(black_box(&t)).is_ok());
                }),
            ),
            (
                "warden_cached",
                Box::new(|| {
                    black_box(vc.validate(black_box(&t)).is_ok());
                }),
            ),
        ],
    );
}
