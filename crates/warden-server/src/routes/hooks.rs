//! `POST /v1/hooks/claude-code`: Claude Code hook input in, hook output out.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::Value;
use warden_security::hooks::claude_code::HookInput;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::hook::{handle_claude_code, HookContext};
use crate::json::{json_depth, DEFAULT_MAX_JSON_DEPTH};
use crate::routes::govern::principal_of;
use crate::state::AppState;

/// Handler: see the module docs. Malformed hook input is a 400 (the CLI turns any non-2xx
/// into exit 2, which Claude Code treats as a block).
pub async fn claude_code(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require_governable()?;
    if json_depth(&body, DEFAULT_MAX_JSON_DEPTH) > DEFAULT_MAX_JSON_DEPTH {
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
    };
    let out = handle_claude_code(
        &cx,
        &input,
        principal_of(&caller),
        caller.0.trace_id.clone(),
    )
    .await
    .map_err(|e| ApiError::bad_request("invalid_hook_input", e.to_string()))?;
    Ok(Json(out))
}
