//! `warden vault put/get/list/rm/rotate` against the SQLite store of a data directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn warden(args: &[&str], dir: &Path, stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("WARDEN_MASTER_KEY")
        .env_remove("WARDEN_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn put_get_list_rotate_rm_round_trip() {
    let dir = std::env::temp_dir().join(format!("warden-vault-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let init = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["init", "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        init.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );

    let out = warden(
        &["vault", "put", "github/token"],
        &dir,
        b"ghp_not_a_real_token_value",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = warden(&["vault", "list"], &dir, b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"name\":\"token\""), "{text}");
    assert!(!text.contains("ghp_not_a_real"), "list printed a value");
    assert_eq!(
        warden(&["vault", "get", "github/token"], &dir, b"").stdout,
        b"ghp_not_a_real_token_value"
    );

    let out = warden(&["vault", "rotate"], &dir, b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        warden(&["vault", "get", "github/token"], &dir, b"").stdout,
        b"ghp_not_a_real_token_value"
    );

    assert_eq!(
        warden(&["vault", "rm", "github/token"], &dir, b"")
            .status
            .code(),
        Some(0)
    );
    let out = warden(&["vault", "get", "github/token"], &dir, b"");
    assert_ne!(out.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rotate_with_the_kid_of_a_ring_key_resumes_without_adding_one() {
    let dir = std::env::temp_dir().join(format!("warden-vault-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = warden(&["init"], &dir, b"");
    assert_ok(&out);
    let out = warden(&["vault", "put", "a/b"], &dir, b"v");
    assert_ok(&out);
    let out = warden(&["vault", "rotate", "--kid", "second"], &dir, b"");
    assert_ok(&out);
    let ring = std::fs::read_to_string(dir.join("master.keys")).unwrap();
    let out = warden(&["vault", "rotate", "--kid", "second"], &dir, b"");
    assert_ok(&out);
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (again["active_kid"].as_str(), again["unchanged"].as_u64()),
        (Some("second"), Some(1))
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("master.keys")).unwrap(),
        ring,
        "the ring is unchanged: no key added"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn assert_ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
