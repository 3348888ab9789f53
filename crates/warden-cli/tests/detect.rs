//! `warden detect` through the real binary (SPEC §8).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .arg("detect")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn req(path: &str, ua: &str) -> String {
    serde_json::json!({"path": path, "user_agent": ua}).to_string()
}

fn timed(ip: &str, ts: u64) -> String {
    serde_json::json!({"path": "/", "user_agent": CHROME, "ip": ip, "ts": ts}).to_string() + "\n"
}

#[test]
fn jsonl_answers_one_line_per_request_in_order() {
    let input = [
        req("/", CHROME),
        req("/", "GPTBot/1.2"),
        req("/", "curl/8.5.0"),
    ]
    .join("\n");
    let out = run(&["--jsonl"], &input);
    assert_eq!(out.status.code(), Some(0));
    let v = lines(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(
        v[0],
        serde_json::json!({"bot": false, "class": "human", "reasons": []})
    );
    assert_eq!(v[1]["class"], "ai_agent");
    assert_eq!(v[1]["bot"], true);
    assert_eq!(v[2]["class"], "script");
}

#[test]
fn jsonl_output_has_exactly_the_contract_keys() {
    let out = run(&["--jsonl"], &req("/.env", CHROME));
    let v = lines(&out);
    let keys: Vec<&String> = v[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["bot", "class", "reasons"]);
    assert_eq!(v[0]["class"], "scanner");
    assert!(v[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "dotfile_path"));
}

#[test]
fn jsonl_null_user_agent_is_a_script() {
    let out = run(&["--jsonl"], r#"{"path":"/","user_agent":null}"#);
    let v = lines(&out);
    assert_eq!(v[0]["class"], "script");
    assert_eq!(v[0]["reasons"][0], "missing_user_agent");
}

#[test]
fn jsonl_malformed_lines_get_an_error_object_and_the_run_goes_on() {
    let input = format!("{{not json\n[1,2]\n{{\"path\":5}}\n{}\n", req("/", CHROME));
    let out = run(&["--jsonl"], &input);
    assert_eq!(out.status.code(), Some(0));
    let v = lines(&out);
    assert_eq!(v.len(), 4);
    for e in &v[..3] {
        assert_eq!(e["error"]["code"], "invalid_input");
        assert!(e["error"]["message"].as_str().unwrap().len() > 5);
    }
    assert_eq!(v[3]["class"], "human");
}

#[test]
fn jsonl_invalid_utf8_line_gets_an_error_object() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["detect", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\xff\xfe\n").unwrap();
    stdin.write_all(req("/", CHROME).as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = lines(&out);
    assert_eq!(v[0]["error"]["code"], "invalid_input");
    assert_eq!(v[1]["class"], "human");
}

#[test]
fn jsonl_skips_blank_lines() {
    let input = format!("\n{}\n\n", req("/", CHROME));
    assert_eq!(lines(&run(&["--jsonl"], &input)).len(), 1);
}

#[test]
fn jsonl_tracks_velocity_per_ip_using_ts() {
    let mut input = String::new();
    for i in 0..31 {
        input.push_str(&timed("198.51.100.7", 1_700_000_000 + i));
    }
    // Another client at the same time is unaffected.
    input.push_str(&timed("198.51.100.8", 1_700_000_030));
    let v = lines(&run(&["--jsonl"], &input));
    assert_eq!(v[29]["class"], "human");
    assert_eq!(v[30]["class"], "scanner");
    assert!(v[30]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "high_velocity"));
    assert_eq!(v[31]["class"], "human");
}

#[test]
fn jsonl_velocity_window_slides_with_ts() {
    // One request every 2 s: 30 per minute, never more.
    let input: String = (0..31)
        .map(|i| timed("203.0.113.1", 1_700_000_000 + 2 * i))
        .collect();
    let v = lines(&run(&["--jsonl"], &input));
    assert!(v.iter().all(|x| x["class"] == "human"), "{v:?}");
}

#[test]
fn jsonl_without_ts_uses_the_wall_clock() {
    let line = serde_json::json!({"path": "/", "user_agent": CHROME, "ip": "203.0.113.3"})
        .to_string()
        + "\n";
    let v = lines(&run(&["--jsonl"], &line.repeat(31)));
    assert_eq!(v[29]["class"], "human");
    assert_eq!(v[30]["class"], "scanner");
}

#[test]
fn jsonl_velocity_threshold_is_a_flag() {
    let input: String = (0..3)
        .map(|i| timed("203.0.113.2", 1_700_000_000 + i))
        .collect();
    let v = lines(&run(&["--jsonl", "--max-per-minute", "2"], &input));
    assert_eq!(v[1]["class"], "human");
    assert_eq!(v[2]["class"], "scanner");
}

#[test]
fn single_mode_exits_1_for_a_bot() {
    let out = run(&[], &req("/wp-login.php", CHROME));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out)[0]["class"], "scanner");
}

#[test]
fn single_mode_exits_0_for_a_human() {
    let out = run(&[], &req("/docs/administrator-guide", CHROME));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        lines(&out)[0],
        serde_json::json!({"bot": false, "class": "human", "reasons": []})
    );
}

#[test]
fn single_mode_exits_2_on_malformed_input() {
    let out = run(&[], "{nope");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(lines(&out)[0]["error"]["code"], "invalid_input");
}

#[test]
fn the_detect_section_of_the_configuration_applies_and_flags_win() {
    let dir = std::env::temp_dir().join(format!("warden-detect-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("warden.toml");
    std::fs::write(&cfg, "[detect]\nmax_requests_per_minute = 3\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let input: String = (0..6)
        .map(|i| timed("9.9.9.9", 1_700_000_000 + i))
        .collect();
    let classes = |out: &Output| -> Vec<String> {
        lines(out)
            .iter()
            .map(|v| v["class"].as_str().unwrap().to_owned())
            .collect()
    };
    let out = run(&["--jsonl", "--config", cfg], &input);
    assert_eq!(out.status.code(), Some(0));
    let c = classes(&out);
    assert_eq!(&c[..3], ["human", "human", "human"], "{c:?}");
    assert_eq!(&c[3..], ["scanner", "scanner", "scanner"], "{c:?}");
    // The flag overrides the file.
    let out = run(
        &["--jsonl", "--config", cfg, "--max-per-minute", "10"],
        &input,
    );
    assert!(classes(&out).iter().all(|c| c == "human"));
    // A configuration that cannot be read is an error, as for every other command.
    let missing = dir.join("missing.toml");
    let out = run(&["--config", missing.to_str().unwrap()], &req("/", CHROME));
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

/// A co-process writes a line and waits for its answer before writing the next: output is
/// buffered for batch runs but must be flushed before the command waits for input.
#[test]
fn jsonl_answers_each_line_before_the_next_arrives() {
    use std::io::{BufRead, BufReader};
    for args in [
        &["detect", "--jsonl"][..],
        &["govern", "check", "--jsonl"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        let line = if args[0] == "detect" {
            req("/", CHROME)
        } else {
            r#"{"tool":"Read","arguments":{},"user_id":"u","session_id":"s","scopes":["user"]}"#
                .to_string()
        };
        for i in 0..3 {
            writeln!(stdin, "{line}").unwrap();
            stdin.flush().unwrap();
            let answer = rx
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("{args:?}: no answer to line {i} while stdin is open"));
            assert!(answer.starts_with('{'), "{answer}");
        }
        drop(stdin);
        assert!(child.wait().unwrap().success());
    }
}

#[test]
fn spellings_of_one_address_share_a_velocity_count() {
    let mut input = String::new();
    for i in 0..31u64 {
        let ip = match i % 3 {
            0 => "192.0.2.7",
            1 => "::ffff:192.0.2.7",
            _ => " 192.0.2.7",
        };
        input.push_str(&timed(ip, 1_700_000_000 + i));
    }
    let out = run(&["--jsonl"], &input);
    let last = lines(&out).pop().unwrap();
    assert_eq!(last["class"], "scanner", "{last}");
    assert!(
        last["reasons"].to_string().contains("high_velocity"),
        "{last}"
    );
}
