//! Interop with `rmcp`, the official Rust MCP SDK, on both sides: an rmcp streamable-HTTP
//! server as the upstream, the gateway in process, and the rmcp client connecting through it
//! with a bearer token — in the stateless 2026-07-28 revision and in the `initialize`
//! revision (2025-11-25, with sessions). Needs nothing outside the Rust build.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, ClientConfig, ErrorData, ProtocolVersion, ReadResourceRequestParams,
    ReadResourceResult, Resource, ResourceContents, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{
    schemars, tool, tool_handler, tool_router, ClientLifecycleMode, ClientServiceExt,
    ServerHandler, ServiceError,
};
use serde_json::{json, Value};
use support::*;
use warden_server::mcp::McpConfig;

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    text: String,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct RepoArgs {
    repo: String,
}

/// Every tool call the upstream executed (name, arguments).
type Calls = Arc<parking_lot::Mutex<Vec<(String, Value)>>>;

#[derive(Clone)]
struct Upstream {
    tool_router: ToolRouter<Self>,
    calls: Calls,
}

#[tool_router]
impl Upstream {
    #[tool(description = "Echo the text")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> String {
        self.calls
            .lock()
            .push(("echo".into(), json!({ "text": text })));
        format!("echo: {text}")
    }

    #[tool(description = "Return a (fake) secret")]
    fn leak(&self) -> String {
        self.calls.lock().push(("leak".into(), json!({})));
        format!("the deploy token is {LEAKED_PAT}")
    }

    #[tool(description = "Delete a repository")]
    fn delete_repo(&self, Parameters(RepoArgs { repo }): Parameters<RepoArgs>) -> String {
        self.calls
            .lock()
            .push(("delete_repo".into(), json!({ "repo": repo })));
        format!("deleted {repo}")
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Upstream {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
    }

    async fn list_resources(
        &self,
        _request: Option<rmcp::model::PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::ListResourcesResult, ErrorData> {
        let resource = Resource::new("file:///env.txt", "env");
        Ok(rmcp::model::ListResourcesResult::with_all_items(vec![
            resource,
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::ReadResourceResponse, ErrorData> {
        Ok(ReadResourceResult::new(vec![ResourceContents::text(
            format!("GITHUB_TOKEN: {LEAKED_PAT}"),
            request.uri,
        )])
        .into())
    }
}

async fn start_rmcp_upstream(calls: Calls) -> SocketAddr {
    let service: StreamableHttpService<Upstream, LocalSessionManager> = StreamableHttpService::new(
        move || {
            Ok(Upstream {
                tool_router: Upstream::tool_router(),
                calls: calls.clone(),
            })
        },
        Default::default(),
        StreamableHttpServerConfig::default().with_sse_keep_alive(None),
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

fn gateway_config(upstream: SocketAddr) -> McpConfig {
    let toml = format!(
        r#"
[mcp]
request_timeout_ms = 20000
[[mcp.servers]]
name = "rs"
url = "http://{upstream}/mcp"
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

/// rmcp's reqwest is built without a TLS provider; give it ring (plain HTTP here, but the
/// client builder wants a provider).
fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn check(version: ProtocolVersion) {
    tls_provider();
    let calls = Calls::default();
    let upstream = start_rmcp_upstream(calls.clone()).await;
    let governor = Arc::new(FakeGovernor::default());
    let gateway = start_gateway(&gateway_config(upstream), governor.clone()).await;

    let mut config =
        StreamableHttpClientTransportConfig::with_uri(format!("http://{gateway}/mcp/rs"));
    config.auth_header = Some(AGENT_TOKEN.to_string());
    let transport = StreamableHttpClientTransport::from_config(config);
    let lifecycle = if version.has_initialize() {
        ClientLifecycleMode::Initialize
    } else {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![version.clone()],
        }
    };
    let client = ClientConfig::default()
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .unwrap();
    assert_eq!(client.peer_info().unwrap().protocol_version, version);

    // tools/list is filtered: delete_repo is hidden.
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["echo", "leak"]);

    // An allowed call.
    let args = json!({"text": "hello"}).as_object().unwrap().clone();
    let result = client
        .call_tool(CallToolRequestParams::new("echo").with_arguments(args))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true));
    let text = serde_json::to_value(&result.content).unwrap();
    assert_eq!(text[0]["text"], "echo: hello", "{text}");

    // A secret in a tool result never reaches the client.
    let result = client
        .call_tool(CallToolRequestParams::new("leak"))
        .await
        .unwrap();
    let text = serde_json::to_value(&result.content).unwrap();
    assert_eq!(text[0]["text"], "the deploy token is [REDACTED:github_pat]");

    // A denied call arrives as a JSON-RPC error and never reaches the upstream.
    let args = json!({"repo": "warden"}).as_object().unwrap().clone();
    let err = client
        .call_tool(CallToolRequestParams::new("delete_repo").with_arguments(args))
        .await
        .unwrap_err();
    let ServiceError::McpError(err) = err else {
        panic!("expected a JSON-RPC error, got {err:?}");
    };
    assert_eq!(err.code.0, -32060, "{err:?}");
    let data = err.data.unwrap();
    assert_eq!(data["decision"], "deny");
    assert_eq!(data["policy"], "tool_blocklist");
    assert_eq!(data["tool"], "mcp__rs__delete_repo");

    // A secret in a resource never reaches the client.
    let read = client
        .read_resource(ReadResourceRequestParams::new("file:///env.txt"))
        .await
        .unwrap();
    let contents = serde_json::to_value(&read.contents).unwrap();
    assert_eq!(contents[0]["text"], "GITHUB_TOKEN: [REDACTED:github_pat]");

    client.cancel().await.unwrap();
    let executed: Vec<String> = calls.lock().iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(executed, ["echo", "leak"]);
    let governed: Vec<String> = governor
        .calls
        .lock()
        .iter()
        .map(|(user, tool, _)| format!("{user}:{tool}"))
        .collect();
    assert_eq!(
        governed,
        [
            "agent:mcp__rs__echo",
            "agent:mcp__rs__leak",
            "agent:mcp__rs__delete_repo"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_through_gateway_stateless_revision() {
    check(ProtocolVersion::V_2026_07_28).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_through_gateway_initialize_revision() {
    check(ProtocolVersion::V_2025_11_25).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_client_with_a_wrong_token_is_refused() {
    tls_provider();
    let calls = Calls::default();
    let upstream = start_rmcp_upstream(calls.clone()).await;
    let gateway = start_gateway(&gateway_config(upstream), Arc::new(FakeGovernor::default())).await;
    let mut config =
        StreamableHttpClientTransportConfig::with_uri(format!("http://{gateway}/mcp/rs"));
    config.auth_header = Some("wrong-token".to_string());
    let transport = StreamableHttpClientTransport::from_config(config);
    assert!(ClientConfig::default()
        .serve_with_lifecycle(transport, ClientLifecycleMode::Initialize)
        .await
        .is_err());
    assert!(calls.lock().is_empty());
}
