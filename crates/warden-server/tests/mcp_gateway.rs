//! The MCP gateway against a fake upstream over real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{json, Value};
use support::*;

struct Env {
    gateway: SocketAddr,
    log: Arc<UpstreamLog>,
    governor: Arc<FakeGovernor>,
    http: reqwest::Client,
}

async fn env() -> Env {
    let (upstream, log) = start_upstream().await;
    let governor = Arc::new(FakeGovernor::default());
    let gateway = start_gateway(&config(upstream, dead_addr().await), governor.clone()).await;
    Env {
        gateway,
        log,
        governor,
        http: reqwest::Client::new(),
    }
}

impl Env {
    fn url(&self, server: &str) -> String {
        format!("http://{}/mcp/{server}", self.gateway)
    }

    async fn post_raw(
        &self,
        server: &str,
        body: Value,
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(self.url(server))
            .header("x-test-user", "alice")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_string());
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }

    /// Posts `text` byte for byte (e.g. JSON with duplicate keys); returns the status.
    async fn post_text(&self, server: &str, text: &'static str) -> u16 {
        self.http
            .post(self.url(server))
            .header("x-test-user", "alice")
            .header("content-type", "application/json")
            .body(text)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn post(&self, server: &str, body: Value) -> (u16, Value) {
        let resp = self.post_raw(server, body, &[]).await;
        let status = resp.status().as_u16();
        let is_sse = resp
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/event-stream"));
        let text = resp.text().await.unwrap();
        if is_sse {
            (status, Value::Array(sse_messages(&text)))
        } else {
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }
    }
}

fn call(id: u64, tool: &str, args: Value) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool,"arguments":args}})
}

fn list(id: u64) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/list","params":{}})
}

fn tool_names(resp: &Value) -> Vec<String> {
    resp["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

fn echoed(resp: &Value) -> Value {
    serde_json::from_str(resp["result"]["content"][0]["text"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn tools_list_is_filtered_to_listable_tools() {
    let env = env().await;
    let (status, resp) = env.post("demo", list(1)).await;
    assert_eq!(status, 200);
    assert_eq!(tool_names(&resp), ["echo", "leak", "slow"]);
}

#[tokio::test]
async fn allowed_call_is_forwarded_and_answered() {
    let env = env().await;
    let (status, resp) = env
        .post("demo", call(2, "echo", json!({"text": "hi"})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(resp["id"], 2);
    assert_eq!(echoed(&resp)["arguments"], json!({"text": "hi"}));
    let calls = env.governor.calls.lock().clone();
    assert_eq!(calls[0].0, "alice");
    assert_eq!(calls[0].1, "mcp__demo__echo");
}

#[tokio::test]
async fn denied_call_is_jsonrpc_error_and_never_reaches_upstream() {
    let env = env().await;
    let (status, resp) = env
        .post("demo", call(3, "delete_repo", json!({"repo": "x"})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(resp["id"], 3);
    assert_eq!(resp["error"]["code"], -32060);
    let data = &resp["error"]["data"];
    assert_eq!(data["decision"], "deny");
    assert_eq!(data["policy"], "tool_blocklist");
    assert_eq!(data["tool"], "mcp__demo__delete_repo");
    assert!(data["decision_id"].as_str().unwrap().starts_with("dec-"));
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("tool is blocked"));
    assert!(env.log.tool_calls().is_empty());
}

#[tokio::test]
async fn secret_in_arguments_is_denied_before_upstream() {
    let env = env().await;
    let (_, resp) = env
        .post(
            "demo",
            call(4, "echo", json!({"text": "AKIAIOSFODNN7EXAMPLE"})),
        )
        .await;
    assert_eq!(resp["error"]["data"]["policy"], "secret_scan");
    assert!(env.log.tool_calls().is_empty());
}

#[tokio::test]
async fn duplicate_keys_cannot_smuggle_a_different_tool() {
    let env = env().await;
    // serde_json keeps the last duplicate; a first-wins upstream must not see "delete_repo".
    let raw = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete_repo","name":"echo","arguments":{}}}"#;
    assert_eq!(env.post_text("demo", raw).await, 200);
    let forwarded = env.log.tool_calls()[0].raw.clone();
    assert!(!forwarded.contains("delete_repo"), "{forwarded}");
}

#[tokio::test]
async fn a_duplicate_method_cannot_turn_a_listing_into_a_call() {
    let env = env().await;
    // Warden reads the last `method` (a listing, not governed); a first-wins upstream must
    // not be handed the `tools/call`.
    let raw = r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","method":"tools/list","params":{"name":"delete_repo","arguments":{}}}"#;
    assert_eq!(env.post_text("demo", raw).await, 200);
    let received = env.log.received.lock().clone();
    let forwarded = &received.last().unwrap().raw;
    assert!(!forwarded.contains("tools/call"), "{forwarded}");
    assert!(forwarded.contains("tools/list"), "{forwarded}");
}

#[tokio::test]
async fn ask_decision_is_jsonrpc_error() {
    let env = env().await;
    let (status, resp) = env.post("demo", call(5, "ask_me", json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(resp["error"]["data"]["decision"], "ask");
    assert!(env.log.tool_calls().is_empty());
}

#[tokio::test]
async fn redact_decision_forwards_redacted_arguments() {
    let env = env().await;
    let args = json!({"text": format!("use {LEAKED_PAT} please")});
    let (_, resp) = env.post("demo", call(6, "echo", args)).await;
    let seen = &env.log.tool_calls()[0].body["params"]["arguments"]["text"];
    assert_eq!(seen, "use [REDACTED:github_pat] please");
    assert_eq!(
        echoed(&resp)["arguments"]["text"],
        "use [REDACTED:github_pat] please"
    );
}

#[tokio::test]
async fn injected_credential_reaches_upstream_but_not_client() {
    let env = env().await;
    let resp = env
        .post_raw(
            "demo",
            call(7, "echo", json!({})),
            &[
                ("authorization", "Bearer caller-token"),
                ("cookie", "sid=1"),
                ("x-mcp-proxy-auth", "Bearer x"),
            ],
        )
        .await;
    let text = resp.text().await.unwrap();
    let received = &env.log.tool_calls()[0].headers;
    assert_eq!(
        received["authorization"],
        format!("Bearer {UPSTREAM_TOKEN}")
    );
    assert!(received.get("cookie").is_none());
    assert!(received.get("x-mcp-proxy-auth").is_none());
    assert!(!text.contains(UPSTREAM_TOKEN), "{text}");
    assert!(text.contains("[REDACTED:credential]"), "{text}");
}

#[tokio::test]
async fn secret_in_tool_result_is_redacted() {
    let env = env().await;
    let (_, resp) = env.post("demo", call(8, "leak", json!({}))).await;
    let text = resp["result"]["content"][0]["text"].as_str().unwrap();
    assert_eq!(text, "your token is [REDACTED:github_pat]");
}

#[tokio::test]
async fn secret_in_task_result_is_redacted() {
    let env = env().await;
    let (_, resp) = env
        .post(
            "demo",
            json!({"jsonrpc":"2.0","id":1,"method":"tasks/result","params":{"taskId":"t1"}}),
        )
        .await;
    assert_eq!(
        resp["result"]["content"][0]["text"],
        "task output [REDACTED:github_pat]"
    );
}

#[tokio::test]
async fn sse_response_keeps_notifications_and_filters_list() {
    let env = env().await;
    let (status, events) = env.post("demosse", list(9)).await;
    assert_eq!(status, 200);
    let events = events.as_array().unwrap().clone();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["method"], "notifications/progress");
    assert_eq!(tool_names(&events[1]), ["echo", "leak", "slow"]);
}

#[tokio::test]
async fn sse_tool_result_is_redacted_and_credential_scrubbed() {
    let env = env().await;
    let (_, leak) = env.post("demosse", call(10, "leak", json!({}))).await;
    assert_eq!(
        leak[1]["result"]["content"][0]["text"],
        "your token is [REDACTED:github_pat]"
    );
    let (_, echo) = env.post("demosse", call(11, "echo", json!({}))).await;
    let text = echo[1]["result"]["content"][0]["text"].as_str().unwrap();
    assert!(!text.contains(UPSTREAM_TOKEN));
    assert_eq!(env.log.tool_calls()[1].headers["x-api-key"], UPSTREAM_TOKEN);
}

#[tokio::test]
async fn a_secret_in_an_upstream_error_is_redacted() {
    let env = env().await;
    for server in ["demo", "demosse"] {
        let (status, resp) = env.post(server, call(30, "leak_error", json!({}))).await;
        assert_eq!(status, 200);
        let text = resp.to_string();
        assert!(!text.contains(LEAKED_PAT), "{server}: {text}");
        assert!(text.contains("[REDACTED:github_pat]"), "{server}: {text}");
    }
}

#[tokio::test]
async fn a_secret_in_an_upstream_notification_is_redacted() {
    let env = env().await;
    let (_, events) = env.post("demosse", call(31, "leak_log", json!({}))).await;
    let text = events.to_string();
    assert!(!text.contains(LEAKED_PAT), "{text}");
    let events = events.as_array().unwrap();
    let log = events
        .iter()
        .find(|e| e["method"] == "notifications/message")
        .unwrap();
    assert_eq!(log["params"]["data"], "using [REDACTED:github_pat]");
    assert_eq!(
        events.last().unwrap()["result"]["content"][0]["text"],
        "done"
    );
}

#[tokio::test]
async fn upstream_down_gives_unreachable_error() {
    let env = env().await;
    let (status, resp) = env.post("down", call(12, "echo", json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(resp["id"], 12);
    assert_eq!(resp["error"]["code"], -32061);
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("\"down\" unreachable"));
}

#[tokio::test]
async fn upstream_timeout_gives_timeout_error() {
    let env = env().await;
    let (status, resp) = env.post("slow", call(13, "slow", json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(resp["error"]["code"], -32062);
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("200 ms"));
}

#[tokio::test]
async fn sse_upstream_timeout_answers_pending_request_in_stream() {
    let env = env().await;
    // The SSE fake sends headers only once the body is ready, so this also covers the
    // headers timeout; either way the client gets a JSON-RPC error for id 14.
    let (status, resp) = env.post("slowsse", call(14, "slow", json!({}))).await;
    assert_eq!(status, 200);
    let err = if resp.is_array() {
        resp[0].clone()
    } else {
        resp
    };
    assert_eq!(err["id"], 14);
    assert_eq!(err["error"]["code"], -32062);
}

#[tokio::test]
async fn sse_stream_stalling_after_a_notification_ends_with_timeout_error() {
    let env = env().await;
    let (status, events) = env.post("stallsse", call(17, "echo", json!({}))).await;
    assert_eq!(status, 200);
    let events = events.as_array().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["method"], "notifications/progress");
    assert_eq!(events[1]["id"], 17);
    assert_eq!(events[1]["error"]["code"], -32062);
}

#[tokio::test]
async fn upstream_http_error_gives_bad_response_error() {
    let env = env().await;
    let (status, resp) = env.post("failing", call(15, "echo", json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(resp["error"]["code"], -32063);
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("HTTP 500"));
}

#[tokio::test]
async fn missing_credential_fails_closed() {
    let env = env().await;
    let (status, resp) = env.post("nocred", call(16, "echo", json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(resp["error"]["code"], -32064);
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("missing/token"));
    assert!(env.log.tool_calls().is_empty());
}

fn initialize(id: u64, version: &str) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"initialize","params":{"protocolVersion":version,"capabilities":{},"clientInfo":{"name":"t","version":"1"}}})
}

#[tokio::test]
async fn session_id_and_protocol_version_pass_both_ways() {
    let env = env().await;
    let resp = env
        .post_raw("plain", initialize(1, "2025-06-18"), &[])
        .await;
    assert_eq!(resp.headers()["mcp-session-id"], "sess-123");
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["result"]["protocolVersion"], "2025-06-18");
    let resp = env
        .post_raw(
            "plain",
            json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
            &[
                ("mcp-session-id", "sess-123"),
                ("mcp-protocol-version", "2025-06-18"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 202);
    let last = env.log.all().pop().unwrap();
    assert_eq!(last.method, "notifications/initialized");
    assert_eq!(last.headers["mcp-session-id"], "sess-123");
    assert_eq!(last.headers["mcp-protocol-version"], "2025-06-18");
}

#[tokio::test]
async fn session_of_another_caller_is_refused() {
    let env = env().await;
    env.post_raw("plain", initialize(1, "2025-11-25"), &[])
        .await;
    let resp = env
        .http
        .post(env.url("plain"))
        .header("x-test-user", "mallory")
        .header("mcp-session-id", "sess-123")
        .header("content-type", "application/json")
        .body(list(2).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], -32068);
    assert!(env.log.all().iter().all(|r| r.method != "tools/list"));
}

#[tokio::test]
async fn missing_caller_context_is_401_with_bearer_challenge() {
    let env = env().await;
    let resp = env
        .http
        .post(env.url("demo"))
        .body(list(1).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.headers()["www-authenticate"],
        "Bearer realm=\"warden\""
    );
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], -32065);
    assert!(env.log.all().is_empty());
}

#[tokio::test]
async fn unknown_server_is_404() {
    let env = env().await;
    let resp = env.post_raw("nope", list(1), &[]).await;
    assert_eq!(resp.status(), 404);
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], -32066);
}

#[tokio::test]
async fn batch_answers_denied_calls_locally_and_forwards_the_rest() {
    let env = env().await;
    let batch = json!([
        list(1),
        call(2, "delete_repo", json!({})),
        call(3, "echo", json!({"a": 1}))
    ]);
    let (status, resp) = env.post("demo", batch).await;
    assert_eq!(status, 200);
    let items = resp.as_array().unwrap();
    assert_eq!(items.len(), 3);
    let by_id = |id: u64| items.iter().find(|m| m["id"] == id).unwrap().clone();
    assert_eq!(tool_names(&by_id(1)), ["echo", "leak", "slow"]);
    assert_eq!(by_id(2)["error"]["code"], -32060);
    assert_eq!(echoed(&by_id(3))["arguments"], json!({"a": 1}));
    let calls = env.log.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].body["params"]["name"], "echo");
}

#[tokio::test]
async fn mcp_method_header_mismatch_is_rejected() {
    let env = env().await;
    let resp = env
        .post_raw(
            "demo",
            call(1, "delete_repo", json!({})),
            &[("mcp-method", "tools/list")],
        )
        .await;
    assert_eq!(resp.status(), 400);
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], -32020);
    let resp = env
        .post_raw(
            "demo",
            call(1, "delete_repo", json!({})),
            &[("mcp-method", "tools/call"), ("mcp-name", "echo")],
        )
        .await;
    assert_eq!(resp.status(), 400);
    assert!(env.log.all().is_empty());
}

#[tokio::test]
async fn matching_mirror_headers_are_forwarded() {
    let env = env().await;
    let resp = env
        .post_raw(
            "demo",
            call(1, "echo", json!({})),
            &[
                ("mcp-method", "tools/call"),
                ("mcp-name", "echo"),
                ("mcp-protocol-version", "2026-07-28"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 200);
    let seen = &env.log.tool_calls()[0].headers;
    assert_eq!(seen["mcp-method"], "tools/call");
    assert_eq!(seen["mcp-name"], "echo");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let env = env().await;
    let big = "x".repeat(5 * 1024 * 1024);
    let resp = env
        .post_raw("demo", call(1, "echo", json!({"t": big})), &[])
        .await;
    assert_eq!(resp.status(), 413);
    assert!(env.log.all().is_empty());
}

#[tokio::test]
async fn invalid_json_is_parse_error() {
    let env = env().await;
    let resp = env
        .http
        .post(env.url("demo"))
        .header("x-test-user", "alice")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], -32700);
}

#[tokio::test]
async fn tools_call_without_name_is_invalid_params() {
    let env = env().await;
    let (_, resp) = env
        .post(
            "demo",
            json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}),
        )
        .await;
    assert_eq!(resp["error"]["code"], -32602);
    assert!(env.log.all().is_empty());
}

#[tokio::test]
async fn other_methods_pass_through() {
    let env = env().await;
    let (_, resp) = env
        .post(
            "demo",
            json!({"jsonrpc":"2.0","id":1,"method":"resources/list"}),
        )
        .await;
    assert_eq!(resp["result"]["resources"][0]["uri"], "file:///a");
    assert!(env.governor.calls.lock().is_empty());
}

#[tokio::test]
async fn answers_needing_no_shaping_pass_through_unchanged() {
    let env = env().await;
    let (status, resp) = env
        .post(
            "plain",
            json!({"jsonrpc":"2.0","id":"r1","method":"resources/list"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(resp["id"], "r1");
    assert_eq!(resp["result"]["resources"][0]["name"], "a");
}

#[tokio::test]
async fn get_stream_is_proxied_with_credentials_scrubbed() {
    let env = env().await;
    env.post_raw("demo", initialize(1, "2025-06-18"), &[]).await;
    let resp = env
        .http
        .get(env.url("demo"))
        .header("x-test-user", "alice")
        .header("mcp-session-id", "sess-123")
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    let events = sse_messages(&text);
    assert_eq!(events[0]["method"], "notifications/message");
    assert!(!text.contains(UPSTREAM_TOKEN));
    assert!(text.contains("id: 1"));
}

#[tokio::test]
async fn delete_is_proxied_and_ends_the_binding() {
    let env = env().await;
    env.post_raw("demo", initialize(1, "2025-06-18"), &[]).await;
    let del = |user: &'static str| {
        env.http
            .delete(env.url("demo"))
            .header("x-test-user", user)
            .header("mcp-session-id", "sess-123")
            .send()
    };
    assert_eq!(del("alice").await.unwrap().status(), 200);
    assert_eq!(env.log.all().last().unwrap().http_method, "DELETE");
    assert_eq!(del("alice").await.unwrap().status(), 404);
}

fn read_resource(id: u64) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"resources/read","params":{"uri":"file:///notes.txt"}})
}

fn get_prompt(id: u64) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"prompts/get","params":{"name":"review"}})
}

/// Checks a `resources/read` result: the text and the text blob are redacted (the blob
/// re-encoded), the binary blob is untouched.
fn assert_resource_redacted(resp: &Value) {
    let contents = &resp["result"]["contents"];
    assert_eq!(
        contents[0]["text"], "deploy with [REDACTED:github_pat] please",
        "{resp}"
    );
    let blob = String::from_utf8(unb64(contents[1]["blob"].as_str().unwrap())).unwrap();
    assert_eq!(blob, "GITHUB_TOKEN [REDACTED:github_pat]");
    assert_eq!(unb64(contents[2]["blob"].as_str().unwrap()), BINARY_BLOB);
    assert!(!resp.to_string().contains(LEAKED_PAT));
    assert!(!resp.to_string().contains(&b64(LEAKED_PAT.as_bytes())[..12]));
}

fn assert_prompt_redacted(resp: &Value) {
    let messages = &resp["result"]["messages"];
    assert_eq!(
        messages[0]["content"]["text"], "use [REDACTED:github_pat] to push",
        "{resp}"
    );
    assert_eq!(
        messages[1]["content"]["resource"]["text"],
        "token [REDACTED:github_pat]"
    );
    let blob = unb64(messages[2]["content"]["resource"]["blob"].as_str().unwrap());
    assert_eq!(
        String::from_utf8(blob).unwrap(),
        "token [REDACTED:github_pat]"
    );
    assert_eq!(
        unb64(messages[3]["content"]["data"].as_str().unwrap()),
        BINARY_BLOB
    );
    assert_eq!(resp["result"]["description"], "review");
    assert!(!resp.to_string().contains(LEAKED_PAT));
}

#[tokio::test]
async fn secret_in_resource_is_redacted() {
    let env = env().await;
    for server in ["demo", "plain"] {
        let (status, resp) = env.post(server, read_resource(1)).await;
        assert_eq!(status, 200);
        assert_resource_redacted(&resp);
    }
}

#[tokio::test]
async fn secret_in_prompt_is_redacted() {
    let env = env().await;
    for server in ["demo", "plain"] {
        let (status, resp) = env.post(server, get_prompt(1)).await;
        assert_eq!(status, 200);
        assert_prompt_redacted(&resp);
    }
}

#[tokio::test]
async fn sse_resource_and_prompt_are_redacted() {
    let env = env().await;
    let (_, resp) = env.post("demosse", read_resource(3)).await;
    let answer = resp.as_array().unwrap().last().unwrap().clone();
    assert_resource_redacted(&answer);
    let (_, resp) = env.post("demosse", get_prompt(4)).await;
    let answer = resp.as_array().unwrap().last().unwrap().clone();
    assert_prompt_redacted(&answer);
}

#[tokio::test]
async fn batch_resource_and_prompt_are_redacted() {
    let env = env().await;
    let (_, resp) = env
        .post("plain", json!([read_resource(1), get_prompt(2)]))
        .await;
    let items = resp.as_array().unwrap();
    assert_resource_redacted(items.iter().find(|m| m["id"] == 1).unwrap());
    assert_prompt_redacted(items.iter().find(|m| m["id"] == 2).unwrap());
}

/// The real pipeline (JWT, governance engine, secret scanner, SQLite audit): a secret in a
/// resource, a prompt or a tool result never reaches the client; the call is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_pipeline_redacts_resources_prompts_and_results() {
    let (upstream, log) = start_upstream().await;
    let warden = start_warden(upstream, "strict").await;
    let http = reqwest::Client::new();
    let post = |body: Value| {
        http.post(format!("http://{}/mcp/demo", warden.addr))
            .bearer_auth(&warden.token)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_string())
            .send()
    };
    let resp: Value = post(read_resource(1)).await.unwrap().json().await.unwrap();
    let text = resp.to_string();
    assert!(!text.contains(LEAKED_PAT), "{text}");
    assert!(!text.contains("ghp_"), "{text}");
    let contents = &resp["result"]["contents"];
    assert!(contents[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("deploy with [REDACTED:"));
    let blob = String::from_utf8(unb64(contents[1]["blob"].as_str().unwrap())).unwrap();
    assert!(!blob.contains("ghp_"), "{blob}");
    assert!(blob.starts_with("GITHUB_TOKEN [REDACTED:"), "{blob}");
    assert_eq!(unb64(contents[2]["blob"].as_str().unwrap()), BINARY_BLOB);

    let resp: Value = post(get_prompt(2)).await.unwrap().json().await.unwrap();
    let text = resp.to_string();
    assert!(!text.contains("ghp_"), "{text}");
    let blob = unb64(
        resp["result"]["messages"][2]["content"]["resource"]["blob"]
            .as_str()
            .unwrap(),
    );
    assert!(!String::from_utf8(blob).unwrap().contains("ghp_"));

    let resp: Value = post(call(3, "leak", json!({})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!resp.to_string().contains("ghp_"), "{resp}");
    // A secret inside base64 text in a tool result is found by decoding; the string goes.
    let resp: Value = post(call(33, "leak_b64", json!({})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = resp["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("[REDACTED"), "{resp}");
    // The injected credential reached the upstream and was scrubbed from the echo.
    let resp: Value = post(call(4, "echo", json!({"text": "hi"})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!resp.to_string().contains(UPSTREAM_TOKEN), "{resp}");
    assert_eq!(
        log.tool_calls().last().unwrap().headers["authorization"],
        format!("Bearer {UPSTREAM_TOKEN}")
    );
    // A denied call never reaches the upstream.
    let before = log.tool_calls().len();
    let resp: Value = post(call(
        5,
        "echo",
        json!({"text": "export AWS_ACCESS_KEY_ID=AKIAZ7QX3RLM4TVB2NWD"}),
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(resp["error"]["code"], -32060, "{resp}");
    assert_eq!(log.tool_calls().len(), before);
    // Every governed call is in the audit log (source mcp); resources and prompts are not
    // governed calls.
    let page = warden
        .runtime
        .state
        .audit_log
        .query(&Default::default())
        .await
        .unwrap();
    let audited: Vec<(String, String)> = page
        .records
        .iter()
        .filter(|e| e.record.source == "mcp")
        .map(|e| {
            (
                e.record.target.clone(),
                e.record.decision.as_str().to_string(),
            )
        })
        .collect();
    assert_eq!(audited.len(), 4, "{audited:?}");
    assert!(audited.contains(&("mcp__demo__leak".into(), "allow".into())));
    assert!(audited.contains(&("mcp__demo__echo".into(), "deny".into())));
    assert!(
        !page.records.iter().any(|e| serde_json::to_string(&e.record)
            .unwrap()
            .contains("AKIAZ7QX3RLM4TVB2NWD"))
    );
}
