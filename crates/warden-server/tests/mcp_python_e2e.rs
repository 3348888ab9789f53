//! End to end with the official MCP Python SDK: a Python `MCPServer` upstream, the gateway in
//! process, and the Python client connecting through it with a bearer token, in both the
//! stateless 2026-07-28 revision and the `initialize`-handshake revision (2025-11-25).
//!
//! Skips (with a printed reason) when Python or the `mcp` package is missing, unless
//! `WARDEN_REQUIRE_INTEROP=1`. Python comes from `$WARDEN_PYTHON`, else `python3`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;
use warden_server::mcp::McpConfig;

fn python() -> String {
    std::env::var("WARDEN_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn have_mcp() -> bool {
    let ok = Command::new(python())
        .args([
            "-c",
            "import mcp.server.mcpserver, mcp.client.streamable_http",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("WARDEN_REQUIRE_INTEROP").as_deref() == Ok("1") {
            panic!(
                "WARDEN_REQUIRE_INTEROP=1 but `{} -c 'import mcp'` failed",
                python()
            );
        }
        eprintln!("skipping: the Python `mcp` package is not installed (see scripts/requirements-interop.txt)");
    }
    ok
}

fn scripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/interop")
}

struct Upstream {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_python_upstream(tag: &str) -> Upstream {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::env::temp_dir().join(format!(
        "warden-mcp-e2e-{tag}-{}-{port}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&log);
    let child = Command::new(python())
        .arg(scripts().join("mcp_upstream.py"))
        .args(["--port", &port.to_string(), "--log"])
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "python upstream did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Upstream { child, port, log }
}

fn gateway_config(port: u16) -> McpConfig {
    let toml = format!(
        r#"
[mcp]
request_timeout_ms = 20000
[[mcp.servers]]
name = "py"
url = "http://127.0.0.1:{port}/mcp"
[[mcp.servers.inject]]
header = "Authorization"
secret = "demo/token"
format = "Bearer {{secret}}"
"#
    );
    #[derive(serde::Deserialize)]
    struct Root {
        mcp: McpConfig,
    }
    toml::from_str::<Root>(&toml).unwrap().mcp
}

async fn run_client(gateway: SocketAddr, token: &str, mode: &str) -> (bool, Value, String) {
    let url = format!("http://{gateway}/mcp/py");
    let token = token.to_string();
    let mode = mode.to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(scripts().join("mcp_client.py"))
            .arg(&url)
            .args(["--token", &token, "--mode", &mode])
            .args(["--call", r#"echo {"text":"hello"}"#])
            .args(["--call", "leak"])
            .args(["--call", r#"delete_repo {"repo":"warden"}"#])
            .args(["--call", r#"echo {"text":"AKIAIOSFODNN7EXAMPLE"}"#])
            .args([
                "--call",
                &format!(r#"echo {{"text":"token {LEAKED_PAT} here"}}"#),
            ])
            .args(["--call", r#"add {"a":2,"b":3}"#])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    (out.status.success(), report, format!("{stdout}\n{stderr}"))
}

fn upstream_log(path: &PathBuf) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn check_mode(mode: &str, expected_version: &str) {
    let upstream = start_python_upstream(mode);
    let governor = Arc::new(FakeGovernor::default());
    let gateway = start_gateway(&gateway_config(upstream.port), governor.clone()).await;
    let (ok, report, output) = run_client(gateway, AGENT_TOKEN, mode).await;
    assert!(ok, "client failed: {output}");
    assert_eq!(report["protocol_version"], expected_version, "{output}");

    // tools/list is filtered: delete_repo is hidden.
    assert_eq!(report["tools"], json!(["add", "echo", "leak"]), "{output}");
    let calls = report["calls"].as_array().unwrap();
    let by = |i: usize| calls[i].clone();

    // Allowed call; the injected upstream credential is scrubbed from what the client sees.
    let echo = by(0);
    assert_eq!(echo["ok"], true, "{output}");
    let echoed: Value = serde_json::from_str(echo["result"][0].as_str().unwrap()).unwrap();
    assert_eq!(echoed["text"], "hello");
    assert_eq!(echoed["headers"]["authorization"], "[REDACTED:credential]");
    assert!(!output.contains(UPSTREAM_TOKEN));
    assert!(!output.contains(AGENT_TOKEN));

    // Secret in the tool result is redacted.
    let leak = by(1);
    assert_eq!(
        leak["result"][0], "the deploy token is [REDACTED:github_pat]",
        "{output}"
    );

    // Denied calls arrive as JSON-RPC errors.
    let denied = by(2);
    assert_eq!(denied["ok"], false);
    assert_eq!(denied["error"]["code"], -32060, "{output}");
    assert_eq!(denied["error"]["data"]["decision"], "deny");
    assert_eq!(denied["error"]["data"]["policy"], "tool_blocklist");
    let secret_arg = by(3);
    assert_eq!(secret_arg["error"]["code"], -32060);
    assert_eq!(secret_arg["error"]["data"]["policy"], "secret_scan");

    // Redacted arguments are forwarded.
    let redacted: Value = serde_json::from_str(by(4)["result"][0].as_str().unwrap()).unwrap();
    assert_eq!(redacted["text"], "token [REDACTED:github_pat] here");
    assert_eq!(by(5)["result"][0], "5");

    // What the upstream saw: the injected credential, never the denied calls or raw secrets.
    let log = upstream_log(&upstream.log);
    let tools: Vec<&str> = log.iter().map(|l| l["tool"].as_str().unwrap()).collect();
    assert_eq!(tools, ["echo", "leak", "echo", "add"], "{log:?}");
    assert_eq!(log[0]["authorization"], format!("Bearer {UPSTREAM_TOKEN}"));
    assert_eq!(
        log[2]["arguments"]["text"],
        "token [REDACTED:github_pat] here"
    );
    let raw = std::fs::read_to_string(&upstream.log).unwrap();
    assert!(!raw.contains("AKIA") && !raw.contains("ghp_") && !raw.contains(AGENT_TOKEN));
    let _ = std::fs::remove_file(&upstream.log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_through_gateway_stateless_revision() {
    if !have_mcp() {
        return;
    }
    check_mode("2026-07-28", "2026-07-28").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_through_gateway_initialize_revision() {
    if !have_mcp() {
        return;
    }
    check_mode("legacy", "2025-11-25").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_without_token_is_refused() {
    if !have_mcp() {
        return;
    }
    let upstream = start_python_upstream("notoken");
    let governor = Arc::new(FakeGovernor::default());
    let gateway = start_gateway(&gateway_config(upstream.port), governor).await;
    let (ok, _, _) = run_client(gateway, "wrong-token", "legacy").await;
    assert!(!ok);
    assert!(upstream_log(&upstream.log).is_empty());
}
