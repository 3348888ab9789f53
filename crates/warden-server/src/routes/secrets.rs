//! `PUT/GET/DELETE /v1/secrets/{namespace}/{name}`, `GET /v1/secrets` (names only).
//!
//! PUT takes either `{"value":"…"}` (Content-Type `application/json`) or the raw bytes (any
//! other Content-Type). GET answers `{"namespace","name","value"}` with the value as UTF-8, or
//! as base64 with `"encoding":"base64"` when it is not UTF-8. Values are never logged.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use warden_security::vault::{SecretMeta, VaultError};
use zeroize::Zeroizing;

use crate::auth::{Caller, SCOPE_SECRETS_READ, SCOPE_SECRETS_WRITE};
use crate::error::ApiError;
use crate::json::parse_json;
use crate::json::RequestBytes;
use crate::state::AppState;

fn vault_error(e: VaultError) -> ApiError {
    match e {
        VaultError::InvalidName(_) | VaultError::TooLarge => {
            ApiError::bad_request("invalid_secret", e.to_string())
        }
        VaultError::Store(s) => ApiError::unavailable(s.to_string()),
        VaultError::AuthFailed | VaultError::UnknownKid(_) | VaultError::Malformed(_) => {
            ApiError::internal(format!("stored secret cannot be opened: {e}"))
        }
        other => ApiError::internal(other.to_string()),
    }
}

fn meta_json(m: &SecretMeta) -> Value {
    json!({
        "namespace": m.namespace,
        "name": m.name,
        "kek_id": m.kek_id,
        "created_at_ms": m.created_at_ms,
        "updated_at_ms": m.updated_at_ms,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PutJson {
    value: Zeroizing<String>,
}

/// `PUT /v1/secrets/{namespace}/{name}`.
#[utoipa::path(
    put,
    path = "/v1/secrets/{namespace}/{name}",
    tag = "secrets",
    params(
        ("namespace" = String, Path, description = "Namespace of the secret."),
        ("name" = String, Path, description = "Name of the secret within the namespace."),
    ),
    request_body(description = "`{\"value\":…}` as JSON, or the raw bytes with any other Content-Type.", content(
        (crate::openapi::PutSecret = "application/json"),
        ("application/octet-stream"),
    )),
    responses(
        (status = 200, description = "Replaced an existing secret.", body = crate::openapi::SecretMeta),
        (status = 201, description = "Stored a new secret.", body = crate::openapi::SecretMeta),
        (status = 400, description = "`invalid_secret` (bad namespace or name, value too large), `malformed_json`, `json_too_deep`; a path that is not valid UTF-8.", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks `warden:secrets:write` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body exceeds the size limit (1 MiB by default).", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`: the vault failed.", body = crate::openapi::ErrorBody),
        (status = 503, description = "`unavailable`: the store is unreachable.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
    headers: HeaderMap,
    RequestBytes(body): RequestBytes,
) -> Result<Response, ApiError> {
    caller.require_any(&[SCOPE_SECRETS_WRITE])?;
    // `warden vault put NS/NAME` splits at the first `/`: a namespace with one could be
    // stored here and never be addressed there.
    if namespace.contains('/') {
        return Err(ApiError::bad_request(
            "invalid_request",
            "a namespace cannot contain '/'",
        ));
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(crate::json::media_type_essence)
        .is_some_and(|essence| essence.eq_ignore_ascii_case("application/json"));
    let value: Zeroizing<Vec<u8>> = if is_json {
        let parsed: PutJson = parse_json(&body, 4)?;
        Zeroizing::new(parsed.value.as_bytes().to_vec())
    } else {
        Zeroizing::new(body.to_vec())
    };
    let previous = state
        .vault
        .meta(&namespace, &name)
        .await
        .map_err(vault_error)?;
    let existed = previous.is_some();
    let mut meta = state
        .vault
        .put(&namespace, &name, &value)
        .await
        .map_err(vault_error)?;
    // A replacement keeps its creation time (as the store does).
    if let Some(p) = previous {
        meta.created_at_ms = p.created_at_ms;
    }
    // Debug formatting escapes control characters: names and user ids cannot forge log lines.
    tracing::info!(namespace = ?namespace, name = ?name, user = ?caller.0.user_id.as_str(), "secret stored");
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(meta_json(&meta))).into_response())
}

/// `GET /v1/secrets/{namespace}/{name}`.
#[utoipa::path(
    get,
    path = "/v1/secrets/{namespace}/{name}",
    tag = "secrets",
    params(
        ("namespace" = String, Path, description = "Namespace of the secret."),
        ("name" = String, Path, description = "Name of the secret within the namespace."),
    ),
    responses(
        (status = 200, description = "The secret (base64 with `encoding` when not UTF-8).", body = crate::openapi::SecretValue),
        (status = 400, description = "`invalid_secret` (bad namespace or name; JSON); a path that is not valid UTF-8.", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks `warden:secrets:read` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 404, description = "`not_found`: no such secret.", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`: the stored secret cannot be opened (tampered, or its key is gone).", body = crate::openapi::ErrorBody),
        (status = 503, description = "`unavailable`: the store is unreachable.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&[SCOPE_SECRETS_READ])?;
    let Some(value) = state
        .vault
        .get(&namespace, &name)
        .await
        .map_err(vault_error)?
    else {
        return Err(ApiError::not_found(format!("no secret {namespace}/{name}")));
    };
    tracing::info!(namespace = ?namespace, name = ?name, user = ?caller.0.user_id.as_str(), "secret read");
    Ok(Json(match std::str::from_utf8(value.expose()) {
        Ok(s) => json!({"namespace": namespace, "name": name, "value": s}),
        Err(_) => json!({
            "namespace": namespace,
            "name": name,
            "value": base64::engine::general_purpose::STANDARD.encode(value.expose()),
            "encoding": "base64",
        }),
    }))
}

/// `DELETE /v1/secrets/{namespace}/{name}`: 204, or 404 when absent.
#[utoipa::path(
    delete,
    path = "/v1/secrets/{namespace}/{name}",
    tag = "secrets",
    params(
        ("namespace" = String, Path, description = "Namespace of the secret."),
        ("name" = String, Path, description = "Name of the secret within the namespace."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, description = "`invalid_secret` (bad namespace or name; JSON); a path that is not valid UTF-8.", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks `warden:secrets:write` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 404, description = "`not_found`: no such secret.", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`.", body = crate::openapi::ErrorBody),
        (status = 503, description = "`unavailable`: the store is unreachable.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require_any(&[SCOPE_SECRETS_WRITE])?;
    if state
        .vault
        .delete(&namespace, &name)
        .await
        .map_err(vault_error)?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no secret {namespace}/{name}")))
    }
}

/// Query of `GET /v1/secrets`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this namespace.
    pub namespace: Option<String>,
}

/// `GET /v1/secrets`: metadata only, never values.
#[utoipa::path(
    get,
    path = "/v1/secrets",
    tag = "secrets",
    params(ListQuery),
    responses(
        (status = 200, description = "Metadata of the secrets, never values.", body = crate::openapi::SecretList),
        (status = 400, description = "`invalid_secret` (bad namespace; JSON); an unknown query parameter.", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks `warden:secrets:read`, `warden:secrets:write` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`.", body = crate::openapi::ErrorBody),
        (status = 503, description = "`unavailable`: the store is unreachable.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&[SCOPE_SECRETS_READ, SCOPE_SECRETS_WRITE])?;
    let metas = state
        .vault
        .list(q.namespace.as_deref())
        .await
        .map_err(vault_error)?;
    Ok(Json(
        json!({"secrets": metas.iter().map(meta_json).collect::<Vec<_>>()}),
    ))
}
