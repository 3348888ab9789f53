//! `/healthz`, `/readyz`, `/metrics`, `/` (dashboard).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::state::AppState;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: every dependency answers (store reachable, keys loaded), else 503 naming
/// what failed.
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
pub async fn dashboard() -> Html<&'static str> {
    Html(include_str!("../../assets/dashboard.html"))
}
