//! Fakes shared by the MCP gateway tests and the bench: an upstream MCP server speaking
//! streamable HTTP (JSON or SSE), a governor and a credential source.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt;
use axum::Router;
use parking_lot::Mutex;
use serde_json::{json, Value};
use warden_security::governance::Decision;
use warden_server::mcp::{
    CredentialSource, GovernVerdict, McpConfig, McpGateway, McpGovernor, McpServerConfig,
};
use warden_types::{RequestContext, Scopes, SessionId, TraceId, UserId, UserType};
use zeroize::Zeroizing;

pub const UPSTREAM_TOKEN: &str = "s3cr3t-upstream-token-0123";
pub const LEAKED_PAT: &str = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";

/// What the fake upstream received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub http_method: String,
    pub body: Value,
    /// The raw HTTP body the message arrived in.
    pub raw: String,
    pub headers: HeaderMap,
}

#[derive(Default)]
pub struct UpstreamLog {
    pub received: Mutex<Vec<Received>>,
}

impl UpstreamLog {
    pub fn tool_calls(&self) -> Vec<Received> {
        self.received
            .lock()
            .iter()
            .filter(|r| r.method == "tools/call")
            .cloned()
            .collect()
    }
    pub fn all(&self) -> Vec<Received> {
        self.received.lock().clone()
    }
}

fn tools() -> Value {
    json!([
        {"name": "echo", "description": "echoes", "inputSchema": {"type": "object"}},
        {"name": "leak", "description": "returns a secret", "inputSchema": {"type": "object"}},
        {"name": "delete_repo", "description": "dangerous", "inputSchema": {"type": "object"}},
        {"name": "slow", "description": "sleeps", "inputSchema": {"type": "object"}},
    ])
}

fn header_view(headers: &HeaderMap) -> Value {
    let mut out = serde_json::Map::new();
    for name in [
        "authorization",
        "x-api-key",
        "cookie",
        "x-mcp-proxy-auth",
        "mcp-session-id",
        "mcp-protocol-version",
    ] {
        if let Some(v) = headers.get(name) {
            out.insert(name.into(), json!(v.to_str().unwrap_or("")));
        }
    }
    Value::Object(out)
}

/// Answers one request message; `None` for notifications and responses.
async fn answer(msg: &Value, headers: &HeaderMap) -> Option<Value> {
    let id = msg.get("id")?.clone();
    let method = msg.get("method")?.as_str()?;
    let result = match method {
        "initialize" => json!({
            "protocolVersion": msg["params"]["protocolVersion"],
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "fake", "version": "1"}
        }),
        "ping" => json!({}),
        "tasks/result" => {
            json!({"content": [{"type": "text", "text": format!("task output {LEAKED_PAT}")}]})
        }
        "tools/list" => json!({"tools": tools()}),
        "resources/list" => json!({"resources": [{"uri": "file:///a", "name": "a"}]}),
        "resources/read" => resource_contents(),
        "prompts/get" => prompt_messages(),
        "tools/call" => {
            let name = msg["params"]["name"].as_str().unwrap_or("");
            let args = msg["params"]["arguments"].clone();
            match name {
                "echo" | "delete_repo" => {
                    if let Some(ms) = args.get("sleep_ms").and_then(Value::as_u64) {
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                    }
                    // Work that ends when it ends rather than on the runtime timer's next
                    // millisecond tick (like a database query or an HTTP call would).
                    if let Some(us) = args.get("block_us").and_then(Value::as_u64) {
                        tokio::task::spawn_blocking(move || {
                            std::thread::sleep(Duration::from_micros(us))
                        })
                        .await
                        .unwrap();
                    }
                    let text =
                        json!({"arguments": args, "headers": header_view(headers)}).to_string();
                    json!({"content": [{"type": "text", "text": text}], "isError": false})
                }
                "leak" => {
                    json!({"content": [{"type": "text", "text": format!("your token is {LEAKED_PAT}")}]})
                }
                "leak_log" => json!({"content": [{"type": "text", "text": "done"}]}),
                // An error that quotes a secret, in its message and its data.
                "leak_error" => {
                    return Some(json!({"jsonrpc": "2.0", "id": id, "error": {
                        "code": -32000,
                        "message": format!("login failed for {LEAKED_PAT}"),
                        "data": {"token": LEAKED_PAT},
                    }}))
                }
                "leak_b64" => {
                    json!({"content": [{"type": "text", "text": b64(format!("export GITHUB_TOKEN={LEAKED_PAT}").as_bytes())}]})
                }
                "slow" => {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                    json!({"content": [{"type": "text", "text": "late"}]})
                }
                _ => {
                    return Some(
                        json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32602, "message": "unknown tool"}}),
                    )
                }
            }
        }
        _ => {
            return Some(
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "method not found"}}),
            )
        }
    };
    Some(json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

/// Bytes that are not UTF-8 (a "binary" blob).
pub const BINARY_BLOB: &[u8] = &[0x89, b'P', b'N', b'G', 0xff, 0xfe, 0x00, 0x01];

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

/// `resources/read`: a text resource, a text file sent as a blob and a binary blob, each
/// text one carrying [`LEAKED_PAT`].
fn resource_contents() -> Value {
    json!({"contents": [
        {"uri": "file:///notes.txt", "mimeType": "text/plain", "text": format!("deploy with {LEAKED_PAT} please")},
        {"uri": "file:///env.txt", "mimeType": "application/octet-stream", "blob": b64(format!("GITHUB_TOKEN {LEAKED_PAT}").as_bytes())},
        {"uri": "file:///logo.png", "mimeType": "image/png", "blob": b64(BINARY_BLOB)},
    ]})
}

/// `prompts/get`: text, an embedded text resource and an embedded blob resource, each
/// carrying [`LEAKED_PAT`], plus an image.
fn prompt_messages() -> Value {
    json!({"description": "review", "messages": [
        {"role": "user", "content": {"type": "text", "text": format!("use {LEAKED_PAT} to push")}},
        {"role": "user", "content": {"type": "resource", "resource": {"uri": "file:///a.txt", "text": format!("token {LEAKED_PAT}")}}},
        {"role": "user", "content": {"type": "resource", "resource": {"uri": "file:///b.txt", "blob": b64(format!("token {LEAKED_PAT}").as_bytes())}}},
        {"role": "user", "content": {"type": "image", "mimeType": "image/png", "data": b64(BINARY_BLOB)}},
    ]})
}

#[derive(Clone)]
struct UpstreamState {
    log: Arc<UpstreamLog>,
    sse: bool,
}

async fn upstream_post(
    State(st): State<UpstreamState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let messages = match &parsed {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    for m in &messages {
        st.log.received.lock().push(Received {
            method: m
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            http_method: "POST".into(),
            body: m.clone(),
            raw: String::from_utf8_lossy(&body).to_string(),
            headers: headers.clone(),
        });
    }
    let mut answers = Vec::new();
    for m in &messages {
        if let Some(a) = answer(m, &headers).await {
            answers.push(a);
        }
    }
    let is_init = messages
        .iter()
        .any(|m| m.get("method") == Some(&json!("initialize")));
    let mut builder = Response::builder();
    if is_init {
        builder = builder.header("mcp-session-id", "sess-123");
    }
    if answers.is_empty() {
        return builder
            .status(StatusCode::ACCEPTED)
            .body(Body::empty())
            .unwrap();
    }
    if st.sse {
        let mut out = String::new();
        out.push_str(": keepalive comment\n\n");
        out.push_str(&format!(
            "event: message\ndata: {}\n\n",
            json!({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":0.5}})
        ));
        // A tool that logs a secret while it runs (`notifications/message` on the stream).
        if messages
            .iter()
            .any(|m| m["params"]["name"] == json!("leak_log"))
        {
            out.push_str(&format!(
                "event: message\ndata: {}\n\n",
                json!({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data": format!("using {LEAKED_PAT}")}})
            ));
        }
        for a in &answers {
            out.push_str(&format!("event: message\ndata: {a}\n\n"));
        }
        return builder
            .header("content-type", "text/event-stream")
            .body(Body::from(out))
            .unwrap();
    }
    let body = if parsed.is_array() {
        Value::Array(answers)
    } else {
        answers.pop().unwrap()
    };
    builder
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn upstream_get(State(st): State<UpstreamState>, headers: HeaderMap) -> Response {
    st.log.received.lock().push(Received {
        method: String::new(),
        http_method: "GET".into(),
        body: Value::Null,
        raw: String::new(),
        headers: headers.clone(),
    });
    let note = json!({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data": format!("auth was {}", headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("-"))}});
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from(format!("id: 1\ndata: {note}\n\n")))
        .unwrap()
}

async fn upstream_delete(State(st): State<UpstreamState>, headers: HeaderMap) -> Response {
    st.log.received.lock().push(Received {
        method: String::new(),
        http_method: "DELETE".into(),
        body: Value::Null,
        raw: String::new(),
        headers,
    });
    StatusCode::OK.into_response()
}

/// An SSE answer that sends a progress notification at once, then stalls for 1.5 s before
/// the response.
async fn upstream_stall(body: Bytes) -> Response {
    let msg: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let id = msg.get("id").cloned().unwrap_or(Value::Null);
    let first = format!(
        "data: {}\n\n",
        json!({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":0.1}})
    );
    let last = format!(
        "data: {}\n\n",
        json!({"jsonrpc":"2.0","id":id,"result":{"content":[]}})
    );
    let stream = futures_util::stream::unfold(0u8, move |step| {
        let (first, last) = (first.clone(), last.clone());
        async move {
            match step {
                0 => Some((Ok::<_, std::convert::Infallible>(Bytes::from(first)), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                    Some((Ok(Bytes::from(last)), 2))
                }
                _ => None,
            }
        }
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap()
}

/// Starts the fake upstream; `/mcp` answers JSON, `/sse` answers SSE, `/fail` answers 500.
pub async fn start_upstream() -> (SocketAddr, Arc<UpstreamLog>) {
    let log = Arc::new(UpstreamLog::default());
    let json_state = UpstreamState {
        log: log.clone(),
        sse: false,
    };
    let sse_state = UpstreamState {
        log: log.clone(),
        sse: true,
    };
    let app = Router::new()
        .route(
            "/mcp",
            post(upstream_post)
                .get(upstream_get)
                .delete(upstream_delete)
                .with_state(json_state),
        )
        .route("/sse", post(upstream_post).with_state(sse_state))
        .route("/stall", post(upstream_stall))
        .route(
            "/fail",
            post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, log)
}

/// Governor: denies tools named `*delete*` (tool_blocklist) and arguments containing
/// `AKIA` (secret_scan); asks for tools named `*ask*`; redacts `ghp_` tokens in arguments;
/// hides `*delete*` from listings; redacts `ghp_` tokens in results.
#[derive(Default)]
pub struct FakeGovernor {
    pub calls: Mutex<Vec<(String, String, Value)>>,
}

fn redact_ghp(v: &Value) -> (Value, bool) {
    match v {
        Value::String(s) if s.contains("ghp_") => {
            let mut out = String::new();
            for word in s.split(' ') {
                if !out.is_empty() {
                    out.push(' ');
                }
                if word.starts_with("ghp_") {
                    out.push_str("[REDACTED:github_pat]");
                } else {
                    out.push_str(word);
                }
            }
            (Value::String(out), true)
        }
        Value::Array(items) => {
            let mut changed = false;
            let out = items
                .iter()
                .map(|i| {
                    let (v, c) = redact_ghp(i);
                    changed |= c;
                    v
                })
                .collect();
            (Value::Array(out), changed)
        }
        Value::Object(map) => {
            let mut changed = false;
            let out = map
                .iter()
                .map(|(k, i)| {
                    let (v, c) = redact_ghp(i);
                    changed |= c;
                    (k.clone(), v)
                })
                .collect();
            (Value::Object(out), changed)
        }
        other => (other.clone(), false),
    }
}

#[async_trait]
impl McpGovernor for FakeGovernor {
    async fn govern_call(
        &self,
        caller: &RequestContext,
        tool: &str,
        arguments: &Value,
        _call_id: Option<&str>,
    ) -> GovernVerdict {
        self.calls.lock().push((
            caller.user_id.as_str().to_string(),
            tool.to_string(),
            arguments.clone(),
        ));
        let id = format!("dec-{}", self.calls.lock().len());
        let verdict = |decision, policy: &str, reason: &str, redacted| GovernVerdict {
            decision,
            reason: reason.to_string(),
            decision_id: id.clone(),
            policy: Some(policy.to_string()),
            redacted_arguments: redacted,
        };
        if tool.contains("delete") {
            return verdict(Decision::Deny, "tool_blocklist", "tool is blocked", None);
        }
        if tool.contains("ask") {
            return verdict(Decision::Ask, "tool_blocklist", "needs a human", None);
        }
        if arguments.to_string().contains("AKIA") {
            return verdict(
                Decision::Deny,
                "secret_scan",
                "aws_access_key_id at $.text",
                None,
            );
        }
        let (redacted, changed) = redact_ghp(arguments);
        if changed {
            return verdict(
                Decision::Allow,
                "secret_scan",
                "redacted github_pat",
                Some(redacted),
            );
        }
        GovernVerdict {
            decision: Decision::Allow,
            reason: "allowed".into(),
            decision_id: id.clone(),
            policy: None,
            redacted_arguments: None,
        }
    }

    fn may_list(&self, _caller: &RequestContext, tool: &str) -> bool {
        !tool.contains("delete")
    }

    async fn scan_result(&self, result: &Value) -> Option<Value> {
        let (redacted, changed) = redact_ghp(result);
        changed.then_some(redacted)
    }
}

/// Credentials: `demo/token` only; `broken/token` fails.
pub struct FakeCredentials;

#[async_trait]
impl CredentialSource for FakeCredentials {
    async fn resolve(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
        match (namespace, name) {
            ("demo", "token") => Ok(Some(Zeroizing::new(UPSTREAM_TOKEN.as_bytes().to_vec()))),
            ("broken", "token") => Err("vault unavailable".into()),
            _ => Ok(None),
        }
    }
}

/// A config with servers `demo` (JSON, Bearer injection), `demosse` (SSE, injection),
/// `plain` (no injection), `down` (nothing listens), `slow` (200 ms timeout), `failing`
/// (HTTP 500), `nocred` (missing secret).
pub fn config(upstream: SocketAddr, down: SocketAddr) -> McpConfig {
    let toml = format!(
        r#"
[mcp]
request_timeout_ms = 5000
[[mcp.servers]]
name = "demo"
url = "http://{upstream}/mcp"
[[mcp.servers.inject]]
header = "Authorization"
secret = "demo/token"
format = "Bearer {{secret}}"
[[mcp.servers]]
name = "demosse"
url = "http://{upstream}/sse"
[[mcp.servers.inject]]
header = "X-Api-Key"
secret = "demo/token"
[[mcp.servers]]
name = "plain"
url = "http://{upstream}/mcp"
[[mcp.servers]]
name = "down"
url = "http://{down}/mcp"
[[mcp.servers]]
name = "slow"
url = "http://{upstream}/mcp"
request_timeout_ms = 200
[[mcp.servers]]
name = "slowsse"
url = "http://{upstream}/sse"
request_timeout_ms = 200
[[mcp.servers]]
name = "stallsse"
url = "http://{upstream}/stall"
request_timeout_ms = 300
[[mcp.servers]]
name = "failing"
url = "http://{upstream}/fail"
[[mcp.servers]]
name = "nocred"
url = "http://{upstream}/mcp"
[[mcp.servers.inject]]
header = "X-Api-Key"
secret = "missing/token"
"#
    );
    #[derive(serde::Deserialize)]
    struct Root {
        mcp: McpConfig,
    }
    let root: Root = toml::from_str(&toml).unwrap();
    let _: &Vec<McpServerConfig> = &root.mcp.servers;
    root.mcp
}

/// A caller context for user `user`.
pub fn context(user: &str) -> RequestContext {
    RequestContext::authenticated(
        SessionId::new("s-1"),
        UserId::new(user),
        UserType::User,
        Scopes::parse("user mcp"),
        TraceId::new("trace-1"),
    )
}

/// The bearer token the test auth layer accepts (as user `agent`).
pub const AGENT_TOKEN: &str = "agent-token-for-tests";

/// Test auth layer: `x-test-user: NAME` or `Authorization: Bearer AGENT_TOKEN` becomes an
/// authenticated context; otherwise none.
async fn test_auth(mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let user = headers
        .get("x-test-user")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| {
            let auth = headers.get("authorization")?.to_str().ok()?;
            (auth == format!("Bearer {AGENT_TOKEN}")).then(|| "agent".to_string())
        });
    if let Some(user) = user {
        request.extensions_mut().insert(context(&user));
    }
    next.run(request).await
}

/// Starts the gateway in front of `upstream` and returns its address.
pub async fn start_gateway(config: &McpConfig, governor: Arc<FakeGovernor>) -> SocketAddr {
    let gateway = Arc::new(McpGateway::new(config, governor, Arc::new(FakeCredentials)).unwrap());
    let app = warden_server::mcp::router(gateway).layer(middleware::from_fn(test_auth));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}

/// An address where nothing listens.
pub async fn dead_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    addr
}

/// Parses an SSE body into the JSON data of its events.
pub fn sse_messages(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .filter_map(|event| {
            let data: Vec<&str> = event
                .lines()
                .filter_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
                .collect();
            if data.is_empty() {
                None
            } else {
                serde_json::from_str(&data.join("\n")).ok()
            }
        })
        .collect()
}

pub type Headers = HashMap<String, String>;

/// A real Warden (`warden serve` in process: JWT auth, governance pipeline, secret scanner,
/// vault, SQLite audit) with the MCP server `demo` in front of `upstream`, the Bearer
/// credential `demo/token` in its vault and rate limiting off.
pub struct Warden {
    pub addr: SocketAddr,
    /// A session token of user `agent` with scopes `user mcp`.
    pub token: String,
    pub runtime: Arc<warden_server::runtime::Runtime>,
    /// The threads serving its connections.
    pub threads: Arc<warden_server::connection_threads::ConnectionThreads>,
    pub dir: std::path::PathBuf,
}

impl Drop for Warden {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts a [`Warden`] with `[audit] durability = durability` (`strict` or `async`).
pub async fn start_warden(upstream: SocketAddr, durability: &str) -> Warden {
    use warden_server::config::WardenConfig;
    use warden_server::datadir::DataDir;
    use warden_server::runtime::{init_data_dir, Runtime};
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "warden-mcp-{}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        durability
    ));
    let _ = std::fs::remove_dir_all(&dir);
    // `[server] io_threads` (the MCP bench's `MCP_BENCH_IO_THREADS`; default one per CPU).
    let io: usize = std::env::var("MCP_BENCH_IO_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let toml = format!(
        r#"
[server]
io_threads = {io}
[audit]
durability = "{durability}"
[governance.rate_limit]
enabled = false
[[mcp.servers]]
name = "demo"
url = "http://{upstream}/mcp"
[[mcp.servers.inject]]
header = "Authorization"
secret = "demo/token"
format = "Bearer {{secret}}"
"#
    );
    let config = WardenConfig::from_toml_str(&toml, std::path::Path::new("bench.toml")).unwrap();
    let dd = DataDir::new(dir.join("data"));
    init_data_dir(&dd, &config).await.unwrap();
    // As `warden serve` runs: connections on the connection threads, the audit writer on
    // the first of them.
    let threads = Arc::new(warden_server::serve::connection_threads(&config.server).unwrap());
    let runtime = Arc::new(
        Runtime::open_with_writer_on(config, dd.clone(), threads.writer_runtime())
            .await
            .unwrap(),
    );
    runtime
        .state
        .vault
        .put("demo", "token", UPSTREAM_TOKEN.as_bytes())
        .await
        .unwrap();
    let mcp = warden_server::gateway::mcp_routes(&runtime).unwrap();
    let app = warden_server::serve::app(&runtime, Some(mcp));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (serving, serving_threads) = (runtime.clone(), threads.clone());
    tokio::spawn(async move {
        warden_server::serve::serve_until(
            &serving,
            listener,
            app,
            &serving_threads,
            std::future::pending(),
        )
        .await
        .unwrap();
    });
    let admin = std::fs::read_to_string(dd.admin_token()).unwrap();
    let minted: Value = reqwest::Client::new()
        .post(format!("http://{addr}/v1/tokens"))
        .bearer_auth(admin.trim())
        .json(
            &json!({"kind": "session", "user_id": "agent", "scope": "user mcp", "ttl_secs": 3600}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = minted["access_token"].as_str().unwrap().to_string();
    Warden {
        addr,
        token,
        runtime,
        threads,
        dir,
    }
}
