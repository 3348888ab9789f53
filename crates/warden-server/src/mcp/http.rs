//! The axum side: `/mcp/{server}` with POST, GET and DELETE.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use warden_types::RequestContext;

use super::gateway::{too_large, unauthenticated, unknown_server, McpGateway};

/// The gateway's routes: `POST`, `GET` and `DELETE` on `/mcp/{server}`. Merge it into the
/// application router *inside* the authentication layer: every request must carry an
/// authenticated [`RequestContext`] in its extensions, otherwise the answer is HTTP 401 with
/// `WWW-Authenticate: Bearer` and a JSON-RPC error body (code `-32065`), the MCP authorization
/// convention that lets clients start their token flow.
pub fn router(gateway: Arc<McpGateway>) -> Router {
    Router::new()
        .route(
            "/mcp/{server}",
            post(handle_post).get(handle_get).delete(handle_delete),
        )
        .with_state(gateway)
}

fn caller(request: &Request) -> Option<RequestContext> {
    request.extensions().get::<RequestContext>().cloned()
}

async fn handle_post(
    State(gateway): State<Arc<McpGateway>>,
    Path(server): Path<String>,
    request: Request,
) -> Response {
    let Some(ctx) = caller(&request) else {
        return unauthenticated();
    };
    let Some(upstream) = gateway.server(&server) else {
        return unknown_server(&server);
    };
    let (parts, body) = request.into_parts();
    let limit = gateway.max_body_bytes();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return too_large(limit);
    };
    gateway.post(upstream, &ctx, &parts.headers, bytes).await
}

async fn handle_get(
    State(gateway): State<Arc<McpGateway>>,
    Path(server): Path<String>,
    request: Request<Body>,
) -> Response {
    let Some(ctx) = caller(&request) else {
        return unauthenticated();
    };
    let Some(upstream) = gateway.server(&server) else {
        return unknown_server(&server);
    };
    gateway.get(upstream, &ctx, request.headers()).await
}

async fn handle_delete(
    State(gateway): State<Arc<McpGateway>>,
    Path(server): Path<String>,
    request: Request<Body>,
) -> Response {
    let Some(ctx) = caller(&request) else {
        return unauthenticated();
    };
    let Some(upstream) = gateway.server(&server) else {
        return unknown_server(&server);
    };
    gateway.delete(upstream, &ctx, request.headers()).await
}
