//! `warden govern check` and `warden govern validate`, driven through the real binary.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn warden(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warden"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("WARDEN_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn: {e}"));
    if let Some(mut s) = child.stdin.take() {
        let _ = s.write_all(stdin.as_bytes());
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad json line {l:?}: {e}")))
        .collect()
}

fn one(out: &Output) -> Value {
    let mut v = json_lines(out);
    assert_eq!(
        v.len(),
        1,
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    v.remove(0)
}

fn call(tool: &str, args: &str) -> String {
    format!(
        r#"{{"tool":"{tool}","arguments":{args},"user_id":"u1","session_id":"s1","scopes":["user"]}}"#
    )
}

#[test]
fn check_allowed_call_exits_0_with_the_spec_shape() {
    let d = tmp();
    let out = warden(
        d.path(),
        &["govern", "check"],
        &call("Read", r#"{"file_path":"src/main.rs"}"#),
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let v = one(&out);
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["policy"], Value::Null);
    assert!(v["reason"].is_string());
    assert_eq!(v["findings"], serde_json::json!([]));
    let chain = v["chain"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = chain
        .iter()
        .filter_map(|c| c["policy_id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["secret_scan", "scope_check", "tool_blocklist", "rate_limit"]
    );
    for c in &chain {
        assert!(c["result"].is_string() && c["detail"].is_string() && c["duration_us"].is_u64());
    }
}

#[test]
fn check_denied_call_exits_1_naming_the_layer() {
    let d = tmp();
    let out = warden(
        d.path(),
        &["govern", "check"],
        &call("Bash", r#"{"command":"rm -rf /"}"#),
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let v = one(&out);
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["policy"], "tool_blocklist");
    assert_eq!(v["chain"][3]["result"], "skip");
}

#[test]
fn check_arguments_that_are_not_an_object_are_denied() {
    let d = tmp();
    for args in [r#""rm -rf /""#, r#"["rm -rf /"]"#, "7"] {
        let out = warden(d.path(), &["govern", "check"], &call("Bash", args), &[]);
        assert_eq!(out.status.code(), Some(1), "{args}");
        let v = one(&out);
        assert_eq!(v["decision"], "deny", "{args}");
        assert_eq!(v["policy"], "input_limits", "{args}");
        assert_eq!(v["reason_code"], "arguments_not_an_object", "{args}");
    }
}

#[test]
fn check_ask_exits_1() {
    let d = tmp();
    let out = warden(
        d.path(),
        &["govern", "check"],
        &call("Bash", r#"{"command":"git push --force origin main"}"#),
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(one(&out)["decision"], "ask");
}

#[test]
fn check_project_command_passes() {
    let d = tmp();
    let out = warden(
        d.path(),
        &["govern", "check"],
        &call("Bash", r#"{"command":"rm -rf ./build"}"#),
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn check_malformed_input_exits_2_with_an_error_object() {
    let d = tmp();
    let out = warden(d.path(), &["govern", "check"], "{not json", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(one(&out)["error"]["code"], "invalid_input");
}

#[test]
fn check_missing_tool_exits_2() {
    let d = tmp();
    let out = warden(d.path(), &["govern", "check"], r#"{"arguments":{}}"#, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(one(&out)["error"]["code"], "invalid_input");
}

#[test]
fn check_jsonl_answers_every_line_and_keeps_rate_limit_state() {
    let d = tmp();
    let cfg = d.path().join("w.toml");
    std::fs::write(
        &cfg,
        "[[governance.rate_limit.limits]]\nkey = \"principal\"\nlimit = 2\nwindow_secs = 60\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let line = call("Read", "{}");
    let input = format!("{line}\n{line}\nnot json\n{line}\n");
    let out = warden(
        d.path(),
        &[
            "--config",
            cfg.to_str().unwrap_or_default(),
            "govern",
            "check",
            "--jsonl",
        ],
        &input,
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json_lines(&out);
    assert_eq!(v.len(), 4);
    assert_eq!(v[0]["decision"], "allow");
    assert_eq!(v[1]["decision"], "allow");
    assert_eq!(v[2]["error"]["code"], "invalid_input");
    assert_eq!(v[3]["decision"], "deny");
    assert_eq!(v[3]["policy"], "rate_limit");
    assert!(v[3]["retry_after_ms"]
        .as_u64()
        .is_some_and(|ms| ms > 0 && ms <= 60_000));
}

#[test]
fn check_jsonl_repeated_call_id_is_not_counted_twice() {
    let d = tmp();
    let cfg = d.path().join("warden.toml");
    std::fs::write(
        &cfg,
        "[[governance.rate_limit.limits]]\nkey = \"principal\"\nlimit = 1\nwindow_secs = 60\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let l = r#"{"tool":"Read","arguments":{},"user_id":"u","session_id":"s","scopes":[],"call_id":"c1"}"#;
    let out = warden(
        d.path(),
        &["govern", "check", "--jsonl"],
        &format!("{l}\n{l}\n"),
        &[],
    );
    let v = json_lines(&out);
    assert_eq!(v[0]["decision"], "allow");
    assert_eq!(v[1]["decision"], "allow");
}

#[test]
fn check_uses_warden_config_env() {
    let d = tmp();
    let cfg = d.path().join("env.toml");
    std::fs::write(
        &cfg,
        "[governance.tool_blocklist]\ndeny = [\"mcp__db__drop_*\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = warden(
        d.path(),
        &["govern", "check"],
        &call("mcp__db__drop_table", "{}"),
        &[("WARDEN_CONFIG", cfg.to_str().unwrap_or_default())],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(one(&out)["policy"], "tool_blocklist");
}

#[test]
fn check_uses_local_warden_toml() {
    let d = tmp();
    std::fs::write(
        d.path().join("warden.toml"),
        "[governance.scope_check]\ndefault = \"deny\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = warden(d.path(), &["govern", "check"], &call("Read", "{}"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(one(&out)["policy"], "scope_check");
}

#[test]
fn check_with_invalid_config_exits_2() {
    let d = tmp();
    std::fs::write(
        d.path().join("warden.toml"),
        "[governance]\nmode = \"loud\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = warden(d.path(), &["govern", "check"], &call("Read", "{}"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(one(&out)["error"]["code"], "config_invalid");
}

#[test]
fn check_prompt_input_is_judged_as_prompt() {
    let d = tmp();
    let out = warden(
        d.path(),
        &["govern", "check"],
        r#"{"prompt":"refactor the parser","user_id":"u","session_id":"s","scopes":[]}"#,
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(one(&out)["chain"][1]["result"], "skip");
}

#[test]
fn check_output_never_contains_a_planted_key() {
    let d = tmp();
    let key = "AKIAZ7QX3RLM4TVB2NWD";
    let input = call(
        "Bash",
        &format!(r#"{{"command":"export AWS_ACCESS_KEY_ID={key}"}}"#),
    );
    let out = warden(d.path(), &["govern", "check"], &input, &[]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(key));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(key));
    let v = one(&out);
    if v["findings"].as_array().is_some_and(|f| !f.is_empty()) {
        assert_eq!(v["decision"], "deny");
        assert_eq!(out.status.code(), Some(1));
    }
}

#[test]
fn validate_valid_file_prints_ok() {
    let d = tmp();
    let f = d.path().join("w.toml");
    std::fs::write(
        &f,
        "[governance]\nenabled = true\n[[governance.scope_check.rules]]\ntools = [\"mcp__github__*\"]\nscopes = [\"github\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = warden(
        d.path(),
        &["govern", "validate", f.to_str().unwrap_or_default()],
        "",
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(one(&out), serde_json::json!({"ok": true}));
}

#[test]
fn validate_bad_regex_exits_2_naming_the_key() {
    let d = tmp();
    let f = d.path().join("w.toml");
    std::fs::write(
        &f,
        "[[governance.tool_blocklist.argument_rules]]\ntool = \"Bash\"\npath = \"command\"\npattern = \"rm (\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = warden(
        d.path(),
        &["govern", "validate", f.to_str().unwrap_or_default()],
        "",
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let v = one(&out);
    assert_eq!(v["error"]["code"], "config_invalid");
    let msg = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("governance.tool_blocklist.argument_rules[0].pattern: invalid regex: "),
        "{msg}"
    );
}

#[test]
fn validate_unknown_key_exits_2_naming_the_key() {
    let d = tmp();
    let f = d.path().join("w.toml");
    std::fs::write(&f, "[governance.rate_limit]\nlimitz = []\n").unwrap_or_else(|e| panic!("{e}"));
    let out = warden(
        d.path(),
        &["govern", "validate", f.to_str().unwrap_or_default()],
        "",
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let msg = one(&out)["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        msg.contains("governance.rate_limit.limitz: unknown field `limitz`"),
        "{msg}"
    );
}

#[test]
fn validate_toml_syntax_error_exits_2() {
    let d = tmp();
    let f = d.path().join("w.toml");
    std::fs::write(&f, "[governance\n").unwrap_or_else(|e| panic!("{e}"));
    let out = warden(
        d.path(),
        &["govern", "validate", f.to_str().unwrap_or_default()],
        "",
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(one(&out)["error"]["code"], "config_invalid");
}

#[test]
fn validate_missing_file_exits_2() {
    let d = tmp();
    let out = warden(
        d.path(),
        &["govern", "validate", "/nonexistent/w.toml"],
        "",
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(one(&out)["error"]["code"], "config_invalid");
}
