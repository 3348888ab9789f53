//! JWS compact validation (SPEC §3). The order of checks:
//!
//! 1. size cap (8 KiB by default) — before any parsing;
//! 2. cache lookup (hit: `exp` and revocation re-checked);
//! 3. three segments, strict base64url;
//! 4. header: duplicate members, `alg` present and not `none`, `crit` (none understood →
//!    any entry is rejected), embedded `jwk` rejected (`jku`/`x5u`/`x5c` are ignored: they
//!    never select a key);
//! 5. key by `kid` (a token without `kid` is accepted only when the set holds exactly one key);
//!    the token's `alg` must equal the key's pinned `alg` (no HS/asymmetric confusion);
//! 6. signature (constant-time MAC compare inside the backend);
//! 7. claims, parsed once: `sub`/`exp` required, duplicate members rejected;
//! 8. `exp` (strict: `now < exp`), `nbf` and `iat` (with leeway), issuer, audience, revocation.

use std::sync::Arc;

use parking_lot::RwLock;
use warden_types::JwtClaims;

use super::backend;
use super::cache::TokenCache;
use super::error::{quote, JwtError};
use super::parse;
use crate::keys::{Algorithm, Key, KeyPick, KeySet};
use crate::revocation::RevocationStore;

/// Largest token accepted, in bytes.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Default leeway for `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY_SECS: i64 = 30;

/// What a validator checks besides the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationOptions {
    /// Pinned issuer; `None` = any issuer.
    pub issuer: Option<String>,
    /// Accepted audiences; empty = the audience is not checked.
    pub audiences: Vec<String>,
    /// Leeway for `nbf` and `iat` in seconds.
    pub leeway_secs: i64,
    /// Size cap in bytes.
    pub max_token_len: usize,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        ValidationOptions {
            issuer: None,
            audiences: Vec::new(),
            leeway_secs: DEFAULT_LEEWAY_SECS,
            max_token_len: MAX_TOKEN_LEN,
        }
    }
}

/// Validates tokens against a key set. Cheap to share (`Arc`); the key set can be swapped at
/// run time (rotation, remote JWKS refresh).
pub struct TokenValidator {
    keys: RwLock<Arc<KeySet>>,
    opts: ValidationOptions,
    revocation: Option<Arc<dyn RevocationStore>>,
    cache: Option<TokenCache>,
}

impl std::fmt::Debug for TokenValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenValidator")
            .field("keys", &self.keys.read().len())
            .field("opts", &self.opts)
            .field("revocation", &self.revocation.is_some())
            .field("cache", &self.cache)
            .finish()
    }
}

/// The decoded, still untrusted parts of a token (for `warden token inspect`).
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedToken {
    /// The JOSE header.
    pub header: serde_json::Value,
    /// The claim set.
    pub claims: serde_json::Value,
}

/// Decodes header and claims without verifying anything but the encoding (never trust the
/// result).
pub fn decode_unverified(token: &str) -> Result<UnverifiedToken, JwtError> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::TooLarge {
            len: token.len(),
            max: MAX_TOKEN_LEN,
        });
    }
    let segs = parse::split(token)?;
    let decode = |s: &str, what: &str| -> Result<serde_json::Value, JwtError> {
        let bytes = parse::b64_decode(s)
            .ok_or_else(|| JwtError::Malformed(format!("{what} is not base64url")))?;
        serde_json::from_slice(&bytes)
            .map_err(|_| JwtError::Malformed(format!("{what} is not JSON")))
    };
    Ok(UnverifiedToken {
        header: decode(segs.header, "header")?,
        claims: decode(segs.payload, "payload")?,
    })
}

impl TokenValidator {
    /// A validator over `keys` with default options (no issuer/audience pinning, 30 s leeway,
    /// no revocation store, no cache).
    pub fn new(keys: Arc<KeySet>) -> TokenValidator {
        TokenValidator {
            keys: RwLock::new(keys),
            opts: ValidationOptions::default(),
            revocation: None,
            cache: None,
        }
    }

    /// Sets all options at once.
    #[must_use]
    pub fn with_options(mut self, opts: ValidationOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Pins the issuer.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.opts.issuer = Some(issuer.into());
        self
    }

    /// Sets the accepted audiences (a token must name at least one).
    #[must_use]
    pub fn with_audiences<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.opts.audiences = audiences.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the `nbf`/`iat` leeway in seconds (negative values count as 0).
    #[must_use]
    pub fn with_leeway(mut self, secs: i64) -> Self {
        self.opts.leeway_secs = secs.max(0);
        self
    }

    /// Rejects tokens whose `jti` the store reports revoked.
    #[must_use]
    pub fn with_revocation(mut self, store: Arc<dyn RevocationStore>) -> Self {
        self.revocation = Some(store);
        self
    }

    /// Caches validated tokens (bounded to about `capacity` entries).
    #[must_use]
    pub fn with_cache(mut self, capacity: usize) -> Self {
        self.cache = Some(TokenCache::new(capacity));
        self
    }

    /// The options in force.
    pub fn options(&self) -> &ValidationOptions {
        &self.opts
    }

    /// The current key set.
    pub fn keys(&self) -> Arc<KeySet> {
        Arc::clone(&self.keys.read())
    }

    /// Replaces the key set (e.g. after a rotation or a JWKS refresh) and clears the cache, so
    /// tokens of retired keys stop validating at once.
    pub fn replace_keys(&self, keys: Arc<KeySet>) {
        *self.keys.write() = keys;
        if let Some(c) = &self.cache {
            c.clear();
        }
    }

    /// Revokes a token id through the revocation store (if any) and evicts it from the cache.
    pub fn revoke(&self, jti: &str, expires_at: i64) {
        if let Some(store) = &self.revocation {
            store.revoke(jti, expires_at);
        }
        if let Some(c) = &self.cache {
            c.evict_jti(jti);
        }
    }

    /// Validates `token` now.
    pub fn validate(&self, token: &str) -> Result<Arc<JwtClaims>, JwtError> {
        self.validate_at(token, crate::time::now_secs())
    }

    /// Validates `token` as of `now` (unix seconds).
    pub fn validate_at(&self, token: &str, now: i64) -> Result<Arc<JwtClaims>, JwtError> {
        if token.len() > self.opts.max_token_len {
            return Err(JwtError::TooLarge {
                len: token.len(),
                max: self.opts.max_token_len,
            });
        }
        if let Some(cache) = &self.cache {
            if let Some(claims) = cache.get(token.as_bytes(), now) {
                self.check_revoked(&claims)?;
                return Ok(claims);
            }
        }
        let claims = Arc::new(self.validate_uncached(token, now)?);
        if let Some(cache) = &self.cache {
            cache.insert(token.as_bytes(), Arc::clone(&claims), now);
        }
        Ok(claims)
    }

    fn check_revoked(&self, claims: &JwtClaims) -> Result<(), JwtError> {
        if let Some(store) = &self.revocation {
            if !claims.jti.is_empty() && store.is_revoked(&claims.jti) {
                return Err(JwtError::Revoked);
            }
        }
        Ok(())
    }

    fn validate_uncached(&self, token: &str, now: i64) -> Result<JwtClaims, JwtError> {
        let segs = parse::split(token)?;

        // Header: usually small, decoded on the stack; a large one (an `x5c` chain, which is
        // ignored) on the heap, within the token's size limit.
        let mut hbuf = [0u8; 512];
        let heap_header;
        let header_bytes: &[u8] = match parse::b64_decode_into(segs.header, &mut hbuf) {
            Some(n) => hbuf.get(..n).unwrap_or_default(),
            None => {
                heap_header = parse::b64_decode(segs.header)
                    .ok_or_else(|| JwtError::malformed("header is not strict base64url"))?;
                &heap_header
            }
        };
        let header = parse::parse_header(header_bytes)?;
        let alg_name = header
            .alg
            .as_ref()
            .map(|a| a.0.as_ref())
            .ok_or_else(|| JwtError::malformed("header has no alg"))?;
        let alg = Algorithm::from_name(alg_name)
            .ok_or_else(|| JwtError::AlgNotAllowed(quote(alg_name)))?;
        if let Some(crit) = &header.crit {
            return Err(match crit.first() {
                Some(name) => JwtError::CritUnsupported(quote(name)),
                None => JwtError::malformed("crit must not be empty"),
            });
        }
        if header.has_jwk {
            return Err(JwtError::malformed(
                "header embeds a jwk (keys are never taken from the token)",
            ));
        }

        let keys = Arc::clone(&self.keys.read());
        let kid = header.kid.as_ref().map(|k| k.0.as_ref());
        let candidates: Vec<&Key> = match keys.candidates(kid, alg) {
            Ok(c) => c,
            Err(KeyPick::UnknownKid) => {
                return Err(JwtError::UnknownKid(match kid {
                    Some(k) => quote(k),
                    None => "(token has no kid)".into(),
                }))
            }
            Err(KeyPick::AlgMismatch(pinned)) => {
                return Err(JwtError::AlgNotAllowed(format!(
                    "token alg {alg} does not match the key's pinned alg {pinned}"
                )))
            }
        };

        // The longest signature of a supported key (RSA-8192) is 1024 bytes: a longer one is
        // a bad signature; one that is not strict base64url is malformed, like the other
        // segments.
        let mut sbuf = [0u8; 1024];
        let slen = match parse::b64_decode_into(segs.signature, &mut sbuf) {
            Some(n) => n,
            None if parse::is_strict_b64(segs.signature) => return Err(JwtError::BadSignature),
            None => return Err(JwtError::malformed("signature is not strict base64url")),
        };
        // Usually one candidate; several only for a kid-less token against kid-less keys.
        let verified = candidates.iter().any(|key| {
            backend::verify(
                alg,
                &key.verify,
                segs.signing_input.as_bytes(),
                &sbuf[..slen],
            )
        });
        if !verified {
            return Err(JwtError::BadSignature);
        }
        drop(keys);

        let payload = parse::b64_decode(segs.payload)
            .ok_or_else(|| JwtError::malformed("payload is not strict base64url"))?;
        let parsed = parse::parse_claims(&payload)?;
        let c = parsed.claims;

        if now >= c.exp {
            return Err(JwtError::Expired { exp: c.exp, now });
        }
        let leeway = self.opts.leeway_secs;
        if let Some(nbf) = c.nbf {
            if nbf > now.saturating_add(leeway) {
                return Err(JwtError::NotYetValid {
                    claim: "nbf",
                    at: nbf,
                    now,
                    leeway,
                });
            }
        }
        if c.iat > now.saturating_add(leeway) {
            return Err(JwtError::NotYetValid {
                claim: "iat",
                at: c.iat,
                now,
                leeway,
            });
        }
        if let Some(iss) = &self.opts.issuer {
            if !parsed.has_iss {
                return Err(JwtError::MissingClaim("iss"));
            }
            if &c.iss != iss {
                return Err(JwtError::WrongIssuer(quote(&c.iss)));
            }
        }
        if !self.opts.audiences.is_empty() {
            // Absent: missing. Present but empty (`[]`): names no accepted audience, as other
            // validators (PyJWT, jsonwebtoken) answer.
            if !parsed.has_aud {
                return Err(JwtError::MissingClaim("aud"));
            }
            if !c.aud.intersects(&self.opts.audiences) {
                return Err(JwtError::WrongAudience);
            }
        }
        self.check_revoked(&c)?;
        Ok(c)
    }
}
