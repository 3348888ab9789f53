//! `warden init` (and the first start of `warden serve`, which runs the same code) on data
//! directories that are not empty: what is kept, what is refused, and file modes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::server::temp_dir;
use serde_json::Value;

fn warden(args: &[&str], data: &Path, stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("WARDEN_CONFIG")
        .env_remove("WARDEN_MASTER_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// One in-process hook decision: creates the audit key and the log in `data`.
fn hook(data: &Path) {
    let input = br#"{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"/src/a.rs"}}"#;
    let out = warden(&["hook", "claude-code"], data, input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn verify(data: &Path) -> Value {
    let out = warden(&["audit", "verify"], data, b"");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_data_dir_used_by_hooks_keeps_its_audit_log_when_initialized() {
    let dir = temp_dir("init-hooked");
    let data = dir.join("data");
    hook(&data);
    assert!(!data.join("keys.json").exists());

    let out = warden(&["init"], &data, b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let created = report["created"].to_string();
    assert!(created.contains("keys.json"), "{created}");
    assert!(
        !created.contains("audit.key") && !created.contains("warden.db"),
        "kept files are not reported as created: {created}"
    );
    hook(&data);
    assert_eq!(verify(&data), serde_json::json!({"ok": true, "records": 2}));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_log_without_its_audit_key_is_refused_and_nothing_is_written() {
    let dir = temp_dir("init-foreign");
    let hooked = dir.join("hooked");
    hook(&hooked);
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(hooked.join("warden.db"), data.join("warden.db")).unwrap();

    let out = warden(&["init"], &data, b"");
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "exists", "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("audit key"),
        "{err}"
    );
    for f in ["keys.json", "master.keys", "audit.key", "admin.token"] {
        assert!(!data.join(f).exists(), "{f} written");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_database_that_cannot_be_opened_fails_before_any_key_is_written() {
    let dir = temp_dir("init-junk");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("warden.db"), b"this is not a database, just text").unwrap();
    let out = warden(&["init"], &data, b"");
    assert_eq!(out.status.code(), Some(2));
    for f in ["keys.json", "master.keys", "audit.key", "admin.token"] {
        assert!(!data.join(f).exists(), "{f} written");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(unix)]
#[test]
fn every_file_of_the_data_dir_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("init-modes");
    let data = dir.join("data");
    let out = warden(&["init"], &data, b"");
    assert_eq!(out.status.code(), Some(0));
    hook(&data);
    let mut seen = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", entry.path().display());
        seen += 1;
    }
    assert!(seen >= 6, "keys, ring, audit key, token, database, index");
    let _ = std::fs::remove_dir_all(dir);
}
