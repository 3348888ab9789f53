//! Minting and validation rules (the attack suite lives in `attack_tests`).

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use warden_types::{Permission, Scopes, SessionId, UserId, UserType};

use super::*;
use crate::keys::{Algorithm, Key, KeySet};
use crate::revocation::{InMemoryRevocationStore, RevocationStore};
use crate::session::{SessionGenerator, SessionParams, ValidatedSessionClaims};

pub(crate) const NOW: i64 = 1_900_000_000;

pub(crate) fn set(alg: Algorithm) -> Arc<KeySet> {
    if matches!(alg, Algorithm::RS256 | Algorithm::PS256) {
        let mut v: Value =
            serde_json::from_str(crate::keys::tests::RSA_FIXTURE).unwrap_or_default();
        v["keys"][0]["alg"] = json!(alg.as_str());
        return Arc::new(KeySet::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}")));
    }
    Arc::new(KeySet::generate(alg).unwrap_or_else(|e| panic!("{e}")))
}

pub(crate) fn full_claims() -> Value {
    json!({
        "sub": "user-1", "iat": NOW - 10, "exp": NOW + 3600, "iss": "warden",
        "aud": ["web", "api", "a2a", "mcp"], "jti": "jti-1", "scope": "user mcp",
        "username": "alice", "email": "alice@example.com", "user_type": "user",
        "roles": ["user"], "token_type": "Bearer", "auth_time": NOW - 10,
        "session_id": "sess-1", "rate_limit_tier": "user"
    })
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs raw header and payload bytes with `key` under `alg` (no checks: attack crafting).
pub(crate) fn craft_raw(header: &[u8], payload: &[u8], key: &Key, alg: Algorithm) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signer = key
        .sign
        .as_ref()
        .unwrap_or_else(|| panic!("key cannot sign"));
    let sig = backend::sign(alg, signer, input.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    format!("{input}.{}", b64(&sig))
}

pub(crate) fn craft(header: &Value, claims: &Value, key: &Key) -> String {
    craft_raw(
        header.to_string().as_bytes(),
        claims.to_string().as_bytes(),
        key,
        key.alg(),
    )
}

pub(crate) fn std_header(key: &Key) -> Value {
    json!({"alg": key.alg().as_str(), "typ": "JWT", "kid": key.kid()})
}

pub(crate) fn active(keys: &KeySet) -> &Key {
    keys.active_key().unwrap_or_else(|| panic!("no active key"))
}

fn token_with(keys: &KeySet, patch: impl FnOnce(&mut Value)) -> String {
    let mut c = full_claims();
    patch(&mut c);
    craft(&std_header(active(keys)), &c, active(keys))
}

#[test]
fn every_algorithm_mints_and_validates() {
    for alg in Algorithm::ALL {
        let keys = set(*alg);
        let svc = JwtService::new(Arc::clone(&keys));
        let token = svc
            .generate_admin_token(&AdminTokenParams {
                user_id: UserId::new("admin-1"),
                session_id: SessionId::new("s-1"),
                email: "a@example.com".into(),
                username: None,
                duration: Duration::from_secs(60),
            })
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        let claims = svc
            .validator()
            .validate(&token)
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(claims.sub, "admin-1", "{alg}");
    }
}

#[test]
fn admin_token_carries_the_full_admin_claim_set() {
    let svc = JwtService::new(set(Algorithm::HS256));
    let token = svc
        .generate_admin_token(&AdminTokenParams {
            user_id: UserId::new("admin-1"),
            session_id: SessionId::new("s-1"),
            email: "a@example.com".into(),
            username: None,
            duration: Duration::from_secs(3600),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let c = svc
        .validator()
        .validate(&token)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.scope.to_string(), "admin");
    assert_eq!(c.user_type, UserType::Admin);
    assert_eq!(c.roles, Some(vec!["admin".to_owned(), "user".to_owned()]));
    assert_eq!(c.rate_limit_tier, Some(warden_types::RateLimitTier::Admin));
    assert_eq!(c.iss, "warden");
    assert_eq!(c.aud.0, warden_types::JwtAudience::standard());
    assert_eq!(c.iat, c.auth_time);
    assert_eq!(c.exp - c.iat, 3600);
    assert_eq!(c.session_id.as_deref(), Some("s-1"));
    assert_eq!(c.email, "a@example.com");
    assert!(!c.jti.is_empty());
}

#[test]
fn zero_duration_is_rejected() {
    let svc = JwtService::new(set(Algorithm::HS256));
    let r = svc.generate_admin_token(&AdminTokenParams {
        user_id: UserId::new("a"),
        session_id: SessionId::new("s"),
        email: "e".into(),
        username: None,
        duration: Duration::ZERO,
    });
    assert_eq!(r, Err(MintError::NonPositiveDuration));
}

#[test]
fn fresh_jti_per_token() {
    let svc = JwtService::new(set(Algorithm::HS256));
    let p = AdminTokenParams {
        user_id: UserId::new("a"),
        session_id: SessionId::new("s"),
        email: "e".into(),
        username: None,
        duration: Duration::from_secs(60),
    };
    let v = svc.validator();
    let a = v
        .validate(&svc.generate_admin_token(&p).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let b = v
        .validate(&svc.generate_admin_token(&p).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(a.jti, b.jti);
}

#[test]
fn session_generator_mints_callers_permissions() {
    let svc = JwtService::new(set(Algorithm::EdDSA));
    let g = SessionGenerator::new(svc.clone());
    let mut p = SessionParams::new(
        UserId::new("u-1"),
        SessionId::new("s-9"),
        "u@example.com",
        Scopes::parse("mcp github:read"),
    );
    p.roles = Some(vec!["dev".into()]);
    let token = g.generate(&p).unwrap_or_else(|e| panic!("{e}"));
    let c = svc
        .validator()
        .validate(&token)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.user_type, UserType::Mcp);
    assert_eq!(c.scope.permissions(), vec![Permission::Mcp]);
    assert!(c.scope.contains("github:read"));
    assert_eq!(c.roles, Some(vec!["dev".to_owned()]));
    assert_eq!(c.rate_limit_tier, Some(warden_types::RateLimitTier::Mcp));
    let v = ValidatedSessionClaims::from_claims(&c).unwrap_or_else(|| panic!("no session"));
    assert_eq!(v.session_id.as_str(), "s-9");
    assert_eq!(v.user_id.as_str(), "u-1");
}

#[test]
fn validated_session_claims_need_session_id() {
    let mut c: warden_types::JwtClaims =
        serde_json::from_value(full_claims()).unwrap_or_else(|e| panic!("{e}"));
    c.session_id = None;
    assert!(ValidatedSessionClaims::from_claims(&c).is_none());
}

#[test]
fn seed_hs256_secret_constructor_works() {
    let svc = JwtService::from_hs256_secret(&[9u8; 32]).unwrap_or_else(|e| panic!("{e}"));
    let g = SessionGenerator::new(svc.clone());
    let t = g
        .generate(&SessionParams::new(
            UserId::new("u"),
            SessionId::new("s"),
            "e",
            Scopes::parse("user"),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(svc.validator().validate(&t).is_ok());
}

#[test]
fn accepts_valid_token_with_full_claims() {
    let keys = set(Algorithm::HS256);
    let t = token_with(&keys, |_| {});
    let c = TokenValidator::new(Arc::clone(&keys))
        .with_issuer("warden")
        .with_audiences(["api"])
        .validate_at(&t, NOW)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.sub, "user-1");
    assert_eq!(c.session_id.as_deref(), Some("sess-1"));
}

#[test]
fn exp_is_strict() {
    let keys = set(Algorithm::HS256);
    let t = token_with(&keys, |c| c["exp"] = json!(NOW));
    let v = TokenValidator::new(Arc::clone(&keys));
    assert!(matches!(
        v.validate_at(&t, NOW),
        Err(JwtError::Expired { .. })
    ));
    assert!(v.validate_at(&t, NOW - 1).is_ok());
}

#[test]
fn nbf_honours_leeway() {
    let keys = set(Algorithm::HS256);
    let t = token_with(&keys, |c| c["nbf"] = json!(NOW + 30));
    let v = TokenValidator::new(Arc::clone(&keys));
    assert!(v.validate_at(&t, NOW).is_ok());
    let t = token_with(&keys, |c| c["nbf"] = json!(NOW + 31));
    assert!(matches!(
        v.validate_at(&t, NOW),
        Err(JwtError::NotYetValid { claim: "nbf", .. })
    ));
}

#[test]
fn leeway_is_configurable() {
    let keys = set(Algorithm::HS256);
    let t = token_with(&keys, |c| c["nbf"] = json!(NOW + 5));
    let v = TokenValidator::new(Arc::clone(&keys)).with_leeway(0);
    assert!(matches!(
        v.validate_at(&t, NOW),
        Err(JwtError::NotYetValid { .. })
    ));
}

#[test]
fn iat_in_the_future_is_not_yet_valid() {
    let keys = set(Algorithm::HS256);
    let t = token_with(&keys, |c| c["iat"] = json!(NOW + 300));
    assert!(matches!(
        TokenValidator::new(Arc::clone(&keys)).validate_at(&t, NOW),
        Err(JwtError::NotYetValid { claim: "iat", .. })
    ));
}

#[test]
fn issuer_is_pinned_when_configured() {
    let keys = set(Algorithm::HS256);
    let t = token_with(&keys, |c| c["iss"] = json!("evil"));
    let v = TokenValidator::new(Arc::clone(&keys)).with_issuer("warden");
    assert!(matches!(
        v.validate_at(&t, NOW),
        Err(JwtError::WrongIssuer(_))
    ));
    assert!(TokenValidator::new(Arc::clone(&keys))
        .validate_at(&t, NOW)
        .is_ok());
}

#[test]
fn missing_issuer_is_missing_claim_when_pinned() {
    let keys = set(Algorithm::HS256);
    let t = token_with(&keys, |c| {
        c.as_object_mut().map(|o| o.remove("iss"));
    });
    let v = TokenValidator::new(Arc::clone(&keys)).with_issuer("warden");
    assert_eq!(
        v.validate_at(&t, NOW).err(),
        Some(JwtError::MissingClaim("iss"))
    );
}

#[test]
fn audience_must_intersect_string_or_array() {
    let keys = set(Algorithm::HS256);
    let v = TokenValidator::new(Arc::clone(&keys)).with_audiences(["mcp", "https://r"]);
    let t = token_with(&keys, |c| c["aud"] = json!("https://r"));
    assert!(v.validate_at(&t, NOW).is_ok());
    let t = token_with(&keys, |c| c["aud"] = json!(["web", "mcp"]));
    assert!(v.validate_at(&t, NOW).is_ok());
    let t = token_with(&keys, |c| c["aud"] = json!(["web"]));
    assert_eq!(v.validate_at(&t, NOW).err(), Some(JwtError::WrongAudience));
    let t = token_with(&keys, |c| c["aud"] = json!([]));
    assert_eq!(v.validate_at(&t, NOW).err(), Some(JwtError::WrongAudience));
    let t = token_with(&keys, |c| {
        c.as_object_mut().map(|o| o.remove("aud"));
    });
    assert_eq!(
        v.validate_at(&t, NOW).err(),
        Some(JwtError::MissingClaim("aud"))
    );
}

#[test]
fn only_sub_and_exp_are_required_without_pinning() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let t = craft(&std_header(k), &json!({"sub": "x", "exp": NOW + 5}), k);
    let c = TokenValidator::new(Arc::clone(&keys))
        .validate_at(&t, NOW)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.token_type, "Bearer");
    let t = craft(&std_header(k), &json!({"exp": NOW + 5}), k);
    assert_eq!(
        TokenValidator::new(Arc::clone(&keys))
            .validate_at(&t, NOW)
            .err(),
        Some(JwtError::MissingClaim("sub"))
    );
    let t = craft(&std_header(k), &json!({"sub": "x"}), k);
    assert_eq!(
        TokenValidator::new(Arc::clone(&keys))
            .validate_at(&t, NOW)
            .err(),
        Some(JwtError::MissingClaim("exp"))
    );
}

#[test]
fn revoked_jti_is_rejected() {
    let keys = set(Algorithm::HS256);
    let store = Arc::new(InMemoryRevocationStore::new());
    store.revoke("jti-1", NOW + 3600);
    let v = TokenValidator::new(Arc::clone(&keys)).with_revocation(store);
    let t = token_with(&keys, |_| {});
    assert_eq!(v.validate_at(&t, NOW).err(), Some(JwtError::Revoked));
}

#[test]
fn cache_hit_returns_same_claims() {
    let keys = set(Algorithm::HS256);
    let v = TokenValidator::new(Arc::clone(&keys)).with_cache(64);
    let t = token_with(&keys, |_| {});
    let a = v.validate_at(&t, NOW).unwrap_or_else(|e| panic!("{e}"));
    let b = v.validate_at(&t, NOW).unwrap_or_else(|e| panic!("{e}"));
    assert!(Arc::ptr_eq(&a, &b));
}

#[test]
fn cached_token_expires_at_exp() {
    let keys = set(Algorithm::HS256);
    let v = TokenValidator::new(Arc::clone(&keys)).with_cache(64);
    let t = token_with(&keys, |c| c["exp"] = json!(NOW + 10));
    assert!(v.validate_at(&t, NOW).is_ok());
    assert!(matches!(
        v.validate_at(&t, NOW + 10),
        Err(JwtError::Expired { .. })
    ));
}

#[test]
fn revocation_invalidates_cached_token() {
    let keys = set(Algorithm::HS256);
    let store = Arc::new(InMemoryRevocationStore::new());
    let v = TokenValidator::new(Arc::clone(&keys))
        .with_revocation(store.clone())
        .with_cache(64);
    let t = token_with(&keys, |_| {});
    assert!(v.validate_at(&t, NOW).is_ok());
    v.revoke("jti-1", NOW + 3600);
    assert_eq!(v.validate_at(&t, NOW).err(), Some(JwtError::Revoked));
}

#[test]
fn revocation_made_directly_in_the_store_is_seen_on_cache_hit() {
    let keys = set(Algorithm::HS256);
    let store = Arc::new(InMemoryRevocationStore::new());
    let v = TokenValidator::new(Arc::clone(&keys))
        .with_revocation(store.clone())
        .with_cache(64);
    let t = token_with(&keys, |_| {});
    assert!(v.validate_at(&t, NOW).is_ok());
    store.revoke("jti-1", NOW + 3600);
    assert_eq!(v.validate_at(&t, NOW).err(), Some(JwtError::Revoked));
}

#[test]
fn retired_key_stops_validating_after_replace_keys() {
    let mut ks = KeySet::generate(Algorithm::EdDSA).unwrap_or_else(|e| panic!("{e}"));
    let old_kid = active(&ks).kid().to_owned();
    let t = craft(&std_header(active(&ks)), &full_claims(), active(&ks));
    ks.rotate(None).unwrap_or_else(|e| panic!("{e}"));
    let text = ks.to_private_json();
    let v = TokenValidator::new(Arc::new(
        KeySet::from_json(&text).unwrap_or_else(|e| panic!("{e}")),
    ))
    .with_cache(8);
    assert!(
        v.validate_at(&t, NOW).is_ok(),
        "old key keeps verifying after rotate"
    );
    ks.retire(&old_kid).unwrap_or_else(|e| panic!("{e}"));
    let text = ks.to_private_json();
    v.replace_keys(Arc::new(
        KeySet::from_json(&text).unwrap_or_else(|e| panic!("{e}")),
    ));
    assert!(matches!(
        v.validate_at(&t, NOW),
        Err(JwtError::UnknownKid(_))
    ));
}

#[test]
fn token_without_kid_uses_the_only_key() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let t = craft(&json!({"alg": "HS256"}), &full_claims(), k);
    assert!(TokenValidator::new(Arc::clone(&keys))
        .validate_at(&t, NOW)
        .is_ok());
}

#[test]
fn token_without_kid_is_unknown_kid_with_several_keys() {
    let mut ks = KeySet::generate(Algorithm::HS256).unwrap_or_else(|e| panic!("{e}"));
    ks.rotate(None).unwrap_or_else(|e| panic!("{e}"));
    let t = craft(&json!({"alg": "HS256"}), &full_claims(), active(&ks));
    assert!(matches!(
        TokenValidator::new(Arc::new(ks)).validate_at(&t, NOW),
        Err(JwtError::UnknownKid(_))
    ));
}

#[test]
fn decode_unverified_returns_header_and_claims() {
    let keys = set(Algorithm::HS256);
    let t = token_with(&keys, |_| {});
    let u = decode_unverified(&t).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(u.header["alg"], "HS256");
    assert_eq!(u.claims["sub"], "user-1");
}

#[test]
fn foreign_claims_default_sensibly() {
    let keys = set(Algorithm::ES256);
    let k = active(&keys);
    let t = craft(
        &std_header(k),
        &json!({"sub": "x", "exp": NOW + 5, "scope": "read:all", "user_type": "robot", "custom": {"a": [1, 2]}}),
        k,
    );
    let c = TokenValidator::new(Arc::clone(&keys))
        .validate_at(&t, NOW)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.user_type, UserType::Unknown);
    assert!(c.scope.contains("read:all"));
}

#[test]
fn validator_debug_shows_no_key_material() {
    let keys = set(Algorithm::HS256);
    let secret = keys.to_private_json();
    let v: Value = serde_json::from_str(&secret).unwrap_or_default();
    let k = v["keys"][0]["k"].as_str().unwrap_or_default().to_owned();
    let svc = JwtService::new(Arc::clone(&keys));
    assert!(!format!("{svc:?}").contains(&k));
    assert!(!format!("{:?}", svc.validator()).contains(&k));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn validation_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let keys = set(Algorithm::HS256);
            let v = TokenValidator::new(keys).with_cache(4);
            let s = String::from_utf8_lossy(&bytes);
            prop_assert!(v.validate_at(&s, NOW).is_err());
            let _ = decode_unverified(&s);
        }

        #[test]
        fn validation_never_panics_on_dotted_base64(a in "[A-Za-z0-9_-]{0,80}", b in "[A-Za-z0-9_-]{0,200}", c in "[A-Za-z0-9_-]{0,100}") {
            let keys = set(Algorithm::HS256);
            let v = TokenValidator::new(keys);
            let t = format!("{a}.{b}.{c}");
            prop_assert!(v.validate_at(&t, NOW).is_err());
        }

        #[test]
        fn validation_never_panics_on_signed_arbitrary_json(h in "\\PC{0,60}", p in "\\PC{0,200}") {
            let keys = set(Algorithm::HS256);
            let k = active(&keys);
            let t = craft_raw(h.as_bytes(), p.as_bytes(), k, Algorithm::HS256);
            let _ = TokenValidator::new(Arc::clone(&keys)).validate_at(&t, NOW);
        }
    }
}

// ---- verification sets written by other JOSE libraries ----

/// The RSA fixture's public JWK with `kid` and `alg` removed (PyJWT's and jwcrypto's export).
fn bare_rsa_public() -> Value {
    let v: Value = serde_json::from_str(crate::keys::tests::RSA_FIXTURE).unwrap_or_default();
    let k = &v["keys"][0];
    json!({"kty": "RSA", "n": k["n"], "e": k["e"]})
}

#[test]
fn a_verification_set_takes_keys_without_kid_or_alg() {
    let signer = set(Algorithm::RS256);
    let key = active(&signer);
    let jwks = json!({"keys": [bare_rsa_public()]}).to_string();
    let v = TokenValidator::new(Arc::new(
        KeySet::for_verification(&jwks).unwrap_or_else(|e| panic!("{e}")),
    ));
    // No kid in the token: the kid-less key is used, for RS256 …
    let t = craft(&json!({"alg": "RS256"}), &full_claims(), key);
    assert!(v.validate_at(&t, NOW).is_ok());
    // … and for PS256, the other algorithm of its type.
    let ps = set(Algorithm::PS256);
    let t = craft(&json!({"alg": "PS256"}), &full_claims(), active(&ps));
    assert!(v.validate_at(&t, NOW).is_ok());
    // Never across types: an HS256 token signed with the public key's bytes is refused.
    let t = format!(
        "{}.{}.{}",
        b64(br#"{"alg":"HS256"}"#),
        b64(b"{}"),
        b64(b"sig")
    );
    assert!(matches!(
        v.validate_at(&t, NOW),
        Err(JwtError::AlgNotAllowed(_))
    ));
    // A token naming a kid does not match a kid-less key.
    let t = craft(&std_header(key), &full_claims(), key);
    assert!(matches!(
        v.validate_at(&t, NOW),
        Err(JwtError::UnknownKid(_))
    ));
}

#[test]
fn a_verification_set_skips_keys_it_cannot_use_and_keeps_the_rest() {
    let signer = set(Algorithm::RS256);
    let key = active(&signer);
    let mut good = bare_rsa_public();
    good["kid"] = json!(key.kid());
    let jwks = json!({"keys": [
        {"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AAAA", "y": "AAAA", "alg": "ES384"},
        {"kty": "RSA", "kid": "enc", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"},
        {"kty": "OKP", "crv": "X25519", "kid": "x", "x": "AAAA"},
        good,
    ]})
    .to_string();
    assert!(
        KeySet::from_json(&jwks).is_err(),
        "strict parsing still refuses it"
    );
    let v = TokenValidator::new(Arc::new(
        KeySet::for_verification(&jwks).unwrap_or_else(|e| panic!("{e}")),
    ));
    let t = craft(&std_header(key), &full_claims(), key);
    assert!(v.validate_at(&t, NOW).is_ok());
    // Only unusable keys: tokens are judged, not the file.
    let only_bad = json!({"keys": [{"kty": "EC", "crv": "P-384", "x": "AAAA", "y": "AAAA"}]});
    let v = TokenValidator::new(Arc::new(
        KeySet::for_verification(&only_bad.to_string()).unwrap_or_else(|e| panic!("{e}")),
    ));
    assert!(v.validate_at(&t, NOW).is_err());
    assert!(KeySet::for_verification(r#"{"keys":[]}"#).is_err());
}

#[test]
fn a_verification_set_verifies_short_hmac_secrets_but_never_signs() {
    let secret = b"secret";
    let jwks = json!({"keys": [{"kty": "oct", "k": b64(secret)}]}).to_string();
    let set = KeySet::for_verification(&jwks).unwrap_or_else(|e| panic!("{e}"));
    assert!(set.keys().iter().all(|k| !k.can_sign()));
    assert!(set.active_key().is_none());
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(full_claims().to_string().as_bytes())
    );
    let mac = {
        use hmac::Mac;
        let mut m =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap_or_else(|e| panic!("{e}"));
        m.update(input.as_bytes());
        m.finalize().into_bytes()
    };
    let t = format!("{input}.{}", b64(&mac));
    let v = TokenValidator::new(Arc::new(set));
    assert!(v.validate_at(&t, NOW).is_ok());
}

#[test]
fn an_empty_hmac_secret_verifies_nothing() {
    let jwks = json!({"keys": [{"kty": "oct", "k": ""}]}).to_string();
    let set = KeySet::for_verification(&jwks).unwrap_or_else(|e| panic!("{e}"));
    assert!(set.keys().is_empty());
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256"}"#),
        b64(full_claims().to_string().as_bytes())
    );
    let mac = {
        use hmac::Mac;
        let mut m =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(b"").unwrap_or_else(|e| panic!("{e}"));
        m.update(input.as_bytes());
        m.finalize().into_bytes()
    };
    let t = format!("{input}.{}", b64(&mac));
    assert!(TokenValidator::new(Arc::new(set))
        .validate_at(&t, NOW)
        .is_err());
}
