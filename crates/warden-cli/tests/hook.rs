//! `warden hook claude-code` and `warden hook install` through the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::assert_success;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn warden_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .env_remove("WARDEN_CONFIG")
        .env_remove("WARDEN_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

const PRE_TOOL_USE: &str = r#"{"session_id":"abc123","transcript_path":"/t.jsonl","cwd":"/p","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"toolu_01"}"#;

#[test]
fn malformed_hook_input_exits_2_with_reason_on_stderr() {
    let out = warden_with_stdin(
        &["hook", "claude-code", "--server", "http://127.0.0.1:9"],
        b"{not json",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid Claude Code hook input"));
}

#[test]
fn tool_input_that_is_not_an_object_exits_2() {
    let dir = std::env::temp_dir().join(format!("warden-hook-shape-{}", std::process::id()));
    for input in [r#""rm -rf /""#, r#"["rm -rf /"]"#] {
        let text = format!(
            r#"{{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{input}}}"#
        );
        let out = in_process(&dir, &text);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("tool_input must be a JSON object"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unreachable_server_exits_2_fail_closed() {
    let dir = std::env::temp_dir().join(format!("warden-hook-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token = dir.join("t");
    std::fs::write(&token, "tok").unwrap();
    // Port 9 (discard) on loopback: nothing listens there.
    let out = warden_with_stdin(
        &[
            "hook",
            "claude-code",
            "--server",
            "http://127.0.0.1:9",
            "--token-file",
            token.to_str().unwrap(),
        ],
        PRE_TOOL_USE.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unreachable"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn install_prints_a_settings_snippet() {
    let out = warden_with_stdin(
        &[
            "hook",
            "install",
            "--command",
            "warden",
            "--data-dir",
            "/srv/wd",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "warden hook claude-code --data-dir /srv/wd"
    );
    assert!(v["hooks"]["PostToolUse"].is_array());
    assert!(v["hooks"]["UserPromptSubmit"].is_array());
}

#[test]
fn install_write_creates_the_settings_file() {
    let dir = std::env::temp_dir().join(format!("warden-hook-install-{}", std::process::id()));
    let path = dir.join(".claude/settings.json");
    let out = warden_with_stdin(
        &[
            "hook",
            "install",
            "--write",
            "--settings",
            path.to_str().unwrap(),
            "--command",
            "warden",
            "--server",
            "http://127.0.0.1:8080",
            "--data-dir",
            "/srv/wd",
            "--token-file",
            "/srv/hook token",
        ],
        b"",
    );
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        v["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "warden hook claude-code --data-dir /srv/wd --server http://127.0.0.1:8080 --token-file '/srv/hook token'"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The installed command pins the configuration and the data dir as absolute paths, so a
/// `warden.toml` or `warden-data/` written into the project cannot change what the hook uses.
#[test]
fn install_pins_the_config_and_data_dir_absolute() {
    let dir = std::env::temp_dir().join(format!("warden-hook-pin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("warden.toml"), "[hook]\non_allow = \"allow\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["hook", "install", "--command", "warden"])
        .env_remove("WARDEN_CONFIG")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cmd = v["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
        .as_str()
        .unwrap()
        .to_owned();
    let root = std::fs::canonicalize(&dir).unwrap_or(dir.clone());
    assert!(
        cmd.contains(&format!("--config {}", dir.join("warden.toml").display()))
            || cmd.contains(&format!("--config {}", root.join("warden.toml").display())),
        "{cmd}"
    );
    assert!(cmd.contains(" --data-dir /"), "{cmd}");
    let _ = std::fs::remove_dir_all(dir);
}

fn in_process(dir: &std::path::Path, input: &str) -> Output {
    in_process_with(dir, input, &[("USER", Some("dev"))])
}

/// `hook claude-code` in process on `dir`, with environment variables set (`Some`) or
/// removed (`None`).
fn in_process_with(dir: &std::path::Path, input: &str, env: &[(&str, Option<&str>)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warden"));
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let mut child = cmd
        .args(["hook", "claude-code", "--data-dir"])
        .arg(dir)
        .env_remove("WARDEN_CONFIG")
        .current_dir(dir.parent().unwrap())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

#[test]
fn in_process_denies_a_destructive_command_and_audits_it() {
    let dir = std::env::temp_dir().join(format!("warden-hook-inproc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let deny = r#"{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf /"},"tool_use_id":"t1"}"#;
    let out = in_process(&data, deny);
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(v["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap()
        .contains("rm_root"));

    let allow = r#"{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"t2"}"#;
    let out = in_process(&data, allow);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        serde_json::json!({})
    );

    let post = r#"{"session_id":"s1","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_response":{"stdout":"fine"},"tool_use_id":"t2"}"#;
    let out = in_process(&data, post);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        serde_json::json!({})
    );

    let verify = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["audit", "verify", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"ok": true, "records": 2}));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn post_tool_use_removes_an_encoded_secret_from_the_output() {
    use base64::Engine as _;
    let dir = std::env::temp_dir().join(format!("warden-hook-post-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let token = format!("ghp_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("token={token}"));
    let input = serde_json::json!({
        "session_id": "s1",
        "hook_event_name": "PostToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "cat creds.b64"},
        "tool_response": {"stdout": encoded, "plain": format!("here: {token}"), "exit": 0},
        "tool_use_id": "t9"
    });
    let out = in_process(&data, &input.to_string());
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains(&token), "{text}");
    assert!(!text.contains(&encoded), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let updated = &v["hookSpecificOutput"]["updatedToolOutput"];
    assert!(
        updated["stdout"].as_str().unwrap().starts_with("[REDACTED"),
        "{v}"
    );
    assert!(
        updated["plain"]
            .as_str()
            .unwrap()
            .starts_with("here: [REDACTED"),
        "{v}"
    );
    assert_eq!(updated["exit"], 0, "{v}");

    // The redaction is a decision about the output: audited, without the secret.
    let export = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["audit", "export", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&export.stdout).into_owned();
    assert!(!text.contains(&token) && !text.contains(&encoded), "{text}");
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 1, "{text}");
    let r = &records[0];
    let r = if r.get("record").is_some() {
        &r["record"]
    } else {
        r
    };
    assert_eq!(r["source"], "hook", "{r}");
    assert_eq!(r["target"], "Bash", "{r}");
    assert_eq!(r["call_id"], "t9", "{r}");
    assert_eq!(r["policy"], "secret_scan", "{r}");
    assert!(!r["findings"].as_array().unwrap().is_empty(), "{r}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn in_process_rate_limit_state_persists_across_processes() {
    let dir = std::env::temp_dir().join(format!("warden-hook-rl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("warden.toml");
    std::fs::write(
        &cfg,
        "[[governance.rate_limit.limits]]\nkey = \"principal\"\nlimit = 2\nwindow_secs = 600\n",
    )
    .unwrap();
    let data = dir.join("data");
    let mut decisions = Vec::new();
    for i in 0..3 {
        let input = format!(
            r#"{{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{{"file_path":"/x"}},"tool_use_id":"t{i}"}}"#
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args([
                "--config",
                cfg.to_str().unwrap(),
                "hook",
                "claude-code",
                "--data-dir",
            ])
            .arg(&data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        let out = child.wait_with_output().unwrap();
        assert_success(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        decisions.push(
            v["hookSpecificOutput"]["permissionDecision"]
                .as_str()
                .unwrap_or("none")
                .to_owned(),
        );
    }
    assert_eq!(decisions, vec!["none", "none", "deny"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn in_process_bad_config_exits_2() {
    let dir = std::env::temp_dir().join(format!("warden-hook-badcfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("warden.toml");
    std::fs::write(&cfg, "[governance]\nnonsense = 1\n").unwrap();
    let out = warden_with_stdin(
        &["--config", cfg.to_str().unwrap(), "hook", "claude-code"],
        PRE_TOOL_USE.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stderr.is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_lone_surrogate_in_the_input_does_not_block_the_call() {
    let dir = std::env::temp_dir().join(format!("warden-hook-surrogate-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let input = r#"{"session_id":"s","transcript_path":"/tmp/t","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/tmp/notes.md","content":"half an emoji: \ud83d"}}"#;
    let out = in_process(&dir.join("data"), input);
    assert_success(&out);
    let _ = std::fs::remove_dir_all(dir);
}

/// Without `$USER` (cron, some IDE launchers) the principal is still the OS user, not a
/// shared `unknown`.
#[test]
fn without_user_the_principal_is_the_os_user() {
    let dir = std::env::temp_dir().join(format!("warden-hook-nouser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let deny = r#"{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf /"},"tool_use_id":"t1"}"#;
    let out = in_process_with(
        &data,
        deny,
        &[
            ("USER", None),
            ("USERNAME", None),
            ("LOGNAME", Some("logname-user")),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let q = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["audit", "query", "--data-dir"])
        .arg(&data)
        .args(["--user-id", "logname-user"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&q.stdout).unwrap();
    assert_eq!(v["records"].as_array().map(Vec::len), Some(1), "{v}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn in_process_keeps_the_agent_out_of_its_data_dir_whatever_its_name() {
    let dir = std::env::temp_dir().join(format!("warden-hook-own-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("state");
    let pre = |tool: &str, input: serde_json::Value| {
        serde_json::json!({"session_id":"s1","hook_event_name":"PreToolUse","tool_name":tool,
            "tool_input":input,"tool_use_id":"t"})
        .to_string()
    };
    let decision = |input: String| {
        let out = in_process(&data, &input);
        assert_success(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let h = &v["hookSpecificOutput"];
        (
            h["permissionDecision"]
                .as_str()
                .unwrap_or("none")
                .to_owned(),
            h["permissionDecisionReason"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        )
    };
    let keys = data.join("keys.json");
    let keys = keys.to_str().unwrap();
    for input in [
        pre("Read", serde_json::json!({ "file_path": keys })),
        pre(
            "Bash",
            serde_json::json!({ "command": format!("cat '{keys}'") }),
        ),
        pre(
            "Bash",
            serde_json::json!({ "command": format!("rm -rf {}", data.display()) }),
        ),
    ] {
        let (d, reason) = decision(input.clone());
        assert_eq!(d, "deny", "{input}");
        assert!(reason.contains("warden_data_dir"), "{reason}");
    }
    // From the agent's working directory (the input's `cwd`), by its relative path too.
    let from_cwd = serde_json::json!({"session_id":"s1","hook_event_name":"PreToolUse",
        "cwd": dir, "tool_name":"Bash","tool_input":{"command":"cat state/keys.json"},
        "tool_use_id":"t"})
    .to_string();
    let (d, reason) = decision(from_cwd);
    assert_eq!(d, "deny");
    assert!(
        reason.contains("warden_data_dir_shell_relative"),
        "{reason}"
    );
    // Its neighbours are not Warden's.
    let (d, _) = decision(pre(
        "Read",
        serde_json::json!({ "file_path": dir.join("notes.txt") }),
    ));
    assert_eq!(d, "none");
    let _ = std::fs::remove_dir_all(&dir);
}
