//! Cross-cutting middleware: panics become JSON 500s, a per-request timeout answers JSON 504,
//! every request is counted by route and status class, and error answers that axum produces
//! itself (unknown route, wrong method, a raw body over the limit, a bad query string) get the
//! same JSON error shape as the API's own.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::metrics::{HttpLabels, Metrics};

/// Turns a handler panic into a JSON 500 (the server keeps running). The panic payload is
/// not echoed: it could contain request data.
pub fn panic_response(_payload: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::internal("internal error").into_response()
}

/// Per-request deadline.
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeout(pub Duration);

/// Middleware: answers 504 `timeout` when the inner service takes longer than the deadline.
pub async fn enforce_timeout(
    State(timeout): State<RequestTimeout>,
    req: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(timeout.0, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "request took longer than the server's timeout",
        )
        .into_response(),
    }
}

/// Middleware: counts requests by route template and status class, and gives every error
/// answer the JSON shape `{"error":{"code","message"}}` (see [`json_error`]).
pub async fn count_requests(
    State(metrics): State<Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let resp = next.run(req).await;
    let status = match resp.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    metrics
        .http_requests
        .get_or_create(&HttpLabels {
            route,
            status: status.to_owned(),
        })
        .inc();
    if resp.status().as_u16() >= 400 && !is_json(&resp) {
        return json_error(resp).await;
    }
    resp
}

fn is_json(resp: &Response) -> bool {
    resp.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let ct = ct.split(';').next().unwrap_or("").trim();
            ct.eq_ignore_ascii_case("application/json") || ct.ends_with("+json")
        })
}

/// Most bytes of a non-JSON error body kept as the message.
const MAX_REJECTION_TEXT: usize = 512;

/// Rewrites a non-JSON error answer (axum's plain-text rejections, empty 404/405 bodies) as
/// the API's JSON error with a stable code chosen by status. Headers such as `Allow` and
/// `WWW-Authenticate` are kept; axum's text, when short, becomes the message.
pub async fn json_error(resp: Response) -> Response {
    let (parts, body) = resp.into_parts();
    let status = parts.status;
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => "timeout",
        s if s.is_server_error() => "internal",
        _ => "invalid_request",
    };
    let text = match axum::body::to_bytes(body, MAX_REJECTION_TEXT).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_owned(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_owned()
    } else {
        text
    };
    let mut out = ApiError::new(status, code, message).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}
