//! JWT minting and validation (SPEC §2.3, §3).
//!
//! - [`JwtService`] mints tokens with the active key of a [`KeySet`] (seed name; the seed's
//!   HS256-secret constructor survives as [`JwtService::from_hs256_secret`]).
//! - [`TokenValidator`] is Warden's own JWS compact verifier: every rule of SPEC §3, typed
//!   [`JwtError`]s with stable codes, an optional bounded cache. Cryptography goes through
//!   [`backend`] (ring) only.
//!
//! Defaults Warden mints with: issuer `warden` ([`DEFAULT_ISSUER`]), audiences
//! `["web","api","a2a","mcp"]` ([`JwtAudience::standard`]), header `{"alg","typ":"JWT","kid"}`.

pub mod backend;
mod cache;
mod error;
mod fastclaims;
mod parse;
mod validate;

#[cfg(test)]
mod attack_tests;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use warden_types::{
    Audiences, JwtAudience, JwtClaims, Permission, RateLimitTier, Scopes, SessionId, UserId,
    UserType,
};

pub use cache::TokenCache;
pub(crate) use error::quote as quote_for_error;
pub use error::{JwtError, MintError};
pub use validate::{
    decode_unverified, TokenValidator, UnverifiedToken, ValidationOptions, DEFAULT_LEEWAY_SECS,
    MAX_TOKEN_LEN,
};

use crate::keys::{Key, KeyError, KeySet};

/// The issuer Warden puts in the tokens it mints unless configured otherwise.
pub const DEFAULT_ISSUER: &str = "warden";

/// Parameters of an admin token (SPEC §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminTokenParams {
    /// The admin's user id (`sub`).
    pub user_id: UserId,
    /// The session the token belongs to.
    pub session_id: SessionId,
    /// The admin's e-mail address.
    pub email: String,
    /// Display name; defaults to the e-mail address when `None`.
    pub username: Option<String>,
    /// Lifetime (must be positive).
    pub duration: Duration,
}

/// Mints (and, through [`JwtService::validator`], validates) Warden tokens.
#[derive(Debug, Clone)]
pub struct JwtService {
    keys: Arc<KeySet>,
    issuer: String,
    audiences: Vec<JwtAudience>,
}

impl JwtService {
    /// A service signing with the active key of `keys`, issuer `warden`, standard audiences.
    pub fn new(keys: Arc<KeySet>) -> JwtService {
        JwtService {
            keys,
            issuer: DEFAULT_ISSUER.to_owned(),
            audiences: JwtAudience::standard(),
        }
    }

    /// The seed constructor: one HS256 key from a raw secret (at least 32 bytes).
    pub fn from_hs256_secret(secret: &[u8]) -> Result<JwtService, KeyError> {
        Ok(JwtService::new(Arc::new(KeySet::from_hs256_secret(
            secret,
        )?)))
    }

    /// Sets the issuer put in minted tokens.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// Sets the audiences put in minted tokens.
    #[must_use]
    pub fn with_audiences(mut self, audiences: Vec<JwtAudience>) -> Self {
        self.audiences = audiences;
        self
    }

    /// The issuer of minted tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The audiences of minted tokens.
    pub fn audiences(&self) -> &[JwtAudience] {
        &self.audiences
    }

    /// The key set.
    pub fn keys(&self) -> &Arc<KeySet> {
        &self.keys
    }

    /// A validator over the same keys pinned to this service's issuer and audiences.
    pub fn validator(&self) -> TokenValidator {
        TokenValidator::new(Arc::clone(&self.keys))
            .with_issuer(self.issuer.clone())
            .with_audiences(self.audiences.iter().map(|a| a.as_str().to_owned()))
    }

    /// Mints an admin token: scope `admin`, user type admin, roles `[admin, user]`, tier
    /// admin, the service's audiences, a fresh `jti`, `iat` = `auth_time` = now.
    pub fn generate_admin_token(&self, params: &AdminTokenParams) -> Result<String, MintError> {
        let now = crate::time::now_secs();
        let exp = expiry(now, params.duration)?;
        let claims = JwtClaims {
            sub: params.user_id.as_str().to_owned(),
            iat: now,
            exp,
            nbf: None,
            iss: self.issuer.clone(),
            aud: Audiences(self.audiences.clone()),
            jti: new_jti(),
            scope: Scopes::from_permissions(&[Permission::Admin]),
            username: params
                .username
                .clone()
                .unwrap_or_else(|| params.email.clone()),
            email: params.email.clone(),
            user_type: UserType::Admin,
            roles: Some(vec!["admin".into(), "user".into()]),
            client_id: None,
            token_type: "Bearer".into(),
            auth_time: now,
            session_id: Some(params.session_id.as_str().to_owned()),
            rate_limit_tier: Some(RateLimitTier::Admin),
        };
        self.sign_claims(&claims)
    }

    /// Signs an arbitrary claim set with the active key.
    pub fn sign_claims(&self, claims: &JwtClaims) -> Result<String, MintError> {
        let key = self.keys.active_key().ok_or(MintError::NoSigningKey)?;
        encode(claims, key)
    }
}

/// Encodes and signs `claims` with `key` (`{"alg","typ":"JWT","kid"}` header). A token that
/// validators would refuse for its size ([`MAX_TOKEN_LEN`]) is not minted.
pub fn encode(claims: &JwtClaims, key: &Key) -> Result<String, MintError> {
    let signer = key.sign.as_ref().ok_or(MintError::NoSigningKey)?;
    let header = serde_json::json!({"alg": key.alg().as_str(), "typ": "JWT", "kid": key.kid()});
    let header = serde_json::to_vec(&header).map_err(|e| MintError::Encode(e.to_string()))?;
    let payload = serde_json::to_vec(claims).map_err(|e| MintError::Encode(e.to_string()))?;
    // Base64url of both segments plus the dots, before the signature (at most 1024 bytes).
    let unsigned = (header.len() + payload.len()).div_ceil(3) * 4 + 2;
    if unsigned > MAX_TOKEN_LEN {
        return Err(MintError::TooLarge {
            len: unsigned,
            max: MAX_TOKEN_LEN,
        });
    }
    let mut out = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 400);
    URL_SAFE_NO_PAD.encode_string(&header, &mut out);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut out);
    let sig = backend::sign(key.alg(), signer, out.as_bytes()).map_err(|_| MintError::Sign)?;
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(&sig, &mut out);
    if out.len() > MAX_TOKEN_LEN {
        return Err(MintError::TooLarge {
            len: out.len(),
            max: MAX_TOKEN_LEN,
        });
    }
    Ok(out)
}

/// Signs arbitrary header and payload bytes with the active key, without any check (for the
/// fuzz target, which needs validly signed garbage to reach the claim parser). Never use this
/// to mint tokens.
#[doc(hidden)]
pub fn encode_raw_for_fuzzing(keys: &KeySet, header: &[u8], payload: &[u8]) -> Option<String> {
    let key = keys.active_key()?;
    let mut out = URL_SAFE_NO_PAD.encode(header);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut out);
    let sig = backend::sign(key.alg(), key.sign.as_ref()?, out.as_bytes()).ok()?;
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(&sig, &mut out);
    Some(out)
}

/// `now + duration`, rejecting zero and overflowing lifetimes.
pub(crate) fn expiry(now: i64, duration: Duration) -> Result<i64, MintError> {
    if duration.is_zero() {
        return Err(MintError::NonPositiveDuration);
    }
    let secs = i64::try_from(duration.as_secs().max(1)).map_err(|_| MintError::DurationTooLong)?;
    now.checked_add(secs).ok_or(MintError::DurationTooLong)
}

/// A fresh token id (UUID v4).
pub(crate) fn new_jti() -> String {
    uuid::Uuid::new_v4().to_string()
}
