//! `POST /v1/tokens` (mint; admin), `POST /v1/tokens/introspect` (RFC 7662),
//! `POST /v1/tokens/revoke` (RFC 7009), `GET /.well-known/jwks.json`.
//!
//! Introspect and revoke take `token=…` form-encoded (JSON `{"token":…}` is accepted too).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use warden_types::Scopes;

use crate::auth::{Caller, SCOPE_TOKENS_INTROSPECT, SCOPE_TOKENS_MINT};
use crate::error::ApiError;
use crate::json::{parse_json, LimitedJson, RequestBytes};
use crate::state::AppState;
use crate::tokens::{MintRequest, MintResponse, DEFAULT_SESSION_SCOPE};

/// `POST /v1/tokens`.
#[utoipa::path(
    post,
    path = "/v1/tokens",
    tag = "tokens",
    request_body = crate::openapi::MintRequest,
    responses(
        (status = 201, description = "The token.", body = crate::openapi::MintResponse),
        (status = 400, description = "`malformed_json` (including unknown fields), `json_too_deep`, `invalid_request` (bad `kind`, `user_id`, `session_id` or `ttl_secs`).", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks `warden:tokens:mint` or `admin` (admin tokens: `admin` only).", body = crate::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body exceeds the size limit (1 MiB by default).", body = crate::openapi::ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the Content-Type is not JSON.", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`: the token could not be signed.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn mint(
    State(state): State<AppState>,
    caller: Caller,
    LimitedJson(req): LimitedJson<MintRequest>,
) -> Result<(StatusCode, Json<MintResponse>), ApiError> {
    caller.require_any(&[SCOPE_TOKENS_MINT])?;
    if let Some(scope) = &req.scope {
        // An admin token's scope is fixed; a narrower one asked for must not be dropped
        // silently (the caller would hold a stronger token than it asked for).
        if req.kind == "admin" && scope.split_ascii_whitespace().ne(["admin"]) {
            return Err(ApiError::bad_request(
                "invalid_request",
                "an admin token always has the scope `admin`; `scope` applies to session tokens",
            ));
        }
        if scope.trim().is_empty() {
            return Err(ApiError::bad_request(
                "invalid_request",
                "`scope` must name at least one scope (omit it for the default `user`)",
            ));
        }
    }
    if !caller.is_admin() {
        if req.kind == "admin" {
            return Err(ApiError::forbidden("only an admin may mint admin tokens"));
        }
        check_delegation(&caller, req.scope.as_deref())?;
        check_lifetime(&caller, req.ttl_secs)?;
    }
    let resp = state.tokens.mint(&req)?;
    tracing::info!(kind = ?req.kind, user = ?req.user_id, by = ?caller.0.user_id.as_str(), "token minted");
    Ok((StatusCode::CREATED, Json(resp)))
}

/// A minter that is not an admin may grant only scopes it holds itself (the default scope
/// of a session token, `user`, included): holding `warden:tokens:mint` must not be a way
/// to mint `admin`, or any API scope, for oneself.
fn check_delegation(caller: &Caller, scope: Option<&str>) -> Result<(), ApiError> {
    let requested = Scopes::parse(scope.unwrap_or(DEFAULT_SESSION_SCOPE));
    let missing: Vec<&str> = requested
        .words()
        .iter()
        .map(String::as_str)
        .filter(|w| !caller.0.scopes.contains(w))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::forbidden(format!(
        "a minter that is not an admin may grant only scopes it holds itself; not held: {}",
        missing.join(" ")
    )))
}

/// A minter that is not an admin may not mint a token that outlives its own: delegation
/// attenuates lifetime as well as scope.
fn check_lifetime(caller: &Caller, ttl_secs: Option<i64>) -> Result<(), ApiError> {
    let ttl = ttl_secs.unwrap_or(crate::authority::DEFAULT_TTL_SECS);
    let Some(expires_at) = caller.0.expires_at else {
        return Ok(());
    };
    let left = expires_at.saturating_sub(warden_security::time::now_secs());
    if ttl <= left {
        return Ok(());
    }
    Err(ApiError::forbidden(format!(
        "a minter that is not an admin cannot mint a token that outlives its own: \
         ttl_secs {ttl} asked, {left} s left"
    )))
}

#[derive(Deserialize)]
struct TokenParam {
    token: String,
    #[serde(default)]
    #[allow(dead_code)] // accepted per RFC 7662/7009, not needed: Warden issues one token type
    token_type_hint: Option<String>,
}

fn token_param(headers: &HeaderMap, body: &[u8]) -> Result<String, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(crate::json::is_json_media_type);
    let parsed: TokenParam = if is_json {
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
#[utoipa::path(
    post,
    path = "/v1/tokens/introspect",
    tag = "tokens",
    request_body(content(
        (crate::openapi::TokenForm = "application/x-www-form-urlencoded"),
        (crate::openapi::TokenForm = "application/json"),
    )),
    responses(
        (status = 200, description = "RFC 7662 introspection response.", body = crate::openapi::Introspection),
        (status = 400, description = "`invalid_request` (no or empty `token`), `malformed_json`, `json_too_deep`.", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks `warden:tokens:introspect` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body exceeds the size limit (1 MiB by default).", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn introspect(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RequestBytes(body): RequestBytes,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&[SCOPE_TOKENS_INTROSPECT])?;
    let token = token_param(&headers, &body)?;
    Ok(Json(state.tokens.introspect(&token)))
}

/// `POST /v1/tokens/revoke`: 200 whether or not the token was valid (RFC 7009 §2.2). A caller
/// may revoke its own tokens (those of its user id); revoking another user's needs admin.
#[utoipa::path(
    post,
    path = "/v1/tokens/revoke",
    tag = "tokens",
    request_body(content(
        (crate::openapi::TokenForm = "application/x-www-form-urlencoded"),
        (crate::openapi::TokenForm = "application/json"),
    )),
    responses(
        (status = 200, description = "Revoked, or the token was not valid (RFC 7009 §2.2).", body = crate::openapi::Revoked),
        (status = 400, description = "`invalid_request` (no or empty `token`), `unsupported_token` (no `jti`), `malformed_json`, `json_too_deep`.", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token belongs to another user (`sub`) and the caller is not `admin`.", body = crate::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body exceeds the size limit (1 MiB by default).", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`.", body = crate::openapi::ErrorBody),
        (status = 503, description = "`unavailable`: the store is unreachable.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RequestBytes(body): RequestBytes,
) -> Result<Json<Value>, ApiError> {
    let token = token_param(&headers, &body)?;
    if !caller.is_admin() {
        // The owner of a token is its user (`sub`): a user may revoke any of its own tokens
        // (e.g. every other session), not another user's.
        let info = state.tokens.introspect(&token);
        let same_token = info["jti"]
            .as_str()
            .is_some_and(|j| Some(j) == caller.0.jti.as_deref());
        let same_user = info["sub"].as_str() == Some(caller.0.user_id.as_str());
        if info["active"] == Value::Bool(true) && !same_token && !same_user {
            return Err(ApiError::forbidden(
                "only an admin may revoke another user's token",
            ));
        }
    }
    state.tokens.revoke(&token).await?;
    Ok(Json(serde_json::json!({"revoked": true})))
}

/// `GET /.well-known/jwks.json`: public keys only (never `oct`).
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "tokens",
    responses(
        (status = 200, description = "The public JWKS (`Cache-Control: public, max-age=300`).", body = crate::openapi::Jwks, content_type = "application/json"),
    ),
)]
pub async fn jwks(
    State(state): State<AppState>,
) -> ([(header::HeaderName, &'static str); 1], Json<Value>) {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.tokens.jwks()),
    )
}
