//! `warden scan` through the real binary (SPEC §8).
#![allow(clippy::expect_used, clippy::unwrap_used)] // test harness: failures should panic

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn warden(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .env_remove("WARDEN_CONFIG")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn warden");
    // The command may exit before reading stdin (e.g. on a config error): ignore a broken pipe.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("wait")
}

fn lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

const AWS: &str = "AKIAZ7Q2LX4VN3PB6KMD";

#[test]
fn plain_scan_of_stdin_reports_finding_and_exits_1() {
    let o = warden(&["scan"], &format!("key {AWS} end\n"));
    assert_eq!(o.status.code(), Some(1));
    let v = lines(&o);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["rule_id"], "aws-access-key-id");
    assert_eq!(v[0]["file"], "-");
    assert_eq!(v[0]["start"], 4);
    assert_eq!(v[0]["end"], 24);
    assert_eq!(v[0]["preview"], "AKIA****");
}

#[test]
fn plain_scan_of_clean_input_exits_0_silently() {
    let o = warden(&["scan", "-"], "nothing to see here\n");
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
}

#[test]
fn plain_scan_of_files_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("env");
    std::fs::write(&p, format!("# config\nAWS_ACCESS_KEY_ID={AWS}\n")).expect("write");
    let o = warden(&["scan", p.to_str().expect("utf8 path")], "");
    assert_eq!(o.status.code(), Some(1));
    let v = lines(&o);
    assert_eq!(v[0]["file"], p.to_str().expect("utf8"));
    assert_eq!(v[0]["line"], 2);
}

#[test]
fn unreadable_file_exits_2() {
    let o = warden(&["scan", "/nonexistent/warden/file"], "");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(lines(&o)[0]["error"]["code"], "unreadable");
}

#[test]
fn output_never_contains_the_secret() {
    let o = warden(&["scan"], &format!("{AWS}\n"));
    assert!(!String::from_utf8_lossy(&o.stdout).contains(AWS));
    assert!(!String::from_utf8_lossy(&o.stderr).contains(AWS));
}

#[test]
fn jsonl_answers_each_line_with_byte_offsets() {
    let input =
        format!("{{\"id\":1,\"text\":\"héllo {AWS}\"}}\n{{\"id\":\"b\",\"text\":\"clean\"}}\n");
    let o = warden(&["scan", "--jsonl"], &input);
    assert_eq!(o.status.code(), Some(0));
    let v = lines(&o);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["id"], 1);
    assert_eq!(v[0]["findings"][0]["rule_id"], "aws-access-key-id");
    assert_eq!(v[0]["findings"][0]["start"], 7); // "héllo " is 7 bytes
    assert_eq!(v[0]["findings"][0]["end"], 27);
    assert_eq!(v[1], serde_json::json!({"id": "b", "findings": []}));
}

#[test]
fn jsonl_malformed_line_gets_an_error_and_the_run_continues() {
    let input = format!("not json\n{{\"id\":7}}\n{{\"id\":8,\"text\":\"{AWS}\"}}\n");
    let o = warden(&["scan", "--jsonl"], &input);
    assert_eq!(o.status.code(), Some(0));
    let v = lines(&o);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["error"]["code"], "bad_input");
    assert_eq!(v[0]["line"], 1);
    assert_eq!(v[1]["id"], 7);
    assert_eq!(v[1]["error"]["code"], "bad_input");
    assert_eq!(v[2]["findings"][0]["rule_id"], "aws-access-key-id");
}

#[test]
fn config_allowlist_is_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("warden.toml");
    std::fs::write(
        &cfg,
        "[governance.secret_scan]\nallowlist = [\"^AKIAZ7Q2\"]\n",
    )
    .expect("write");
    let o = warden(
        &["scan", "--config", cfg.to_str().expect("utf8")],
        &format!("{AWS}\n"),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn invalid_scan_config_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("warden.toml");
    std::fs::write(&cfg, "[governance.secret_scan]\nallowlist = [\"(\"]\n").expect("write");
    let o = warden(&["scan", "--config", cfg.to_str().expect("utf8")], "x\n");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(lines(&o)[0]["error"]["code"], "config_invalid");
}

#[test]
fn unknown_scan_config_key_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("warden.toml");
    std::fs::write(&cfg, "[governance.secret_scan]\nenabeld = true\n").expect("write");
    let o = warden(&["scan", "--config", cfg.to_str().expect("utf8")], "x\n");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn list_rules_prints_every_rule() {
    let o = warden(&["scan", "--list-rules"], "");
    assert_eq!(o.status.code(), Some(0));
    let v = lines(&o);
    assert!(v.len() >= 150);
    assert!(v.iter().any(|r| r["id"] == "github-pat"));
}

#[test]
fn secret_rules_doc_lists_every_rule() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/SECRET_RULES.md"
    ))
    .expect("docs/SECRET_RULES.md");
    let o = warden(&["scan", "--list-rules"], "");
    for r in lines(&o) {
        let id = r["id"].as_str().expect("id");
        assert!(
            doc.contains(&format!("`{id}`")),
            "docs/SECRET_RULES.md misses {id}"
        );
    }
}
