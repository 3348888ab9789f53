//! Vault benchmarks: envelope seal/open vs the raw single AEAD of the backend (ring
//! ChaCha20-Poly1305, and our XChaCha20-Poly1305 on it) vs RustCrypto's `chacha20poly1305`.
//!
//! `cargo bench -p warden-security --bench vault -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use warden_security::vault::{aead, open, seal, Kek, KeyRing, Kid};

const SIZES: [usize; 3] = [64, 1024, 64 * 1024];

fn bench(c: &mut Criterion) {
    let key = [0x42u8; 32];
    let nonce12 = [0x24u8; 12];
    let nonce24 = [0x24u8; 24];
    let ring = KeyRing::single(Kek::new(key, Some(Kid::new("bench-key").unwrap()), 0));
    let rc_chacha = chacha20poly1305::ChaCha20Poly1305::new(&key.into());
    let rc_xchacha = chacha20poly1305::XChaCha20Poly1305::new(&key.into());

    for size in SIZES {
        let mut g = c.benchmark_group(format!("vault_{size}"));
        g.throughput(Throughput::Bytes(size as u64));
        let pt = vec![0xA5u8; size];
        let mut buf = pt.clone();

        g.bench_function(BenchmarkId::new("ring_chacha20poly1305_seal", size), |b| {
            b.iter(|| {
                black_box(aead::chacha20poly1305_seal(&key, &nonce12, b"", &mut buf).unwrap())
            })
        });
        g.bench_function(
            BenchmarkId::new("backend_xchacha20poly1305_seal", size),
            |b| {
                b.iter(|| {
                    black_box(aead::xchacha20poly1305_seal(&key, &nonce24, b"", &mut buf).unwrap())
                })
            },
        );
        g.bench_function(
            BenchmarkId::new("rustcrypto_chacha20poly1305_seal", size),
            |b| {
                b.iter(|| {
                    black_box(
                        rc_chacha
                            .encrypt_inout_detached(&nonce12.into(), b"", buf.as_mut_slice().into())
                            .unwrap(),
                    )
                })
            },
        );
        g.bench_function(
            BenchmarkId::new("rustcrypto_xchacha20poly1305_seal", size),
            |b| {
                b.iter(|| {
                    black_box(
                        rc_xchacha
                            .encrypt_inout_detached(&nonce24.into(), b"", buf.as_mut_slice().into())
                            .unwrap(),
                    )
                })
            },
        );
        g.bench_function(BenchmarkId::new("envelope_seal", size), |b| {
            b.iter(|| black_box(seal(&ring, "bench", "secret", black_box(&pt)).unwrap()))
        });
        let env = seal(&ring, "bench", "secret", &pt).unwrap();
        g.bench_function(BenchmarkId::new("envelope_open", size), |b| {
            b.iter(|| black_box(open(&ring, "bench", "secret", black_box(&env)).unwrap()))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
