//! Why a token was rejected or could not be minted.

/// A token failed validation. Each variant maps to one stable code (see [`JwtError::code`]),
/// the `code` of `warden token verify`'s error object. Messages never echo key material and
/// quote attacker-controlled values only truncated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// `exp` is in the past.
    #[error("token expired at {exp} (now {now})")]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The validation time.
        now: i64,
    },
    /// `nbf` (or `iat`) is in the future beyond the leeway.
    #[error("token is not valid yet ({claim} = {at}, now {now}, leeway {leeway} s)")]
    NotYetValid {
        /// `nbf` or `iat`.
        claim: &'static str,
        /// The claim's value.
        at: i64,
        /// The validation time.
        now: i64,
        /// The configured leeway in seconds.
        leeway: i64,
    },
    /// The signature does not verify (or has the wrong length).
    #[error("signature verification failed")]
    BadSignature,
    /// The token is not a well-formed JWS/JWT.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header's `alg` is `none`, unknown, or not the algorithm pinned to the key.
    #[error("algorithm not allowed: {0}")]
    AlgNotAllowed(String),
    /// No key with the token's `kid`.
    #[error("unknown key id {0:?}")]
    UnknownKid(String),
    /// `iss` is not the pinned issuer.
    #[error("wrong issuer {0:?}")]
    WrongIssuer(String),
    /// `aud` does not intersect the configured audiences.
    #[error("no audience of the token is accepted")]
    WrongAudience,
    /// The token's `jti` was revoked.
    #[error("token has been revoked")]
    Revoked,
    /// The token exceeds the size cap (checked before any parsing).
    #[error("token is {len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Size of the token.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// The header lists a `crit` extension Warden does not understand.
    #[error("unsupported critical header parameter {0:?}")]
    CritUnsupported(String),
    /// A required claim is missing.
    #[error("missing required claim {0:?}")]
    MissingClaim(&'static str),
}

impl JwtError {
    /// The stable machine-readable code (`expired`, `not_yet_valid`, `bad_signature`,
    /// `malformed`, `alg_not_allowed`, `unknown_kid`, `wrong_issuer`, `wrong_audience`,
    /// `revoked`, `too_large`, `crit_unsupported`, `missing_claim`).
    pub const fn code(&self) -> &'static str {
        match self {
            JwtError::Expired { .. } => "expired",
            JwtError::NotYetValid { .. } => "not_yet_valid",
            JwtError::BadSignature => "bad_signature",
            JwtError::Malformed(_) => "malformed",
            JwtError::AlgNotAllowed(_) => "alg_not_allowed",
            JwtError::UnknownKid(_) => "unknown_kid",
            JwtError::WrongIssuer(_) => "wrong_issuer",
            JwtError::WrongAudience => "wrong_audience",
            JwtError::Revoked => "revoked",
            JwtError::TooLarge { .. } => "too_large",
            JwtError::CritUnsupported(_) => "crit_unsupported",
            JwtError::MissingClaim(_) => "missing_claim",
        }
    }

    pub(crate) fn malformed(what: &str) -> JwtError {
        JwtError::Malformed(what.to_owned())
    }
}

/// Truncates an attacker-controlled value for an error message (64 bytes, on a char boundary).
pub(crate) fn quote(s: &str) -> String {
    let mut end = s.len().min(64);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// A token could not be minted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    /// The lifetime was zero.
    #[error("token lifetime must be positive")]
    NonPositiveDuration,
    /// The lifetime overflows the clock.
    #[error("token lifetime is too long")]
    DurationTooLong,
    /// The key set has no active signing key.
    #[error("no active signing key")]
    NoSigningKey,
    /// The claims could not be encoded.
    #[error("cannot encode claims: {0}")]
    Encode(String),
    /// The backend failed to sign.
    #[error("signing failed")]
    Sign,
    /// The token would exceed the size validators accept ([`super::MAX_TOKEN_LEN`]).
    #[error("the token would be {len} bytes, over the {max}-byte limit (shorten the claims)")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_cli_code() {
        let all = [
            (JwtError::Expired { exp: 1, now: 2 }, "expired"),
            (
                JwtError::NotYetValid {
                    claim: "nbf",
                    at: 9,
                    now: 1,
                    leeway: 0,
                },
                "not_yet_valid",
            ),
            (JwtError::BadSignature, "bad_signature"),
            (JwtError::malformed("x"), "malformed"),
            (JwtError::AlgNotAllowed("none".into()), "alg_not_allowed"),
            (JwtError::UnknownKid("k".into()), "unknown_kid"),
            (JwtError::WrongIssuer("i".into()), "wrong_issuer"),
            (JwtError::WrongAudience, "wrong_audience"),
            (JwtError::Revoked, "revoked"),
            (JwtError::TooLarge { len: 9, max: 8 }, "too_large"),
            (JwtError::CritUnsupported("b64".into()), "crit_unsupported"),
            (JwtError::MissingClaim("exp"), "missing_claim"),
        ];
        for (e, code) in all {
            assert_eq!(e.code(), code);
        }
    }

    #[test]
    fn displays_are_precise() {
        assert_eq!(
            JwtError::TooLarge {
                len: 9000,
                max: 8192
            }
            .to_string(),
            "token is 9000 bytes, over the 8192-byte limit"
        );
        assert_eq!(
            JwtError::MissingClaim("exp").to_string(),
            "missing required claim \"exp\""
        );
        assert_eq!(
            MintError::NonPositiveDuration.to_string(),
            "token lifetime must be positive"
        );
    }

    #[test]
    fn quote_truncates_on_char_boundary() {
        let s = "é".repeat(40);
        assert!(quote(&s).len() <= 64);
        assert_eq!(quote("abc"), "abc");
    }
}
