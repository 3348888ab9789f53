//! `warden keys` and `warden token` through the real binary (SPEC §8).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

fn warden() -> Command {
    Command::new(env!("CARGO_BIN_EXE_warden"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run warden: {e}"))
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn generate(dir: &Path, alg: &str) -> PathBuf {
    let p = dir.join(format!("{alg}.json"));
    let o = run(warden()
        .args(["keys", "generate", "--alg", alg, "--out"])
        .arg(&p));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    p
}

fn mint_admin(keys: &Path, extra: &[&str]) -> String {
    let o = run(warden()
        .args([
            "token",
            "mint",
            "admin",
            "--user-id",
            "admin-1",
            "--session-id",
            "s-1",
            "--email",
            "a@example.com",
        ])
        .args(extra)
        .arg("--keys")
        .arg(keys));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn verify(token: &str, args: &[&str]) -> Output {
    run(warden().args(["token", "verify", token]).args(args))
}

#[test]
fn keys_generate_prints_private_jwks_without_out() {
    let o = run(warden().args(["keys", "generate", "--alg", "HS256"]));
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["keys"][0]["kty"], "oct");
    assert_eq!(v["keys"][0]["alg"], "HS256");
    assert!(v["keys"][0]["k"].is_string());
    assert_eq!(v["active"], v["keys"][0]["kid"]);
}

#[test]
fn keys_generate_out_writes_0600_and_refuses_overwrite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "EdDSA");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
    }
    let before = std::fs::read(&p).unwrap_or_default();
    let o = run(warden()
        .args(["keys", "generate", "--alg", "EdDSA", "--out"])
        .arg(&p));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json(&o)["error"]["code"], "exists");
    assert_eq!(std::fs::read(&p).unwrap_or_default(), before);
}

#[test]
fn keys_generate_unknown_alg_is_usage_error() {
    let o = run(warden().args(["keys", "generate", "--alg", "none"]));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn keys_rotate_list_and_jwks() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "ES256");
    let old_token = mint_admin(&p, &[]);
    let o = run(warden().args(["keys", "rotate", "--keys"]).arg(&p));
    assert!(o.status.success());
    let o = run(warden().args(["keys", "list", "--keys"]).arg(&p));
    let v = json(&o);
    let keys = v["keys"].as_array().cloned().unwrap_or_default();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys.iter().filter(|k| k["active"] == true).count(), 1);
    assert_eq!(keys[1]["active"], true);
    assert!(keys.iter().all(|k| k.get("d").is_none()));
    // The old key keeps verifying.
    assert_eq!(
        verify(&old_token, &["--keys", p.to_str().unwrap_or_default()])
            .status
            .code(),
        Some(0)
    );
    let o = run(warden().args(["keys", "jwks", "--keys"]).arg(&p));
    let jwks = json(&o);
    let pub_keys = jwks["keys"].as_array().cloned().unwrap_or_default();
    assert_eq!(pub_keys.len(), 2);
    assert!(pub_keys
        .iter()
        .all(|k| k.get("d").is_none() && k["kty"] == "EC"));
}

#[test]
fn keys_retire_makes_old_tokens_unknown_kid() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "HS256");
    let old_token = mint_admin(&p, &[]);
    let list = json(&run(warden().args(["keys", "list", "--keys"]).arg(&p)));
    let old_kid = list["active"].as_str().unwrap_or_default().to_owned();
    assert!(run(warden().args(["keys", "rotate", "--keys"]).arg(&p))
        .status
        .success());
    assert!(run(warden()
        .args(["keys", "retire", &old_kid, "--keys"])
        .arg(&p))
    .status
    .success());
    let o = verify(&old_token, &["--keys", p.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"]["code"], "unknown_kid");
}

#[test]
fn keys_jwks_never_publishes_oct_keys() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "HS512");
    let o = run(warden().args(["keys", "jwks", "--keys"]).arg(&p));
    assert_eq!(json(&o)["keys"], serde_json::json!([]));
}

#[test]
fn keys_use_data_dir_keys_json() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = dir.path().join("keys.json");
    assert!(run(warden()
        .args(["keys", "generate", "--alg", "EdDSA", "--out"])
        .arg(&p))
    .status
    .success());
    let o = run(warden()
        .args(["keys", "list", "--data-dir"])
        .arg(dir.path()));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o)["keys"].as_array().map(Vec::len), Some(1));
}

#[test]
fn missing_key_file_is_exit_2() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = run(warden()
        .args(["keys", "list", "--data-dir"])
        .arg(dir.path()));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn admin_token_verifies_and_prints_claims() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "EdDSA");
    let t = mint_admin(&p, &["--ttl", "2h"]);
    let o = verify(
        &t,
        &[
            "--keys",
            p.to_str().unwrap_or_default(),
            "--issuer",
            "warden",
            "--audience",
            "api",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let c = json(&o);
    assert_eq!(c["sub"], "admin-1");
    assert_eq!(c["scope"], "admin");
    assert_eq!(c["user_type"], "admin");
    assert_eq!(c["session_id"], "s-1");
    assert_eq!(c["email"], "a@example.com");
    assert_eq!(c["aud"], serde_json::json!(["web", "api", "a2a", "mcp"]));
    assert_eq!(
        c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0),
        7200
    );
}

#[test]
fn session_token_carries_scopes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "HS256");
    let o = run(warden()
        .args([
            "token",
            "mint",
            "session",
            "--user-id",
            "u-7",
            "--session-id",
            "s-7",
            "--email",
            "u@example.com",
            "--scope",
            "user mcp",
            "--keys",
        ])
        .arg(&p));
    assert!(o.status.success());
    let t = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let c = json(&verify(&t, &["--keys", p.to_str().unwrap_or_default()]));
    assert_eq!(c["scope"], "user mcp");
    assert_eq!(c["user_type"], "user");
}

#[test]
fn verify_with_public_jwks_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "ES256");
    let t = mint_admin(&p, &[]);
    let o = run(warden().args(["keys", "jwks", "--keys"]).arg(&p));
    let pubp = dir.path().join("pub.json");
    std::fs::write(&pubp, &o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let o = verify(&t, &["--jwks", pubp.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(0));
}

fn code_of(token: &str, args: &[&str]) -> String {
    let o = verify(token, args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    json(&o)["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn verify_error_codes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "HS256");
    let k = ["--keys", p.to_str().unwrap_or_default()];
    let t = mint_admin(&p, &[]);
    let parts: Vec<&str> = t.split('.').collect();

    assert_eq!(code_of("not-a-token", &k), "malformed");
    assert_eq!(code_of(&"a".repeat(9000), &k), "too_large");
    let wrong_iss: Vec<&str> = k.iter().copied().chain(["--issuer", "other"]).collect();
    assert_eq!(code_of(&t, &wrong_iss), "wrong_issuer");
    let wrong_aud: Vec<&str> = k.iter().copied().chain(["--audience", "x"]).collect();
    assert_eq!(code_of(&t, &wrong_aud), "wrong_audience");
    let bad_sig = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode([0u8; 32])
    );
    assert_eq!(code_of(&bad_sig, &k), "bad_signature");

    let header = |h: serde_json::Value| URL_SAFE_NO_PAD.encode(h.to_string());
    let none = format!(
        "{}.{}.",
        header(serde_json::json!({"alg": "none"})),
        parts[1]
    );
    let c = code_of(&none, &k);
    assert!(c == "alg_not_allowed" || c == "bad_signature", "{c}");
    let rs = format!(
        "{}.{}.{}",
        header(serde_json::json!({"alg": "RS256"})),
        parts[1],
        parts[2]
    );
    assert_eq!(code_of(&rs, &k), "alg_not_allowed");
    let kid = format!(
        "{}.{}.{}",
        header(serde_json::json!({"alg": "HS256", "kid": "nope"})),
        parts[1],
        parts[2]
    );
    assert_eq!(code_of(&kid, &k), "unknown_kid");
    let crit = format!(
        "{}.{}.{}",
        header(serde_json::json!({"alg": "HS256", "crit": ["x"], "x": 1})),
        parts[1],
        parts[2]
    );
    assert_eq!(code_of(&crit, &k), "crit_unsupported");
}

#[test]
fn verify_reads_token_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "HS256");
    let t = mint_admin(&p, &[]);
    let mut child = warden()
        .args(["token", "verify", "-", "--keys"])
        .arg(&p)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{t}");
    }
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn verify_without_token_is_usage_error() {
    let o = run(warden().args(["token", "verify"]));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn mint_rejects_zero_ttl() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "HS256");
    let o = run(warden()
        .args([
            "token",
            "mint",
            "admin",
            "--user-id",
            "a",
            "--session-id",
            "s",
            "--email",
            "e",
            "--ttl",
            "0s",
            "--keys",
        ])
        .arg(&p));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn inspect_marks_claims_unverified() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = generate(dir.path(), "HS256");
    let t = mint_admin(&p, &[]);
    let parts: Vec<&str> = t.split('.').collect();
    let forged = format!("{}.{}.AAAA", parts[0], parts[1]);
    let o = run(warden().args(["token", "inspect", &forged]));
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["verified"], false);
    assert_eq!(v["header"]["alg"], "HS256");
    assert_eq!(v["claims"]["sub"], "admin-1");
}

#[test]
fn inspect_malformed_is_exit_1() {
    let o = run(warden().args(["token", "inspect", "x.y"]));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"]["code"], "malformed");
}

#[test]
fn verify_with_a_configured_store_that_does_not_exist_is_store_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let keys = generate(dir.path(), "EdDSA");
    let token = mint_admin(&keys, &[]);
    let missing = dir.path().join("typo").join("warden.db");
    let cfg = dir.path().join("warden.toml");
    std::fs::write(
        &cfg,
        format!("[store]\nurl = \"sqlite://{}\"\n", missing.display()),
    )
    .unwrap();
    let o = run(warden()
        .arg("--config")
        .arg(&cfg)
        .args(["token", "verify", &token, "--keys"])
        .arg(&keys));
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(json(&o)["error"]["code"], "store_unavailable");
    assert!(!missing.exists(), "verify created the configured database");
    assert!(
        !missing.parent().unwrap().exists(),
        "verify created its directory"
    );
}
