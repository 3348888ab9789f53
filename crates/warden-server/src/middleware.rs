//! Cross-cutting middleware: panics become JSON 500s, a per-request timeout answers JSON 504,
//! and every request is counted by route and status class.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
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

/// Middleware: counts requests by route template and status class.
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
    resp
}
