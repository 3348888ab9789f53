//! The OpenAPI 3.1 document of the HTTP API, served at `GET /openapi.json`.
//!
//! The operations come from the `#[utoipa::path]` attributes on the handlers in
//! [`crate::routes`]; request and response types defined in this crate derive
//! [`utoipa::ToSchema`]. Types owned by other crates (the governance evaluation, the audit
//! page, token claims, the JWKS, …) are described here by documentation structs that mirror
//! their JSON shape: nothing here is ever constructed, and the integration test
//! `crates/warden-cli/tests/openapi.rs` checks the mirrors against what the real server
//! answers. The MCP gateway (`/mcp/{server}`, [`crate::mcp`]) is described by
//! documentation-only operations at the end of this file.
//!
//! The document is built once, on the first request, and served as `application/json`
//! without authentication (it is public API metadata, like the JWKS).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::ApiError;
use crate::routes;

/// Name of the security scheme every protected operation requires (HTTP bearer, a Warden JWT).
pub const SECURITY_SCHEME: &str = "bearer";

/// The document's definition: every operation of the router, in the order of the README's API
/// table, and the tags that group them.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Warden",
        description = "Security infrastructure for AI agents: governance of tool calls, the \
            Claude Code hook, an MCP gateway, tokens, a secret vault and a hash-chained audit \
            log.\n\nErrors are `{\"error\":{\"code\",\"message\"}}` (schema `ErrorBody`) with a \
            stable `code`. Besides the statuses listed per operation, any request may be \
            answered 403 `bot_blocked` (scanner detection with `[detect] mode = \"block\"`), \
            504 `timeout` or 500 `internal`, all with that body."
    ),
    paths(
        routes::govern::govern,
        routes::hooks::claude_code,
        mcp_post,
        mcp_get,
        mcp_delete,
        routes::tokens::mint,
        routes::tokens::introspect,
        routes::tokens::revoke,
        routes::tokens::jwks,
        routes::secrets::put,
        routes::secrets::get,
        routes::secrets::delete,
        routes::secrets::list,
        routes::audit::query,
        routes::audit::verify,
        routes::health::metrics,
        routes::health::healthz,
        routes::health::readyz,
        routes::health::dashboard,
        openapi_json,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerJwt),
    tags(
        (name = "governance", description = "Evaluate tool calls for the token's principal."),
        (name = "hooks", description = "Claude Code hooks."),
        (name = "mcp", description = "The MCP gateway (streamable HTTP)."),
        (name = "tokens", description = "Mint, introspect and revoke tokens; the public JWKS."),
        (name = "secrets", description = "The encrypted secret vault."),
        (name = "audit", description = "The hash-chained audit log."),
        (name = "service", description = "Health, readiness, metrics, dashboard, this document."),
    )
)]
pub struct ApiDoc;

/// Adds the `bearer` security scheme (HTTP bearer, JWT) that protected operations name.
struct BearerJwt;

impl Modify for BearerJwt {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SECURITY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A Warden token (`warden token mint …`, `POST /v1/tokens`, or the admin \
                         token written to the data dir on first start).",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document, built from the annotations.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The serialized document, built on first use.
static DOCUMENT_JSON: LazyLock<Result<Bytes, String>> = LazyLock::new(|| {
    document()
        .to_json()
        .map(Bytes::from)
        .map_err(|e| e.to_string())
});

/// `GET /openapi.json`: this API's OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "service",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document.", body = Object,
            content_type = "application/json"),
    )
)]
pub async fn openapi_json() -> Response {
    match &*DOCUMENT_JSON {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes.clone()).into_response(),
        Err(e) => ApiError::internal(format!("cannot serialize the OpenAPI document: {e}"))
            .into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Every API error: `{"error":{"code","message"}}`.
#[derive(ToSchema)]
#[schema(example = json!({"error": {"code": "forbidden", "message": "this endpoint needs one of the scopes: admin, warden:audit:read"}}))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The `error` member of [`ErrorBody`].
#[derive(ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `missing_token`, `expired`, `bad_signature`, `revoked`, …
    /// (401); `forbidden`, `bot_blocked` (403); `malformed_json`, `json_too_deep`,
    /// `invalid_request`, `invalid_hook_input`, `invalid_secret`, `unsupported_token` (400);
    /// `not_found` (404); `payload_too_large` (413); `uri_too_long` (414);
    /// `unsupported_media_type` (415); `headers_too_large` (431); `internal` (500);
    /// `unavailable` (503); `timeout` (504).
    pub code: String,
    /// Human-readable explanation (never secret material).
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Governance (`warden_security::governance::Evaluation` on the wire)

/// A verdict: `allow`, `deny` or `ask`.
#[derive(ToSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The call may run.
    Allow,
    /// The call must not run.
    Deny,
    /// A person must confirm the call.
    Ask,
}

/// What one layer of the chain concluded.
#[derive(ToSchema, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerResult {
    /// The layer allowed the call.
    Allow,
    /// The layer denied the call.
    Deny,
    /// The layer asks for confirmation.
    Ask,
    /// The layer did not run (an earlier layer decided, or it is disabled).
    Skip,
    /// The layer is in shadow mode and would have denied; the call was allowed.
    ShadowDeny,
    /// The layer allowed the call after rewriting its arguments (redaction).
    Redact,
}

/// One entry of the decision chain.
#[derive(ToSchema)]
pub struct LayerTrace {
    /// Layer id (`secret_scan`, `scope_check`, `tool_blocklist`, `rate_limit`).
    pub policy_id: String,
    /// What the layer concluded.
    pub result: LayerResult,
    /// Human-readable detail (never a secret value).
    pub detail: String,
    /// Time the layer took, in microseconds.
    pub duration_us: u64,
}

/// What a secret-scan rule asks for.
#[derive(ToSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanAction {
    /// Deny the call.
    Deny,
    /// Allow the call with the secret replaced in the arguments.
    Redact,
}

/// A secret-scan finding (never the secret itself).
#[derive(ToSchema)]
pub struct Finding {
    /// Rule that fired (e.g. `aws-access-key-id`).
    pub rule_id: String,
    /// JSON path of the string leaf (`$` for plain text).
    pub path: String,
    /// Byte offset of the match start within the leaf string.
    pub start: u64,
    /// Byte offset one past the match end.
    pub end: u64,
    /// Redacted preview revealing at most 4 characters.
    pub preview: String,
    /// What the rule asks for.
    pub action: ScanAction,
}

/// The answer of `POST /v1/govern`: the decision JSON of `warden govern check` plus
/// `decision_id`. A deny is a successful evaluation (HTTP 200).
#[derive(ToSchema)]
#[schema(example = json!({
    "decision": "deny", "policy": "tool_blocklist",
    "reason": "blocked by baseline.rm_root", "reason_code": "blocked",
    "chain": [{"policy_id": "tool_blocklist", "result": "deny", "detail": "baseline.rm_root", "duration_us": 12}],
    "findings": [], "decision_id": "dec_0f8e…"
}))]
pub struct Evaluation {
    /// The verdict.
    pub decision: Decision,
    /// The deciding layer; `null` when the call is allowed.
    #[schema(required = true)]
    pub policy: Option<String>,
    /// Why.
    pub reason: String,
    /// Stable code of the reason.
    pub reason_code: String,
    /// Every layer with its result, detail and duration.
    pub chain: Vec<LayerTrace>,
    /// Secret-scan findings.
    pub findings: Vec<Finding>,
    /// Decision id (`dec_…`), also the id of the audit record.
    pub decision_id: String,
    /// For rate-limit denials: milliseconds until a retry can succeed (absent otherwise).
    #[schema(required = false)]
    pub retry_after_ms: u64,
    /// The arguments with secrets redacted, when the scanner redacted and the call is allowed
    /// (absent otherwise).
    #[schema(required = false)]
    pub redacted_arguments: Value,
}

// ---------------------------------------------------------------------------------------------
// Claude Code hook (`warden_security::hooks::claude_code`)

/// The JSON Claude Code sends to a hook (`PreToolUse`, `PostToolUse`, `UserPromptSubmit`; other
/// events are answered `{}`). Unknown fields are ignored.
#[derive(ToSchema)]
#[schema(example = json!({
    "session_id": "abc123", "hook_event_name": "PreToolUse",
    "tool_name": "Bash", "tool_input": {"command": "ls"}, "tool_use_id": "toolu_01"
}))]
pub struct HookInput {
    /// Event name (`PreToolUse`, `PostToolUse`, `UserPromptSubmit`, …).
    pub hook_event_name: String,
    /// Claude Code's session id.
    pub session_id: Option<String>,
    /// Path of the transcript file.
    pub transcript_path: Option<String>,
    /// Working directory.
    pub cwd: Option<String>,
    /// Permission mode.
    pub permission_mode: Option<String>,
    /// Subagent id, inside a subagent.
    pub agent_id: Option<String>,
    /// Subagent type, inside a subagent.
    pub agent_type: Option<String>,
    /// Tool name (tool events; required for them).
    pub tool_name: Option<String>,
    /// Tool input (tool events).
    pub tool_input: Option<Value>,
    /// Tool use id (tool events).
    pub tool_use_id: Option<String>,
    /// What the tool returned (`PostToolUse`).
    pub tool_response: Option<Value>,
    /// The prompt (`UserPromptSubmit`; required for it).
    pub prompt: Option<String>,
}

/// Claude Code's hook output. `{}` leaves Claude Code's own permission rules in force.
#[derive(ToSchema, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookOutput {
    /// `block` (a denied prompt, or a tool output that must not reach the model).
    #[schema(required = false)]
    pub decision: String,
    /// Why the prompt or output was blocked.
    #[schema(required = false)]
    pub reason: String,
    /// The event-specific answer.
    #[schema(required = false)]
    pub hook_specific_output: HookSpecificOutput,
}

/// The `hookSpecificOutput` member of [`HookOutput`].
#[derive(ToSchema, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookSpecificOutput {
    /// `PreToolUse` or `PostToolUse`.
    pub hook_event_name: String,
    /// `PreToolUse`: `allow`, `deny` or `ask`.
    #[schema(required = false)]
    pub permission_decision: String,
    /// `PreToolUse`: why (prefixed `Warden:`).
    #[schema(required = false)]
    pub permission_decision_reason: String,
    /// `PreToolUse`: the tool input with secrets redacted.
    #[schema(required = false)]
    pub updated_input: Value,
    /// `PostToolUse`: what Warden removed from the tool output.
    #[schema(required = false)]
    pub additional_context: String,
    /// `PostToolUse`: the redacted output of a built-in tool.
    #[schema(required = false)]
    pub updated_tool_output: Value,
    /// `PostToolUse`: the redacted output of an MCP tool.
    #[serde(rename = "updatedMCPToolOutput")]
    #[schema(required = false)]
    pub updated_mcp_tool_output: Value,
}

// ---------------------------------------------------------------------------------------------
// Tokens (`crate::tokens::{MintRequest, MintResponse}`, `warden_types` claims, the JWKS)

/// `POST /v1/tokens` body (mirrors [`crate::tokens::MintRequest`]).
#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "session", "user_id": "alice", "scope": "user mcp", "ttl_secs": 3600}))]
pub struct MintRequest {
    /// `session` or `admin` (admin tokens need the `admin` scope).
    #[schema(pattern = "^(session|admin)$")]
    pub kind: String,
    /// Subject.
    #[schema(min_length = 1)]
    pub user_id: String,
    /// Session id (generated when absent).
    pub session_id: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Space-separated scopes of a session token (default `user`; not empty; an admin
    /// token's is `admin`).
    #[schema(pattern = "\\S")]
    pub scope: Option<String>,
    /// Lifetime in seconds (default 3600, at most 30 days).
    #[schema(minimum = 1, maximum = 2592000)]
    pub ttl_secs: Option<i64>,
}

/// `POST /v1/tokens` answer (mirrors [`crate::tokens::MintResponse`]).
#[derive(ToSchema)]
pub struct MintResponse {
    /// The JWT.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: i64,
}

/// The `token` parameter of introspection (RFC 7662) and revocation (RFC 7009), form-encoded
/// or JSON.
#[derive(ToSchema)]
pub struct TokenForm {
    /// The token.
    #[schema(min_length = 1)]
    pub token: String,
    /// Accepted and ignored (Warden issues one token type).
    pub token_type_hint: Option<String>,
}

/// Kind of principal a token describes.
#[derive(ToSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserType {
    /// An administrator.
    Admin,
    /// A regular user.
    User,
    /// An agent-to-agent caller.
    A2a,
    /// An MCP client.
    Mcp,
    /// A backend service.
    Service,
    /// An anonymous caller.
    Anon,
    /// Not known.
    Unknown,
}

/// RFC 7662 introspection response: `{"active":false}` for any token this server would not
/// accept as a bearer, else `active` and the token's claims; claims the token does not carry
/// are left out.
#[derive(ToSchema)]
#[schema(example = json!({"active": false}))]
pub struct Introspection {
    /// True when the token validates (signature, expiry, issuer, audience, revocation) and
    /// passes authentication's checks (a session id; a user type its scopes grant).
    pub active: bool,
    /// Subject (user id).
    #[schema(required = false)]
    pub sub: String,
    /// Space-separated scopes.
    #[schema(required = false)]
    pub scope: String,
    /// OAuth client id.
    #[schema(required = false)]
    pub client_id: String,
    /// User name.
    #[schema(required = false)]
    pub username: String,
    /// Always `Bearer`.
    #[schema(required = false)]
    pub token_type: String,
    /// Expiry (unix seconds).
    #[schema(required = false)]
    pub exp: i64,
    /// Issued at (unix seconds).
    #[schema(required = false)]
    pub iat: i64,
    /// Not before (unix seconds).
    #[schema(required = false)]
    pub nbf: i64,
    /// Issuer.
    #[schema(required = false)]
    pub iss: String,
    /// Audiences.
    #[schema(required = false)]
    pub aud: Vec<String>,
    /// Token id.
    #[schema(required = false)]
    pub jti: String,
    /// Session id.
    #[schema(required = false)]
    pub session_id: String,
    /// Kind of principal (as authentication derives it from the scopes).
    #[schema(required = false)]
    pub user_type: UserType,
}

/// `POST /v1/tokens/revoke` answer (also for a token that was not valid, RFC 7009 §2.2).
#[derive(ToSchema)]
pub struct Revoked {
    /// Always `true`.
    pub revoked: bool,
}

/// The public JWKS (RFC 7517): never `oct` keys, never private members.
#[derive(ToSchema)]
pub struct Jwks {
    /// The public keys.
    pub keys: Vec<Jwk>,
}

/// One public key.
#[derive(ToSchema, Serialize)]
pub struct Jwk {
    /// Key type: `OKP`, `EC` or `RSA`.
    pub kty: String,
    /// Key id.
    #[schema(required = false)]
    pub kid: String,
    /// Algorithm the key is pinned to.
    #[schema(required = false)]
    pub alg: String,
    /// Intended use (`sig`).
    #[serde(rename = "use")]
    #[schema(required = false)]
    pub use_: String,
    /// Curve (`OKP`, `EC`).
    #[schema(required = false)]
    pub crv: String,
    /// Public point x (`OKP`, `EC`), base64url.
    #[schema(required = false)]
    pub x: String,
    /// Public point y (`EC`), base64url.
    #[schema(required = false)]
    pub y: String,
    /// Modulus (`RSA`), base64url.
    #[schema(required = false)]
    pub n: String,
    /// Exponent (`RSA`), base64url.
    #[schema(required = false)]
    pub e: String,
}

// ---------------------------------------------------------------------------------------------
// Secrets (`warden_security::vault::SecretMeta`)

/// `PUT /v1/secrets/{namespace}/{name}` JSON body (other content types: the raw bytes).
#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutSecret {
    /// The secret value (UTF-8).
    pub value: String,
}

/// A stored secret's metadata (never its value).
#[derive(ToSchema)]
pub struct SecretMeta {
    /// Namespace.
    pub namespace: String,
    /// Name within the namespace.
    pub name: String,
    /// Id of the key-encryption key that wraps the secret's data key.
    pub kek_id: String,
    /// Creation time, unix milliseconds.
    pub created_at_ms: i64,
    /// Last update time, unix milliseconds.
    pub updated_at_ms: i64,
}

/// Encoding of a secret value that is not UTF-8.
#[derive(ToSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretEncoding {
    /// Standard base64 with padding.
    Base64,
}

/// `GET /v1/secrets/{namespace}/{name}` answer.
#[derive(ToSchema)]
pub struct SecretValue {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The value: UTF-8 text, or base64 when `encoding` is present.
    pub value: String,
    /// `base64` when the value is not UTF-8 (absent otherwise).
    #[schema(required = false)]
    pub encoding: SecretEncoding,
}

/// `GET /v1/secrets` answer: metadata only, never values.
#[derive(ToSchema)]
pub struct SecretList {
    /// The secrets, with their metadata.
    pub secrets: Vec<SecretMeta>,
}

// ---------------------------------------------------------------------------------------------
// Audit (`warden_security::audit::{AuditPage, AuditEntry, ChainReport}`)

/// A finding as recorded in the audit log.
#[derive(ToSchema)]
pub struct AuditFinding {
    /// Rule that fired.
    pub rule_id: String,
    /// JSON path of the string leaf (e.g. `$.command`).
    pub path: String,
    /// Redacted preview revealing at most 4 characters.
    pub preview: String,
}

/// One audit record with its position in the log.
#[derive(ToSchema)]
pub struct AuditEntry {
    /// Position in the log, starting at 1.
    pub seq: i64,
    /// Decision id (`dec_…`).
    pub id: String,
    /// When the decision was made, unix milliseconds.
    pub time_ms: i64,
    /// Caller-supplied call id.
    #[schema(required = true)]
    pub call_id: Option<String>,
    /// Trace id.
    pub trace_id: String,
    /// Principal: user id.
    pub user_id: String,
    /// Principal: session id.
    pub session_id: String,
    /// Principal: agent id.
    #[schema(required = true)]
    pub agent_id: Option<String>,
    /// What was judged: a tool name, or `prompt`.
    pub target: String,
    /// The verdict.
    pub decision: Decision,
    /// The deciding layer (`null` when every layer allowed).
    #[schema(required = true)]
    pub policy: Option<String>,
    /// Why.
    pub reason: String,
    /// Every layer with its result and duration.
    pub chain: Vec<LayerTrace>,
    /// Secret-scan findings, without secret values.
    pub findings: Vec<AuditFinding>,
    /// Where the call came from: `govern`, `hook`, `mcp`, `cli`.
    pub source: String,
}

/// `GET /v1/audit` answer: one page of records.
#[derive(ToSchema)]
pub struct AuditPage {
    /// The matching records, in the requested order.
    pub records: Vec<AuditEntry>,
    /// Cursor for the next page (`cursor=`); `null` on the last page.
    #[schema(required = true)]
    pub next: Option<i64>,
}

/// Where and why the chain stopped verifying.
#[derive(ToSchema)]
pub struct ChainBreak {
    /// Id of the first bad record.
    pub id: String,
    /// What is wrong with it.
    pub reason: String,
}

/// `GET /v1/audit/verify` answer.
#[derive(ToSchema)]
#[schema(example = json!({"ok": true, "records": 42}))]
pub struct ChainReport {
    /// True when every link verified.
    pub ok: bool,
    /// Number of records examined.
    pub records: u64,
    /// The first bad record (absent when `ok`).
    #[schema(required = false)]
    pub first_bad: ChainBreak,
}

// ---------------------------------------------------------------------------------------------
// Service

/// `GET /healthz` answer.
#[derive(ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// `GET /readyz` answer when every dependency answers.
#[derive(ToSchema)]
pub struct Ready {
    /// Always `ready`.
    pub status: String,
}

/// `GET /readyz` answer when a dependency is unavailable (HTTP 503).
#[derive(ToSchema)]
pub struct NotReady {
    /// Always `not_ready`.
    pub status: String,
    /// Code `not_ready`.
    pub error: ErrorDetail,
    /// What failed, by check name (`store`, `signing_key`, …).
    pub failures: BTreeMap<String, String>,
}

// ---------------------------------------------------------------------------------------------
// MCP gateway (`crate::mcp`): documentation-only operations; the handlers live in
// `mcp/http.rs`.

/// A JSON-RPC 2.0 message or batch, passed to the upstream MCP server after governance.
#[derive(ToSchema)]
#[schema(value_type = Value, example = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "hi"}}}))]
pub struct JsonRpcMessage(pub Value);

/// A JSON-RPC 2.0 error response, as the gateway answers its own failures.
#[derive(ToSchema)]
pub struct JsonRpcErrorResponse {
    /// Always `2.0`.
    pub jsonrpc: String,
    /// The request id, or `null`.
    #[schema(required = true)]
    pub id: Option<Value>,
    /// The error.
    pub error: JsonRpcError,
}

/// The `error` member of [`JsonRpcErrorResponse`].
#[derive(ToSchema)]
pub struct JsonRpcError {
    /// JSON-RPC error code.
    pub code: i64,
    /// Human-readable message.
    pub message: String,
    /// Extra data.
    #[schema(required = false)]
    pub data: Value,
}

/// MCP gateway, streamable HTTP (`POST`): authenticates, governs `tools/call`, filters
/// `tools/list` by what the caller may call and injects vault credentials into the upstream
/// request. Denials are JSON-RPC errors inside a 200 response. The route exists only when
/// `[[mcp.servers]]` are configured.
#[utoipa::path(
    post,
    path = "/mcp/{server}",
    tag = "mcp",
    operation_id = "mcp_post",
    params(("server" = String, Path, description = "Name of a configured `[[mcp.servers]]` entry.")),
    request_body(content = JsonRpcMessage, description = "A JSON-RPC message or batch."),
    responses(
        (status = 200, description = "The upstream's answer, with denials as JSON-RPC errors: \
            JSON, or an event stream.", content(
            (Object = "application/json"),
            (String = "text/event-stream"),
        )),
        (status = 202, description = "Notifications or responses only: accepted."),
        (status = 400, description = "Not JSON-RPC, or `Mcp-Method`/`Mcp-Name` headers that \
            contradict the body.", body = JsonRpcErrorResponse),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`).",
            body = ErrorBody),
        (status = 404, description = "No such server, or an MCP session of another caller.",
            body = JsonRpcErrorResponse),
        (status = 413, description = "Body over the gateway's size limit.",
            body = JsonRpcErrorResponse),
        (status = 502, description = "Upstream unreachable, a bad upstream answer, or a \
            credential that cannot be read from the vault.", body = JsonRpcErrorResponse),
    ),
    security(("bearer" = []))
)]
#[allow(dead_code)] // documentation only: the handler is `mcp::http::handle_post`
fn mcp_post() {}

/// MCP gateway, streamable HTTP (`GET`): the server-to-client event stream, passed through from
/// the upstream (whose status is answered, e.g. 405 when it offers no stream).
#[utoipa::path(
    get,
    path = "/mcp/{server}",
    tag = "mcp",
    operation_id = "mcp_get",
    params(("server" = String, Path, description = "Name of a configured `[[mcp.servers]]` entry.")),
    responses(
        (status = 200, description = "The upstream's event stream.", body = String,
            content_type = "text/event-stream"),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`).",
            body = ErrorBody),
        (status = 404, description = "No such server, or an MCP session of another caller.",
            body = JsonRpcErrorResponse),
        (status = 502, description = "Upstream unreachable or a credential that cannot be \
            read.", body = JsonRpcErrorResponse),
    ),
    security(("bearer" = []))
)]
#[allow(dead_code)] // documentation only: the handler is `mcp::http::handle_get`
fn mcp_get() {}

/// MCP gateway, streamable HTTP (`DELETE`): ends the MCP session named by `Mcp-Session-Id`
/// (passed through; the upstream's status is answered).
#[utoipa::path(
    delete,
    path = "/mcp/{server}",
    tag = "mcp",
    operation_id = "mcp_delete",
    params(("server" = String, Path, description = "Name of a configured `[[mcp.servers]]` entry.")),
    responses(
        (status = 200, description = "Session ended (or the upstream's status)."),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`).",
            body = ErrorBody),
        (status = 404, description = "No such server, or an MCP session of another caller.",
            body = JsonRpcErrorResponse),
        (status = 502, description = "Upstream unreachable or a credential that cannot be \
            read.", body = JsonRpcErrorResponse),
    ),
    security(("bearer" = []))
)]
#[allow(dead_code)] // documentation only: the handler is `mcp::http::handle_delete`
fn mcp_delete() {}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn doc() -> Value {
        serde_json::to_value(document()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every (method, path, operation) of the document.
    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                out.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
        out
    }

    /// Every `$ref` in `v`.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(r)) => out.push(r),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn document_is_openapi_3_1_titled_warden_with_the_crate_version() {
        let doc = doc();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["title"], "Warden");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn protected_operations_require_a_bearer_jwt_and_public_ones_nothing() {
        let doc = doc();
        let scheme = &doc["components"]["securitySchemes"][SECURITY_SCHEME];
        assert_eq!(scheme["type"], "http");
        assert_eq!(scheme["scheme"], "bearer");
        assert_eq!(scheme["bearerFormat"], "JWT");
        let public = [
            "/",
            "/healthz",
            "/readyz",
            "/metrics",
            "/.well-known/jwks.json",
            "/openapi.json",
        ];
        for (method, path, op) in operations(&doc) {
            if public.contains(&path.as_str()) {
                assert!(op.get("security").is_none(), "{method} {path} is public");
                assert!(!op["responses"]
                    .as_object()
                    .is_some_and(|r| r.contains_key("401")));
            } else {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{ SECURITY_SCHEME: [] }]),
                    "{method} {path}"
                );
                assert!(
                    op["responses"]["401"].is_object(),
                    "{method} {path}: no 401"
                );
            }
            assert_eq!(
                op["tags"].as_array().map(Vec::len),
                Some(1),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn every_error_response_references_the_error_schema() {
        let doc = doc();
        for (method, path, op) in operations(&doc) {
            for (status, resp) in op["responses"].as_object().into_iter().flatten() {
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                let content = resp["content"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{method} {path} {status}: no body"));
                // The JSON body is the API error, except the gateway's own JSON-RPC errors
                // and the readiness report (which carries the same `error` member).
                let expected = match (path.as_str(), status.as_str()) {
                    ("/mcp/{server}", "401") => "#/components/schemas/ErrorBody",
                    ("/mcp/{server}", _) => "#/components/schemas/JsonRpcErrorResponse",
                    ("/readyz", "503") => "#/components/schemas/NotReady",
                    _ => "#/components/schemas/ErrorBody",
                };
                for (ct, media) in content {
                    match ct.as_str() {
                        "application/json" => assert_eq!(
                            media["schema"]["$ref"], expected,
                            "{method} {path} {status}"
                        ),
                        other => panic!("{method} {path} {status}: unexpected {other}"),
                    }
                }
            }
        }
        let not_ready = &doc["components"]["schemas"]["NotReady"]["properties"]["error"];
        assert_eq!(not_ready["$ref"], "#/components/schemas/ErrorDetail");
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc = doc();
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(!all.is_empty());
        for r in all {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {r}"));
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "{r} does not resolve"
            );
        }
    }

    fn properties(doc: &Value, schema: &str) -> Vec<String> {
        doc["components"]["schemas"][schema]["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn mint_response_schema_mirrors_the_real_type() {
        let real = serde_json::to_value(crate::tokens::MintResponse {
            access_token: "t".into(),
            token_type: "Bearer",
            expires_in: 60,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let keys: Vec<String> = real
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(keys, properties(&doc(), "MintResponse"));
    }

    #[test]
    fn mint_request_schema_mirrors_the_real_type() {
        let doc = doc();
        // The real type rejects unknown fields, so an object with every documented property
        // shows that each one exists; the required ones alone must be enough.
        let sample = |name: &str| match name {
            "ttl_secs" => serde_json::json!(60),
            _ => serde_json::json!("x"),
        };
        let all: serde_json::Map<String, Value> = properties(&doc, "MintRequest")
            .iter()
            .map(|k| (k.clone(), sample(k)))
            .collect();
        assert_eq!(all.len(), 6);
        serde_json::from_value::<crate::tokens::MintRequest>(Value::Object(all))
            .unwrap_or_else(|e| panic!("a documented field is unknown to MintRequest: {e}"));
        let required: serde_json::Map<String, Value> = doc["components"]["schemas"]["MintRequest"]
            ["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|k| (k.to_owned(), sample(k)))
            .collect();
        serde_json::from_value::<crate::tokens::MintRequest>(Value::Object(required))
            .unwrap_or_else(|e| panic!("MintRequest needs an undocumented field: {e}"));
        assert_eq!(
            doc["components"]["schemas"]["MintRequest"]["additionalProperties"],
            false
        );
    }

    #[test]
    fn govern_request_documents_that_unknown_fields_are_rejected() {
        let doc = doc();
        let schema = &doc["components"]["schemas"]["GovernRequest"];
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["tool"]));
    }

    #[tokio::test]
    async fn serves_the_built_document_as_json() {
        let resp = openapi_json().await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let served: Value = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(served, doc());
    }
}
