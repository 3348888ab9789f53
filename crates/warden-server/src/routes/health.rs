//! `/healthz`, `/readyz`, `/metrics`, `/` (dashboard).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::state::AppState;

/// `GET /healthz`: the process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    responses(
        (status = 200, description = "The process is up.", body = crate::openapi::Health),
    ),
)]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: every dependency answers (store reachable, keys loaded), else 503 naming
/// what failed.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "service",
    responses(
        (status = 200, description = "Every dependency answers.", body = crate::openapi::Ready),
        (status = 503, description = "A dependency is unavailable (`error.code` = `not_ready`); `failures` names it.", body = crate::openapi::NotReady),
    ),
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let mut failures = serde_json::Map::new();
    for (name, check) in &state.readiness {
        if let Err(e) = check.check().await {
            failures.insert(name.clone(), json!(e));
        }
    }
    if failures.is_empty() {
        Json(json!({"status": "ready"})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not_ready", "error": {"code": "not_ready", "message": "a dependency is unavailable"}, "failures": failures})),
        )
            .into_response()
    }
}

/// `GET /metrics`: Prometheus text exposition.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "service",
    responses(
        (status = 200, description = "OpenMetrics text: `warden_decisions_total`, `warden_decision_seconds`, `warden_audit_queue_depth`, `warden_bot_verdicts_total`, `warden_http_requests_total`.", body = String, content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"),
    ),
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    if let Some(writer) = &state.audit_writer {
        state.metrics.observe_audit_writer(writer);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// `GET /`: the dashboard (a static page that reads the audit API with the admin token).
#[utoipa::path(
    get,
    path = "/",
    tag = "service",
    responses(
        (status = 200, description = "The dashboard page.", body = String, content_type = "text/html"),
    ),
)]
pub async fn dashboard() -> Html<&'static str> {
    Html(include_str!("../../assets/dashboard.html"))
}
