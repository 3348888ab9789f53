//! `warden audit` driven through the real binary.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use warden_security::audit::{AuditRecord, AuditSink};
use warden_security::governance::Decision;
use warden_store::{audit_key, AuditWriterOptions, Store};

fn record(i: u32) -> AuditRecord {
    AuditRecord {
        id: format!("dec_{i:04}"),
        time_ms: 1_000 + i64::from(i),
        call_id: None,
        trace_id: "t".into(),
        user_id: if i % 2 == 0 { "alice" } else { "bob" }.into(),
        session_id: "s".into(),
        agent_id: None,
        target: "Bash".into(),
        decision: if i % 3 == 0 {
            Decision::Deny
        } else {
            Decision::Allow
        },
        policy: None,
        reason: format!("reason {i}"),
        chain: vec![],
        findings: vec![],
        source: "test".into(),
    }
}

/// A data dir with an audit key and `n` records.
fn data_dir(n: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let key = audit_key::create(dir.path()).unwrap();
        let store = Store::open_in_data_dir(dir.path(), &Default::default())
            .await
            .unwrap();
        let w = store.audit_writer(&key, AuditWriterOptions::default());
        for i in 1..=n {
            w.append(record(i)).await.unwrap();
        }
        w.shutdown().await.unwrap();
        store.close().await;
    });
    dir
}

fn warden(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warden"))
        .arg("audit")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("WARDEN_CONFIG")
        .current_dir(dir)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

fn raw_sql(dir: &Path, sql: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Executor;
        let url = format!("sqlite://{}", dir.join("warden.db").display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        pool.execute(sql).await.unwrap();
        pool.close().await;
    });
}

#[test]
fn verify_intact_log_prints_ok_and_exits_0() {
    let dir = data_dir(5);
    let out = warden(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out), serde_json::json!({"ok": true, "records": 5}));
}

#[test]
fn verify_tampered_log_names_the_record_and_exits_1() {
    let dir = data_dir(5);
    raw_sql(
        dir.path(),
        "UPDATE audit_log SET record = replace(record, 'reason 3', 'reason x') WHERE seq = 3",
    );
    let out = warden(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["records"], 3);
    assert_eq!(v["first_bad"]["id"], "dec_0003");
    assert!(v["first_bad"]["reason"].is_string());
}

#[test]
fn verify_without_audit_key_is_a_configuration_error() {
    let dir = data_dir(1);
    std::fs::remove_file(dir.path().join("audit.key")).unwrap();
    let out = warden(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "audit_key");
}

#[test]
fn reading_an_uninitialized_data_dir_fails_without_creating_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = warden(dir.path(), &["query"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "not_found");
    assert!(!dir.path().join("warden.db").exists());
}

#[test]
fn query_filters_and_pages_with_a_cursor() {
    let dir = data_dir(10);
    let out = warden(
        dir.path(),
        &[
            "query",
            "--user-id",
            "alice",
            "--decision",
            "allow",
            "--limit",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    // alice = even, allow = not multiple of 3 → 2, 4, 8, 10.
    let ids: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["dec_0002", "dec_0004"]);
    let cursor = v["next"].as_i64().unwrap().to_string();
    let v = json(&warden(
        dir.path(),
        &[
            "query",
            "--user-id",
            "alice",
            "--decision",
            "allow",
            "--limit",
            "2",
            "--cursor",
            &cursor,
        ],
    ));
    let ids: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["dec_0008", "dec_0010"]);
    assert!(v["next"].is_null());
}

#[test]
fn query_by_time_range() {
    let dir = data_dir(10);
    let v = json(&warden(
        dir.path(),
        &[
            "query", "--since", "1003", "--until", "1005", "--tool", "Bash",
        ],
    ));
    assert_eq!(v["records"].as_array().unwrap().len(), 3);
}

#[test]
fn query_rejects_an_unreadable_time() {
    let dir = data_dir(1);
    let out = warden(dir.path(), &["query", "--since", "last tuesday"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn tail_prints_the_newest_records_as_jsonl() {
    let dir = data_dir(10);
    let out = warden(dir.path(), &["tail", "-n", "3"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let seqs: Vec<i64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(seqs, vec![8, 9, 10]);
}

#[test]
fn export_prints_every_record_as_jsonl() {
    let dir = data_dir(7);
    let out = warden(dir.path(), &["export"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 7);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "dec_0001");
    assert_eq!(first["seq"], 1);
}

#[test]
fn store_url_comes_from_the_config_file() {
    let dir = data_dir(4);
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(dir.path().join("audit.key"), other.path().join("audit.key")).unwrap();
    let cfg = other.path().join("warden.toml");
    std::fs::write(
        &cfg,
        format!(
            "[store]\nurl = \"sqlite://{}\"\n",
            dir.path().join("warden.db").display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["audit", "verify", "--data-dir"])
        .arg(other.path())
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["records"], 4);

    // A configured SQLite file that does not exist is not created and verified as empty.
    let typo = other.path().join("typo").join("warden.db");
    std::fs::write(
        &cfg,
        format!("[store]\nurl = \"sqlite://{}\"\n", typo.display()),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["audit", "verify", "--data-dir"])
        .arg(other.path())
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json(&out)["error"]["code"], "not_found");
    assert!(!typo.exists());
}
