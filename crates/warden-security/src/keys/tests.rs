use super::*;

pub(crate) const RSA_FIXTURE: &str = include_str!("../../tests/fixtures/rsa_test_keys.json");

fn gen(alg: Algorithm) -> KeySet {
    KeySet::generate(alg).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn generated_sets_round_trip_through_private_json() {
    for alg in [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::EdDSA,
        Algorithm::ES256,
    ] {
        let set = gen(alg);
        let text = set.to_private_json();
        let back = KeySet::from_json(&text).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(back.list(), set.list(), "{alg}");
        assert!(back.active_key().is_some_and(Key::can_sign));
    }
}

#[test]
fn rsa_fixture_loads_and_can_sign() {
    let set = KeySet::from_json(RSA_FIXTURE).unwrap_or_else(|e| panic!("{e}"));
    let k = set.active_key().unwrap_or_else(|| panic!("no active key"));
    assert_eq!(k.alg(), Algorithm::RS256);
    assert!(k.can_sign());
}

#[test]
fn public_jwks_never_contains_oct_or_private_members() {
    let mut set = gen(Algorithm::HS256);
    set.rotate(Some(Algorithm::EdDSA))
        .unwrap_or_else(|e| panic!("{e}"));
    set.rotate(Some(Algorithm::ES256))
        .unwrap_or_else(|e| panic!("{e}"));
    let rsa = KeySet::from_json(RSA_FIXTURE).unwrap_or_else(|e| panic!("{e}"));
    let rsa_text = rsa.to_private_json();
    let mut rsa_key = KeySet::from_json(&rsa_text).unwrap_or_else(|e| panic!("{e}"));
    let k = rsa_key.keys.remove(0);
    set.add(k).unwrap_or_else(|e| panic!("{e}"));
    let jwks = set.public_jwks();
    let keys = jwks["keys"].as_array().cloned().unwrap_or_default();
    assert_eq!(keys.len(), 3);
    for k in &keys {
        assert_ne!(k["kty"], "oct");
        for m in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(k.get(m).is_none(), "member {m} leaked");
        }
        assert!(k.get("kid").is_some() && k.get("alg").is_some());
    }
}

#[test]
fn public_jwks_loads_as_verification_only_set() {
    let set = gen(Algorithm::EdDSA);
    let public =
        KeySet::from_json(&set.public_jwks().to_string()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(public.len(), 1);
    assert!(public.active_key().is_none());
    assert!(!public.keys()[0].can_sign());
}

#[test]
fn rotate_adds_active_key_and_keeps_old() {
    let mut set = gen(Algorithm::EdDSA);
    let old = set
        .active_key()
        .map(|k| k.kid().to_owned())
        .unwrap_or_default();
    let new = set.rotate(None).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(old, new);
    assert_eq!(set.len(), 2);
    assert_eq!(set.active_key().map(Key::kid), Some(new.as_str()));
    assert!(set.get(&old).is_some());
    assert_eq!(set.active_key().map(Key::alg), Some(Algorithm::EdDSA));
}

#[test]
fn retire_removes_key_but_never_the_active_one() {
    let mut set = gen(Algorithm::HS256);
    let old = set
        .active_key()
        .map(|k| k.kid().to_owned())
        .unwrap_or_default();
    let new = set.rotate(None).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(set.retire(&new), Err(KeyError::RetireActive(_))));
    set.retire(&old).unwrap_or_else(|e| panic!("{e}"));
    assert!(set.get(&old).is_none());
    assert!(matches!(set.retire("nope"), Err(KeyError::UnknownKid(_))));
}

#[test]
fn debug_redacts_key_material() {
    let set = gen(Algorithm::HS256);
    let secret = set.to_private_json();
    let v: serde_json::Value = serde_json::from_str(&secret).unwrap_or_default();
    let k = v["keys"][0]["k"].as_str().unwrap_or_default().to_owned();
    assert!(!k.is_empty());
    let dbg = format!("{set:?}");
    assert!(!dbg.contains(&k));
    assert!(dbg.contains("redacted"));
}

#[test]
fn short_hmac_secret_is_refused() {
    assert!(matches!(
        KeySet::from_hs256_secret(b"short"),
        Err(KeyError::InvalidKey { .. })
    ));
    let doc = r#"{"keys":[{"kty":"oct","kid":"a","alg":"HS512","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}"#;
    assert!(matches!(
        KeySet::from_json(doc),
        Err(KeyError::InvalidKey { .. })
    ));
}

#[test]
fn oct_and_rsa_keys_need_alg() {
    let doc =
        r#"{"keys":[{"kty":"oct","kid":"a","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}"#;
    assert!(matches!(
        KeySet::from_json(doc),
        Err(KeyError::InvalidKey { .. })
    ));
}

#[test]
fn alg_must_fit_key_type() {
    let doc = r#"{"keys":[{"kty":"oct","kid":"a","alg":"RS256","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}"#;
    assert!(matches!(
        KeySet::from_json(doc),
        Err(KeyError::InvalidKey { .. })
    ));
}

#[test]
fn none_and_unknown_algorithms_are_unsupported() {
    let doc = r#"{"keys":[{"kty":"oct","kid":"a","alg":"none","k":"AA"}]}"#;
    assert!(matches!(
        KeySet::from_json(doc),
        Err(KeyError::UnsupportedAlgorithm(_))
    ));
    assert!("none".parse::<Algorithm>().is_err());
}

#[test]
fn duplicate_kids_are_refused() {
    let set = gen(Algorithm::EdDSA);
    let v = set.public_jwks();
    let k = v["keys"][0].clone();
    let doc = serde_json::json!({"keys": [k.clone(), k]}).to_string();
    assert!(matches!(
        KeySet::from_json(&doc),
        Err(KeyError::DuplicateKid(_))
    ));
    // Warden's own files: one kid, one key, whatever the algorithms.
    let mut other = gen(Algorithm::ES256).public_jwks()["keys"][0].clone();
    other["kid"] = k["kid"].clone();
    let doc = serde_json::json!({"keys": [k, other]}).to_string();
    assert!(matches!(
        KeySet::from_json(&doc),
        Err(KeyError::DuplicateKid(_))
    ));
}

#[test]
fn active_must_name_a_key() {
    let doc = r#"{"active":"zz","keys":[]}"#;
    assert!(matches!(
        KeySet::from_json(doc),
        Err(KeyError::UnknownActiveKid(_))
    ));
}

#[test]
fn lenient_parse_skips_unsupported_keys() {
    let doc = r#"{"keys":[{"kty":"EC","crv":"P-384","kid":"x","x":"AA","y":"AA"},{"kty":"oct","kid":"e","use":"enc","k":"AA"}]}"#;
    assert!(KeySet::from_json(doc).is_err());
    let set = KeySet::from_json_lenient(doc).unwrap_or_else(|e| panic!("{e}"));
    assert!(set.is_empty());
}

#[test]
fn mismatched_private_key_is_refused() {
    let a = gen(Algorithm::EdDSA).to_private_json();
    let b = gen(Algorithm::EdDSA).to_private_json();
    let mut va: serde_json::Value = serde_json::from_str(&a).unwrap_or_default();
    let vb: serde_json::Value = serde_json::from_str(&b).unwrap_or_default();
    va["keys"][0]["d"] = vb["keys"][0]["d"].clone();
    assert!(matches!(
        KeySet::from_json(&va.to_string()),
        Err(KeyError::InvalidKey { .. })
    ));
}

#[test]
fn list_shows_no_material() {
    let set = gen(Algorithm::ES256);
    let l = set.list();
    assert_eq!(l.len(), 1);
    assert!(l[0].active && l[0].private);
    assert_eq!(l[0].alg, "ES256");
    assert_eq!(l[0].kty, "EC");
}

#[test]
fn small_order_ed25519_public_key_is_refused() {
    // The identity point (y = 1) has order 1.
    let mut x = [0u8; 32];
    x[0] = 1;
    let doc =
        serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "w", "alg": "EdDSA",
        "x": URL_SAFE_NO_PAD.encode(x)}]})
        .to_string();
    assert!(matches!(
        KeySet::from_json(&doc),
        Err(KeyError::InvalidKey { .. })
    ));
}

#[test]
fn invalid_key_documents_are_reported_without_their_values() {
    for doc in [
        r#"{"keys":["-----BEGIN PRIVATE KEY-----SECRETMARK"]}"#,
        r#"{"keys":"SECRETMARK"}"#,
        r#"{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":["SECRETMARK"]}]}"#,
        r#"{"keys":[{"kty":"oct","kid":"k","k":"SECRETMARK""#,
    ] {
        let err = match KeySet::from_json(doc) {
            Ok(_) => panic!("{doc} parsed"),
            Err(e) => e.to_string(),
        };
        assert!(!err.contains("SECRETMARK"), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }
}
