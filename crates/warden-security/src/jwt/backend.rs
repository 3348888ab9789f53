//! The cryptography backend for JWS: the only module of this crate that names `ring`, plus two
//! RustCrypto crates where ring falls short:
//! - `rsa`, for RSA key *generation* only (ring cannot generate RSA keys);
//! - `ed25519-dalek`, for Ed25519 *verification* only: its `VerifyingKey` keeps the
//!   decompressed point, which makes verification ≈ 1.5× faster than ring's (measured in
//!   `benches/jwt.rs`; see docs/PERFORMANCE.md). Like ring it checks the cofactorless equation
//!   and rejects non-canonical `S`; weak (small-order) public keys are refused at load time.
//!   Signing stays with ring.
//!
//! Everything above this module speaks in [`Algorithm`]s, raw key components and byte slices;
//! swapping the backend means rewriting this file only.

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, KeyPair};
use zeroize::Zeroizing;

use crate::keys::Algorithm;

/// The backend refused a key or failed an operation. Messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The key components do not form a valid key for the algorithm.
    #[error("key rejected by the crypto backend: {0}")]
    KeyRejected(String),
    /// The system random generator failed.
    #[error("the system random number generator failed")]
    Rng,
    /// Signing failed.
    #[error("signing failed")]
    Sign,
}

/// A prepared verification key.
pub(crate) enum VerifyKey {
    /// HMAC key (HS256/384/512).
    Hmac(ring::hmac::Key),
    /// Ed25519 public key (decompressed once, at load).
    Ed25519(Box<ed25519_dalek::VerifyingKey>),
    /// P-256 public key, uncompressed SEC1 point (65 bytes).
    P256(Vec<u8>),
    /// RSA public key components (big-endian, no leading zeros required).
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
}

/// A prepared signing key.
pub(crate) enum SignKey {
    /// HMAC key.
    Hmac(ring::hmac::Key),
    /// Ed25519 key pair.
    Ed25519(signature::Ed25519KeyPair),
    /// P-256 key pair.
    P256(signature::EcdsaKeyPair),
    /// RSA key pair.
    Rsa(Box<signature::RsaKeyPair>),
}

/// RSA private components as found in a JWK (big-endian).
pub(crate) struct RsaPrivateParts<'a> {
    pub n: &'a [u8],
    pub e: &'a [u8],
    pub d: &'a [u8],
    pub p: &'a [u8],
    pub q: &'a [u8],
    pub dp: &'a [u8],
    pub dq: &'a [u8],
    pub qi: &'a [u8],
}

fn hmac_alg(alg: Algorithm) -> Option<ring::hmac::Algorithm> {
    match alg {
        Algorithm::HS256 => Some(ring::hmac::HMAC_SHA256),
        Algorithm::HS384 => Some(ring::hmac::HMAC_SHA384),
        Algorithm::HS512 => Some(ring::hmac::HMAC_SHA512),
        _ => None,
    }
}

/// Prepares an HMAC key for `alg` (an HS algorithm).
pub(crate) fn hmac_key(alg: Algorithm, secret: &[u8]) -> Result<ring::hmac::Key, BackendError> {
    let a = hmac_alg(alg)
        .ok_or_else(|| BackendError::KeyRejected(format!("{alg} is not an HMAC algorithm")))?;
    Ok(ring::hmac::Key::new(a, secret))
}

/// Verifies `sig` over `msg`. The caller has already checked that `alg` is the key's pinned
/// algorithm; a key/algorithm family mismatch returns `false` here as well.
pub(crate) fn verify(alg: Algorithm, key: &VerifyKey, msg: &[u8], sig: &[u8]) -> bool {
    match (key, alg) {
        (VerifyKey::Hmac(k), Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) => {
            // The key's own algorithm decides the hash; `alg` equality was checked above.
            ring::hmac::verify(k, msg, sig).is_ok()
        }
        (VerifyKey::Ed25519(pk), Algorithm::EdDSA) => {
            use ed25519_dalek::Verifier as _;
            match <&[u8; 64]>::try_from(sig) {
                Ok(bytes) => pk
                    .verify(msg, &ed25519_dalek::Signature::from_bytes(bytes))
                    .is_ok(),
                Err(_) => false,
            }
        }
        (VerifyKey::P256(pk), Algorithm::ES256) => {
            signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, pk)
                .verify(msg, sig)
                .is_ok()
        }
        (VerifyKey::Rsa { n, e }, Algorithm::RS256) => signature::RsaPublicKeyComponents { n, e }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
            .is_ok(),
        (VerifyKey::Rsa { n, e }, Algorithm::PS256) => signature::RsaPublicKeyComponents { n, e }
            .verify(&signature::RSA_PSS_2048_8192_SHA256, msg, sig)
            .is_ok(),
        _ => false,
    }
}

/// Signs `msg` with `key` under `alg`.
pub(crate) fn sign(alg: Algorithm, key: &SignKey, msg: &[u8]) -> Result<Vec<u8>, BackendError> {
    let rng = SystemRandom::new();
    match (key, alg) {
        (SignKey::Hmac(k), Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) => {
            Ok(ring::hmac::sign(k, msg).as_ref().to_vec())
        }
        (SignKey::Ed25519(kp), Algorithm::EdDSA) => Ok(kp.sign(msg).as_ref().to_vec()),
        (SignKey::P256(kp), Algorithm::ES256) => kp
            .sign(&rng, msg)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| BackendError::Sign),
        (SignKey::Rsa(kp), Algorithm::RS256 | Algorithm::PS256) => {
            let padding: &'static dyn signature::RsaEncoding = if alg == Algorithm::RS256 {
                &signature::RSA_PKCS1_SHA256
            } else {
                &signature::RSA_PSS_SHA256
            };
            let mut out = vec![0u8; kp.public().modulus_len()];
            kp.sign(padding, &rng, msg, &mut out)
                .map_err(|_| BackendError::Sign)?;
            Ok(out)
        }
        _ => Err(BackendError::Sign),
    }
}

/// Prepares an Ed25519 verification key; refuses invalid encodings and weak (small-order)
/// points.
pub(crate) fn ed25519_verifier(public: &[u8; 32]) -> Result<VerifyKey, BackendError> {
    let vk = ed25519_dalek::VerifyingKey::from_bytes(public)
        .map_err(|_| BackendError::KeyRejected("invalid Ed25519 public key".into()))?;
    if vk.is_weak() {
        return Err(BackendError::KeyRejected(
            "Ed25519 public key has small order".into(),
        ));
    }
    Ok(VerifyKey::Ed25519(Box::new(vk)))
}

/// Builds an Ed25519 signing key from its seed and public key (checked for consistency).
pub(crate) fn ed25519_signer(seed: &[u8], public: &[u8]) -> Result<SignKey, BackendError> {
    signature::Ed25519KeyPair::from_seed_and_public_key(seed, public)
        .map(SignKey::Ed25519)
        .map_err(|e| BackendError::KeyRejected(e.to_string()))
}

/// Builds a P-256 signing key from its private scalar and uncompressed public point.
pub(crate) fn p256_signer(d: &[u8], public: &[u8]) -> Result<SignKey, BackendError> {
    signature::EcdsaKeyPair::from_private_key_and_public_key(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        d,
        public,
        &SystemRandom::new(),
    )
    .map(SignKey::P256)
    .map_err(|e| BackendError::KeyRejected(e.to_string()))
}

/// Builds an RSA signing key from its JWK components.
pub(crate) fn rsa_signer(parts: &RsaPrivateParts<'_>) -> Result<SignKey, BackendError> {
    let components = ring::rsa::KeyPairComponents {
        public_key: ring::rsa::PublicKeyComponents {
            n: parts.n,
            e: parts.e,
        },
        d: parts.d,
        p: parts.p,
        q: parts.q,
        dP: parts.dp,
        dQ: parts.dq,
        qInv: parts.qi,
    };
    signature::RsaKeyPair::from_components(&components)
        .map(|k| SignKey::Rsa(Box::new(k)))
        .map_err(|e| BackendError::KeyRejected(e.to_string()))
}

/// Fills a buffer with random bytes from the system generator.
pub(crate) fn random_bytes(len: usize) -> Result<Zeroizing<Vec<u8>>, BackendError> {
    let mut buf = Zeroizing::new(vec![0u8; len]);
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| BackendError::Rng)?;
    Ok(buf)
}

/// A random `u64` (cache hash seeds).
pub(crate) fn random_u64() -> Result<u64, BackendError> {
    let mut b = [0u8; 8];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| BackendError::Rng)?;
    Ok(u64::from_le_bytes(b))
}

/// A fresh Ed25519 key: (seed, public key).
pub(crate) fn generate_ed25519() -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), BackendError> {
    let seed = random_bytes(32)?;
    let kp = signature::Ed25519KeyPair::from_seed_unchecked(&seed)
        .map_err(|e| BackendError::KeyRejected(e.to_string()))?;
    Ok((seed, kp.public_key().as_ref().to_vec()))
}

/// A P-256 key: (private scalar d, x, y).
pub(crate) type P256Parts = (Zeroizing<Vec<u8>>, Vec<u8>, Vec<u8>);

/// A fresh P-256 key.
pub(crate) fn generate_p256() -> Result<P256Parts, BackendError> {
    let rng = SystemRandom::new();
    let pkcs8 =
        signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| BackendError::Rng)?;
    let doc = Zeroizing::new(pkcs8.as_ref().to_vec());
    let kp = signature::EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &doc,
        &rng,
    )
    .map_err(|e| BackendError::KeyRejected(e.to_string()))?;
    let public = kp.public_key().as_ref().to_vec();
    // The RFC 5915 ECPrivateKey inside the PKCS#8 document: `02 01 01` (version 1) followed by
    // `04 20` (OCTET STRING, 32 bytes) and the scalar.
    let marker = [0x02u8, 0x01, 0x01, 0x04, 0x20];
    let pos = doc
        .windows(marker.len())
        .position(|w| w == marker)
        .ok_or_else(|| BackendError::KeyRejected("unexpected PKCS#8 layout".into()))?;
    let start = pos + marker.len();
    let d = Zeroizing::new(
        doc.get(start..start + 32)
            .ok_or_else(|| BackendError::KeyRejected("unexpected PKCS#8 layout".into()))?
            .to_vec(),
    );
    // Prove the extracted scalar matches the public key before handing it out.
    p256_signer(&d, &public)?;
    if public.len() != 65 {
        return Err(BackendError::KeyRejected(
            "unexpected public key length".into(),
        ));
    }
    Ok((d, public[1..33].to_vec(), public[33..65].to_vec()))
}

/// RSA private key components, big-endian, for a JWK.
pub(crate) struct GeneratedRsa {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
    pub d: Zeroizing<Vec<u8>>,
    pub p: Zeroizing<Vec<u8>>,
    pub q: Zeroizing<Vec<u8>>,
    pub dp: Zeroizing<Vec<u8>>,
    pub dq: Zeroizing<Vec<u8>>,
    pub qi: Zeroizing<Vec<u8>>,
}

/// A fresh RSA key of `bits` bits (RustCrypto `rsa`; generation only — signing uses ring).
pub(crate) fn generate_rsa(bits: usize) -> Result<GeneratedRsa, BackendError> {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    let mut rng = rand::rngs::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, bits)
        .map_err(|e| BackendError::KeyRejected(e.to_string()))?;
    let primes = key.primes();
    let (p, q) = match primes {
        [p, q] => (p, q),
        _ => return Err(BackendError::KeyRejected("expected two primes".into())),
    };
    let dp = key
        .dp()
        .ok_or_else(|| BackendError::KeyRejected("missing CRT value dp".into()))?;
    let dq = key
        .dq()
        .ok_or_else(|| BackendError::KeyRejected("missing CRT value dq".into()))?;
    let qi = key
        .crt_coefficient()
        .ok_or_else(|| BackendError::KeyRejected("missing CRT coefficient".into()))?;
    let out = GeneratedRsa {
        n: key.n().to_bytes_be(),
        e: key.e().to_bytes_be(),
        d: Zeroizing::new(key.d().to_bytes_be()),
        p: Zeroizing::new(p.to_bytes_be()),
        q: Zeroizing::new(q.to_bytes_be()),
        dp: Zeroizing::new(dp.to_bytes_be()),
        dq: Zeroizing::new(dq.to_bytes_be()),
        qi: Zeroizing::new(qi.to_bytes_be()),
    };
    Ok(out)
}

/// Constant-time equality of two byte strings (no early exit on the first difference; the
/// length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut acc = 0u64;
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        let mut wx = [0u8; 8];
        let mut wy = [0u8; 8];
        wx.copy_from_slice(x);
        wy.copy_from_slice(y);
        acc |= u64::from_le_bytes(wx) ^ u64::from_le_bytes(wy);
    }
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        acc |= u64::from(x ^ y);
    }
    std::hint::black_box(acc) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_compares_whole_strings() {
        assert!(ct_eq(b"abcdefghijk", b"abcdefghijk"));
        assert!(!ct_eq(b"abcdefghijk", b"abcdefghijx"));
        assert!(!ct_eq(b"xbcdefghijk", b"abcdefghijk"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq(b"", b""));
    }

    #[test]
    fn generated_p256_key_signs_and_verifies() {
        let (d, x, y) = generate_p256().unwrap_or_else(|e| panic!("{e}"));
        let mut public = vec![4u8];
        public.extend_from_slice(&x);
        public.extend_from_slice(&y);
        let signer = p256_signer(&d, &public).unwrap_or_else(|e| panic!("{e}"));
        let sig = sign(Algorithm::ES256, &signer, b"m").unwrap_or_else(|e| panic!("{e}"));
        assert!(verify(
            Algorithm::ES256,
            &VerifyKey::P256(public),
            b"m",
            &sig
        ));
    }

    #[test]
    fn hmac_key_never_verifies_an_asymmetric_algorithm() {
        let k = hmac_key(Algorithm::HS256, &[7u8; 32]).unwrap_or_else(|e| panic!("{e}"));
        let key = VerifyKey::Hmac(k);
        assert!(!verify(Algorithm::RS256, &key, b"m", &[0u8; 32]));
    }
}
