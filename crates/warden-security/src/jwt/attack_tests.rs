//! The attack suite: every known way to get a forged or stale JWT accepted.

use std::sync::Arc;

use serde_json::json;

use super::tests::{active, b64, craft, craft_raw, full_claims, set, std_header, NOW};
use super::*;
use crate::keys::{Algorithm, Key, KeySet};
use crate::revocation::{InMemoryRevocationStore, RevocationStore};

fn validator(keys: &Arc<KeySet>) -> TokenValidator {
    TokenValidator::new(Arc::clone(keys))
        .with_issuer("warden")
        .with_audiences(["api"])
}

fn valid_token(keys: &KeySet) -> String {
    craft(&std_header(active(keys)), &full_claims(), active(keys))
}

#[test]
fn rejects_alg_none_unsigned() {
    let keys = set(Algorithm::HS256);
    let h = json!({"alg": "none", "typ": "JWT", "kid": active(&keys).kid()});
    let t = format!(
        "{}.{}.",
        b64(h.to_string().as_bytes()),
        b64(full_claims().to_string().as_bytes())
    );
    let e = validator(&keys).validate_at(&t, NOW).err();
    assert!(matches!(e, Some(JwtError::AlgNotAllowed(_))), "{e:?}");
}

#[test]
fn an_empty_signature_on_a_real_algorithm_is_bad_signature() {
    let keys = set(Algorithm::HS256);
    let h = json!({"alg": "HS256", "typ": "JWT", "kid": active(&keys).kid()});
    let t = format!(
        "{}.{}.",
        b64(h.to_string().as_bytes()),
        b64(full_claims().to_string().as_bytes())
    );
    let e = validator(&keys).validate_at(&t, NOW).err();
    assert!(matches!(e, Some(JwtError::BadSignature)), "{e:?}");
}

#[test]
fn rejects_alg_none_with_signature() {
    let keys = set(Algorithm::HS256);
    let h = json!({"alg": "none", "kid": active(&keys).kid()});
    let t = format!(
        "{}.{}.AAAA",
        b64(h.to_string().as_bytes()),
        b64(full_claims().to_string().as_bytes())
    );
    assert!(matches!(
        validator(&keys).validate_at(&t, NOW),
        Err(JwtError::AlgNotAllowed(_))
    ));
}

#[test]
fn rejects_alg_none_case_variants() {
    let keys = set(Algorithm::HS256);
    for alg in ["None", "NONE", "nOnE"] {
        let h = json!({"alg": alg, "kid": active(&keys).kid()});
        let t = format!(
            "{}.{}.AAAA",
            b64(h.to_string().as_bytes()),
            b64(full_claims().to_string().as_bytes())
        );
        assert!(
            matches!(
                validator(&keys).validate_at(&t, NOW),
                Err(JwtError::AlgNotAllowed(_))
            ),
            "{alg}"
        );
    }
}

#[test]
fn rejects_hs256_signed_with_rsa_public_key_as_secret() {
    // Classic confusion: the attacker HMACs with the RSA public key (as published) and sets
    // alg HS256 with the RSA key's kid.
    let keys = set(Algorithm::RS256);
    let kid = active(&keys).kid().to_owned();
    let public = keys.public_jwks().to_string();
    let mut secret = public.as_bytes().to_vec();
    secret.resize(secret.len().max(32), b' ');
    let forged_key = Key::hs256_from_secret(&kid, &secret).unwrap_or_else(|e| panic!("{e}"));
    let h = json!({"alg": "HS256", "typ": "JWT", "kid": kid});
    let t = craft(&h, &full_claims(), &forged_key);
    assert!(matches!(
        validator(&keys).validate_at(&t, NOW),
        Err(JwtError::AlgNotAllowed(_))
    ));
}

#[test]
fn rejects_rs256_token_for_hmac_key() {
    let rsa = set(Algorithm::RS256);
    let hs = set(Algorithm::HS256);
    let h = json!({"alg": "RS256", "kid": active(&hs).kid()});
    let t = craft(&h, &full_claims(), active(&rsa));
    assert!(matches!(
        validator(&hs).validate_at(&t, NOW),
        Err(JwtError::AlgNotAllowed(_))
    ));
}

#[test]
fn rejects_other_hmac_strength_than_pinned() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let h = json!({"alg": "HS512", "kid": k.kid()});
    let t = format!(
        "{}.{}.{}",
        b64(h.to_string().as_bytes()),
        b64(b"{}"),
        b64(&[0u8; 64])
    );
    assert!(matches!(
        validator(&keys).validate_at(&t, NOW),
        Err(JwtError::AlgNotAllowed(_))
    ));
}

#[test]
fn rejects_ps256_token_for_rs256_key() {
    let keys = set(Algorithm::RS256);
    let k = active(&keys);
    let h = json!({"alg": "PS256", "kid": k.kid()});
    let t = craft_raw(
        h.to_string().as_bytes(),
        full_claims().to_string().as_bytes(),
        k,
        Algorithm::PS256,
    );
    assert!(matches!(
        validator(&keys).validate_at(&t, NOW),
        Err(JwtError::AlgNotAllowed(_))
    ));
}

#[test]
fn rejects_stripped_signature() {
    let keys = set(Algorithm::HS256);
    let t = valid_token(&keys);
    let stripped = &t[..=t.rfind('.').unwrap_or(0)];
    assert_eq!(
        validator(&keys).validate_at(stripped, NOW).err(),
        Some(JwtError::BadSignature)
    );
}

#[test]
fn rejects_truncated_signature() {
    for alg in [Algorithm::HS256, Algorithm::EdDSA, Algorithm::ES256] {
        let keys = set(alg);
        let t = valid_token(&keys);
        let truncated = &t[..t.len() - 4];
        // Cut inside a base64 quantum the last character may keep bits that a canonical
        // encoding leaves zero: then the segment itself is malformed.
        let code = validator(&keys)
            .validate_at(truncated, NOW)
            .err()
            .map(|e| e.code());
        assert!(
            matches!(code, Some("bad_signature" | "malformed")),
            "{alg}: {code:?}"
        );
    }
}

#[test]
fn rejects_flipped_signature_bit() {
    for alg in Algorithm::ALL {
        let keys = set(*alg);
        let t = valid_token(&keys);
        let dot = t.rfind('.').unwrap_or(0);
        let mut sig = super::parse::b64_decode(&t[dot + 1..]).unwrap_or_default();
        sig[0] ^= 1;
        let forged = format!("{}.{}", &t[..dot], b64(&sig));
        assert_eq!(
            validator(&keys).validate_at(&forged, NOW).err(),
            Some(JwtError::BadSignature),
            "{alg}"
        );
    }
}

#[test]
fn rejects_tampered_payload() {
    let keys = set(Algorithm::EdDSA);
    let t = valid_token(&keys);
    let parts: Vec<&str> = t.split('.').collect();
    let mut c = full_claims();
    c["scope"] = json!("admin");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(c.to_string().as_bytes()),
        parts[2]
    );
    assert_eq!(
        validator(&keys).validate_at(&forged, NOW).err(),
        Some(JwtError::BadSignature)
    );
}

#[test]
fn rejects_padded_base64() {
    let keys = set(Algorithm::HS256);
    let t = valid_token(&keys);
    let parts: Vec<&str> = t.split('.').collect();
    for i in 0..3 {
        let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
        p[i].push_str("==");
        let forged = p.join(".");
        assert!(
            validator(&keys).validate_at(&forged, NOW).is_err(),
            "segment {i}"
        );
    }
}

#[test]
fn rejects_standard_alphabet_reencoding() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    // A payload whose URL-safe encoding contains '-' or '_' re-encoded with '+' and '/'.
    let mut c = full_claims();
    c["username"] = json!("\u{fb}\u{ff}\u{fe}>>>???");
    let t = craft(&std_header(k), &c, k);
    let reenc = t.replace('-', "+").replace('_', "/");
    if reenc != t {
        assert!(validator(&keys).validate_at(&reenc, NOW).is_err());
    }
}

#[test]
fn rejects_non_canonical_trailing_bits_in_signature() {
    let keys = set(Algorithm::HS256);
    let t = valid_token(&keys);
    // HS256 signature: 32 bytes → 43 chars, last char carries 2 unused bits.
    let last = t.chars().last().unwrap_or('A');
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap_or(0);
    let bumped = alphabet
        .chars()
        .nth((idx & !3) | ((idx + 1) & 3))
        .unwrap_or('A');
    let forged = format!("{}{}", &t[..t.len() - 1], bumped);
    assert_ne!(forged, t);
    assert_eq!(
        validator(&keys)
            .validate_at(&forged, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed"),
        "non-canonical bits are malformed, as in the other segments"
    );
    let padded = format!("{t}=");
    assert_eq!(
        validator(&keys)
            .validate_at(&padded, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed")
    );
    let too_long = format!("{t}{}", "A".repeat(2048));
    assert_eq!(
        validator(&keys)
            .validate_at(&too_long, NOW)
            .err()
            .map(|e| e.code()),
        Some("bad_signature")
    );
}

#[test]
fn a_large_ignored_header_member_is_accepted() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    // An `x5c` chain (ignored for key selection) makes the header JSON a few KiB.
    let mut h = std_header(k);
    h["x5c"] = json!(["A".repeat(1500), "B".repeat(1500)]);
    let t = craft(&h, &full_claims(), k);
    assert!(t.len() < 8192);
    assert!(validator(&keys).validate_at(&t, NOW).is_ok());
}

#[test]
fn rejects_unknown_crit() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let h = json!({"alg": "HS256", "kid": k.kid(), "crit": ["exp"], "exp": 1});
    let t = craft(&h, &full_claims(), k);
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("crit_unsupported")
    );
}

#[test]
fn rejects_empty_crit() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let h = json!({"alg": "HS256", "kid": k.kid(), "crit": []});
    let t = craft(&h, &full_claims(), k);
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed")
    );
}

#[test]
fn rejects_embedded_jwk_even_when_signed_by_a_known_key() {
    let keys = set(Algorithm::EdDSA);
    let k = active(&keys);
    let jwk = keys.public_jwks()["keys"][0].clone();
    let h = json!({"alg": "EdDSA", "kid": k.kid(), "jwk": jwk});
    let t = craft(&h, &full_claims(), k);
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed")
    );
}

#[test]
fn rejects_attacker_key_embedded_in_jwk() {
    let keys = set(Algorithm::EdDSA);
    let attacker = set(Algorithm::EdDSA);
    let jwk = attacker.public_jwks()["keys"][0].clone();
    let h = json!({"alg": "EdDSA", "jwk": jwk});
    let t = craft(&h, &full_claims(), active(&attacker));
    assert!(validator(&keys).validate_at(&t, NOW).is_err());
}

#[test]
fn ignores_jku_x5u_x5c_for_key_selection() {
    let keys = set(Algorithm::ES256);
    let attacker = set(Algorithm::ES256);
    let h = json!({"alg": "ES256", "kid": active(&keys).kid(), "jku": "https://evil/jwks", "x5u": "https://evil/cert", "x5c": ["MIIB"]});
    let forged = craft(&h, &full_claims(), active(&attacker));
    assert_eq!(
        validator(&keys).validate_at(&forged, NOW).err(),
        Some(JwtError::BadSignature)
    );
    let genuine = craft(&h, &full_claims(), active(&keys));
    assert!(validator(&keys).validate_at(&genuine, NOW).is_ok());
}

#[test]
fn rejects_huge_token_before_parsing() {
    let keys = set(Algorithm::HS256);
    let t = "a".repeat(MAX_TOKEN_LEN + 1);
    assert_eq!(
        validator(&keys).validate_at(&t, NOW).err(),
        Some(JwtError::TooLarge {
            len: MAX_TOKEN_LEN + 1,
            max: MAX_TOKEN_LEN
        })
    );
}

#[test]
fn rejects_huge_signed_token() {
    let keys = set(Algorithm::HS256);
    let mut c = full_claims();
    c["pad"] = json!("x".repeat(9000));
    let t = craft(&std_header(active(&keys)), &c, active(&keys));
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("too_large")
    );
}

#[test]
fn rejects_duplicate_alg_in_header() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let h = format!(r#"{{"alg":"HS256","kid":"{}","alg":"none"}}"#, k.kid());
    let t = craft_raw(
        h.as_bytes(),
        full_claims().to_string().as_bytes(),
        k,
        Algorithm::HS256,
    );
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed")
    );
}

#[test]
fn rejects_duplicate_claim_names() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let payload = format!(
        r#"{{"sub":"user-1","exp":{},"iss":"warden","aud":"api","scope":"user","scope":"admin"}}"#,
        NOW + 60
    );
    let t = craft_raw(
        std_header(k).to_string().as_bytes(),
        payload.as_bytes(),
        k,
        Algorithm::HS256,
    );
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed")
    );
}

#[test]
fn rejects_expired() {
    let keys = set(Algorithm::HS256);
    let mut c = full_claims();
    c["exp"] = json!(NOW - 1);
    let t = craft(&std_header(active(&keys)), &c, active(&keys));
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("expired")
    );
}

#[test]
fn rejects_early() {
    let keys = set(Algorithm::HS256);
    let mut c = full_claims();
    c["nbf"] = json!(NOW + 3000);
    let t = craft(&std_header(active(&keys)), &c, active(&keys));
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("not_yet_valid")
    );
}

#[test]
fn rejects_wrong_issuer() {
    let keys = set(Algorithm::HS256);
    let mut c = full_claims();
    c["iss"] = json!("https://evil.example");
    let t = craft(&std_header(active(&keys)), &c, active(&keys));
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("wrong_issuer")
    );
}

#[test]
fn rejects_wrong_audience() {
    let keys = set(Algorithm::HS256);
    let mut c = full_claims();
    c["aud"] = json!(["other"]);
    let t = craft(&std_header(active(&keys)), &c, active(&keys));
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("wrong_audience")
    );
}

#[test]
fn rejects_unknown_kid() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let h = json!({"alg": "HS256", "kid": "nope"});
    let t = craft(&h, &full_claims(), k);
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("unknown_kid")
    );
}

#[test]
fn rejects_token_signed_by_other_key_with_same_kid() {
    let keys = set(Algorithm::HS256);
    let other = set(Algorithm::HS256);
    let h = json!({"alg": "HS256", "kid": active(&keys).kid()});
    let t = craft(&h, &full_claims(), active(&other));
    assert_eq!(
        validator(&keys).validate_at(&t, NOW).err(),
        Some(JwtError::BadSignature)
    );
}

#[test]
fn rejects_revoked() {
    let keys = set(Algorithm::HS256);
    let store = Arc::new(InMemoryRevocationStore::new());
    store.revoke("jti-1", NOW + 10_000);
    let t = valid_token(&keys);
    let v = validator(&keys).with_revocation(store);
    assert_eq!(
        v.validate_at(&t, NOW).err().map(|e| e.code()),
        Some("revoked")
    );
}

#[test]
fn rejects_jwe_and_extra_segments() {
    let keys = set(Algorithm::HS256);
    let t = format!("{}.x", valid_token(&keys));
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed")
    );
}

#[test]
fn rejects_non_object_header_and_payload() {
    let keys = set(Algorithm::HS256);
    let k = active(&keys);
    let t = craft_raw(
        b"[1,2]",
        full_claims().to_string().as_bytes(),
        k,
        Algorithm::HS256,
    );
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed")
    );
    let t = craft_raw(
        std_header(k).to_string().as_bytes(),
        b"\"str\"",
        k,
        Algorithm::HS256,
    );
    assert_eq!(
        validator(&keys)
            .validate_at(&t, NOW)
            .err()
            .map(|e| e.code()),
        Some("malformed")
    );
}

#[test]
fn rejects_whitespace_around_token() {
    let keys = set(Algorithm::HS256);
    let t = format!(" {}", valid_token(&keys));
    assert!(validator(&keys).validate_at(&t, NOW).is_err());
}

#[test]
fn cache_does_not_accept_a_similar_token() {
    let keys = set(Algorithm::HS256);
    let v = validator(&keys).with_cache(16);
    let t = valid_token(&keys);
    assert!(v.validate_at(&t, NOW).is_ok());
    let mut forged = t.clone();
    forged.pop();
    forged.push('A');
    if forged != t {
        assert!(v.validate_at(&forged, NOW).is_err());
    }
}

#[test]
fn rejects_malleated_ed25519_signature_with_non_canonical_s() {
    // S' = S + L encodes the same scalar mod L; a lax verifier would accept it, producing a
    // second valid token string for the same claims.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let keys = set(Algorithm::EdDSA);
    let t = valid_token(&keys);
    let dot = t.rfind('.').unwrap_or(0);
    let mut sig = super::parse::b64_decode(&t[dot + 1..]).unwrap_or_default();
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
        sig[32 + i] = (v & 0xff) as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    let forged = format!("{}.{}", &t[..dot], b64(&sig));
    assert_ne!(forged, t);
    assert_eq!(
        validator(&keys).validate_at(&forged, NOW).err(),
        Some(JwtError::BadSignature)
    );
}
