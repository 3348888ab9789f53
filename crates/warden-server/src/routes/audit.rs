//! `GET /v1/audit` (filters + cursor) and `GET /v1/audit/verify`.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use warden_security::audit::{AuditOrder, AuditQuery};

use crate::auth::{Caller, SCOPE_AUDIT_READ};
use crate::error::ApiError;
use crate::state::AppState;

/// Query parameters of `GET /v1/audit`. Times are unix milliseconds or RFC 3339.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Oldest time included.
    pub since: Option<String>,
    /// Newest time included.
    pub until: Option<String>,
    /// Only this user.
    pub user_id: Option<String>,
    /// Only this tool (target).
    pub tool: Option<String>,
    /// Only this decision (`allow`, `deny`, `ask`).
    pub decision: Option<String>,
    /// Page size (default 100, at most 1000).
    pub limit: Option<u32>,
    /// The `next` value of the previous page.
    pub cursor: Option<i64>,
    /// `asc` (default, oldest first) or `desc`.
    pub order: Option<String>,
}

/// Parses unix milliseconds, or an RFC 3339 time such as `2026-12-04T16:00:00Z` or
/// `2026-12-04T17:00:00+01:00`.
pub fn parse_time(s: &str) -> Result<i64, ApiError> {
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    warden_security::time::parse_rfc3339_ms(s).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_request",
            format!("invalid time {s:?}: use unix milliseconds or RFC 3339 (2026-12-04T16:00:00Z)"),
        )
    })
}

/// Builds the store query from the parameters.
pub fn to_query(p: AuditParams) -> Result<AuditQuery, ApiError> {
    Ok(AuditQuery {
        since_ms: p.since.as_deref().map(parse_time).transpose()?,
        until_ms: p.until.as_deref().map(parse_time).transpose()?,
        user_id: p.user_id,
        tool: p.tool,
        decision: p
            .decision
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: String| ApiError::bad_request("invalid_request", e))?,
        limit: p.limit.unwrap_or(0),
        cursor: p.cursor,
        order: match p.order.as_deref() {
            None | Some("asc") => AuditOrder::Asc,
            Some("desc") => AuditOrder::Desc,
            Some(o) => {
                return Err(ApiError::bad_request(
                    "invalid_request",
                    format!("order must be asc or desc, not {o:?}"),
                ))
            }
        },
    })
}

/// `GET /v1/audit` → `{"records":[…],"next":cursor|null}`.
#[utoipa::path(
    get,
    path = "/v1/audit",
    tag = "audit",
    params(AuditParams),
    responses(
        (status = 200, description = "One page of records.", body = crate::openapi::AuditPage),
        (status = 400, description = "`invalid_request`: a bad time, decision or order; an unknown or mistyped query parameter.", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks `warden:audit:read` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`.", body = crate::openapi::ErrorBody),
        (status = 503, description = "`unavailable`: the store is unreachable.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn query(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<AuditParams>,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&[SCOPE_AUDIT_READ])?;
    let page = state.audit_log.query(&to_query(params)?).await?;
    Ok(Json(
        serde_json::to_value(page).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

/// `GET /v1/audit/verify` → `{"ok":true,"records":N}` or with `first_bad`.
#[utoipa::path(
    get,
    path = "/v1/audit/verify",
    tag = "audit",
    responses(
        (status = 200, description = "The chain check (`ok: false` names the first bad record).", body = crate::openapi::ChainReport),
        (status = 401, description = "No valid bearer token: `missing_token`, `expired`, `bad_signature`, `revoked`, … (with `WWW-Authenticate: Bearer`).", body = crate::openapi::ErrorBody),
        (status = 403, description = "`forbidden`: the token lacks `warden:audit:read` or `admin`.", body = crate::openapi::ErrorBody),
        (status = 500, description = "`internal`.", body = crate::openapi::ErrorBody),
        (status = 503, description = "`unavailable`: the store is unreachable.", body = crate::openapi::ErrorBody),
        (status = 504, description = "`timeout`: the request took longer than the server's timeout.", body = crate::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require_any(&[SCOPE_AUDIT_READ])?;
    let report = state.audit_log.verify(state.audit_key.as_slice()).await?;
    Ok(Json(
        serde_json::to_value(report).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unix_ms_and_rfc3339() {
        assert_eq!(parse_time("1700000000000").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_time("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(
            parse_time("2026-12-04T16:00:00.5Z").unwrap(),
            1_796_400_000_500
        );
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2026-13-04T16:00:00Z").is_err());
    }

    #[test]
    fn any_rfc3339_offset_is_accepted() {
        let utc = parse_time("2026-12-05T04:55:41.470Z").unwrap();
        assert_eq!(parse_time("2026-12-05T05:55:41.470+01:00").unwrap(), utc);
        assert_eq!(parse_time("2026-12-04T23:55:41.470-05:00").unwrap(), utc);
        assert_eq!(parse_time("2026-12-05T04:55:41.470+00:00").unwrap(), utc);
    }
}
