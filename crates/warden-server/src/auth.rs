//! Authentication of API callers and scope checks.
//!
//! The [`Authenticate`] seam turns request headers into a [`RequestContext`]; the layer
//! [`RequireAuthLayer`] puts it into the request extensions (or answers 401), and handlers read it
//! with the [`Caller`] extractor. API scopes: `admin` passes everything; otherwise each
//! endpoint names the scopes that grant it (e.g. `warden:secrets:read`).

use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use tower::{Layer, Service};
use warden_types::{Permission, RequestContext};

use crate::error::ApiError;

/// Why a caller was not authenticated: a stable code and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// Stable code (`missing_token`, `expired`, `bad_signature`, `revoked`, …).
    pub code: &'static str,
    /// Human-readable explanation (never the token).
    pub message: String,
}

/// Validates the credentials of a request.
pub trait Authenticate: Send + Sync {
    /// The caller's context, or why there is none.
    fn authenticate(&self, headers: &HeaderMap) -> Result<RequestContext, AuthFailure>;
}

/// Scope that lets a caller govern its own calls (besides any permission scope).
pub const SCOPE_GOVERN: &str = "warden:govern";
/// Scope to read secrets.
pub const SCOPE_SECRETS_READ: &str = "warden:secrets:read";
/// Scope to write secrets.
pub const SCOPE_SECRETS_WRITE: &str = "warden:secrets:write";
/// Scope to read the audit log.
pub const SCOPE_AUDIT_READ: &str = "warden:audit:read";
/// Scope to mint tokens.
pub const SCOPE_TOKENS_MINT: &str = "warden:tokens:mint";
/// Scope to introspect tokens.
pub const SCOPE_TOKENS_INTROSPECT: &str = "warden:tokens:introspect";

/// The authenticated caller (extractor; needs [`RequireAuthLayer`] in front of the route).
#[derive(Debug, Clone)]
pub struct Caller(pub RequestContext);

impl Caller {
    /// True when the caller holds the `admin` scope or is an admin.
    pub fn is_admin(&self) -> bool {
        self.0.user_type == warden_types::UserType::Admin
            || self.0.scopes.contains(Permission::Admin.as_str())
    }

    /// Passes when the caller is admin or holds any of `scopes`; else 403 `forbidden`.
    pub fn require_any(&self, scopes: &[&str]) -> Result<(), ApiError> {
        if self.is_admin() || scopes.iter().any(|s| self.0.scopes.contains(s)) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this endpoint needs one of the scopes: admin, {}",
                scopes.join(", ")
            )))
        }
    }

    /// Passes for any principal that may govern its own calls: admin, `warden:govern`, or any
    /// permission scope (user, service, a2a, mcp).
    pub fn require_governable(&self) -> Result<(), ApiError> {
        let has_permission = self
            .0
            .scopes
            .permissions()
            .iter()
            .any(|p| *p != Permission::Anonymous);
        if has_permission || self.0.scopes.contains(SCOPE_GOVERN) || self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "governing calls needs a permission scope (user, service, a2a, mcp) or {SCOPE_GOVERN}"
            )))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Taken, not cloned: one extraction per request (a second `Caller` in the same
        // handler would find nothing and answer 401 — none does).
        parts
            .extensions
            .remove::<RequestContext>()
            .map(Caller)
            .ok_or_else(|| {
                ApiError::unauthorized("missing_token", "this endpoint needs a bearer token")
            })
    }
}

/// Layer that authenticates every request of the routes it wraps: the [`RequestContext`]
/// goes into the request extensions (with the request's trace id), or the answer is 401
/// with a `WWW-Authenticate: Bearer` challenge.
///
/// A plain tower layer rather than `axum::middleware::from_fn`: authentication is
/// synchronous, so the inner future is returned as it is, with nothing cloned or boxed.
#[derive(Clone)]
pub struct RequireAuthLayer {
    auth: Arc<dyn Authenticate>,
}

impl RequireAuthLayer {
    /// Authenticates with `auth`.
    pub fn new(auth: Arc<dyn Authenticate>) -> Self {
        Self { auth }
    }
}

impl<S> Layer<S> for RequireAuthLayer {
    type Service = RequireAuth<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequireAuth {
            inner,
            auth: self.auth.clone(),
        }
    }
}

/// Service of [`RequireAuthLayer`].
#[derive(Clone)]
pub struct RequireAuth<S> {
    inner: S,
    auth: Arc<dyn Authenticate>,
}

impl<S> Service<Request> for RequireAuth<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<S::Future, Ready<Result<Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        match self.auth.authenticate(req.headers()) {
            Ok(mut ctx) => {
                if let Some(trace) = req.extensions().get::<warden_types::TraceId>() {
                    ctx.trace_id = trace.clone();
                }
                req.extensions_mut().insert(ctx);
                Either::Left(self.inner.call(req))
            }
            Err(f) => Either::Right(ready(Ok(unauthorized(f)))),
        }
    }
}

/// The 401 answer for `f`, with its `WWW-Authenticate` challenge (RFC 6750).
fn unauthorized(f: AuthFailure) -> Response {
    let challenge = if f.code == "missing_token" {
        "Bearer realm=\"warden\"".to_owned()
    } else {
        format!(
            "Bearer realm=\"warden\", error=\"invalid_token\", error_description=\"{}\"",
            f.code
        )
    };
    let mut resp = ApiError::unauthorized(f.code, f.message).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&challenge) {
        resp.headers_mut()
            .insert(axum::http::header::WWW_AUTHENTICATE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;
    use warden_types::{SessionId, TraceId, UserId, UserType};

    /// Accepts `Bearer good`, refuses anything else.
    struct OneToken;

    impl Authenticate for OneToken {
        fn authenticate(&self, headers: &HeaderMap) -> Result<RequestContext, AuthFailure> {
            match headers.get("authorization").and_then(|v| v.to_str().ok()) {
                Some("Bearer good") => Ok(RequestContext::authenticated(
                    SessionId::new("s1"),
                    UserId::new("u1"),
                    UserType::User,
                    warden_types::Scopes::parse("user"),
                    TraceId::generate(),
                )),
                Some(_) => Err(AuthFailure {
                    code: "bad_signature",
                    message: "signature does not verify".into(),
                }),
                None => Err(AuthFailure {
                    code: "missing_token",
                    message: "no token".into(),
                }),
            }
        }
    }

    fn app() -> Router {
        Router::new()
            .route(
                "/",
                get(|Caller(ctx): Caller| async move {
                    format!("{} {}", ctx.user_id.as_str(), ctx.trace_id.as_str())
                }),
            )
            .route_layer(RequireAuthLayer::new(Arc::new(OneToken)))
            .layer(crate::trace::PropagateTraceIdLayer)
    }

    async fn call(auth: Option<&str>) -> (StatusCode, Option<String>, String) {
        let mut req = Request::get("/").header("x-trace-id", "t-42");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = app()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let challenge = resp
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap();
        (status, challenge, String::from_utf8(body.to_vec()).unwrap())
    }

    use axum::http::StatusCode;

    #[tokio::test]
    async fn an_authenticated_caller_reaches_the_handler_with_the_requests_trace_id() {
        let (status, challenge, body) = call(Some("Bearer good")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(challenge, None);
        assert_eq!(body, "u1 t-42");
    }

    #[tokio::test]
    async fn no_token_is_401_with_a_bare_bearer_challenge() {
        let (status, challenge, body) = call(None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(challenge.as_deref(), Some("Bearer realm=\"warden\""));
        assert!(body.contains("\"missing_token\""), "{body}");
    }

    #[tokio::test]
    async fn a_bad_token_is_401_naming_the_error_in_the_challenge() {
        let (status, challenge, body) = call(Some("Bearer forged")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let challenge = challenge.unwrap_or_default();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert!(
            challenge.contains("error_description=\"bad_signature\""),
            "{challenge}"
        );
        assert!(body.contains("\"bad_signature\""), "{body}");
        assert!(
            !body.contains("forged"),
            "the token is never echoed: {body}"
        );
    }
}
