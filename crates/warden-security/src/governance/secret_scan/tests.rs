//! Scanner tests: the rule table (every rule has positive and negative samples, previews
//! never reveal more than 4 characters), the JSON walk, decoding, redaction, limits and
//! configuration.

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::json;

use super::prefilter::MIN_RUN;
use super::rules::samples;
use super::*;

fn scanner() -> SecretScanner {
    static SCANNER: std::sync::OnceLock<SecretScanner> = std::sync::OnceLock::new();
    SCANNER
        .get_or_init(|| {
            SecretScanner::new(&SecretScanConfig::default()).expect("default config compiles")
        })
        .clone()
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn rule_table_has_at_least_150_rules() {
    assert!(
        rules::builtin().count() >= 150,
        "{}",
        rules::builtin().count()
    );
}

#[test]
fn rule_ids_are_unique_kebab_case() {
    let mut seen = HashSet::new();
    for r in rules::builtin() {
        assert!(seen.insert(r.id), "duplicate id {}", r.id);
        assert!(
            r.id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !r.id.starts_with('-')
                && !r.id.ends_with('-'),
            "not kebab-case: {}",
            r.id
        );
        assert!(!r.description.is_empty(), "{} has no description", r.id);
        assert!(!r.keywords.is_empty(), "{} has no keywords", r.id);
    }
}

#[test]
fn every_builtin_rule_compiles() {
    // Rules compile on first use; this is what `warden serve` runs at start.
    SecretScanner::new(&SecretScanConfig::default())
        .unwrap()
        .compile_all()
        .unwrap();
}

#[test]
fn a_scanner_compiles_only_the_rules_its_input_reaches() {
    let sc = SecretScanner::new(&SecretScanConfig::default()).unwrap();
    assert_eq!(sc.engine.compiled_rules(), 0);
    let table = samples::all();
    let (id, positives, _) = &table[0];
    let found = sc.scan_text(&positives[0]);
    assert!(ids(&found).contains(id), "{id}: {found:?}");
    let some = sc.engine.compiled_rules();
    assert!(some > 0 && some < rules::builtin().count() / 4, "{some}");
    sc.compile_all().unwrap();
    assert_eq!(sc.engine.compiled_rules(), rules::builtin().count());
}

#[test]
fn every_rule_has_positive_and_negative_samples() {
    let table = samples::all();
    for r in rules::builtin() {
        let row = table.iter().find(|s| s.0 == r.id);
        let Some((_, pos, neg)) = row else {
            panic!("no samples for {}", r.id);
        };
        assert!(!pos.is_empty() && !neg.is_empty(), "{}", r.id);
    }
    for (id, _, _) in &table {
        assert!(
            rules::builtin().any(|r| r.id == *id),
            "samples for unknown rule {id}"
        );
    }
}

#[test]
fn every_positive_sample_is_found_by_its_rule() {
    let sc = scanner();
    let mut failures = Vec::new();
    for (id, pos, _) in samples::all() {
        for text in pos {
            let f = sc.scan_text(&text);
            if !f.iter().any(|f| f.rule_id == id) {
                failures.push(format!("{id}: not found in {text:?}; got {:?}", ids(&f)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_negative_sample_is_found_by_its_rule() {
    let sc = scanner();
    let mut failures = Vec::new();
    for (id, _, neg) in samples::all() {
        for text in neg {
            let f = sc.scan_text(&text);
            if f.iter().any(|f| f.rule_id == id) {
                failures.push(format!("{id}: false positive on {text:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_positive_sample_is_found_inside_json_arguments() {
    let sc = scanner();
    let mut failures = Vec::new();
    for (id, pos, _) in samples::all() {
        let v = json!({"tool": "Bash", "args": [pos[0].clone()]});
        let r = sc.scan_json(&v);
        if !r
            .findings
            .iter()
            .any(|f| f.rule_id == id && f.path.starts_with("$.args[0]"))
        {
            failures.push(format!("{id}: got {:?}", ids(&r.findings)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn previews_reveal_at_most_four_characters_for_every_rule() {
    let sc = scanner();
    for (id, pos, _) in samples::all() {
        for text in pos {
            for f in sc.scan_text(&text) {
                let revealed = f.preview.trim_end_matches('*');
                assert!(
                    revealed.chars().count() <= 4,
                    "{id}: preview {:?}",
                    f.preview
                );
                let secret = &text[f.start..f.end];
                assert!(secret.starts_with(revealed), "{id}");
                assert!(
                    !f.preview.contains(secret),
                    "{id}: preview contains the secret"
                );
            }
        }
    }
}

#[test]
fn short_secrets_are_reached_by_a_prefilter_trigger() {
    // A finding outside every long run must have a short-secret trigger close enough for the
    // trigger's region to reach it; otherwise the prefilter could hide such matches.
    let sc = scanner();
    for (id, pos, _) in samples::all() {
        for text in pos {
            for f in sc.scan_text(&text).iter().filter(|f| f.rule_id == id) {
                let mut longest = 0;
                super::prefilter::for_each_run(text.as_bytes(), 1, |s, e| {
                    if s < f.end && f.start < e {
                        longest = longest.max(e - s);
                    }
                    true
                });
                let lo = f.start.saturating_sub(super::prefilter::TRIGGER_RADIUS);
                let near = &text.as_bytes()[lo..f.end];
                let triggered = super::prefilter::TRIGGERS
                    .iter()
                    .any(|t| near.windows(t.len()).any(|w| w == t.as_bytes()));
                assert!(
                    longest >= MIN_RUN || triggered,
                    "{id}: secret in a {longest}-byte run without a nearby trigger"
                );
            }
        }
    }
}

#[test]
fn clean_text_has_no_findings() {
    let sc = scanner();
    let text = "The quick brown fox jumps over the lazy dog. fn main() { println!(\"hi\"); }\n\
                commit 9fceb02d0ae598e95dc970b74767f19372d61af8 id 3f2b8c1e-4d5a-4f6b-9c7d-8e9f0a1b2c3d\n\
                see https://docs.rs/regex/latest/regex/ and /usr/local/lib/python3.12/site-packages";
    assert_eq!(sc.scan_text(text), Vec::new());
}

#[test]
fn entropy_backstop_flags_unknown_high_entropy_token() {
    let sc = scanner();
    let f = sc.scan_text("blob q7Zk2Lr9VbN4xT8mWp3Hs6Yc1Df5Gj0AzR end");
    assert_eq!(ids(&f), vec![ENTROPY_RULE_ID]);
}

#[test]
fn entropy_backstop_can_be_disabled() {
    let mut cfg = SecretScanConfig::default();
    cfg.entropy.enabled = false;
    let sc = SecretScanner::new(&cfg).unwrap();
    assert!(sc
        .scan_text("blob q7Zk2Lr9VbN4xT8mWp3Hs6Yc1Df5Gj0AzR end")
        .is_empty());
}

#[test]
fn vendor_finding_suppresses_overlapping_generic_and_entropy() {
    let sc = scanner();
    let text = format!("api_key = \"ghp_{}\"", &samples::crc_token("ghp_", 5)[4..]);
    assert_eq!(ids(&sc.scan_text(&text)), vec!["github-pat"]);
}

#[test]
fn finding_spans_are_byte_offsets_of_the_secret() {
    let sc = scanner();
    let tok = samples::crc_token("ghp_", 7);
    let text = format!("héllo {tok} bye");
    let f = sc.scan_text(&text);
    assert_eq!(f.len(), 1);
    assert_eq!(&text[f[0].start..f[0].end], tok);
    assert_eq!(f[0].path, "$");
    assert_eq!(f[0].preview, "ghp_****");
}

#[test]
fn allowlist_drops_matching_findings() {
    let tok = samples::crc_token("ghp_", 8);
    let cfg = SecretScanConfig {
        allowlist: vec![format!("^{tok}$")],
        ..SecretScanConfig::default()
    };
    let sc = SecretScanner::new(&cfg).unwrap();
    assert!(sc.scan_text(&tok).is_empty());
}

#[test]
fn bad_allowlist_regex_is_a_config_error() {
    let cfg = SecretScanConfig {
        allowlist: vec!["(".into()],
        ..SecretScanConfig::default()
    };
    let e = SecretScanner::new(&cfg).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("secret_scan: bad allowlist regex"),
        "{e}"
    );
}

#[test]
fn unknown_rule_id_in_overrides_is_a_config_error() {
    let mut cfg = SecretScanConfig::default();
    cfg.rule_actions
        .insert("no-such-rule".into(), ScanAction::Redact);
    assert_eq!(
        SecretScanner::new(&cfg).unwrap_err().to_string(),
        "secret_scan: rule_actions: unknown rule id `no-such-rule` (`warden scan --list-rules` lists them)"
    );
}

#[test]
fn out_of_range_entropy_threshold_is_a_config_error() {
    let mut cfg = SecretScanConfig::default();
    cfg.entropy.threshold = 1.5;
    assert!(SecretScanner::new(&cfg)
        .unwrap_err()
        .to_string()
        .contains("entropy.threshold"));
}

#[test]
fn disabled_rule_does_not_fire() {
    let cfg = SecretScanConfig {
        disabled_rules: vec!["github-pat".into()],
        ..SecretScanConfig::default()
    };
    let sc = SecretScanner::new(&cfg).unwrap();
    let f = sc.scan_text(&samples::crc_token("ghp_", 9));
    assert!(!ids(&f).contains(&"github-pat"));
}

#[test]
fn per_rule_action_overrides_default() {
    let mut cfg = SecretScanConfig::default();
    cfg.rule_actions
        .insert("github-pat".into(), ScanAction::Redact);
    let sc = SecretScanner::new(&cfg).unwrap();
    let f = sc.scan_text(&samples::crc_token("ghp_", 10));
    assert_eq!(f[0].action, ScanAction::Redact);
}

#[test]
fn config_parses_spec_toml_keys() {
    let cfg: SecretScanConfig = toml_like(
        r#"{"enabled": true, "action": "redact", "allowlist": ["^AKIA"],
            "entropy": {"enabled": false, "min_len": 40, "threshold": 0.9}}"#,
    );
    assert_eq!(cfg.action, ScanAction::Redact);
    assert_eq!(cfg.entropy.min_len, 40);
    assert!(!cfg.entropy.enabled);
}

#[test]
fn config_rejects_unknown_keys() {
    assert!(serde_json::from_str::<SecretScanConfig>(r#"{"enabeld": true}"#).is_err());
}

fn toml_like(json_text: &str) -> SecretScanConfig {
    serde_json::from_str(json_text).unwrap()
}

// ---- JSON walk ----

#[test]
fn json_paths_name_the_leaf() {
    let sc = scanner();
    let tok = samples::crc_token("ghp_", 11);
    let v = json!({"a": {"b": [1, {"c": tok.clone()}]}, "not ident": tok.clone()});
    let r = sc.scan_json(&v);
    let paths: Vec<&str> = r.findings.iter().map(|f| f.path.as_str()).collect();
    assert!(paths.contains(&"$.a.b[1].c"), "{paths:?}");
    assert!(paths.contains(&"$['not ident']"), "{paths:?}");
}

#[test]
fn base64_leaf_is_decoded_and_reported_with_suffix() {
    let sc = scanner();
    let tok = samples::crc_token("ghp_", 12);
    let enc = base64::engine::general_purpose::STANDARD.encode(format!("token: {tok}"));
    let v = json!({"args": [enc.clone()]});
    let r = sc.scan_json(&v);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule_id == "github-pat")
        .expect("found");
    assert_eq!(f.path, "$.args[0]<base64>");
    assert_eq!((f.start, f.end), (0, enc.len()));
}

#[test]
fn url_encoded_leaf_is_decoded() {
    let sc = scanner();
    let v = json!({"q": "db=postgres%3A%2F%2Fapp%3AZq9v7Lk2pW%40db%2Fapp"});
    let r = sc.scan_json(&v);
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule_id == "postgres-url-password" && f.path == "$.q<url>"),
        "{:?}",
        r.findings
    );
}

#[test]
fn json_in_string_is_walked() {
    let sc = scanner();
    let inner = json!({"password": "S3cr3t-Pa55"}).to_string();
    let v = json!({"body": inner});
    let r = sc.scan_json(&v);
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule_id == "generic-password" && f.path == "$.body<json>.password"),
        "{:?}",
        r.findings
    );
}

#[test]
fn nested_encodings_are_decoded_to_the_depth_limit() {
    let sc = scanner();
    let tok = samples::crc_token("ghp_", 13);
    let once = base64::engine::general_purpose::STANDARD.encode(json!({"t": tok}).to_string());
    let r = sc.scan_json(&json!([once]));
    assert!(
        r.findings.iter().any(|f| f.path == "$[0]<base64><json>.t"),
        "{:?}",
        r.findings
    );
    let limits = ScanLimits {
        max_decode_depth: 0,
        ..ScanLimits::default()
    };
    let r = sc.scan_json_with_limits(&json!([once]), &limits);
    assert!(r.findings.iter().all(|f| f.rule_id != "github-pat"));
}

#[test]
fn invalid_utf8_after_base64_is_ignored() {
    let sc = scanner();
    let enc = base64::engine::general_purpose::STANDARD.encode([
        0xffu8, 0xfe, 0xfd, 0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    ]);
    let r = sc.scan_json(&json!({"x": enc}));
    assert!(r.findings.is_empty());
    assert!(r.limit_exceeded.is_none());
}

#[test]
fn secret_object_key_is_found_and_hidden_in_the_path() {
    let sc = scanner();
    let tok = samples::crc_token("ghp_", 14);
    let mut map = serde_json::Map::new();
    map.insert(tok.clone(), json!(1));
    let r = sc.scan_json(&json!({"headers": map}));
    let f = r
        .findings
        .iter()
        .find(|f| f.rule_id == "github-pat")
        .expect("found");
    assert_eq!(f.path, "$.headers<key>");
    assert!(!f.path.contains(&tok));
}

#[test]
fn redaction_replaces_only_redact_findings() {
    let mut cfg = SecretScanConfig::default();
    cfg.rule_actions
        .insert("github-pat".into(), ScanAction::Redact);
    let sc = SecretScanner::new(&cfg).unwrap();
    let tok = samples::crc_token("ghp_", 15);
    let v = json!({"cmd": format!("curl -H 'Authorization: token {tok}' x"), "n": 1});
    let r = sc.scan_json(&v);
    assert_eq!(
        r.redacted,
        Some(json!({"cmd": "curl -H 'Authorization: token [REDACTED:github-pat]' x", "n": 1}))
    );
}

#[test]
fn deny_findings_produce_no_redacted_arguments() {
    let sc = scanner();
    let r = sc.scan_json(&json!({"t": samples::crc_token("ghp_", 16)}));
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.redacted, None);
}

#[test]
fn decoded_redaction_replaces_the_whole_leaf() {
    let cfg = SecretScanConfig {
        action: ScanAction::Redact,
        ..SecretScanConfig::default()
    };
    let sc = SecretScanner::new(&cfg).unwrap();
    let tok = samples::crc_token("ghp_", 17);
    let enc = base64::engine::general_purpose::STANDARD.encode(format!("token: {tok}"));
    let r = sc.scan_json(&json!({"b": enc}));
    assert_eq!(r.redacted, Some(json!({"b": "[REDACTED:github-pat]"})));
}

#[test]
fn redacted_secret_key_is_renamed() {
    let cfg = SecretScanConfig {
        action: ScanAction::Redact,
        ..SecretScanConfig::default()
    };
    let sc = SecretScanner::new(&cfg).unwrap();
    let tok = samples::crc_token("ghp_", 18);
    let mut map = serde_json::Map::new();
    map.insert(tok, json!("v"));
    let r = sc.scan_json(&json!({"h": map}));
    assert_eq!(
        r.redacted,
        Some(json!({"h": {"[REDACTED:github-pat]": "v"}}))
    );
}

#[test]
fn nesting_beyond_limit_is_reported() {
    let sc = scanner();
    let mut v = json!("x");
    for _ in 0..70 {
        v = json!([v]);
    }
    let r = sc.scan_json(&v);
    assert_eq!(
        r.limit_exceeded.as_deref(),
        Some("arguments nest deeper than 64 levels")
    );
}

#[test]
fn string_bytes_beyond_limit_are_reported() {
    let sc = scanner();
    let limits = ScanLimits {
        max_string_bytes: 100,
        ..ScanLimits::default()
    };
    let r = sc.scan_json_with_limits(&json!(["a".repeat(60), "b".repeat(60)]), &limits);
    assert_eq!(
        r.limit_exceeded.as_deref(),
        Some("arguments hold more than 100 bytes of strings")
    );
}

#[test]
fn findings_beyond_limit_are_reported() {
    let sc = scanner();
    let limits = ScanLimits {
        max_findings: 2,
        ..ScanLimits::default()
    };
    let toks: Vec<String> = (0..5)
        .map(|i| samples::crc_token("ghp_", 100 + i))
        .collect();
    let r = sc.scan_json_with_limits(&json!(toks), &limits);
    assert_eq!(r.findings.len(), 2);
    assert_eq!(
        r.limit_exceeded.as_deref(),
        Some("more than 2 secret findings")
    );
}

// ---- vault leak matcher ----

struct FakeVault(&'static str);

impl LeakMatcher for FakeVault {
    fn find(&self, text: &str) -> Vec<(usize, usize)> {
        text.match_indices(self.0)
            .map(|(i, m)| (i, i + m.len()))
            .collect()
    }
}

#[test]
fn leak_matcher_findings_use_vault_rule_id() {
    let sc = scanner().with_leak_matcher(Arc::new(FakeVault("correct horse battery")));
    let f = sc.scan_text("my passphrase is correct horse battery ok");
    let v: Vec<&Finding> = f.iter().filter(|f| f.rule_id == VAULT_RULE_ID).collect();
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].start, v[0].end), (17, 38));
    assert_eq!(v[0].preview, "****");
}

#[test]
fn leak_matcher_runs_on_json_leaves() {
    let sc = scanner().with_leak_matcher(Arc::new(FakeVault("s3cret-value")));
    let r = sc.scan_json(&json!({"a": ["x s3cret-value y"]}));
    assert!(r
        .findings
        .iter()
        .any(|f| f.rule_id == VAULT_RULE_ID && f.path == "$.a[0]"));
}

#[test]
fn builtin_rule_list_includes_pseudo_rules() {
    let list = SecretScanner::builtin_rules();
    assert!(list.iter().any(|r| r.id == ENTROPY_RULE_ID));
    assert!(list.iter().any(|r| r.id == VAULT_RULE_ID));
    assert_eq!(list.len(), rules::builtin().count() + 2);
}

#[test]
fn scanner_debug_does_not_dump_rules() {
    let d = format!("{:?}", scanner());
    assert!(d.len() < 400, "{d}");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            ".{0,80}".prop_map(serde_json::Value::String),
            "[A-Za-z0-9+/=_%-]{0,120}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
                prop::collection::btree_map(".{0,24}", inner, 0..8)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn scan_text_never_panics_and_spans_are_in_bounds(s in ".{0,400}") {
            for f in scanner().scan_text(&s) {
                prop_assert!(f.start < f.end && f.end <= s.len());
            }
        }

        #[test]
        fn scan_bytes_never_panics_on_arbitrary_bytes(b in prop::collection::vec(any::<u8>(), 0..600)) {
            for f in scanner().scan_bytes(&b) {
                prop_assert!(f.start < f.end && f.end <= b.len());
            }
        }

        #[test]
        fn scan_json_never_panics(v in arb_json()) {
            let r = scanner().scan_json(&v);
            prop_assert!(r.findings.len() <= ScanLimits::default().max_findings);
        }

        #[test]
        fn base64_of_arbitrary_bytes_never_panics(b in prop::collection::vec(any::<u8>(), 0..300)) {
            let enc = base64::engine::general_purpose::STANDARD.encode(&b);
            let _ = scanner().scan_json(&json!({"x": enc}));
        }
    }

    #[test]
    fn huge_string_is_scanned_within_limits() {
        let big = "A1b2".repeat(1 << 19); // 2 MiB
        let r = scanner().scan_json(&json!([big]));
        assert!(r.limit_exceeded.is_some());
        let text = "word ".repeat(1 << 18);
        assert!(scanner().scan_text(&text).is_empty());
    }
}

#[test]
fn secret_in_json_string_leaf_is_reported_once() {
    // The raw leaf and its decoded JSON both hold the token; one finding, naming the inner
    // field.
    let sc = scanner();
    let tok = samples::crc_token("ghp_", 19);
    let inner = json!({"t": tok}).to_string();
    let r = sc.scan_json(&json!({"body": inner}));
    let hits: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.rule_id == "github-pat")
        .collect();
    assert_eq!(hits.len(), 1, "{:?}", r.findings);
    assert_eq!(hits[0].path, "$.body<json>.t");
}

#[test]
fn repeated_secret_in_one_leaf_is_reported_per_occurrence() {
    let sc = scanner();
    let tok = samples::crc_token("ghp_", 20);
    let r = sc.scan_json(&json!({"cmd": format!("a {tok} b {tok}")}));
    let spans: Vec<(usize, usize)> = r
        .findings
        .iter()
        .filter(|f| f.rule_id == "github-pat")
        .map(|f| (f.start, f.end))
        .collect();
    assert_eq!(spans.len(), 2, "{:?}", r.findings);
    assert_ne!(spans[0], spans[1]);
}

#[test]
fn redacted_arguments_never_hold_a_deny_finding() {
    // A deny-action secret next to a redact-action one: the call is denied, but the redacted
    // copy (which callers may log or forward) must not carry either secret.
    let mut cfg = SecretScanConfig::default();
    cfg.rule_actions
        .insert("github-pat".into(), ScanAction::Redact);
    let sc = SecretScanner::new(&cfg).unwrap();
    let redact_tok = samples::crc_token("ghp_", 21);
    let deny_tok = "AKIAQYLPMN5HFIQR7XYZ";
    let v = json!({
        "cmd": format!("curl -H 'Authorization: token {redact_tok}' x"),
        "env": format!("AWS_ACCESS_KEY_ID={deny_tok}"),
        "both": format!("{redact_tok} {deny_tok}"),
    });
    let r = sc.scan_json(&v);
    assert!(r.findings.iter().any(|f| f.action == ScanAction::Deny));
    let red = r
        .redacted
        .expect("a redact finding produces redacted arguments");
    let text = red.to_string();
    assert!(!text.contains(&redact_tok), "{text}");
    assert!(!text.contains(deny_tok), "{text}");
    assert!(text.contains("[REDACTED:aws-access-key-id]"), "{text}");
}

#[test]
fn a_secret_under_a_secret_key_is_redacted_too() {
    // The key is renamed after the values under it are redacted (their paths name the key
    // as it was), and nested secret keys are renamed deepest first.
    let cfg = SecretScanConfig {
        action: ScanAction::Redact,
        ..SecretScanConfig::default()
    };
    let sc = SecretScanner::new(&cfg).unwrap();
    let key_tok = samples::crc_token("ghp_", 31);
    let inner_key_tok = samples::crc_token("ghp_", 32);
    let value_tok = samples::crc_token("ghp_", 33);
    let aws = "AKIAQYLPMN5HFIQR7XYZ";
    let mut inner = serde_json::Map::new();
    inner.insert(inner_key_tok.clone(), json!(format!("x {value_tok} y")));
    let mut outer = serde_json::Map::new();
    outer.insert(
        key_tok.clone(),
        json!({"token": value_tok.clone(), "list": ["a", aws], "deeper": inner}),
    );
    let r = sc.scan_json(&json!({"m": outer}));
    let red = r.redacted.expect("redacted arguments");
    let text = red.to_string();
    for secret in [&key_tok, &inner_key_tok, &value_tok, &aws.to_owned()] {
        assert!(!text.contains(secret.as_str()), "{secret} left in {text}");
    }
    assert!(text.contains("[REDACTED:github-pat]"), "{text}");
    assert!(text.contains("\"a\""), "non-secrets stay: {text}");
}

// ---- review fixes (session 8) ----

/// `(rule id, matched text)` of every finding of `text`.
fn spans_of(text: &str) -> Vec<(String, String)> {
    scanner()
        .scan_text(text)
        .into_iter()
        .map(|f| (f.rule_id, text[f.start..f.end].to_owned()))
        .collect()
}

fn has(found: &[(String, String)], id: &str, secret: &str) -> bool {
    found.iter().any(|(i, s)| i == id && s == secret)
}

fn has_secret(found: &[(String, String)], secret: &str) -> bool {
    found.iter().any(|(_, s)| s == secret)
}

#[test]
fn every_url_borne_secret_of_a_text_is_found_not_only_the_first() {
    let env = "DATABASE_URL=postgres://app:Xk29fjQ02mZpL1@db:5432/app\n\
               REDIS_URL=redis://:Qw12Er34Ty56Ui78@cache:6379\n\
               SLACK_WEBHOOK=https://hooks.slack.com/services/T0123ABCD/B0123456789/AbCdEfGhIjKlMnOpQrStUvWx";
    let found = spans_of(env);
    assert!(has_secret(&found, "Xk29fjQ02mZpL1"), "{found:?}");
    assert!(has_secret(&found, "Qw12Er34Ty56Ui78"), "{found:?}");
    assert!(
        found.iter().any(|(id, _)| id.contains("slack")),
        "{found:?}"
    );
    // An earlier harmless URL must not hide a later one.
    let found = spans_of("see https://acme.io/docs then postgres://app:Xk29fjQ02mZpL1@db:5432/app");
    assert!(has_secret(&found, "Xk29fjQ02mZpL1"), "{found:?}");
}

#[test]
fn many_secrets_in_one_text_do_not_hide_the_last_one() {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let keys: Vec<String> = (0..300)
        .map(|_| {
            let body: String = (0..16)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    B32[(state >> 59) as usize] as char
                })
                .collect();
            format!("AKIA{body}")
        })
        .collect();
    let distinct: HashSet<&String> = keys.iter().collect();
    assert_eq!(distinct.len(), keys.len());
    let text = format!(
        "{}\nDATABASE_URL=postgres://app:Xk29fjQ02mZpL1@db/app",
        keys.join("\n")
    );
    let found = spans_of(&text);
    let aws = found
        .iter()
        .filter(|(id, _)| id == "aws-access-key-id")
        .count();
    assert_eq!(aws, distinct.len(), "one finding per key");
    assert!(has_secret(&found, "Xk29fjQ02mZpL1"));
}

#[test]
fn repeated_overlapping_matches_of_one_rule_stay_under_the_cap() {
    let text = "password=".repeat(3000);
    let found = scanner().scan_text(&text);
    assert!(
        found.len() <= super::engine::MAX_HITS_PER_TEXT,
        "{}",
        found.len()
    );
    for pair in found.windows(2) {
        assert!(
            pair[0].rule_id != pair[1].rule_id || pair[0].end <= pair[1].start,
            "overlapping findings of one rule"
        );
    }
}

#[test]
fn aws_key_ids_without_a_digit_are_found() {
    let found = spans_of("AWS_ACCESS_KEY_ID=AKIAJRJWSTAEELGMXRWD");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(has(&found, "aws-access-key-id", "AKIAJRJWSTAEELGMXRWD"));
}

#[test]
fn an_empty_assignment_does_not_take_the_next_line_as_its_value() {
    for text in [
        "STRIPE_SECRET_KEY=\nGITHUB_TOKEN=\n",
        "SECRET_KEY=\nDEBUG=True",
        "client_secret:\n  description: the OAuth client secret",
        "password:\n  from_secret: db_password",
    ] {
        assert!(spans_of(text).is_empty(), "{text:?}");
    }
    // On its own line the value is still found.
    assert!(!spans_of("SECRET_KEY=Zq8vN3kP0wLx7Rt2Ys5A").is_empty());
}

#[test]
fn current_vendor_formats_are_covered_whole() {
    let asana = "2/1253287046557210/1415618365461073:be6abf0d7c1c1e21862ab8a18a890207";
    let found = spans_of(&format!("ASANA_TOKEN={asana}"));
    assert!(has(&found, "asana-pat", asana), "{found:?}");
    let doppler = "dp.st.prd.6vWCBiJmpflvJfupxqZKm4bV3AyAVHnyrvWdFrK9";
    let found = spans_of(&format!("DOPPLER_TOKEN={doppler}"));
    assert!(has(&found, "doppler-token", doppler), "{found:?}");
    let body: String = "aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0z"
        .chars()
        .cycle()
        .take(163)
        .collect();
    let slack = format!("xoxe.xoxp-1-{body}");
    let found = spans_of(&slack);
    assert!(has(&found, "slack-config-token", &slack), "{found:?}");
}

#[test]
fn documentation_placeholders_are_not_secrets() {
    for text in [
        "ANTHROPIC_API_KEY=sk-ant-api03-...",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "postgres://user:{password}@host/db",
    ] {
        assert!(spans_of(text).is_empty(), "{text}: {:?}", spans_of(text));
    }
}

#[test]
fn a_token_right_after_a_literal_escape_or_percent_byte_is_found() {
    let key = "AKIAZ3MSJV4WWJZQ7H5Y";
    for text in [
        format!(r#"{{"content": "line1\n{key}\nline3"}}"#),
        format!(r"a\t{key}"),
        format!("q=token%3D{key}&x=1"),
    ] {
        let found = spans_of(&text);
        assert!(has(&found, "aws-access-key-id", key), "{text}: {found:?}");
    }
    let glpat = "glpat-Ab3dEf6hIj9kLm2nOp5q";
    let found = spans_of(&format!("q=token%3D{glpat}"));
    assert!(found.iter().any(|(_, s)| s == glpat), "{found:?}");
}

#[test]
fn a_quoted_password_is_reported_to_its_closing_quote() {
    for (text, secret) in [
        (
            r#"password: "correct horse battery staple""#,
            "correct horse battery staple",
        ),
        (r#"db_password = 'Hunter(2)ASVzVN'"#, "Hunter(2)ASVzVN"),
        (r#"SECRET="s3cr3tVal;ue d{e}f""#, "s3cr3tVal;ue d{e}f"),
    ] {
        let found = spans_of(text);
        assert!(has_secret(&found, secret), "{text}: {found:?}");
    }
    // Passwords given to commands: quoted ones whole, escaped spaces included.
    for (text, secret) in [
        ("sshpass -p 'Hello World 123' ssh h", "Hello World 123"),
        (r#"redis-cli -a "S3cret;rm -rf" ping"#, "S3cret;rm -rf"),
        (
            r"curl -u admin:S3cret\ Passw0rd https://h/",
            r"S3cret\ Passw0rd",
        ),
        ("mysql -uroot -p'Pa55 W0rd!' app", "Pa55 W0rd!"),
    ] {
        let found = spans_of(text);
        assert!(has_secret(&found, secret), "{text}: {found:?}");
    }
    // Unquoted values and unclosed quotes keep the value class.
    let found = spans_of("password=hunter2hunter2 next");
    assert!(has_secret(&found, "hunter2hunter2"), "{found:?}");
    let found = spans_of("password = \"hunter2hunter2 and no closing quote\nnext");
    assert!(has_secret(&found, "hunter2hunter2"), "{found:?}");
}
