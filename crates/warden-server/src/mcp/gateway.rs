//! The gateway proper: governs outgoing messages, forwards them, and shapes what comes back.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use parking_lot::RwLock;
use serde_json::{json, Value};
use warden_security::governance::Decision;
use warden_types::RequestContext;

use super::client::{SendError, UpstreamClient, UpstreamResponse};
use super::config::{McpConfig, McpConfigError};
use super::jsonrpc::{self, codes, Kind, Payload};
use super::scan::scan_result_in_place;
use super::sse::{SseEvent, SseParser};
use super::traits::{CredentialSource, McpGovernor};
use super::upstream::{
    resolve_credentials, scrub_credentials, scrub_str, upstream_headers, CredentialError,
    InjectedCredentials, SessionBindings, SessionCheck, UpstreamServer, MCP_METHOD, MCP_NAME,
    MCP_SESSION_ID,
};

/// Sessions remembered per gateway (oldest forgotten first; a forgotten session answers 404
/// and the client starts a new one).
pub const MAX_SESSION_BINDINGS: usize = 65_536;

const JSON: &str = "application/json";
const EVENT_STREAM: &str = "text/event-stream";
const POST_ACCEPT: &str = "application/json, text/event-stream";

/// Upstream statuses passed to the client as they are: they carry MCP transport semantics
/// (404 = session gone, 405 = no GET stream, 400 = bad request, …).
const PASSTHROUGH_STATUSES: &[u16] = &[400, 404, 405, 406, 409, 413, 415, 422];

/// The gateway could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The `[mcp]` section is invalid.
    #[error(transparent)]
    Config(#[from] McpConfigError),
    /// The HTTP client could not be created.
    #[error("cannot create the upstream HTTP client: {0}")]
    Client(String),
}

/// The MCP gateway: configured upstreams, the governance and credential seams, one shared
/// HTTP client.
pub struct McpGateway {
    servers: HashMap<String, Arc<UpstreamServer>>,
    governor: Arc<dyn McpGovernor>,
    credentials: Arc<dyn CredentialSource>,
    client: UpstreamClient,
    max_body: usize,
    sessions: SessionBindings,
    /// Resolved credentials per server, reused for `credential_ttl`.
    credential_cache: HashMap<String, CredentialSlot>,
    credential_ttl: Duration,
    no_credentials: Arc<InjectedCredentials>,
}

/// The credentials last resolved for one server, and when.
type CredentialSlot = RwLock<Option<(Instant, Arc<InjectedCredentials>)>>;

impl std::fmt::Debug for McpGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpGateway")
            .field("servers", &self.servers.keys().collect::<Vec<_>>())
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

/// What a forwarded request was, for shaping its response.
#[derive(Debug, Clone, PartialEq)]
enum Pending {
    /// `tools/list`: filter the listed tools.
    ToolsList,
    /// `tools/call`, `tasks/result` (which carries the result of a tool call run as a task),
    /// `resources/read`, `prompts/get`: scan the result.
    ScanResult,
    Other,
}

impl McpGateway {
    /// Validates `config` and builds the gateway.
    pub fn new(
        config: &McpConfig,
        governor: Arc<dyn McpGovernor>,
        credentials: Arc<dyn CredentialSource>,
    ) -> Result<Self, GatewayError> {
        config.validate()?;
        let mut servers = HashMap::new();
        for server in &config.servers {
            let upstream = UpstreamServer::from_config(config, server)
                .map_err(|e| GatewayError::Client(e.to_string()))?;
            servers.insert(server.name.clone(), Arc::new(upstream));
        }
        let client = UpstreamClient::new().map_err(GatewayError::Client)?;
        Ok(Self {
            servers,
            governor,
            credentials,
            client,
            max_body: config.max_body_bytes,
            sessions: SessionBindings::new(MAX_SESSION_BINDINGS),
            credential_cache: config
                .servers
                .iter()
                .map(|s| (s.name.clone(), RwLock::new(None)))
                .collect(),
            credential_ttl: Duration::from_millis(config.credential_cache_ms),
            no_credentials: Arc::new(InjectedCredentials::default()),
        })
    }

    /// The configured upstream names.
    pub fn server_names(&self) -> impl Iterator<Item = &str> {
        self.servers.keys().map(String::as_str)
    }

    /// The bound on request bodies.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body
    }

    pub(crate) fn server(&self, name: &str) -> Option<Arc<UpstreamServer>> {
        self.servers.get(name).cloned()
    }

    /// The credentials to inject for `server`: resolved from the vault, then reused for
    /// `credential_cache_ms`. Failures are not cached (the next request tries again).
    async fn injected_credentials(
        &self,
        server: &UpstreamServer,
    ) -> Result<Arc<InjectedCredentials>, CredentialError> {
        if server.inject.is_empty() {
            return Ok(self.no_credentials.clone());
        }
        let slot = self
            .credential_cache
            .get(&server.name)
            .filter(|_| !self.credential_ttl.is_zero());
        if let Some(slot) = slot {
            if let Some((at, cached)) = &*slot.read() {
                if at.elapsed() < self.credential_ttl {
                    return Ok(cached.clone());
                }
            }
        }
        let fresh = Arc::new(resolve_credentials(server, self.credentials.as_ref()).await?);
        if let Some(slot) = slot {
            *slot.write() = Some((Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }

    /// Refuses a session id the caller did not open through this gateway.
    pub(crate) fn check_session(
        &self,
        server: &UpstreamServer,
        caller: &RequestContext,
        headers: &HeaderMap,
    ) -> Result<(), Box<Response>> {
        let Some(session) = headers.get(MCP_SESSION_ID) else {
            return Ok(());
        };
        let session = session.to_str().unwrap_or("\u{0}");
        match self
            .sessions
            .check(&server.name, session, caller.user_id.as_str())
        {
            SessionCheck::Owned => Ok(()),
            SessionCheck::Refused => Err(Box::new(json_response(
                StatusCode::NOT_FOUND,
                &jsonrpc::error_response(
                    Value::Null,
                    codes::SESSION_NOT_FOUND,
                    "session not found: start a new session",
                    None,
                ),
                None,
            ))),
        }
    }

    fn remember_session(
        &self,
        server: &UpstreamServer,
        caller: &RequestContext,
        upstream: &HeaderMap,
    ) {
        if let Some(Ok(session)) = upstream.get(MCP_SESSION_ID).map(|v| v.to_str()) {
            self.sessions
                .bind(&server.name, session, caller.user_id.as_str());
        }
    }

    /// Handles a POST (one message or a batch).
    pub(crate) async fn post(
        &self,
        server: Arc<UpstreamServer>,
        caller: &RequestContext,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Response {
        let payload = match jsonrpc::parse_payload(&body) {
            Ok(p) => p,
            Err(e) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &jsonrpc::error_response(Value::Null, e.code(), &e.to_string(), None),
                    None,
                )
            }
        };
        if let Err(resp) = check_mirror_headers(&payload, headers) {
            return *resp;
        }
        if let Err(resp) = self.check_session(&server, caller, headers) {
            return *resp;
        }
        let is_batch = matches!(payload, Payload::Batch(_));
        let messages = match payload {
            Payload::Single(m) => vec![m],
            Payload::Batch(ms) => ms,
        };

        let mut forward: Vec<Value> = Vec::with_capacity(messages.len());
        let mut local: Vec<Value> = Vec::new();
        let mut pending: HashMap<String, Pending> = HashMap::new();
        let mut rewritten = false;
        for mut msg in messages {
            let (id, method) = match jsonrpc::classify(&msg) {
                Kind::Request { id, method } => (id.clone(), method.to_string()),
                _ => {
                    forward.push(msg);
                    continue;
                }
            };
            match method.as_str() {
                "tools/call" => match self.govern(&server, caller, &id, &mut msg).await {
                    Governed::Forward { rewritten: r } => {
                        rewritten |= r;
                        pending.insert(jsonrpc::id_key(&id), Pending::ScanResult);
                        forward.push(msg);
                    }
                    Governed::Answer(answer) => local.push(answer),
                },
                "tools/list" => {
                    pending.insert(jsonrpc::id_key(&id), Pending::ToolsList);
                    forward.push(msg);
                }
                // Results that carry upstream content to the agent: a task's tool result,
                // resource contents, prompt messages.
                "tasks/result" | "resources/read" | "prompts/get" => {
                    pending.insert(jsonrpc::id_key(&id), Pending::ScanResult);
                    forward.push(msg);
                }
                _ => {
                    pending.insert(jsonrpc::id_key(&id), Pending::Other);
                    forward.push(msg);
                }
            }
        }

        if forward.is_empty() {
            return local_only(local, is_batch);
        }

        let credentials = match self.injected_credentials(&server).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(server = %server.name, error = %e, "mcp credential unavailable");
                return fail_forwarded(
                    &forward,
                    local,
                    is_batch,
                    codes::CREDENTIAL_UNAVAILABLE,
                    &format!("gateway credential unavailable: {e}"),
                );
            }
        };

        // Every forwarded message is re-serialized from the parsed form, so the upstream reads
        // exactly what Warden classified and governed: with duplicate keys
        // (`"method":"tools/call","method":"tools/list"`) Warden keeps the last, and an
        // upstream whose parser keeps the first would otherwise run an ungoverned call.
        let out_body = if is_batch {
            Bytes::from(serde_json::to_vec(&forward).unwrap_or_default())
        } else {
            Bytes::from(serde_json::to_vec(&forward[0]).unwrap_or_default())
        };
        let upstream_headers =
            upstream_headers(headers, POST_ACCEPT, true, rewritten, &credentials);
        let request = self
            .client
            .send(Method::POST, &server.uri, upstream_headers, out_body);

        let response = match tokio::time::timeout(server.timeout, request).await {
            Err(_) => {
                return fail_forwarded(
                    &forward,
                    local,
                    is_batch,
                    codes::UPSTREAM_TIMEOUT,
                    &timeout_message(&server),
                )
            }
            Ok(Err(e)) => {
                return fail_forwarded(
                    &forward,
                    local,
                    is_batch,
                    codes::UPSTREAM_UNREACHABLE,
                    &unreachable_message(&server, &e),
                )
            }
            Ok(Ok(r)) => r,
        };

        self.remember_session(&server, caller, response.headers());
        let status = response.status();
        let session = response.headers().get(MCP_SESSION_ID).cloned();
        let mut shaper = Shaper {
            governor: self.governor.clone(),
            caller: caller.clone(),
            server: server.clone(),
            pending,
            needles: credentials,
        };

        if status == StatusCode::ACCEPTED
            || (status.is_success() && shaper.pending.is_empty() && !is_sse(response.headers()))
        {
            if local.is_empty() {
                return with_session(
                    Response::builder()
                        .status(StatusCode::ACCEPTED)
                        .body(Body::empty())
                        .unwrap_or_default(),
                    session,
                );
            }
            return with_session(local_only(local, is_batch), session);
        }

        if !status.is_success() {
            return self
                .upstream_error(response, &server, &forward, local, is_batch, shaper)
                .await;
        }

        if is_sse(response.headers()) {
            let stream = response.bytes_stream();
            return with_session(
                sse_response(shaper, stream, local, Some(server.timeout), self.max_body),
                session,
            );
        }

        let content_type_json = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(JSON));
        if !content_type_json {
            return fail_forwarded(
                &forward,
                local,
                is_batch,
                codes::UPSTREAM_BAD_RESPONSE,
                &format!(
                    "upstream {:?} answered with an unsupported content type",
                    server.name
                ),
            );
        }
        let body = match read_bounded(response, self.max_body, server.timeout).await {
            Ok(b) => b,
            Err(ReadError::Timeout) => {
                return fail_forwarded(
                    &forward,
                    local,
                    is_batch,
                    codes::UPSTREAM_TIMEOUT,
                    &timeout_message(&server),
                )
            }
            Err(e) => {
                return fail_forwarded(
                    &forward,
                    local,
                    is_batch,
                    codes::UPSTREAM_BAD_RESPONSE,
                    &format!("upstream {:?} response unusable: {e}", server.name),
                )
            }
        };
        // Every answer is read: an error's message or data can carry a secret too, and an
        // answer that is not JSON is a bad upstream answer whatever the method.
        let shaped = match shaper.shape_text(&body).await {
            Some(shaped) => shaped,
            None => {
                return fail_forwarded(
                    &forward,
                    local,
                    is_batch,
                    codes::UPSTREAM_BAD_RESPONSE,
                    &format!("upstream {:?} answered with invalid JSON", server.name),
                )
            }
        };
        let body = shaped.unwrap_or(body);
        if local.is_empty() {
            // The common case: the upstream's answer, as is unless shaping changed it.
            return with_session(json_bytes(StatusCode::OK, body), session);
        }
        // Merge local answers (denied calls of a batch) into the upstream's answer.
        let mut responses = match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Array(items)) => items,
            Ok(other) => vec![other],
            Err(_) => Vec::new(),
        };
        responses.extend(local);
        with_session(
            json_response(StatusCode::OK, &Value::Array(responses), None),
            session,
        )
    }

    async fn upstream_error(
        &self,
        response: UpstreamResponse,
        server: &UpstreamServer,
        forward: &[Value],
        local: Vec<Value>,
        is_batch: bool,
        shaper: Shaper,
    ) -> Response {
        let status = response.status();
        if PASSTHROUGH_STATUSES.contains(&status.as_u16()) {
            return passthrough(
                response,
                self.max_body,
                server.timeout,
                &shaper.needles.needles,
            )
            .await;
        }
        fail_forwarded(
            forward,
            local,
            is_batch,
            codes::UPSTREAM_BAD_RESPONSE,
            &format!(
                "upstream {:?} answered HTTP {}",
                server.name,
                status.as_u16()
            ),
        )
    }

    /// Handles a GET (the server→client event stream).
    pub(crate) async fn get(
        &self,
        server: Arc<UpstreamServer>,
        caller: &RequestContext,
        headers: &HeaderMap,
    ) -> Response {
        if let Err(resp) = self.check_session(&server, caller, headers) {
            return *resp;
        }
        let credentials = match self.injected_credentials(&server).await {
            Ok(c) => c,
            Err(e) => {
                return json_response(
                    StatusCode::BAD_GATEWAY,
                    &jsonrpc::error_response(
                        Value::Null,
                        codes::CREDENTIAL_UNAVAILABLE,
                        &format!("gateway credential unavailable: {e}"),
                        None,
                    ),
                    None,
                )
            }
        };
        let request = self.client.send(
            Method::GET,
            &server.uri,
            upstream_headers(headers, EVENT_STREAM, false, false, &credentials),
            Bytes::new(),
        );
        let response = match self.send_transport(request, &server).await {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        let status = response.status();
        if status.is_success() && is_sse(response.headers()) {
            let session = response.headers().get(MCP_SESSION_ID).cloned();
            let shaper = Shaper {
                governor: self.governor.clone(),
                caller: caller.clone(),
                server: server.clone(),
                pending: HashMap::new(),
                needles: credentials,
            };
            return with_session(
                sse_response(
                    shaper,
                    response.bytes_stream(),
                    Vec::new(),
                    None,
                    self.max_body,
                ),
                session,
            );
        }
        self.relay(response, &server, &credentials).await
    }

    /// Handles a DELETE (session end).
    pub(crate) async fn delete(
        &self,
        server: Arc<UpstreamServer>,
        caller: &RequestContext,
        headers: &HeaderMap,
    ) -> Response {
        if let Err(resp) = self.check_session(&server, caller, headers) {
            return *resp;
        }
        let credentials = match self.injected_credentials(&server).await {
            Ok(c) => c,
            Err(e) => {
                return transport_error(
                    codes::CREDENTIAL_UNAVAILABLE,
                    &format!("gateway credential unavailable: {e}"),
                )
            }
        };
        let request = self.client.send(
            Method::DELETE,
            &server.uri,
            upstream_headers(headers, JSON, false, false, &credentials),
            Bytes::new(),
        );
        let response = match self.send_transport(request, &server).await {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        let status = response.status();
        if status.is_success() {
            if let Some(Ok(session)) = headers.get(MCP_SESSION_ID).map(|v| v.to_str()) {
                self.sessions.unbind(&server.name, session);
            }
        }
        self.relay(response, &server, &credentials).await
    }

    /// Relays an upstream answer to a GET or DELETE: a success or a status MCP clients act on
    /// passes through (credentials scrubbed); anything else is a transport error.
    async fn relay(
        &self,
        response: UpstreamResponse,
        server: &UpstreamServer,
        credentials: &InjectedCredentials,
    ) -> Response {
        let status = response.status();
        if status.is_success() || PASSTHROUGH_STATUSES.contains(&status.as_u16()) {
            return passthrough(
                response,
                self.max_body,
                server.timeout,
                &credentials.needles,
            )
            .await;
        }
        transport_error(
            codes::UPSTREAM_BAD_RESPONSE,
            &format!(
                "upstream {:?} answered HTTP {}",
                server.name,
                status.as_u16()
            ),
        )
    }

    async fn send_transport(
        &self,
        request: impl std::future::Future<Output = Result<UpstreamResponse, SendError>>,
        server: &UpstreamServer,
    ) -> Result<UpstreamResponse, Response> {
        match tokio::time::timeout(server.timeout, request).await {
            Err(_) => Err(transport_error(
                codes::UPSTREAM_TIMEOUT,
                &timeout_message(server),
            )),
            Ok(Err(e)) => Err(transport_error(
                codes::UPSTREAM_UNREACHABLE,
                &unreachable_message(server, &e),
            )),
            Ok(Ok(r)) => Ok(r),
        }
    }

    /// Governs one `tools/call` request in place.
    async fn govern(
        &self,
        server: &UpstreamServer,
        caller: &RequestContext,
        id: &Value,
        msg: &mut Value,
    ) -> Governed {
        let Some(tool) = jsonrpc::param_name(msg).map(str::to_string) else {
            return Governed::Answer(jsonrpc::error_response(
                id.clone(),
                codes::INVALID_PARAMS,
                "tools/call needs a string params.name",
                None,
            ));
        };
        let empty = Value::Object(Default::default());
        let arguments = match msg.get("params").and_then(|p| p.get("arguments")) {
            None | Some(Value::Null) => &empty,
            Some(v @ Value::Object(_)) => v,
            Some(_) => {
                return Governed::Answer(jsonrpc::error_response(
                    id.clone(),
                    codes::INVALID_PARAMS,
                    "tools/call params.arguments must be an object",
                    None,
                ))
            }
        };
        let governed_name = server.governed_tool_name(&tool);
        let verdict = self
            .governor
            .govern_call(
                caller,
                &governed_name,
                arguments,
                caller.ai_tool_call_id.as_deref(),
            )
            .await;
        match verdict.decision {
            Decision::Allow => {
                let Some(redacted) = verdict.redacted_arguments else {
                    return Governed::Forward { rewritten: false };
                };
                if let Some(params) = msg.get_mut("params").and_then(Value::as_object_mut) {
                    params.insert("arguments".into(), redacted);
                    Governed::Forward { rewritten: true }
                } else {
                    Governed::Answer(jsonrpc::error_response(
                        id.clone(),
                        codes::INTERNAL_ERROR,
                        "cannot apply redacted arguments",
                        None,
                    ))
                }
            }
            Decision::Deny | Decision::Ask => {
                let verb = if verdict.decision == Decision::Ask {
                    "needs confirmation"
                } else {
                    "denied"
                };
                Governed::Answer(jsonrpc::error_response(
                    id.clone(),
                    codes::GOVERNANCE_DENIED,
                    &format!(
                        "Warden {verb} tool call {governed_name}: {}",
                        verdict.reason
                    ),
                    Some(json!({
                        "decision": verdict.decision.as_str(),
                        "decision_id": verdict.decision_id,
                        "reason": verdict.reason,
                        "policy": verdict.policy,
                        "tool": governed_name,
                    })),
                ))
            }
        }
    }
}

enum Governed {
    Forward { rewritten: bool },
    Answer(Value),
}

/// Shapes upstream messages for one client request.
struct Shaper {
    governor: Arc<dyn McpGovernor>,
    caller: RequestContext,
    server: Arc<UpstreamServer>,
    pending: HashMap<String, Pending>,
    needles: Arc<InjectedCredentials>,
}

impl Shaper {
    /// Filters `tools/list` results, scans `tools/call` results, scrubs injected credentials.
    async fn shape(&mut self, msg: &mut Value) -> bool {
        let (pending, from_upstream) = match jsonrpc::classify(msg) {
            Kind::Response { id } => (self.pending.remove(&jsonrpc::id_key(id)), false),
            // A notification (log lines, progress) or a request the upstream sends the agent.
            Kind::Request { .. } | Kind::Notification { .. } => (None, true),
            _ => (None, false),
        };
        // Injected credentials first: an exact replacement, cheaper than the scan, and what it
        // replaces the scan no longer has to find.
        let mut changed = scrub_credentials(msg, &self.needles.needles);
        match pending {
            Some(Pending::ToolsList) => changed |= self.filter_tools(msg),
            Some(Pending::ScanResult) => {
                if let Some(result) = msg.get_mut("result") {
                    changed |= scan_result_in_place(self.governor.as_ref(), result).await;
                }
            }
            _ => {}
        }
        // Whatever the method: an error's message and data, and what the upstream says on
        // its own (`notifications/message`, progress messages), reach the agent too.
        if let Some(error) = msg.get_mut("error") {
            changed |= scan_result_in_place(self.governor.as_ref(), error).await;
        }
        if from_upstream {
            if let Some(params) = msg.get_mut("params") {
                changed |= scan_result_in_place(self.governor.as_ref(), params).await;
            }
        }
        changed
    }

    /// Shapes a JSON text holding one message or an array of messages; `None` when the text
    /// is not JSON, `Some(None)` when nothing changed, `Some(Some(new_text))` otherwise.
    async fn shape_text(&mut self, text: &[u8]) -> Option<Option<Vec<u8>>> {
        let mut value: Value = serde_json::from_slice(text).ok()?;
        let changed = match &mut value {
            Value::Array(items) => {
                let mut changed = false;
                for item in items.iter_mut() {
                    changed |= self.shape(item).await;
                }
                changed
            }
            other => self.shape(other).await,
        };
        Some(changed.then(|| serde_json::to_vec(&value).unwrap_or_default()))
    }

    fn filter_tools(&self, msg: &mut Value) -> bool {
        let Some(tools) = msg
            .get_mut("result")
            .and_then(|r| r.get_mut("tools"))
            .and_then(Value::as_array_mut)
        else {
            return false;
        };
        let before = tools.len();
        tools.retain(|tool| {
            tool.get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| {
                    self.governor
                        .may_list(&self.caller, &self.server.governed_tool_name(name))
                })
        });
        tools.len() != before
    }

    /// Errors for every request still waiting for an answer.
    fn unanswered(&mut self, code: i64, message: &str) -> Vec<Value> {
        self.pending
            .drain()
            .map(|(key, _)| {
                let id = serde_json::from_str(&key).unwrap_or(Value::Null);
                jsonrpc::error_response(id, code, message, None)
            })
            .collect()
    }
}

fn is_sse(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(EVENT_STREAM))
}

fn timeout_message(server: &UpstreamServer) -> String {
    format!(
        "upstream {:?} did not answer within {} ms",
        server.name,
        server.timeout.as_millis()
    )
}

fn unreachable_message(server: &UpstreamServer, e: &SendError) -> String {
    let what = if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!("upstream {:?} unreachable: {what}", server.name)
}

/// Checks the 2026-07-28 `Mcp-Method` / `Mcp-Name` headers against the body: the gateway
/// governs what the body says, so a header that says something else is refused.
fn check_mirror_headers(payload: &Payload, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let method_header = headers.get(MCP_METHOD);
    let name_header = headers.get(MCP_NAME);
    if method_header.is_none() && name_header.is_none() {
        return Ok(());
    }
    let mismatch = |what: &str| {
        Box::new(json_response(
            StatusCode::BAD_REQUEST,
            &jsonrpc::error_response(
                Value::Null,
                codes::HEADER_MISMATCH,
                &format!("{what} header does not match the request body"),
                None,
            ),
            None,
        ))
    };
    let Payload::Single(msg) = payload else {
        return Err(mismatch("Mcp-Method"));
    };
    if let Some(h) = method_header {
        let body_method = msg.get("method").and_then(Value::as_str);
        if h.to_str().ok() != body_method {
            return Err(mismatch("Mcp-Method"));
        }
    }
    if let Some(h) = name_header {
        let params = msg.get("params");
        let body_name = params
            .and_then(|p| p.get("name").or_else(|| p.get("uri")))
            .and_then(Value::as_str);
        if h.to_str().ok() != body_name {
            return Err(mismatch("Mcp-Name"));
        }
    }
    Ok(())
}

fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, JSON)
        .body(Body::from(body))
        .unwrap_or_default()
}

fn json_response(status: StatusCode, body: &Value, extra: Option<(&str, &str)>) -> Response {
    let mut builder = Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, JSON);
    if let Some((k, v)) = extra {
        builder = builder.header(k, v);
    }
    builder
        .body(Body::from(serde_json::to_vec(body).unwrap_or_default()))
        .unwrap_or_default()
}

/// A transport-level failure (GET/DELETE, or a POST without requests): HTTP 502 with a
/// JSON-RPC error body.
fn transport_error(code: i64, message: &str) -> Response {
    json_response(
        StatusCode::BAD_GATEWAY,
        &jsonrpc::error_response(Value::Null, code, message, None),
        None,
    )
}

pub(crate) fn unauthenticated() -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        &jsonrpc::error_response(
            Value::Null,
            codes::UNAUTHENTICATED,
            "authentication required: send a Warden bearer token (Authorization or x-mcp-proxy-auth)",
            None,
        ),
        Some(("www-authenticate", "Bearer realm=\"warden\"")),
    )
}

pub(crate) fn unknown_server(name: &str) -> Response {
    let shown: String = name.chars().take(64).collect();
    json_response(
        StatusCode::NOT_FOUND,
        &jsonrpc::error_response(
            Value::Null,
            codes::UNKNOWN_SERVER,
            &format!("no MCP server named {shown:?} is configured"),
            None,
        ),
        None,
    )
}

pub(crate) fn too_large(limit: usize) -> Response {
    json_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        &jsonrpc::error_response(
            Value::Null,
            codes::PAYLOAD_TOO_LARGE,
            &format!("request body larger than {limit} bytes"),
            None,
        ),
        None,
    )
}

fn local_only(mut local: Vec<Value>, is_batch: bool) -> Response {
    if local.is_empty() {
        return Response::builder()
            .status(StatusCode::ACCEPTED)
            .body(Body::empty())
            .unwrap_or_default();
    }
    let out = if is_batch {
        Value::Array(local)
    } else {
        local.pop().unwrap_or(Value::Null)
    };
    json_response(StatusCode::OK, &out, None)
}

/// Answers every forwarded request with the same error (HTTP 200); a POST that carried no
/// request at all gets HTTP 502.
fn fail_forwarded(
    forward: &[Value],
    mut local: Vec<Value>,
    is_batch: bool,
    code: i64,
    message: &str,
) -> Response {
    tracing::warn!(code, message, "mcp upstream failure");
    let mut any_request = false;
    for msg in forward {
        if let Kind::Request { id, .. } = jsonrpc::classify(msg) {
            any_request = true;
            local.push(jsonrpc::error_response(id.clone(), code, message, None));
        }
    }
    if !any_request && local.is_empty() {
        return transport_error(code, message);
    }
    local_only(local, is_batch)
}

fn with_session(mut response: Response, session: Option<HeaderValue>) -> Response {
    if let Some(s) = session {
        response.headers_mut().insert(MCP_SESSION_ID, s);
    }
    response
}

#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("timed out")]
    Timeout,
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    #[error("connection failed while reading the body")]
    Io,
}

async fn read_bounded(
    mut response: UpstreamResponse,
    limit: usize,
    timeout: Duration,
) -> Result<Vec<u8>, ReadError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ReadError::TooLarge(limit));
    }
    let read = async {
        let mut out = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|_| ReadError::Io)? {
            if out.len() + chunk.len() > limit {
                return Err(ReadError::TooLarge(limit));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    };
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| ReadError::Timeout)?
}

/// Passes an upstream response through (status, content type, session id, bounded body with
/// injected credentials scrubbed).
async fn passthrough(
    response: UpstreamResponse,
    limit: usize,
    timeout: Duration,
    needles: &[zeroize::Zeroizing<String>],
) -> Response {
    let status =
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = response.headers().get(http::header::CONTENT_TYPE).cloned();
    let session = response.headers().get(MCP_SESSION_ID).cloned();
    let body = match read_bounded(response, limit, timeout).await {
        Ok(b) => b,
        Err(e) => {
            return transport_error(
                codes::UPSTREAM_BAD_RESPONSE,
                &format!("upstream response unusable: {e}"),
            )
        }
    };
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(mut v) if !needles.is_empty() => {
            scrub_credentials(&mut v, needles);
            serde_json::to_vec(&v).unwrap_or_default()
        }
        Ok(_) => body,
        Err(_) => match String::from_utf8(body) {
            Ok(mut s) => {
                scrub_str(&mut s, needles);
                s.into_bytes()
            }
            Err(_) => Vec::new(),
        },
    };
    let mut builder = Response::builder().status(status);
    if let Some(ct) = content_type {
        builder = builder.header(http::header::CONTENT_TYPE, ct);
    }
    with_session(builder.body(Body::from(body)).unwrap_or_default(), session)
}

/// Streams an upstream SSE response to the client, shaping every event. Local answers
/// (denials) go first. With `idle` set (POST streams), the stream ends once every forwarded
/// request is answered, and an upstream that stalls longer than `idle` or fails mid-stream
/// gets the unanswered requests answered with JSON-RPC errors.
fn sse_response<S, E>(
    mut shaper: Shaper,
    mut upstream: S,
    local: Vec<Value>,
    idle: Option<Duration>,
    limit: usize,
) -> Response
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Send + Unpin + 'static,
    E: Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let server_name = shaper.server.name.clone();
    tokio::spawn(async move {
        for msg in local {
            let data = serde_json::to_string(&msg).unwrap_or_default();
            if tx.send(SseEvent::message(data).encode()).await.is_err() {
                return;
            }
        }
        let mut parser = SseParser::new(limit);
        let mut events = Vec::new();
        let mut saw_event_id = false;
        let waiting = idle.is_some();
        loop {
            if waiting && shaper.pending.is_empty() {
                return;
            }
            let read = async {
                match idle {
                    Some(d) => tokio::time::timeout(d, upstream.next())
                        .await
                        .map_err(|_| d),
                    None => Ok(upstream.next().await),
                }
            };
            // Stop reading (and drop the upstream connection) as soon as the client is gone.
            let next = tokio::select! {
                _ = tx.closed() => return,
                r = read => r,
            };
            let next = match next {
                Ok(n) => n,
                Err(d) => {
                    let msg = format!(
                        "upstream {server_name:?} did not answer within {} ms",
                        d.as_millis()
                    );
                    send_errors(&tx, shaper.unanswered(codes::UPSTREAM_TIMEOUT, &msg)).await;
                    return;
                }
            };
            let chunk = match next {
                Some(Ok(chunk)) => chunk,
                Some(Err(_)) => {
                    let msg = format!("upstream {server_name:?} stream failed");
                    send_errors(&tx, shaper.unanswered(codes::UPSTREAM_BAD_RESPONSE, &msg)).await;
                    return;
                }
                None => {
                    if waiting && !saw_event_id {
                        let msg =
                            format!("upstream {server_name:?} closed the stream without answering");
                        send_errors(&tx, shaper.unanswered(codes::UPSTREAM_BAD_RESPONSE, &msg))
                            .await;
                    }
                    return;
                }
            };
            if parser.feed(&chunk, &mut events).is_err() {
                let msg =
                    format!("upstream {server_name:?} sent an event larger than {limit} bytes");
                send_errors(&tx, shaper.unanswered(codes::UPSTREAM_BAD_RESPONSE, &msg)).await;
                return;
            }
            for mut event in events.drain(..) {
                saw_event_id |= event.id.is_some();
                if !event.data.is_empty() {
                    match shaper.shape_text(event.data.as_bytes()).await {
                        Some(Some(text)) => {
                            event.data = String::from_utf8(text).unwrap_or_default();
                        }
                        Some(None) => {}
                        None => {
                            scrub_str(&mut event.data, &shaper.needles.needles);
                        }
                    }
                }
                if tx.send(event.encode()).await.is_err() {
                    return;
                }
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, EVENT_STREAM)
        .header(http::header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(body))
        .unwrap_or_default()
}

async fn send_errors(tx: &tokio::sync::mpsc::Sender<Bytes>, errors: Vec<Value>) {
    for e in errors {
        let data = serde_json::to_string(&e).unwrap_or_default();
        if tx.send(SseEvent::message(data).encode()).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use zeroize::Zeroizing;

    struct Allow;

    #[async_trait::async_trait]
    impl McpGovernor for Allow {
        async fn govern_call(
            &self,
            _caller: &RequestContext,
            _tool: &str,
            _arguments: &Value,
            _call_id: Option<&str>,
        ) -> super::super::GovernVerdict {
            unreachable!()
        }
        fn may_list(&self, _caller: &RequestContext, _tool: &str) -> bool {
            true
        }
        async fn scan_result(&self, _result: &Value) -> Option<Value> {
            None
        }
    }

    #[derive(Default)]
    struct Counting(AtomicUsize);

    #[async_trait::async_trait]
    impl CredentialSource for Counting {
        async fn resolve(
            &self,
            _namespace: &str,
            _name: &str,
        ) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            Ok(Some(Zeroizing::new(format!("secret-{n}").into_bytes())))
        }
    }

    fn gateway(cache_ms: u64, source: Arc<Counting>) -> McpGateway {
        let config: McpConfig = toml::from_str(&format!(
            "credential_cache_ms = {cache_ms}\n[[servers]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/mcp\"\n[[servers.inject]]\nheader = \"X-Key\"\nsecret = \"ns/key\"\n"
        ))
        .unwrap_or_default();
        McpGateway::new(&config, Arc::new(Allow), source).unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn credentials_are_reused_within_the_cache_time() {
        let source = Arc::new(Counting::default());
        let gw = gateway(60_000, source.clone());
        let server = gw.server("a").unwrap_or_else(|| panic!("server a"));
        for _ in 0..3 {
            let c = gw.injected_credentials(&server).await.unwrap_or_default();
            assert_eq!(c.needles[0].as_str(), "secret-0");
        }
        assert_eq!(source.0.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn zero_cache_time_reads_the_vault_every_time() {
        let source = Arc::new(Counting::default());
        let gw = gateway(0, source.clone());
        let server = gw.server("a").unwrap_or_else(|| panic!("server a"));
        for i in 0..3 {
            let c = gw.injected_credentials(&server).await.unwrap_or_default();
            assert_eq!(c.needles[0].as_str(), format!("secret-{i}"));
        }
        assert_eq!(source.0.load(Ordering::SeqCst), 3);
    }
}
