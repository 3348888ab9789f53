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
pub struct GovernRequest {
    /// Tool name.
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
