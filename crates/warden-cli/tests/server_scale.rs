//! Two `warden serve` processes sharing one PostgreSQL store and one Redis: one global rate
//! limit, one audit chain that verifies. Needs `WARDEN_TEST_POSTGRES_URL` and
//! `WARDEN_TEST_REDIS_URL` (skipped without them unless `WARDEN_REQUIRE_SERVICES=1`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::server::{client, temp_dir, Server};
use serde_json::{json, Value};

fn service_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                std::env::var("WARDEN_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "{var} is unset but WARDEN_REQUIRE_SERVICES=1"
            );
            eprintln!("skipping: {var} is unset");
            None
        }
    }
}

#[test]
fn two_instances_share_one_rate_limit_and_one_audit_chain() {
    let (Some(pg), Some(redis)) = (
        service_url("WARDEN_TEST_POSTGRES_URL"),
        service_url("WARDEN_TEST_REDIS_URL"),
    ) else {
        return;
    };
    let tag = format!(
        "scale_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    );
    let made = std::process::Command::new("psql")
        .arg(&pg)
        .args(["-qc", &format!("CREATE SCHEMA {tag}")])
        .status()
        .unwrap();
    assert!(made.success(), "cannot create schema (is psql installed?)");
    let sep = if pg.contains('?') { '&' } else { '?' };
    let store_url = format!("{pg}{sep}options=-c%20search_path%3D{tag}");
    let config = format!(
        "[store]\nurl = \"{store_url}\"\n\n[counters]\nurl = \"{redis}\"\nkey_prefix = \"{tag}:\"\n\n\
         [[governance.rate_limit.limits]]\nkey = \"principal\"\nlimit = 10\nwindow_secs = 600\n"
    );

    let dir = temp_dir("scale");
    let a = Server::start(&dir.join("a"), &config);
    // The second instance shares the first one's keys (signing, vault, audit chain).
    std::fs::create_dir_all(dir.join("b")).unwrap();
    for f in ["keys.json", "master.keys", "audit.key", "admin.token"] {
        std::fs::copy(dir.join("a").join(f), dir.join("b").join(f)).unwrap();
    }
    let b = Server::start(&dir.join("b"), &config);
    let c = client();
    let admin = a.admin_token();
    let minted: Value = c
        .post(a.url("/v1/tokens"))
        .bearer_auth(&admin)
        .json(&json!({"kind":"session","user_id":"bob","session_id":"s-bob","scope":"user"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = minted["access_token"].as_str().unwrap().to_owned();

    let mut allowed = 0;
    for i in 0..30 {
        let s = if i % 2 == 0 { &a } else { &b };
        let v: Value = c
            .post(s.url("/v1/govern"))
            .bearer_auth(&token)
            .json(&json!({"tool":"Read","arguments":{"file_path":format!("/f{i}")}}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        match v["decision"].as_str() {
            Some("allow") => allowed += 1,
            Some("deny") => assert_eq!(v["policy"], "rate_limit", "{v}"),
            _ => panic!("unexpected answer {v}"),
        }
    }
    assert_eq!(
        allowed, 10,
        "the two instances must enforce one global limit"
    );

    for s in [&a, &b] {
        let v: Value = c
            .get(s.url("/v1/audit/verify"))
            .bearer_auth(&admin)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(v, json!({"ok": true, "records": 30}));
    }
    a.stop();
    b.stop();
    let _ = std::process::Command::new("psql")
        .arg(&pg)
        .args(["-qc", &format!("DROP SCHEMA {tag} CASCADE")])
        .status();
    let _ = std::fs::remove_dir_all(dir);
}
