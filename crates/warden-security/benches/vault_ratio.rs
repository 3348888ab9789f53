//! Interleaved ratio measurement for the vault target (SPEC §9: seal/open at 1 KiB ≥ 60 % of
//! the backend's raw ChaCha20-Poly1305 throughput), robust to a noisy shared machine: in every
//! round each operation runs one short batch, back to back, so load changes hit all of them
//! alike; the report gives medians of per-operation times and of per-round ratios.
//!
//! `cargo bench -p warden-security --bench vault_ratio`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use warden_security::vault::{aead, open, seal, Kek, KeyRing, Kid};

const KEY: [u8; 32] = [0x42; 32];
const ROUNDS: usize = 400;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Nanoseconds per call of `f`, over a batch of `n` calls.
fn batch(n: usize, f: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_nanos() as f64 / n as f64
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let ring = KeyRing::single(Kek::new(KEY, Some(Kid::new("bench-key").unwrap()), 0));
    let rc = chacha20poly1305::XChaCha20Poly1305::new(&KEY.into());
    println!(
        "size  op    ring_raw_ns  backend_x_ns  rustcrypto_x_ns  envelope_ns  env/ring  env/backend  \
         (medians; ratio = envelope throughput / baseline throughput)"
    );
    for size in [64usize, 1024, 65536] {
        let pt = vec![0xA5u8; size];
        let n = (200_000 / (size + 400)).max(2);
        let mut buf = pt.clone();
        let mut sealed12 = pt.clone();
        let tag12 = aead::chacha20poly1305_seal(&KEY, &[0x24; 12], b"", &mut sealed12).unwrap();
        let mut sealed24 = pt.clone();
        let tag24 = aead::xchacha20poly1305_seal(&KEY, &[0x24; 24], b"", &mut sealed24).unwrap();
        let env = seal(&ring, "bench", "secret", &pt).unwrap();
        let mut rc_sealed = pt.clone();
        let rc_tag = rc
            .encrypt_inout_detached(&[0x24; 24].into(), b"", rc_sealed.as_mut_slice().into())
            .unwrap();

        for op in ["seal", "open"] {
            let mut t = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
            let mut r_ring = Vec::new();
            let mut r_back = Vec::new();
            for round in 0..ROUNDS {
                let mut times = [0f64; 4];
                for k in 0..4 {
                    let which = (k + round) % 4;
                    let mut f: Box<dyn FnMut()> = match (op, which) {
                        ("seal", 0) => Box::new(|| {
                            black_box(
                                aead::chacha20poly1305_seal(&KEY, &[0x24; 12], b"", &mut buf)
                                    .unwrap(),
                            );
                        }),
                        ("seal", 1) => Box::new(|| {
                            black_box(
                                aead::xchacha20poly1305_seal(&KEY, &[0x24; 24], b"", &mut buf)
                                    .unwrap(),
                            );
                        }),
                        ("seal", 3) => Box::new(|| {
                            black_box(
                                rc.encrypt_inout_detached(
                                    &[0x24; 24].into(),
                                    b"",
                                    buf.as_mut_slice().into(),
                                )
                                .unwrap(),
                            );
                        }),
                        ("seal", _) => Box::new(|| {
                            black_box(seal(&ring, "bench", "secret", black_box(&pt)).unwrap());
                        }),
                        (_, 0) => Box::new(|| {
                            buf.copy_from_slice(&sealed12);
                            aead::chacha20poly1305_open(&KEY, &[0x24; 12], b"", &mut buf, &tag12)
                                .unwrap();
                        }),
                        (_, 1) => Box::new(|| {
                            buf.copy_from_slice(&sealed24);
                            aead::xchacha20poly1305_open(&KEY, &[0x24; 24], b"", &mut buf, &tag24)
                                .unwrap();
                        }),
                        (_, 3) => Box::new(|| {
                            buf.copy_from_slice(&rc_sealed);
                            rc.decrypt_inout_detached(
                                &[0x24; 24].into(),
                                b"",
                                buf.as_mut_slice().into(),
                                &rc_tag,
                            )
                            .unwrap();
                        }),
                        _ => Box::new(|| {
                            black_box(open(&ring, "bench", "secret", black_box(&env)).unwrap());
                        }),
                    };
                    let slot = if which == 2 {
                        3
                    } else if which == 3 {
                        2
                    } else {
                        which
                    };
                    times[slot] = batch(n, &mut *f);
                }
                for k in 0..4 {
                    t[k].push(times[k]);
                }
                r_ring.push(times[0] / times[3]);
                r_back.push(times[1] / times[3]);
            }
            let [mut a, mut b, mut c, mut d] = t;
            println!(
                "{size:>5} {op}  {:>11.0}  {:>12.0}  {:>15.0}  {:>11.0}  {:>7.0}%  {:>10.0}%",
                median(&mut a),
                median(&mut b),
                median(&mut c),
                median(&mut d),
                100.0 * median(&mut r_ring),
                100.0 * median(&mut r_back)
            );
        }
    }
}
