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

/// Parses unix milliseconds, or an RFC 3339 UTC time such as `2026-12-04T16:00:00Z`.
pub fn parse_time(s: &str) -> Result<i64, ApiError> {
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    parse_rfc3339_utc(s).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_request",
            format!("invalid time {s:?}: use unix milliseconds or RFC 3339 (…Z)"),
        )
    })
}

fn parse_rfc3339_utc(s: &str) -> Option<i64> {
    // YYYY-MM-DDTHH:MM:SS[.fff]Z
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let rest = &s[19..];
    let (frac_ms, tz) = if let Some(r) = rest.strip_prefix('.') {
        let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
        let ms = format!("{digits:0<3}").get(0..3)?.parse::<i64>().ok()?;
        (ms, &r[digits.len()..])
    } else {
        (0, rest)
    };
    if !(tz == "Z" || tz == "z" || tz == "+00:00")
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
        || se > 60
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + mi * 60 + se) * 1000) + frac_ms)
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
}
