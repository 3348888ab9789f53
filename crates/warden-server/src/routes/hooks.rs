//! `POST /v1/hooks/claude-code`: Claude Code hook input in, hook output out.

use axum::extract::State;
use axum::Json;
use serde_json::Value;
use warden_security::hooks::claude_code::{HookError, HookInput};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::hook::{handle_claude_code, HookContext};
use crate::json::json_depth;
use crate::json::RequestBytes;
use crate::routes::govern::principal_of;
use crate::state::AppState;

/// Handler: see the module docs. Malformed hook input is a 400 (the CLI turns any non-2xx
/// into exit 2, which Claude Code treats as a block).
#[utoipa::path(
    post,
    path = "/v1/hooks/claude-code",
    tag = "hooks",
    summary = "Decide a Claude Code hook event (PreToolUse, PostToolUse, UserPromptSubmit).",
    description = "Claude Code hook input in, hook output out, for the principal of the bearer token. Malformed input is a 400 (`warden hook claude-code --server` turns any non-2xx into exit 2, which Claude Code treats as a block).",
    request_body = crate::openapi::HookInput,
    responses(
        (status = 200, description = "Claude Code's hook output; `{}` leaves Claude Code's own permission rules in force.", body = crate::openapi::HookOutput),
        (status = 400, description = "`invalid_hook_input` (not JSON, or a required field of the event missing), `json_too_deep`.", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks a permission scope (`user`, `service`, `a2a`, `mcp`), `warden:govern` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body exceeds the size limit (1 MiB by default).", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`.", body = crate::openapi::ErrorBody),
        (status = 503, description = "`unavailable`: the outcome of a `PostToolUse` scan that found secrets could not be recorded in the audit log (fail closed).", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn claude_code(
    State(state): State<AppState>,
    caller: Caller,
    RequestBytes(body): RequestBytes,
) -> Result<Json<Value>, ApiError> {
    caller.require_governable()?;
    if json_depth(&body, state.max_json_depth) > state.max_json_depth {
        return Err(ApiError::bad_request(
            "json_too_deep",
            "hook input is nested too deeply",
        ));
    }
    let input = HookInput::parse(&body)
        .map_err(|e| ApiError::bad_request("invalid_hook_input", e.to_string()))?;
    let cx = HookContext {
        engine: &state.engine,
        sink: state.audit_sink.as_ref(),
        scanner: &state.scanner,
        on_allow: state.hook_on_allow,
        metrics: Some(&state.metrics),
    };
    let out = handle_claude_code(
        &cx,
        &input,
        principal_of(&caller),
        caller.0.trace_id.clone(),
    )
    .await
    .map_err(|e| match e {
        HookError::AuditFailed(_) => ApiError::unavailable(e.to_string()),
        e => ApiError::bad_request("invalid_hook_input", e.to_string()),
    })?;
    Ok(Json(out))
}
