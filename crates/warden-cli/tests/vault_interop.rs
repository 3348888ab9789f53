//! Vault envelope interop with libsodium through PyNaCl (`scripts/interop/vault_interop.py`):
//! Python seals what `warden vault open` opens, and opens what `warden vault seal` produced.
//! Skips when PyNaCl is missing unless WARDEN_REQUIRE_INTEROP=1.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn python() -> String {
    std::env::var("WARDEN_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/interop/vault_interop.py")
}

/// True when PyNaCl is importable; panics instead of skipping when interop is required.
fn pynacl_available() -> bool {
    let ok = Command::new(python())
        .args(["-c", "import nacl.bindings"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var("WARDEN_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "PyNaCl is required (WARDEN_REQUIRE_INTEROP=1) but `import nacl` failed"
        );
        eprintln!(
            "skipping vault interop: PyNaCl not installed \
             (pip install -r scripts/requirements-interop.txt)"
        );
    }
    ok
}

fn run(mut cmd: Command, stdin: &[u8]) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn py(op: &str, extra: &[&str], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(python());
    cmd.arg(script())
        .arg(op)
        .args(["--key", KEY_HEX])
        .args(extra);
    run(cmd, stdin)
}

fn warden(op: &str, ns: &str, name: &str, stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warden"));
    cmd.args(["vault", op, "--namespace", ns, "--name", name])
        .env("WARDEN_MASTER_KEY", KEY_HEX);
    run(cmd, stdin)
}

fn plaintexts() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        b"hunter2".to_vec(),
        (0..=255u8).collect(),
        vec![0xA5; 70_000],
    ]
}

#[test]
fn warden_opens_envelopes_sealed_by_pynacl() {
    if !pynacl_available() {
        return;
    }
    for pt in plaintexts() {
        let sealed = py(
            "seal",
            &["--namespace", "prod", "--name", "db/password"],
            &pt,
        );
        assert!(
            sealed.status.success(),
            "{}",
            String::from_utf8_lossy(&sealed.stderr)
        );
        let out = warden("open", "prod", "db/password", &sealed.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(out.stdout, pt);
    }
}

#[test]
fn pynacl_opens_envelopes_sealed_by_warden() {
    if !pynacl_available() {
        return;
    }
    for pt in plaintexts() {
        let sealed = warden("seal", "prod", "api-key", &pt);
        assert_eq!(sealed.status.code(), Some(0));
        let out = py(
            "open",
            &["--namespace", "prod", "--name", "api-key"],
            &sealed.stdout,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, pt);
    }
}

#[test]
fn warden_rejects_pynacl_envelope_under_another_binding() {
    if !pynacl_available() {
        return;
    }
    let sealed = py("seal", &["--namespace", "prod", "--name", "a"], b"v");
    let out = warden("open", "prod", "b", &sealed.stdout);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "auth_failed");
}

#[test]
fn pynacl_rejects_warden_envelope_under_another_binding() {
    if !pynacl_available() {
        return;
    }
    let sealed = warden("seal", "prod", "a", b"v");
    let out = py(
        "open",
        &["--namespace", "prod2", "--name", "a"],
        &sealed.stdout,
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn warden_opens_pynacl_envelope_with_custom_kid_from_key_ring_file() {
    if !pynacl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = serde_json::json!({"version": 1, "active": "prod-2026.01",
        "keys": [{"kid": "prod-2026.01", "key": KEY_HEX, "created_at_ms": 0}]});
    std::fs::write(dir.path().join("master.keys"), doc.to_string()).unwrap();
    let sealed = py(
        "seal",
        &["--kid", "prod-2026.01", "--namespace", "n", "--name", "x"],
        b"ok",
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warden"));
    cmd.args([
        "vault",
        "open",
        "--namespace",
        "n",
        "--name",
        "x",
        "--data-dir",
    ])
    .arg(dir.path())
    .env_remove("WARDEN_MASTER_KEY");
    let out = run(cmd, &sealed.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"ok");
}
