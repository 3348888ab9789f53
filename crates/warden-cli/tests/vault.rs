//! `warden vault` CLI contract (SPEC §4, §8), driving the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// The same key as base64url without padding.
const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const OTHER_HEX: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
const DEFAULT_KID: &str = "630dcd2966c43366";

fn warden(args: &[&str], env_key: Option<&str>, stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warden"));
    cmd.args(args)
        .env_remove("WARDEN_MASTER_KEY")
        .env_remove("WARDEN_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(k) = env_key {
        cmd.env("WARDEN_MASTER_KEY", k);
    }
    let mut child = cmd.spawn().unwrap();
    // The command may exit before reading stdin (e.g. on a usage error).
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn seal(ns: &str, name: &str, key: &str, pt: &[u8]) -> Vec<u8> {
    let out = warden(
        &["vault", "seal", "--namespace", ns, "--name", name],
        Some(key),
        pt,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn open(ns: &str, name: &str, key: &str, env: &[u8]) -> Output {
    warden(
        &["vault", "open", "--namespace", ns, "--name", name],
        Some(key),
        env,
    )
}

fn seal_in(dir: &Path, pt: &[u8]) -> Vec<u8> {
    let d = dir.to_str().unwrap();
    let args = [
        "vault",
        "seal",
        "--namespace",
        "ns",
        "--name",
        "db",
        "--data-dir",
        d,
    ];
    let out = warden(&args, None, pt);
    assert_eq!(out.status.code(), Some(0));
    out.stdout
}

fn open_in(dir: &Path, env: &[u8]) -> Output {
    let d = dir.to_str().unwrap();
    let args = [
        "vault",
        "open",
        "--namespace",
        "ns",
        "--name",
        "db",
        "--data-dir",
        d,
    ];
    warden(&args, None, env)
}

fn error_code(out: &Output) -> String {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("stdout is not JSON: {:?}", out.stdout));
    v["error"]["code"].as_str().unwrap().to_owned()
}

fn write_keyring(dir: &Path, entries: &[(&str, &str)], active: &str) {
    let keys: Vec<_> = entries
        .iter()
        .map(|(kid, key)| serde_json::json!({"kid": kid, "key": key, "created_at_ms": 0}))
        .collect();
    let doc = serde_json::json!({"version": 1, "active": active, "keys": keys});
    std::fs::write(dir.join("master.keys"), doc.to_string()).unwrap();
}

#[test]
fn seal_then_open_round_trips_binary_plaintext() {
    let pt: Vec<u8> = (0..=255u8).collect();
    let env = seal("ns", "db", KEY_HEX, &pt);
    let out = open("ns", "db", KEY_HEX, &env);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, pt);
}

#[test]
fn base64url_and_hex_forms_of_the_key_are_interchangeable() {
    let env = seal("ns", "db", KEY_B64, b"v");
    assert_eq!(open("ns", "db", KEY_HEX, &env).stdout, b"v");
}

#[test]
fn envelope_header_carries_default_kid() {
    let env = seal("ns", "db", KEY_HEX, b"v");
    assert_eq!(&env[..6], b"WSV1\x02\x10");
    assert_eq!(&env[6..22], DEFAULT_KID.as_bytes());
    assert_eq!(env.len(), 22 + 24 + 48 + 24 + 1 + 16);
}

#[test]
fn empty_plaintext_round_trips() {
    let env = seal("ns", "db", KEY_HEX, b"");
    let out = open("ns", "db", KEY_HEX, &env);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn open_with_wrong_namespace_is_auth_failed() {
    let env = seal("ns", "db", KEY_HEX, b"v");
    let out = open("other", "db", KEY_HEX, &env);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(error_code(&out), "auth_failed");
}

#[test]
fn open_with_wrong_name_is_auth_failed() {
    let env = seal("ns", "db", KEY_HEX, b"v");
    let out = open("ns", "db2", KEY_HEX, &env);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(error_code(&out), "auth_failed");
}

#[test]
fn tampering_any_byte_is_rejected_with_exit_1() {
    // Every byte: `auth_failed` like any tampering (a changed magic or header byte no longer
    // parses; later bytes fail the AEAD tag), or `unknown_kid` for a header byte (algorithm,
    // kid length, kid) changed into another well-formed kid — which one depends on the random
    // nonce bytes a changed length pulls into the kid.
    let env = seal("ns", "db", KEY_HEX, b"pw");
    let hlen = 6 + DEFAULT_KID.len();
    for i in 0..env.len() {
        for flip in [0x01u8, 0x80] {
            let mut t = env.clone();
            t[i] ^= flip;
            let out = open("ns", "db", KEY_HEX, &t);
            assert_eq!(out.status.code(), Some(1), "byte {i} flip {flip:#x}");
            let code = error_code(&out);
            if (4..hlen).contains(&i) {
                assert!(
                    code == "auth_failed" || code == "unknown_kid",
                    "byte {i} flip {flip:#x}: {code}"
                );
            } else {
                assert_eq!(code, "auth_failed", "byte {i} flip {flip:#x}");
            }
        }
    }
}

#[test]
fn tampered_kid_byte_that_stays_valid_is_unknown_kid() {
    let mut env = seal("ns", "db", KEY_HEX, b"pw");
    env[6] = b'Z';
    let out = open("ns", "db", KEY_HEX, &env);
    assert_eq!(error_code(&out), "unknown_kid");
}

#[test]
fn a_truncated_envelope_is_auth_failed_down_to_nothing() {
    let env = seal("ns", "db", KEY_HEX, b"pw");
    for (len, code) in [
        (0, "auth_failed"),
        (3, "auth_failed"),
        (5, "auth_failed"),
        (10, "auth_failed"),
        (22, "auth_failed"),
        (50, "auth_failed"),
        (22 + 24 + 48 + 24 + 15, "auth_failed"),
    ] {
        let out = open("ns", "db", KEY_HEX, &env[..len]);
        assert_eq!(out.status.code(), Some(1), "len {len}");
        assert_eq!(error_code(&out), code, "len {len}");
    }
}

#[test]
fn truncation_inside_the_payload_is_auth_failed() {
    let env = seal("ns", "db", KEY_HEX, b"password");
    let out = open("ns", "db", KEY_HEX, &env[..env.len() - 3]);
    assert_eq!(error_code(&out), "auth_failed");
}

#[test]
fn non_envelope_input_cannot_be_authenticated() {
    let out = open(
        "ns",
        "db",
        KEY_HEX,
        b"hello, this is not an envelope at all............",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(error_code(&out), "auth_failed");
}

#[test]
fn other_env_key_is_unknown_kid() {
    let env = seal("ns", "db", KEY_HEX, b"v");
    let out = open("ns", "db", OTHER_HEX, &env);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(error_code(&out), "unknown_kid");
}

#[test]
fn wrong_key_under_the_same_kid_is_auth_failed() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write_keyring(a.path(), &[("main", KEY_HEX)], "main");
    write_keyring(b.path(), &[("main", OTHER_HEX)], "main");
    let env = seal_in(a.path(), b"v");
    let out = open_in(b.path(), &env);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(error_code(&out), "auth_failed");
}

#[test]
fn key_ring_file_opens_envelopes_of_non_active_keys() {
    let old = tempfile::tempdir().unwrap();
    write_keyring(old.path(), &[("k1", KEY_HEX)], "k1");
    let env = seal_in(old.path(), b"secret");
    let ring = tempfile::tempdir().unwrap();
    write_keyring(ring.path(), &[("k1", KEY_B64), ("k2", OTHER_HEX)], "k2");
    let out = open_in(ring.path(), &env);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"secret");
}

#[test]
fn key_ring_file_seals_under_the_active_key() {
    let ring = tempfile::tempdir().unwrap();
    write_keyring(ring.path(), &[("k1", KEY_B64), ("k2", OTHER_HEX)], "k2");
    let env = seal_in(ring.path(), b"x");
    assert_eq!(&env[4..8], b"\x02\x02k2");
}

#[test]
fn env_key_takes_precedence_over_key_ring_file() {
    let d = tempfile::tempdir().unwrap();
    write_keyring(d.path(), &[("main", OTHER_HEX)], "main");
    let dir = d.path().to_str().unwrap();
    let args = [
        "vault",
        "seal",
        "--namespace",
        "ns",
        "--name",
        "db",
        "--data-dir",
        dir,
    ];
    let env = warden(&args, Some(KEY_HEX), b"v").stdout;
    assert_eq!(&env[6..22], DEFAULT_KID.as_bytes());
}

#[test]
fn missing_key_exits_2_with_no_master_key() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_str().unwrap();
    let args = [
        "vault",
        "seal",
        "--namespace",
        "ns",
        "--name",
        "db",
        "--data-dir",
        dir,
    ];
    let out = warden(&args, None, b"v");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "no_master_key");
}

#[test]
fn invalid_env_key_exits_2_without_echoing_it() {
    let out = warden(
        &["vault", "seal", "--namespace", "ns", "--name", "db"],
        Some("not-a-key-but-secret-material"),
        b"v",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "invalid_master_key");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("secret-material"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("secret-material"));
}

#[test]
fn invalid_key_ring_file_exits_2() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("master.keys"), "{not json").unwrap();
    let out = open_in(d.path(), b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "keyring_invalid");
}

#[test]
fn store_commands_report_an_unusable_store() {
    // A data dir whose parent is a regular file: the SQLite database cannot be opened.
    let d = tempfile::tempdir().unwrap();
    let blocker = d.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let dir = blocker.join("data");
    for args in [
        vec!["vault", "put", "ns/db"],
        vec!["vault", "get", "ns/db"],
        vec!["vault", "list"],
        vec!["vault", "rm", "ns/db"],
    ] {
        let mut args = args.clone();
        args.extend(["--data-dir", dir.to_str().unwrap()]);
        let out = warden(&args, Some(KEY_HEX), b"v");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(error_code(&out), "store_unavailable", "{args:?}");
    }
}

#[test]
fn put_rejects_path_without_namespace() {
    let out = warden(&["vault", "put", "justaname"], Some(KEY_HEX), b"v");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "usage");
}

#[test]
fn rotate_refuses_single_env_key() {
    let out = warden(&["vault", "rotate"], Some(KEY_HEX), b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "unsupported");
}
