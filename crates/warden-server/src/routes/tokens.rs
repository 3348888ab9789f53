//! `POST /v1/tokens` (mint; admin), `POST /v1/tokens/introspect` (RFC 7662),
//! `POST /v1/tokens/revoke` (RFC 7009), `GET /.well-known/jwks.json`.
//!
//! Introspect and revoke take `token=…` form-encoded (JSON `{"token":…}` is accepted too).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::{Caller, SCOPE_TOKENS_INTROSPECT, SCOPE_TOKENS_MINT};
use crate::error::ApiError;
use crate::json::{parse_json, LimitedJson};
use crate::state::AppState;
use crate::tokens::{MintRequest, MintResponse};

/// `POST /v1/tokens`.
pub async fn mint(
    State(state): State<AppState>,
    caller: Caller,
    LimitedJson(req): LimitedJson<MintRequest>,
) -> Result<(StatusCode, Json<MintResponse>), ApiError> {
    caller.require_any(&[SCOPE_TOKENS_MINT])?;
    if req.kind == "admin" && !caller.is_admin() {
        return Err(ApiError::forbidden("only an admin may mint admin tokens"));
    }
    let resp = state.tokens.mint(&req)?;
    tracing::info!(kind = %req.kind, user = %req.user_id, by = %caller.0.user_id, "token minted");
    Ok((StatusCode::CREATED, Json(resp)))
}

#[derive(Deserialize)]
struct TokenParam {
    token: String,
    #[serde(default)]
    #[allow(dead_code)] // accepted per RFC 7662/7009, not needed: Warden issues one token type
    token_type_hint: Option<String>,
}

fn token_param(headers: &HeaderMap, body: &[u8]) -> Result<String, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parsed: TokenParam = if ct.starts_with("application/json") {
        parse_json(body, 4)?
    } else {
        serde_urlencoded::from_bytes(body).map_err(|e| {
            ApiError::bad_request(
                "invalid_request",
                format!("expected form field `token`: {e}"),
            )
        })?
    };
    if parsed.token.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_request",
            "`token` must not be empty",
        ));
    }
    Ok(parsed.token)
}

/// `POST /v1/tokens/introspect`: `{"active":false}` for any token that does not validate.
pub async fn introspect(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&[SCOPE_TOKENS_INTROSPECT])?;
    let token = token_param(&headers, &body)?;
    Ok(Json(state.tokens.introspect(&token)))
}

/// `POST /v1/tokens/revoke`: 200 whether or not the token was valid (RFC 7009 §2.2). A caller
/// may revoke its own token; revoking another's needs admin.
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let token = token_param(&headers, &body)?;
    if !caller.is_admin() {
        let info = state.tokens.introspect(&token);
        let own = info["jti"]
            .as_str()
            .is_some_and(|j| Some(j) == caller.0.jti.as_deref());
        if info["active"] == Value::Bool(true) && !own {
            return Err(ApiError::forbidden(
                "only an admin may revoke another principal's token",
            ));
        }
    }
    state.tokens.revoke(&token).await?;
    Ok(Json(serde_json::json!({"revoked": true})))
}

/// `GET /.well-known/jwks.json`: public keys only (never `oct`).
pub async fn jwks(
    State(state): State<AppState>,
) -> ([(header::HeaderName, &'static str); 1], Json<Value>) {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.tokens.jwks()),
    )
}
