//! axum/tower integration: [`AuthLayer`] authenticates every request and stores the
//! [`RequestContext`] in the request extensions; [`AuthContext`] extracts it in a handler.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use axum::{routing::get, Router};
//! # use warden_security::{AuthContext, AuthLayer, AuthMode, AuthValidationService, JwtService};
//! # fn app(jwt: JwtService) -> Router {
//! let auth = AuthValidationService::for_jwt_service(&jwt, AuthMode::Required);
//! Router::new()
//!     .route("/me", get(|AuthContext(ctx): AuthContext| async move { ctx.user_id.to_string() }))
//!     .layer(AuthLayer::new(auth))
//! # }
//! ```
//!
//! A rejected request gets `401` with `WWW-Authenticate: Bearer` and the JSON error body
//! `{"error":{"code","message"}}`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{header, HeaderValue, Request, StatusCode};
use warden_types::RequestContext;

use super::validation::{AuthError, AuthValidationService};

/// A tower layer that runs [`AuthValidationService::validate_request`] on every request.
#[derive(Debug, Clone)]
pub struct AuthLayer {
    auth: Arc<AuthValidationService>,
}

impl AuthLayer {
    /// A layer over `auth`.
    pub fn new(auth: AuthValidationService) -> Self {
        AuthLayer {
            auth: Arc::new(auth),
        }
    }

    /// A layer over a shared service.
    pub fn from_arc(auth: Arc<AuthValidationService>) -> Self {
        AuthLayer { auth }
    }
}

impl<S> tower::Layer<S> for AuthLayer {
    type Service = AuthMiddleware<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AuthMiddleware {
            inner,
            auth: Arc::clone(&self.auth),
        }
    }
}

/// The service produced by [`AuthLayer`].
#[derive(Debug, Clone)]
pub struct AuthMiddleware<S> {
    inner: S,
    auth: Arc<AuthValidationService>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> tower::Service<Request<Body>> for AuthMiddleware<S>
where
    S: tower::Service<Request<Body>, Response = Response> + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        match self.auth.validate_request(req.headers()) {
            Ok(ctx) => {
                req.extensions_mut().insert(ctx);
                Box::pin(self.inner.call(req))
            }
            Err(e) => {
                tracing::debug!(code = e.code(), "request rejected by authentication");
                let resp = e.into_response();
                Box::pin(async move { Ok(resp) })
            }
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code(), "message": self.to_string()}});
        let mut resp = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
        let challenge = match self {
            AuthError::MissingAuthorization => "Bearer",
            _ => "Bearer error=\"invalid_token\"",
        };
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
        resp
    }
}

/// Handler extractor for the [`RequestContext`] that [`AuthLayer`] stored. Without the layer
/// the request is rejected as unauthenticated (fail closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthContext(pub RequestContext);

impl<St: Send + Sync> FromRequestParts<St> for AuthContext {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .map(AuthContext)
            .ok_or(AuthError::MissingAuthorization)
    }
}
