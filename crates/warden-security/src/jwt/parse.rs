//! Strict, single-pass parsing of JWS compact tokens: segments, base64url, the JOSE header and
//! the claim set.
//!
//! - Base64url without padding, canonical (non-zero trailing bits rejected).
//! - JSON objects with a duplicate member name are rejected at every nesting level (RFC 7515
//!   §5.2 allows either rejecting or last-wins; differing parsers picking different members is
//!   a known attack, so we reject).
//! - The claims are deserialized straight into [`JwtClaims`] by a hand-written visitor, so the
//!   payload is parsed once, without an intermediate `serde_json::Value`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use warden_types::{Audiences, JwtClaims, RateLimitTier, Scopes, UserType};

use super::error::JwtError;

/// The three segments of a compact JWS, still encoded.
pub(crate) struct Segments<'t> {
    pub header: &'t str,
    pub payload: &'t str,
    pub signature: &'t str,
    /// `header.payload`, the JWS signing input.
    pub signing_input: &'t str,
}

/// Splits a compact JWS into exactly three non-empty segments (the signature may not be empty:
/// unsecured JWTs are never accepted).
pub(crate) fn split(token: &str) -> Result<Segments<'_>, JwtError> {
    let bytes = token.as_bytes();
    let first = memchr::memchr(b'.', bytes).ok_or_else(|| JwtError::malformed("not a JWS"))?;
    let second_rel = memchr::memchr(b'.', &bytes[first + 1..])
        .ok_or_else(|| JwtError::malformed("not a JWS: expected 3 segments"))?;
    let second = first + 1 + second_rel;
    if memchr::memchr(b'.', &bytes[second + 1..]).is_some() {
        return Err(JwtError::malformed(
            "expected 3 segments (JWE and JSON serializations are not accepted)",
        ));
    }
    let header = &token[..first];
    let payload = &token[first + 1..second];
    let signature = &token[second + 1..];
    if header.is_empty() || payload.is_empty() {
        return Err(JwtError::malformed("empty header or payload segment"));
    }
    // An empty signature is left to the validator, which checks the header first: the
    // classic unsigned `alg: none` token is then `alg_not_allowed`, and any other token
    // fails signature verification (`bad_signature`).
    Ok(Segments {
        header,
        payload,
        signature,
        signing_input: &token[..second],
    })
}

/// Decodes strict base64url (no padding, canonical) into `out`, returning the decoded length.
/// `None` when the input is not strict base64url or does not fit. (SIMD-accelerated:
/// `base64-simd`, which rejects padding in the no-pad engine and non-zero trailing bits.)
pub(crate) fn b64_decode_into(input: &str, out: &mut [u8]) -> Option<usize> {
    let eng = &base64_simd::URL_SAFE_NO_PAD;
    let m = eng.decoded_length(input.as_bytes()).ok()?;
    let dst = out.get_mut(..m)?;
    eng.decode(input.as_bytes(), base64_simd::Out::from_slice(dst))
        .ok()
        .map(|s| s.len())
}

/// True when `input` is strict base64url (no padding, canonical trailing bits), whatever
/// its length.
pub(crate) fn is_strict_b64(input: &str) -> bool {
    base64_simd::URL_SAFE_NO_PAD.check(input.as_bytes()).is_ok()
}

/// Decodes strict base64url into a fresh vector.
pub(crate) fn b64_decode(input: &str) -> Option<Vec<u8>> {
    base64_simd::URL_SAFE_NO_PAD
        .decode_to_vec(input.as_bytes())
        .ok()
}

/// A string that borrows from the input when it has no escapes.
pub(crate) struct Str<'a>(pub Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Member names seen so far in one object; a repeat is an error.
struct SeenKeys<'de>(Vec<Cow<'de, str>>);

impl<'de> SeenKeys<'de> {
    fn new() -> Self {
        SeenKeys(Vec::new())
    }
    fn insert<E: de::Error>(&mut self, key: Cow<'de, str>) -> Result<(), E> {
        if self.0.contains(&key) {
            return Err(E::custom("duplicate JSON member name"));
        }
        self.0.push(key);
        Ok(())
    }
}

/// Any JSON value, skipped, but checked for duplicate member names at every level.
pub(crate) struct StrictIgnored;

impl<'de> Deserialize<'de> for StrictIgnored {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrictIgnored;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<StrictIgnored, E> {
                Ok(StrictIgnored)
            }
            fn visit_i64<E>(self, _: i64) -> Result<StrictIgnored, E> {
                Ok(StrictIgnored)
            }
            fn visit_u64<E>(self, _: u64) -> Result<StrictIgnored, E> {
                Ok(StrictIgnored)
            }
            fn visit_f64<E>(self, _: f64) -> Result<StrictIgnored, E> {
                Ok(StrictIgnored)
            }
            fn visit_str<E>(self, _: &str) -> Result<StrictIgnored, E> {
                Ok(StrictIgnored)
            }
            fn visit_unit<E>(self) -> Result<StrictIgnored, E> {
                Ok(StrictIgnored)
            }
            fn visit_none<E>(self) -> Result<StrictIgnored, E> {
                Ok(StrictIgnored)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrictIgnored, A::Error> {
                while seq.next_element::<StrictIgnored>()?.is_some() {}
                Ok(StrictIgnored)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictIgnored, A::Error> {
                let mut seen = SeenKeys::new();
                while let Some(Str(k)) = map.next_key::<Str<'de>>()? {
                    seen.insert::<A::Error>(k)?;
                    map.next_value::<StrictIgnored>()?;
                }
                Ok(StrictIgnored)
            }
        }
        d.deserialize_any(V)
    }
}

/// The JOSE header members Warden looks at.
pub(crate) struct Header<'a> {
    pub alg: Option<Str<'a>>,
    pub kid: Option<Str<'a>>,
    /// `crit`, when present (may be empty, which RFC 7515 forbids).
    pub crit: Option<Vec<String>>,
    /// True when the header embeds a `jwk`.
    pub has_jwk: bool,
}

impl<'de> Deserialize<'de> for Header<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Header<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JOSE header object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header<'de>, A::Error> {
                let mut h = Header {
                    alg: None,
                    kid: None,
                    crit: None,
                    has_jwk: false,
                };
                let mut seen = SeenKeys::new();
                while let Some(Str(k)) = map.next_key::<Str<'de>>()? {
                    match k.as_ref() {
                        "alg" => h.alg = Some(map.next_value()?),
                        "kid" => h.kid = Some(map.next_value()?),
                        "crit" => h.crit = Some(map.next_value::<Vec<String>>()?),
                        "jwk" => {
                            map.next_value::<StrictIgnored>()?;
                            h.has_jwk = true;
                        }
                        _ => {
                            map.next_value::<StrictIgnored>()?;
                        }
                    }
                    seen.insert::<A::Error>(k)?;
                }
                Ok(h)
            }
        }
        d.deserialize_map(V)
    }
}

/// Parses a decoded header.
pub(crate) fn parse_header(json: &[u8]) -> Result<Header<'_>, JwtError> {
    let bad = || JwtError::malformed("header is not a valid JSON object");
    // Validating UTF-8 once for the whole document lets serde_json skip it per string.
    let text = std::str::from_utf8(json).map_err(|_| bad())?;
    if let Some(h) = super::fastclaims::parse_header(text) {
        return Ok(h);
    }
    serde_json::from_str(text).map_err(|_| bad())
}

/// A NumericDate: an integer or a finite number of seconds (fractions are truncated).
struct NumericDate(i64);

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumericDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a NumericDate")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
                Ok(NumericDate(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
                i64::try_from(v)
                    .map(NumericDate)
                    .map_err(|_| E::custom("NumericDate out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
                if v.is_finite() && v.abs() < 9.0e15 {
                    // Truncation towards zero is the intended conversion of a NumericDate.
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(NumericDate(v.trunc() as i64))
                } else {
                    Err(E::custom("NumericDate out of range"))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A wire enum that maps unknown words to `None` instead of failing (foreign issuers).
struct Lenient<T>(Option<T>);

impl<'de, T: std::str::FromStr> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Option::<Str<'de>>::deserialize(d)?;
        Ok(Lenient(s.and_then(|s| s.0.parse().ok())))
    }
}

const F_SUB: u32 = 1 << 0;
const F_IAT: u32 = 1 << 1;
const F_EXP: u32 = 1 << 2;
const F_NBF: u32 = 1 << 3;
pub(crate) const F_ISS: u32 = 1 << 4;
pub(crate) const F_AUD: u32 = 1 << 5;
const F_JTI: u32 = 1 << 6;
const F_SCOPE: u32 = 1 << 7;
const F_USERNAME: u32 = 1 << 8;
const F_EMAIL: u32 = 1 << 9;
const F_USER_TYPE: u32 = 1 << 10;
const F_ROLES: u32 = 1 << 11;
const F_CLIENT_ID: u32 = 1 << 12;
const F_TOKEN_TYPE: u32 = 1 << 13;
const F_AUTH_TIME: u32 = 1 << 14;
const F_SESSION_ID: u32 = 1 << 15;
const F_TIER: u32 = 1 << 16;

/// The claim set as parsed, with presence bits for the claims that validation may require.
pub(crate) struct ParsedClaims {
    pub claims: JwtClaims,
    pub has_iss: bool,
    pub has_aud: bool,
}

struct ClaimsSeed;

impl<'de> Deserialize<'de> for ParsedClaims {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ClaimsSeed)
    }
}

pub(crate) fn field_bit(name: &str) -> u32 {
    match name {
        "sub" => F_SUB,
        "iat" => F_IAT,
        "exp" => F_EXP,
        "nbf" => F_NBF,
        "iss" => F_ISS,
        "aud" => F_AUD,
        "jti" => F_JTI,
        "scope" => F_SCOPE,
        "username" => F_USERNAME,
        "email" => F_EMAIL,
        "user_type" => F_USER_TYPE,
        "roles" => F_ROLES,
        "client_id" => F_CLIENT_ID,
        "token_type" => F_TOKEN_TYPE,
        "auth_time" => F_AUTH_TIME,
        "session_id" => F_SESSION_ID,
        "rate_limit_tier" => F_TIER,
        _ => 0,
    }
}

/// Reports which required claim is missing through the serde error channel.
pub(crate) const MISSING_SUB: &str = "\u{0}missing:sub";
pub(crate) const MISSING_EXP: &str = "\u{0}missing:exp";

impl<'de> Visitor<'de> for ClaimsSeed {
    type Value = ParsedClaims;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParsedClaims, A::Error> {
        let mut seen_bits = 0u32;
        let mut others = SeenKeys::new();
        let mut sub = None;
        let mut exp = None;
        let mut token_type = None;
        let mut c = JwtClaims {
            sub: String::new(),
            iat: 0,
            exp: 0,
            nbf: None,
            iss: String::new(),
            aud: Audiences::default(),
            jti: String::new(),
            scope: Scopes::default(),
            username: String::new(),
            email: String::new(),
            user_type: UserType::Unknown,
            roles: None,
            client_id: None,
            token_type: String::new(),
            auth_time: 0,
            session_id: None,
            rate_limit_tier: None,
        };
        while let Some(Str(k)) = map.next_key::<Str<'de>>()? {
            let bit = field_bit(&k);
            if bit == 0 {
                others.insert::<A::Error>(k)?;
                map.next_value::<StrictIgnored>()?;
                continue;
            }
            if seen_bits & bit != 0 {
                return Err(de::Error::custom("duplicate JSON member name"));
            }
            seen_bits |= bit;
            match bit {
                F_SUB => sub = Some(map.next_value::<String>()?),
                F_IAT => c.iat = map.next_value::<Option<NumericDate>>()?.map_or(0, |d| d.0),
                F_EXP => exp = map.next_value::<Option<NumericDate>>()?.map(|d| d.0),
                F_NBF => c.nbf = map.next_value::<Option<NumericDate>>()?.map(|d| d.0),
                F_ISS => c.iss = map.next_value::<Option<String>>()?.unwrap_or_default(),
                F_AUD => c.aud = map.next_value::<Option<Audiences>>()?.unwrap_or_default(),
                F_JTI => c.jti = map.next_value::<Option<String>>()?.unwrap_or_default(),
                F_SCOPE => c.scope = map.next_value::<Option<Scopes>>()?.unwrap_or_default(),
                F_USERNAME => c.username = map.next_value::<Option<String>>()?.unwrap_or_default(),
                F_EMAIL => c.email = map.next_value::<Option<String>>()?.unwrap_or_default(),
                F_USER_TYPE => {
                    c.user_type = map
                        .next_value::<Lenient<UserType>>()?
                        .0
                        .unwrap_or(UserType::Unknown);
                }
                F_ROLES => c.roles = map.next_value::<Option<Vec<String>>>()?,
                F_CLIENT_ID => c.client_id = map.next_value::<Option<String>>()?,
                F_TOKEN_TYPE => token_type = map.next_value::<Option<String>>()?,
                F_AUTH_TIME => {
                    c.auth_time = map.next_value::<Option<NumericDate>>()?.map_or(0, |d| d.0);
                }
                F_SESSION_ID => c.session_id = map.next_value::<Option<String>>()?,
                _ => c.rate_limit_tier = map.next_value::<Lenient<RateLimitTier>>()?.0,
            }
        }
        c.sub = sub.ok_or_else(|| de::Error::custom(MISSING_SUB))?;
        c.exp = exp.ok_or_else(|| de::Error::custom(MISSING_EXP))?;
        c.token_type = token_type.unwrap_or_else(|| "Bearer".to_owned());
        Ok(ParsedClaims {
            claims: c,
            has_iss: seen_bits & F_ISS != 0,
            has_aud: seen_bits & F_AUD != 0,
        })
    }
}

/// Parses a decoded claim set (the fast path for the common shape, else serde).
pub(crate) fn parse_claims(json: &[u8]) -> Result<ParsedClaims, JwtError> {
    let text =
        std::str::from_utf8(json).map_err(|_| JwtError::malformed("claims are not valid UTF-8"))?;
    if let Some(p) = super::fastclaims::parse(text) {
        return Ok(p);
    }
    parse_claims_serde(text)
}

/// Parses a claim set with serde (the reference path).
pub(crate) fn parse_claims_serde(text: &str) -> Result<ParsedClaims, JwtError> {
    serde_json::from_str::<ParsedClaims>(text).map_err(|e| {
        let msg = e.to_string();
        if msg.starts_with(MISSING_SUB) {
            JwtError::MissingClaim("sub")
        } else if msg.starts_with(MISSING_EXP) {
            JwtError::MissingClaim("exp")
        } else {
            JwtError::malformed("claims are not a valid JWT claims object")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_requires_exactly_three_segments() {
        assert!(split("a.b.c").is_ok());
        assert!(matches!(split("a.b"), Err(JwtError::Malformed(_))));
        assert!(matches!(split("a.b.c.d.e"), Err(JwtError::Malformed(_))));
        assert!(split("a.b.").is_ok_and(|s| s.signature.is_empty()));
        assert!(matches!(split(".b.c"), Err(JwtError::Malformed(_))));
    }

    #[test]
    fn base64_rejects_padding_and_non_canonical_bits() {
        let mut buf = [0u8; 8];
        assert_eq!(b64_decode_into("YQ", &mut buf), Some(1));
        assert_eq!(b64_decode_into("YQ==", &mut buf), None);
        assert_eq!(b64_decode_into("YR", &mut buf), None);
        assert_eq!(b64_decode_into("Y+", &mut buf), None);
    }

    #[test]
    fn header_rejects_duplicate_members() {
        assert!(parse_header(br#"{"alg":"HS256","alg":"none"}"#).is_err());
        assert!(parse_header(br#"{"alg":"HS256","x":{"a":1,"a":2}}"#).is_err());
        assert!(parse_header(br#"{"alg":"HS256","x":1,"x":2}"#).is_err());
    }

    #[test]
    fn header_reports_crit_and_jwk() {
        let h = parse_header(br#"{"alg":"ES256","crit":["b64"],"jwk":{"kty":"EC"}}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.crit, Some(vec!["b64".to_owned()]));
        assert!(h.has_jwk);
    }

    #[test]
    fn claims_require_sub_and_exp() {
        assert_eq!(
            parse_claims(br#"{"exp":1}"#).err(),
            Some(JwtError::MissingClaim("sub"))
        );
        assert_eq!(
            parse_claims(br#"{"sub":"u"}"#).err(),
            Some(JwtError::MissingClaim("exp"))
        );
    }

    #[test]
    fn claims_reject_duplicates_known_and_unknown() {
        assert!(parse_claims(br#"{"sub":"a","sub":"b","exp":1}"#).is_err());
        assert!(parse_claims(br#"{"sub":"a","exp":1,"x":1,"x":2}"#).is_err());
    }

    #[test]
    fn claims_accept_foreign_shapes() {
        let p = parse_claims(
            br#"{"sub":"a","exp":1.5,"aud":"api","user_type":"customer","scope":"read x","extra":{"n":[1,{"a":null}]}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.claims.exp, 1);
        assert_eq!(p.claims.user_type, UserType::Unknown);
        assert!(p.has_aud);
        assert!(!p.has_iss);
    }
}
