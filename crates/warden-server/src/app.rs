//! The router: routes of the README's API table and the middleware stack.
//!
//! Outermost first: panic → JSON 500, trace id propagation, bot detection, request counting,
//! per-request timeout, body size limit; then per route: authentication.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use warden_security::services::BotDetectionLayer;

use crate::auth::{Authenticate, RequireAuthLayer};
use crate::config::ServerConfig;
use crate::middleware::{panic_response, RequestEnvelopeLayer};
use crate::routes::{audit, govern, health, hooks, secrets, tokens};
use crate::state::AppState;

/// Builds the router for `state`; `extra` (e.g. the MCP gateway) is mounted behind the same
/// authentication and middleware.
pub fn router(
    state: AppState,
    server: &ServerConfig,
    bots: Option<BotDetectionLayer>,
    extra: Option<Router>,
) -> Router {
    let auth: Arc<dyn Authenticate> = state.auth.clone();
    let protected = Router::new()
        .route("/v1/govern", post(govern::govern))
        .route("/v1/hooks/claude-code", post(hooks::claude_code))
        .route("/v1/tokens", post(tokens::mint))
        .route("/v1/tokens/introspect", post(tokens::introspect))
        .route("/v1/tokens/revoke", post(tokens::revoke))
        .route("/v1/secrets", get(secrets::list))
        .route(
            "/v1/secrets/{namespace}/{name}",
            put(secrets::put).get(secrets::get).delete(secrets::delete),
        )
        .route("/v1/audit", get(audit::query))
        .route("/v1/audit/verify", get(audit::verify));
    #[cfg(feature = "load-floor")]
    let protected = protected.route("/__load/floor-auth", post(crate::load_floor::answer));
    let protected = protected.route_layer(RequireAuthLayer::new(auth.clone()));
    let public = Router::new()
        .route("/", get(health::dashboard))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/.well-known/jwks.json", get(tokens::jwks))
        .route("/openapi.json", get(crate::openapi::openapi_json));
    #[cfg(feature = "load-floor")]
    let public = public.route("/__load/floor", post(crate::load_floor::answer));
    let metrics = state.metrics.clone();
    let mut app = public.merge(protected).with_state(state);
    if let Some(extra) = extra {
        app = app.merge(extra.route_layer(RequireAuthLayer::new(auth)));
    }
    let mut app = app
        .layer(DefaultBodyLimit::max(server.max_body_bytes))
        .layer(
            RequestEnvelopeLayer::new(metrics, Duration::from_millis(server.request_timeout_ms))
                .with_max_body_bytes(server.max_body_bytes),
        );
    if let Some(bots) = bots {
        app = app.layer(bots);
    }
    app.layer(crate::trace::PropagateTraceIdLayer)
        .layer(CatchPanicLayer::custom(panic_response))
}
