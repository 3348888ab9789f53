//! `POST /v1/govern`: evaluate one tool call for the authenticated principal.

use std::time::Instant;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use warden_security::governance::{Evaluation, PolicyContext, Principal};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::LimitedJson;
use crate::state::AppState;

/// Request body: the SPEC §8 `govern` input without `user_id`, `session_id` and `scopes`,
/// which come from the validated token. Unknown fields are rejected so that a client cannot
/// believe it set the principal.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
pub struct GovernRequest {
    /// Tool name.
    #[schema(min_length = 1)]
    pub tool: String,
    /// Tool arguments (any JSON; usually an object).
    #[serde(default)]
    pub arguments: Value,
    /// Idempotency key for rate limiting and the audit record.
    #[serde(default)]
    pub call_id: Option<String>,
    /// Agent making the call (recorded; the token's agent header wins when present).
    #[serde(default)]
    pub agent_id: Option<String>,
}

/// The principal a validated token stands for.
pub fn principal_of(caller: &Caller) -> Principal {
    crate::gateway::principal_of_context(&caller.0)
}

/// Handler: see the module docs. A deny is a successful evaluation (200).
#[utoipa::path(
    post,
    path = "/v1/govern",
    tag = "governance",
    summary = "Evaluate one tool call for the token's principal.",
    description = "Evaluates `{tool, arguments, call_id?, agent_id?}` for the principal of the bearer token (`user_id`, `session_id` and `scopes` come from the token and are rejected in the body). A deny is a successful evaluation: 200 with `decision: deny`.",
    request_body = GovernRequest,
    responses(
        (status = 200, description = "The evaluation; a deny is a successful evaluation.", body = crate::openapi::Evaluation),
        (status = 400, description = "`malformed_json` (including the rejected `user_id`, `session_id` and `scopes`: they come from the token), `json_too_deep`, `invalid_request` (empty `tool`).", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks a permission scope (`user`, `service`, `a2a`, `mcp`), `warden:govern` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body exceeds the size limit (1 MiB by default).", body = crate::openapi::ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the Content-Type is not JSON.", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn govern(
    State(state): State<AppState>,
    caller: Caller,
    LimitedJson(req): LimitedJson<GovernRequest>,
) -> Result<Json<Evaluation>, ApiError> {
    caller.require_governable()?;
    if req.tool.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_request",
            "`tool` must not be empty",
        ));
    }
    let mut principal = principal_of(&caller);
    if principal.agent_id.is_none() {
        if let Some(agent) = req.agent_id.filter(|a| !a.is_empty()) {
            principal = principal.with_agent_id(agent);
        }
    }
    let ctx = PolicyContext::tool_call(req.tool, req.arguments, principal)
        .with_call_id(req.call_id)
        .with_trace_id(caller.0.trace_id.clone());
    let started = Instant::now();
    let eval = state
        .engine
        .evaluate_and_audit(&ctx, state.audit_sink.as_ref(), "govern")
        .await;
    state.metrics.record_decision(
        eval.policy.as_deref(),
        eval.decision.as_str(),
        "govern",
        started.elapsed().as_secs_f64(),
    );
    Ok(Json(eval))
}
