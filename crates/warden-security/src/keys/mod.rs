//! Signing key sets (SPEC §3).
//!
//! A key set is a JWKS document (RFC 7517) that may hold private keys:
//!
//! ```json
//! {"active": "k1", "keys": [{"kty":"OKP","crv":"Ed25519","kid":"k1","alg":"EdDSA","use":"sig","x":"..","d":".."}]}
//! ```
//!
//! - Supported: `oct` (HS256/384/512), `OKP` Ed25519 (EdDSA), `EC` P-256 (ES256), `RSA`
//!   (RS256/PS256, modulus ≥ 2048 bits).
//! - Every key carries a `kid` and an `alg`; the algorithm is pinned per key. A key without
//!   `alg` is accepted only where the algorithm is unambiguous (Ed25519 → EdDSA, P-256 →
//!   ES256); `oct` and `RSA` keys must name it.
//! - The active signer is named by the top-level `"active"` member (a Warden extension; other
//!   JOSE libraries ignore unknown JWKS members). Without it, the first key that holds private
//!   material is the active signer.
//! - Keys whose `use` is present and not `sig` are skipped.
//! - HMAC secrets must be at least as long as the hash output (32/48/64 bytes, RFC 7518 §3.2).
//!
//! Key material is held in [`Zeroizing`] buffers (wiped on drop) and never printed by `Debug`.
//! The prepared `ring` key objects cannot be wiped by us; they live as long as the key set.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::jwt::backend::{self, RsaPrivateParts, SignKey, VerifyKey};

pub mod remote;

/// A JWS algorithm Warden signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// Ed25519 signatures.
    EdDSA,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PSS with SHA-256.
    PS256,
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: &'static [Algorithm] = &[
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::RS256,
        Algorithm::PS256,
    ];

    /// The JOSE name (`HS256`, `EdDSA`, …).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::ES256 => "ES256",
            Algorithm::RS256 => "RS256",
            Algorithm::PS256 => "PS256",
        }
    }

    /// Maps a JOSE name to an algorithm (exact, case-sensitive; `none` is never an algorithm).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.iter().copied().find(|a| a.as_str() == name)
    }

    /// True for the HMAC algorithms.
    pub const fn is_hmac(&self) -> bool {
        matches!(self, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
    }

    /// The JWK `kty` of keys for this algorithm.
    pub const fn kty(&self) -> &'static str {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => "oct",
            Algorithm::EdDSA => "OKP",
            Algorithm::ES256 => "EC",
            Algorithm::RS256 | Algorithm::PS256 => "RSA",
        }
    }

    /// Minimum HMAC secret length in bytes (the hash output size), 0 for other algorithms.
    pub const fn min_secret_len(&self) -> usize {
        match self {
            Algorithm::HS256 => 32,
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
            _ => 0,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::from_name(s).ok_or_else(|| KeyError::UnsupportedAlgorithm(truncate(s)))
    }
}

/// Why a key set could not be loaded, generated or changed. Messages never contain key
/// material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The document is not a JWKS.
    #[error("key set is not a valid JWKS document: {0}")]
    InvalidDocument(String),
    /// A key names an algorithm Warden does not support.
    #[error(
        "unsupported algorithm {0:?} (supported: HS256, HS384, HS512, EdDSA, ES256, RS256, PS256)"
    )]
    UnsupportedAlgorithm(String),
    /// A key is malformed.
    #[error("key {kid:?} is invalid: {reason}")]
    InvalidKey {
        /// The key's `kid` (or `?`).
        kid: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two keys share a `kid`.
    #[error("duplicate kid {0:?} in key set")]
    DuplicateKid(String),
    /// The `active` member names no key of the set.
    #[error("active kid {0:?} is not in the key set")]
    UnknownActiveKid(String),
    /// No key of the set can sign.
    #[error("the key set has no private key to sign with")]
    NoSigningKey,
    /// The named key is not in the set.
    #[error("no key with kid {0:?}")]
    UnknownKid(String),
    /// The active key cannot be retired.
    #[error("key {0:?} is the active signer; rotate before retiring it")]
    RetireActive(String),
    /// The crypto backend failed.
    #[error(transparent)]
    Backend(#[from] backend::BackendError),
}

fn truncate(s: &str) -> String {
    let mut end = s.len().min(64);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// The raw JWK members Warden understands (private members are wiped on drop).
#[derive(Default, Serialize, Deserialize)]
struct JwkRepr {
    kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    k: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    q: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dp: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dq: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    qi: Option<Zeroizing<String>>,
}

/// The document; each key stays a slice of the input (which callers keep zeroized) until it
/// is parsed into a [`JwkRepr`], whose private members are wiped on drop.
#[derive(Deserialize)]
struct JwksRepr<'a> {
    #[serde(default)]
    active: Option<String>,
    #[serde(borrow)]
    keys: Vec<&'a serde_json::value::RawValue>,
}

#[derive(Serialize)]
struct JwksOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<&'a str>,
    keys: Vec<JwkRepr>,
}

#[derive(Clone)]
struct RsaPrivate {
    d: Zeroizing<Vec<u8>>,
    p: Zeroizing<Vec<u8>>,
    q: Zeroizing<Vec<u8>>,
    dp: Zeroizing<Vec<u8>>,
    dq: Zeroizing<Vec<u8>>,
    qi: Zeroizing<Vec<u8>>,
}

#[derive(Clone)]
enum Material {
    Oct {
        k: Zeroizing<Vec<u8>>,
    },
    Ed25519 {
        x: Vec<u8>,
        d: Option<Zeroizing<Vec<u8>>>,
    },
    P256 {
        x: Vec<u8>,
        y: Vec<u8>,
        d: Option<Zeroizing<Vec<u8>>>,
    },
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        private: Option<RsaPrivate>,
    },
}

/// How a JWKS document is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParseMode {
    /// Warden's own key files: every key valid, supported, with `kid` and `alg`.
    Strict,
    /// Remote sets of federated issuers: unusable keys skipped.
    Lenient,
    /// `token verify --jwks`: see [`KeySet::for_verification`].
    Verify,
}

/// Why [`KeySet::candidates`] found no key for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPick {
    /// No key has the token's `kid` (or the token has none and several keys do).
    UnknownKid,
    /// The key exists but is pinned to another algorithm (the one given).
    AlgMismatch(Algorithm),
}

/// One key of a set: its `kid`, pinned algorithm, material and prepared backend objects.
pub struct Key {
    kid: String,
    /// False for a key of a verification set whose JWK named no `kid` (it then matches
    /// only tokens without one).
    kid_declared: bool,
    alg: Algorithm,
    material: Material,
    pub(crate) verify: VerifyKey,
    pub(crate) sign: Option<SignKey>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("private", &self.can_sign())
            .field("material", &"<redacted>")
            .finish()
    }
}

impl Key {
    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The pinned algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// True when the key holds private material (or is an HMAC secret).
    pub fn can_sign(&self) -> bool {
        self.sign.is_some()
    }

    /// True for symmetric (`oct`) keys, which are never published.
    pub fn is_symmetric(&self) -> bool {
        matches!(self.material, Material::Oct { .. })
    }

    /// Builds a key from its parts, preparing the backend objects.
    fn build(kid: String, alg: Algorithm, material: Material) -> Result<Key, KeyError> {
        let invalid = |reason: String| KeyError::InvalidKey {
            kid: truncate(&kid),
            reason,
        };
        let expected_kty = alg.kty();
        let kty = match &material {
            Material::Oct { .. } => "oct",
            Material::Ed25519 { .. } => "OKP",
            Material::P256 { .. } => "EC",
            Material::Rsa { .. } => "RSA",
        };
        if kty != expected_kty {
            return Err(invalid(format!(
                "algorithm {alg} does not fit key type {kty}"
            )));
        }
        let (verify, sign) = match &material {
            Material::Oct { k } => {
                if k.len() < alg.min_secret_len() {
                    return Err(invalid(format!(
                        "{alg} secret must be at least {} bytes",
                        alg.min_secret_len()
                    )));
                }
                (
                    VerifyKey::Hmac(backend::hmac_key(alg, k)?),
                    Some(SignKey::Hmac(backend::hmac_key(alg, k)?)),
                )
            }
            Material::Ed25519 { x, d } => {
                let pk: [u8; 32] = x
                    .as_slice()
                    .try_into()
                    .map_err(|_| invalid("Ed25519 public key must be 32 bytes".into()))?;
                let sign = match d {
                    Some(d) => {
                        Some(backend::ed25519_signer(d, x).map_err(|e| invalid(e.to_string()))?)
                    }
                    None => None,
                };
                (
                    backend::ed25519_verifier(&pk).map_err(|e| invalid(e.to_string()))?,
                    sign,
                )
            }
            Material::P256 { x, y, d } => {
                if x.len() != 32 || y.len() != 32 {
                    return Err(invalid("P-256 coordinates must be 32 bytes".into()));
                }
                let mut public = Vec::with_capacity(65);
                public.push(4);
                public.extend_from_slice(x);
                public.extend_from_slice(y);
                let sign = match d {
                    Some(d) => {
                        Some(backend::p256_signer(d, &public).map_err(|e| invalid(e.to_string()))?)
                    }
                    None => None,
                };
                (VerifyKey::P256(public), sign)
            }
            Material::Rsa { n, e, private } => {
                if n.len() < 256 {
                    return Err(invalid("RSA modulus must be at least 2048 bits".into()));
                }
                if n.len() > 1024 {
                    return Err(invalid("RSA modulus must be at most 8192 bits".into()));
                }
                let sign = match private {
                    Some(p) => Some(
                        backend::rsa_signer(&RsaPrivateParts {
                            n,
                            e,
                            d: &p.d,
                            p: &p.p,
                            q: &p.q,
                            dp: &p.dp,
                            dq: &p.dq,
                            qi: &p.qi,
                        })
                        .map_err(|e| invalid(e.to_string()))?,
                    ),
                    None => None,
                };
                (
                    VerifyKey::Rsa {
                        n: n.clone(),
                        e: e.clone(),
                    },
                    sign,
                )
            }
        };
        Ok(Key {
            kid,
            kid_declared: true,
            alg,
            material,
            verify,
            sign,
        })
    }

    /// True when the key's JWK named a `kid` (always, outside verification sets).
    pub fn has_kid(&self) -> bool {
        self.kid_declared
    }

    /// Generates a fresh key for `alg` with a random `kid` (RSA: 2048 bits).
    pub fn generate(alg: Algorithm) -> Result<Key, KeyError> {
        let kid = new_kid(alg)?;
        let material = match alg {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Material::Oct {
                k: backend::random_bytes(alg.min_secret_len())?,
            },
            Algorithm::EdDSA => {
                let (seed, x) = backend::generate_ed25519()?;
                Material::Ed25519 { x, d: Some(seed) }
            }
            Algorithm::ES256 => {
                let (d, x, y) = backend::generate_p256()?;
                Material::P256 { x, y, d: Some(d) }
            }
            Algorithm::RS256 | Algorithm::PS256 => {
                let g = backend::generate_rsa(2048)?;
                Material::Rsa {
                    n: g.n,
                    e: g.e,
                    private: Some(RsaPrivate {
                        d: g.d,
                        p: g.p,
                        q: g.q,
                        dp: g.dp,
                        dq: g.dq,
                        qi: g.qi,
                    }),
                }
            }
        };
        Key::build(kid, alg, material)
    }

    /// Parses one JWK under `mode`: one key, or (verification sets, no `alg`) one per
    /// algorithm of its type; none when it is not meant for signatures (`use` ≠ `sig`).
    fn from_raw(v: &serde_json::value::RawValue, mode: ParseMode) -> Result<Vec<Key>, KeyError> {
        let repr: JwkRepr = serde_json::from_str(v.get())
            .map_err(|e| KeyError::InvalidDocument(format!("bad JWK: {}", where_invalid(&e))))?;
        if let Some(u) = &repr.use_ {
            if u != "sig" {
                return Ok(Vec::new());
            }
        }
        let verifying = mode == ParseMode::Verify;
        let (kid, kid_declared) = match repr.kid.clone() {
            Some(kid) => (kid, true),
            None if verifying => (String::new(), false),
            None => {
                return Err(KeyError::InvalidKey {
                    kid: "?".into(),
                    reason: "missing kid".into(),
                })
            }
        };
        let invalid = |reason: &str| KeyError::InvalidKey {
            kid: truncate(&kid),
            reason: reason.to_owned(),
        };
        let algs: Vec<Algorithm> = match (&repr.alg, repr.kty.as_str(), repr.crv.as_deref()) {
            (Some(a), _, _) => vec![Algorithm::from_name(a)
                .ok_or_else(|| KeyError::UnsupportedAlgorithm(truncate(a)))?],
            (None, "OKP", Some("Ed25519")) => vec![Algorithm::EdDSA],
            (None, "EC", Some("P-256")) => vec![Algorithm::ES256],
            // A verification set takes an `alg`-less key for every algorithm of its type
            // (never across types, so no algorithm confusion).
            (None, "RSA", _) if verifying => vec![Algorithm::RS256, Algorithm::PS256],
            (None, "oct", _) if verifying => {
                vec![Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]
            }
            (None, _, _) => return Err(invalid("missing alg (required for oct and RSA keys)")),
        };
        let b64 = |name: &str, v: &Option<String>| -> Result<Vec<u8>, KeyError> {
            let s = v
                .as_deref()
                .ok_or_else(|| invalid(&format!("missing member {name}")))?;
            URL_SAFE_NO_PAD
                .decode(s)
                .map_err(|_| invalid(&format!("member {name} is not base64url")))
        };
        let secret =
            |name: &str, v: &Option<Zeroizing<String>>| -> Result<Zeroizing<Vec<u8>>, KeyError> {
                let s = v
                    .as_ref()
                    .ok_or_else(|| invalid(&format!("missing member {name}")))?;
                URL_SAFE_NO_PAD
                    .decode(s.as_bytes())
                    .map(Zeroizing::new)
                    .map_err(|_| invalid(&format!("member {name} is not base64url")))
            };
        let material = match repr.kty.as_str() {
            "oct" => Material::Oct {
                k: secret("k", &repr.k)?,
            },
            "OKP" => {
                if repr.crv.as_deref() != Some("Ed25519") {
                    return Err(invalid("OKP keys must use crv Ed25519"));
                }
                Material::Ed25519 {
                    x: b64("x", &repr.x)?,
                    d: match repr.d {
                        Some(_) => Some(secret("d", &repr.d)?),
                        None => None,
                    },
                }
            }
            "EC" => {
                if repr.crv.as_deref() != Some("P-256") {
                    return Err(invalid("EC keys must use crv P-256"));
                }
                Material::P256 {
                    x: b64("x", &repr.x)?,
                    y: b64("y", &repr.y)?,
                    d: match repr.d {
                        Some(_) => Some(secret("d", &repr.d)?),
                        None => None,
                    },
                }
            }
            "RSA" => {
                let private = match repr.d {
                    Some(_) => Some(RsaPrivate {
                        d: secret("d", &repr.d)?,
                        p: secret("p", &repr.p)?,
                        q: secret("q", &repr.q)?,
                        dp: secret("dp", &repr.dp)?,
                        dq: secret("dq", &repr.dq)?,
                        qi: secret("qi", &repr.qi)?,
                    }),
                    None => None,
                };
                Material::Rsa {
                    n: strip_leading_zeros(b64("n", &repr.n)?),
                    e: strip_leading_zeros(b64("e", &repr.e)?),
                    private,
                }
            }
            other => return Err(invalid(&format!("unsupported kty {:?}", truncate(other)))),
        };
        let mut keys = Vec::with_capacity(algs.len());
        for alg in algs {
            let mut key = if verifying {
                Key::build_for_verification(kid.clone(), alg, material.clone())?
            } else {
                Key::build(kid.clone(), alg, material.clone())?
            };
            key.kid_declared = kid_declared;
            keys.push(key);
        }
        Ok(keys)
    }

    /// [`Key::build`] for a verification set: an HMAC secret shorter than its hash (RFC 7518
    /// asks for at least that length; other libraries mint with less) verifies but never
    /// signs.
    fn build_for_verification(
        kid: String,
        alg: Algorithm,
        material: Material,
    ) -> Result<Key, KeyError> {
        match &material {
            Material::Oct { k } if k.is_empty() => Err(KeyError::InvalidKey {
                kid: truncate(&kid),
                reason: "an empty HMAC secret verifies nothing".into(),
            }),
            Material::Oct { k } if k.len() < alg.min_secret_len() => {
                let hmac = backend::hmac_key(alg, k)?;
                Ok(Key {
                    kid,
                    kid_declared: true,
                    alg,
                    material,
                    verify: VerifyKey::Hmac(hmac),
                    sign: None,
                })
            }
            _ => Key::build(kid, alg, material),
        }
    }

    /// The JWK of this key; `private` includes the private members.
    fn to_repr(&self, private: bool) -> JwkRepr {
        let enc = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let senc = |b: &[u8]| Zeroizing::new(URL_SAFE_NO_PAD.encode(b));
        let mut r = JwkRepr {
            kty: self.alg.kty().to_owned(),
            kid: Some(self.kid.clone()),
            alg: Some(self.alg.as_str().to_owned()),
            use_: Some("sig".to_owned()),
            ..JwkRepr::default()
        };
        match &self.material {
            Material::Oct { k } => {
                if private {
                    r.k = Some(senc(k));
                }
            }
            Material::Ed25519 { x, d } => {
                r.crv = Some("Ed25519".into());
                r.x = Some(enc(x));
                if private {
                    r.d = d.as_ref().map(|d| senc(d));
                }
            }
            Material::P256 { x, y, d } => {
                r.crv = Some("P-256".into());
                r.x = Some(enc(x));
                r.y = Some(enc(y));
                if private {
                    r.d = d.as_ref().map(|d| senc(d));
                }
            }
            Material::Rsa { n, e, private: p } => {
                r.n = Some(enc(n));
                r.e = Some(enc(e));
                if let (true, Some(p)) = (private, p) {
                    r.d = Some(senc(&p.d));
                    r.p = Some(senc(&p.p));
                    r.q = Some(senc(&p.q));
                    r.dp = Some(senc(&p.dp));
                    r.dq = Some(senc(&p.dq));
                    r.qi = Some(senc(&p.qi));
                }
            }
        }
        r
    }

    /// Builds an HS256 key from a raw secret (for seed users that hold a bare secret).
    pub fn hs256_from_secret(kid: &str, secret: &[u8]) -> Result<Key, KeyError> {
        Key::build(
            kid.to_owned(),
            Algorithm::HS256,
            Material::Oct {
                k: Zeroizing::new(secret.to_vec()),
            },
        )
    }
}

fn strip_leading_zeros(mut v: Vec<u8>) -> Vec<u8> {
    let nz = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    v.drain(..nz);
    v
}

fn new_kid(alg: Algorithm) -> Result<String, KeyError> {
    let r = backend::random_bytes(9)?;
    Ok(format!(
        "{}-{}",
        alg.as_str().to_ascii_lowercase(),
        URL_SAFE_NO_PAD.encode(&*r)
    ))
}

/// What `keys list` shows about a key (never its material).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// Key id.
    pub kid: String,
    /// Pinned algorithm.
    pub alg: String,
    /// JWK key type.
    pub kty: String,
    /// True for the active signer.
    pub active: bool,
    /// True when the key can sign (holds private material).
    pub private: bool,
}

/// A set of keys with at most one active signer.
#[derive(Default)]
pub struct KeySet {
    keys: Vec<Key>,
    active: Option<String>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &self.keys)
            .field("active", &self.active)
            .finish()
    }
}

impl KeySet {
    /// An empty key set.
    pub fn new() -> KeySet {
        KeySet::default()
    }

    /// A new key set with one freshly generated active key.
    pub fn generate(alg: Algorithm) -> Result<KeySet, KeyError> {
        let key = Key::generate(alg)?;
        let active = Some(key.kid.clone());
        Ok(KeySet {
            keys: vec![key],
            active,
        })
    }

    /// A key set holding one HS256 key built from a raw secret (kid `default`).
    pub fn from_hs256_secret(secret: &[u8]) -> Result<KeySet, KeyError> {
        let key = Key::hs256_from_secret("default", secret)?;
        Ok(KeySet {
            keys: vec![key],
            active: Some("default".into()),
        })
    }

    /// Parses a JWKS document (strict: every key must be valid and supported).
    pub fn from_json(text: &str) -> Result<KeySet, KeyError> {
        Self::parse(text, ParseMode::Strict)
    }

    /// Parses a JWKS document, skipping keys that are unsupported or invalid (for remote sets
    /// of federated issuers, which often publish keys Warden does not use).
    pub fn from_json_lenient(text: &str) -> Result<KeySet, KeyError> {
        Self::parse(text, ParseMode::Lenient)
    }

    /// Parses a JWKS document of someone else's keys, to verify tokens only, as other JOSE
    /// libraries write them: keys Warden cannot use are skipped; a key without `kid` matches
    /// tokens without one; an RSA or `oct` key without `alg` verifies every algorithm of its
    /// type (RS256/PS256, HS256/384/512) and nothing else; an HMAC secret shorter than its
    /// hash verifies. An error when the document lists no key at all; when it lists only
    /// keys Warden cannot use (ES384, RSA-OAEP, …), the set is empty and every token is
    /// judged (`alg_not_allowed`, `unknown_kid`). The set never signs.
    pub fn for_verification(text: &str) -> Result<KeySet, KeyError> {
        let mut set = Self::parse(text, ParseMode::Verify)?;
        if set.keys.is_empty() {
            let doc: JwksRepr = serde_json::from_str(text)
                .map_err(|e| KeyError::InvalidDocument(where_invalid(&e)))?;
            if doc.keys.is_empty() {
                return Err(KeyError::InvalidDocument("the key set lists no key".into()));
            }
        }
        set.active = None;
        Ok(set)
    }

    fn parse(text: &str, mode: ParseMode) -> Result<KeySet, KeyError> {
        let doc: JwksRepr =
            serde_json::from_str(text).map_err(|e| KeyError::InvalidDocument(where_invalid(&e)))?;
        let mut set = KeySet::new();
        for v in doc.keys {
            match Key::from_raw(v, mode) {
                Ok(keys) => {
                    for k in keys {
                        set.insert_with(k, mode == ParseMode::Verify)?;
                    }
                }
                Err(e) if mode != ParseMode::Strict => {
                    tracing::debug!(error = %e, "skipping unusable key in JWKS");
                }
                Err(e) => return Err(e),
            }
        }
        match doc.active {
            Some(kid) => {
                if set.get(&kid).is_none() {
                    return Err(KeyError::UnknownActiveKid(truncate(&kid)));
                }
                set.active = Some(kid);
            }
            None => {
                set.active = set
                    .keys
                    .iter()
                    .find(|k| k.can_sign())
                    .map(|k| k.kid.clone())
            }
        }
        Ok(set)
    }

    fn insert(&mut self, key: Key) -> Result<(), KeyError> {
        self.insert_with(key, false)
    }

    /// Adds `key`; a second key with its `kid` is refused, except in a verification set
    /// (`per_alg`), where one `kid` may stand for several algorithms (the entries of one
    /// `alg`-less key) and only the same `kid` and algorithm twice is ambiguous. Kid-less
    /// keys never clash.
    fn insert_with(&mut self, key: Key, per_alg: bool) -> Result<(), KeyError> {
        if key.kid_declared
            && self
                .keys
                .iter()
                .any(|k| k.kid_declared && k.kid == key.kid && (!per_alg || k.alg == key.alg))
        {
            return Err(KeyError::DuplicateKid(truncate(&key.kid)));
        }
        self.keys.push(key);
        Ok(())
    }

    /// The private document (all keys with private members, plus `active`). Treat as secret.
    pub fn to_private_json(&self) -> Zeroizing<String> {
        let out = JwksOut {
            active: self.active.as_deref(),
            keys: self.keys.iter().map(|k| k.to_repr(true)).collect(),
        };
        Zeroizing::new(serde_json::to_string_pretty(&out).unwrap_or_default())
    }

    /// The public JWKS: asymmetric keys only, public members only (`oct` keys are never
    /// published).
    pub fn public_jwks(&self) -> serde_json::Value {
        let keys: Vec<JwkRepr> = self
            .keys
            .iter()
            .filter(|k| !k.is_symmetric())
            .map(|k| k.to_repr(false))
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// Adds a freshly generated key and makes it the active signer; the previous keys keep
    /// verifying. `alg` defaults to the current active key's algorithm. Returns the new kid.
    pub fn rotate(&mut self, alg: Option<Algorithm>) -> Result<String, KeyError> {
        let alg = match alg {
            Some(a) => a,
            None => self
                .active_key()
                .map(Key::alg)
                .ok_or(KeyError::NoSigningKey)?,
        };
        let key = Key::generate(alg)?;
        let kid = key.kid.clone();
        self.insert(key)?;
        self.active = Some(kid.clone());
        Ok(kid)
    }

    /// Removes a key; tokens signed with it stop verifying. The active key cannot be retired.
    pub fn retire(&mut self, kid: &str) -> Result<(), KeyError> {
        if self.active.as_deref() == Some(kid) {
            return Err(KeyError::RetireActive(truncate(kid)));
        }
        let before = self.keys.len();
        self.keys.retain(|k| k.kid != kid);
        if self.keys.len() == before {
            return Err(KeyError::UnknownKid(truncate(kid)));
        }
        Ok(())
    }

    /// Adds an existing key (not active).
    pub fn add(&mut self, key: Key) -> Result<(), KeyError> {
        self.insert(key)
    }

    /// Makes `kid` the active signer.
    pub fn set_active(&mut self, kid: &str) -> Result<(), KeyError> {
        match self.get(kid) {
            Some(k) if k.can_sign() => {
                self.active = Some(kid.to_owned());
                Ok(())
            }
            Some(_) => Err(KeyError::NoSigningKey),
            None => Err(KeyError::UnknownKid(truncate(kid))),
        }
    }

    /// The key with this kid.
    pub fn get(&self, kid: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.kid_declared && k.kid == kid)
    }

    /// The keys that may verify a token with header `kid` and algorithm `alg`, in order:
    /// with a `kid`, the keys declaring it (`Err(UnknownKid)` when none, `Err(AlgMismatch)`
    /// when none has `alg`); without one, the keys that declare no kid — or every key, when
    /// the set holds one key (in one or more algorithms) — that have `alg`.
    pub fn candidates(&self, kid: Option<&str>, alg: Algorithm) -> Result<Vec<&Key>, KeyPick> {
        match kid {
            Some(kid) => {
                let named: Vec<&Key> = self
                    .keys
                    .iter()
                    .filter(|k| k.kid_declared && k.kid == kid)
                    .collect();
                let Some(first) = named.first() else {
                    return Err(KeyPick::UnknownKid);
                };
                let fitting: Vec<&Key> = named.iter().copied().filter(|k| k.alg == alg).collect();
                if fitting.is_empty() {
                    return Err(KeyPick::AlgMismatch(first.alg));
                }
                Ok(fitting)
            }
            None => {
                let one_key = self.keys.first().is_some_and(|f| {
                    self.keys
                        .iter()
                        .all(|k| k.kid == f.kid && k.kid_declared == f.kid_declared)
                });
                let pool: Vec<&Key> = self
                    .keys
                    .iter()
                    .filter(|k| one_key || !k.kid_declared)
                    .collect();
                let fitting: Vec<&Key> = pool.iter().copied().filter(|k| k.alg == alg).collect();
                match (fitting.is_empty(), pool.first()) {
                    (false, _) => Ok(fitting),
                    (true, Some(k)) if one_key => Err(KeyPick::AlgMismatch(k.alg)),
                    _ => Err(KeyPick::UnknownKid),
                }
            }
        }
    }

    /// The active signer, when the set has one.
    pub fn active_key(&self) -> Option<&Key> {
        self.active.as_deref().and_then(|kid| self.get(kid))
    }

    /// Every key.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// A listing without key material.
    pub fn list(&self) -> Vec<KeyInfo> {
        self.keys
            .iter()
            .map(|k| KeyInfo {
                kid: k.kid.clone(),
                alg: k.alg.as_str().to_owned(),
                kty: k.alg.kty().to_owned(),
                active: self.active.as_deref() == Some(k.kid.as_str()),
                private: k.can_sign(),
            })
            .collect()
    }
}

/// What is wrong with a key document and where, without any of its values: serde's own
/// messages quote the offending value (`invalid type: string "-----BEGIN PRIVATE KEY…"`),
/// and a key file's values are key material.
fn where_invalid(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "cannot be read",
        serde_json::error::Category::Syntax => "is not valid JSON",
        serde_json::error::Category::Data => "has a member of the wrong type or shape",
        serde_json::error::Category::Eof => "ends early",
    };
    format!(
        "the document {what} (line {}, column {})",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
pub(crate) mod tests;
