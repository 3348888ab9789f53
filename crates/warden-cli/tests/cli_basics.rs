//! The `warden` binary's global behaviour: help, version, usage errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn warden() -> Command {
    Command::new(env!("CARGO_BIN_EXE_warden"))
}

#[test]
fn help_lists_every_contract_command_and_exits_0() {
    let out = warden().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "init", "serve", "keys", "token", "vault", "scan", "detect", "govern", "hook", "audit",
    ] {
        assert!(text.contains(cmd), "help lacks {cmd}: {text}");
    }
}

#[test]
fn version_prints_the_crate_version() {
    let out = warden().arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_subcommand_is_a_usage_error_with_exit_2_and_json() {
    let out = warden().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let line = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(v["error"]["code"], "usage");
}

#[test]
fn an_empty_warden_config_counts_as_unset() {
    let dir = std::env::temp_dir().join(format!("warden-emptycfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = warden()
        .args(["scan", "-"])
        .env("WARDEN_CONFIG", "")
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A set one is used (and a missing file is a configuration error).
    let out = warden()
        .args(["scan", "-"])
        .env("WARDEN_CONFIG", dir.join("missing.toml"))
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}
