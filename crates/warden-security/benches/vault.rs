//! Vault benchmarks: envelope seal/open (two XChaCha20-Poly1305 operations each) side by side
//! with the raw single AEAD of the backend (ring's ChaCha20-Poly1305, and our
//! XChaCha20-Poly1305 built on it) and with RustCrypto's `chacha20poly1305` crate.
//!
//! `cargo bench -p warden-security --bench vault -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use warden_security::vault::{aead, leak, open, seal, Kek, KeyRing, Kid, LeakIndex, SecretMeta};

const SIZES: [usize; 3] = [64, 1024, 64 * 1024];
const KEY: [u8; 32] = [0x42; 32];
const NONCE12: [u8; 12] = [0x24; 12];
const NONCE24: [u8; 24] = [0x24; 24];

fn bench_sizes(c: &mut Criterion) {
    let ring = KeyRing::single(Kek::new(KEY, Some(Kid::new("bench-key").unwrap()), 0));
    let rc_chacha = chacha20poly1305::ChaCha20Poly1305::new(&KEY.into());
    let rc_xchacha = chacha20poly1305::XChaCha20Poly1305::new(&KEY.into());

    for size in SIZES {
        let mut g = c.benchmark_group(format!("vault_{size}"));
        g.throughput(Throughput::Bytes(size as u64));
        let pt = vec![0xA5u8; size];
        let mut buf = pt.clone();

        // Raw single AEAD of the backend (ring ChaCha20-Poly1305, 12-byte nonce).
        g.bench_function("ring_chacha20poly1305_seal", |b| {
            b.iter(|| {
                aead::chacha20poly1305_seal(&KEY, &NONCE12, b"", black_box(&mut buf)).unwrap()
            })
        });
        let mut sealed = pt.clone();
        let tag = aead::chacha20poly1305_seal(&KEY, &NONCE12, b"", &mut sealed).unwrap();
        g.bench_function("ring_chacha20poly1305_open", |b| {
            b.iter(|| {
                buf.copy_from_slice(&sealed);
                aead::chacha20poly1305_open(&KEY, &NONCE12, b"", black_box(&mut buf), &tag).unwrap()
            })
        });

        // The backend's XChaCha20-Poly1305 (HChaCha20 + ring).
        g.bench_function("backend_xchacha20poly1305_seal", |b| {
            b.iter(|| {
                aead::xchacha20poly1305_seal(&KEY, &NONCE24, b"", black_box(&mut buf)).unwrap()
            })
        });
        let mut xsealed = pt.clone();
        let xtag = aead::xchacha20poly1305_seal(&KEY, &NONCE24, b"", &mut xsealed).unwrap();
        g.bench_function("backend_xchacha20poly1305_open", |b| {
            b.iter(|| {
                buf.copy_from_slice(&xsealed);
                aead::xchacha20poly1305_open(&KEY, &NONCE24, b"", black_box(&mut buf), &xtag)
                    .unwrap()
            })
        });

        // RustCrypto.
        g.bench_function("rustcrypto_chacha20poly1305_seal", |b| {
            b.iter(|| {
                rc_chacha
                    .encrypt_inout_detached(&NONCE12.into(), b"", black_box(&mut buf[..]).into())
                    .unwrap()
            })
        });
        g.bench_function("rustcrypto_xchacha20poly1305_seal", |b| {
            b.iter(|| {
                rc_xchacha
                    .encrypt_inout_detached(&NONCE24.into(), b"", black_box(&mut buf[..]).into())
                    .unwrap()
            })
        });

        // The envelope: fresh DEK and nonces, DEK wrap + payload seal; open = unwrap + open.
        g.bench_function("envelope_seal", |b| {
            b.iter(|| seal(&ring, "bench", "secret", black_box(&pt)).unwrap())
        });
        let env = seal(&ring, "bench", "secret", &pt).unwrap();
        g.bench_function("envelope_open", |b| {
            b.iter(|| open(&ring, "bench", "secret", black_box(&env)).unwrap())
        });
        g.finish();
    }
}

/// Fixed costs inside an envelope operation.
fn bench_parts(c: &mut Criterion) {
    let mut g = c.benchmark_group("vault_parts");
    let mut buf = [0u8; 80];
    g.bench_function("os_getrandom_80", |b| {
        b.iter(|| aead::fill_random(black_box(&mut buf)).unwrap())
    });
    g.bench_function("thread_rng_80", |b| {
        b.iter(|| aead::fill_random_fast(black_box(&mut buf)).unwrap())
    });
    let mut dek = [0u8; 32];
    g.bench_function("backend_xchacha20poly1305_seal_32", |b| {
        b.iter(|| {
            aead::xchacha20poly1305_seal(
                &KEY,
                &NONCE24,
                b"WSV1\x02\x09bench-key",
                black_box(&mut dek),
            )
            .unwrap()
        })
    });
    g.bench_function("ring_chacha20poly1305_seal_32", |b| {
        b.iter(|| {
            aead::chacha20poly1305_seal(
                &KEY,
                &NONCE12,
                b"WSV1\x02\x09bench-key",
                black_box(&mut dek),
            )
            .unwrap()
        })
    });
    g.finish();
}

/// Leak detection: 100 stored secrets of assorted lengths, a 1 KiB agent tool-call argument
/// text without any of them (the common case) and with one.
fn bench_leak(c: &mut Criterion) {
    let kek = Kek::new(KEY, Some(Kid::new("bench-key").unwrap()), 0);
    let ring = KeyRing::single(kek.clone());
    let mut index = LeakIndex::new(&ring);
    for i in 0..100 {
        let value = format!("sk-live-{i:04}-{}", "x".repeat(8 + i % 24));
        let meta = SecretMeta {
            namespace: "bench".into(),
            name: format!("s{i}"),
            kek_id: "bench-key".into(),
            created_at_ms: 0,
            updated_at_ms: 0,
        };
        index.insert(&meta, &leak::fingerprints(&kek, value.as_bytes()));
    }
    let mut text = String::new();
    while text.len() < 1024 {
        text.push_str(r#"{"command":"curl -s https://api.example.com/v1/items?page=2&limit=50","cwd":"/home/agent/project","env":{"TOKEN":"tok_9f8e7d6c5b4a","DEBUG":"1"}} "#);
    }
    text.truncate(1024);
    let mut g = c.benchmark_group("vault_leak");
    g.throughput(Throughput::Bytes(1024));
    g.bench_function("find_in_1k_clean", |b| {
        b.iter(|| index.find_in(black_box(text.as_bytes())))
    });
    let dirty = format!("{} sk-live-0042-{}", &text[..900], "x".repeat(8 + 42 % 24));
    g.bench_function("find_in_1k_with_secret", |b| {
        b.iter(|| index.find_in(black_box(dirty.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, bench_sizes, bench_parts, bench_leak);
criterion_main!(benches);
