//! Authentication of API callers and scope checks.
//!
//! The [`Authenticate`] seam turns request headers into a [`RequestContext`]; the middleware
//! [`require_auth`] puts it into the request extensions (or answers 401), and handlers read it
//! with the [`Caller`] extractor. API scopes: `admin` passes everything; otherwise each
//! endpoint names the scopes that grant it (e.g. `warden:secrets:read`).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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

/// The authenticated caller (extractor; needs [`require_auth`] in front of the route).
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

/// Middleware: authenticates the request or answers 401 with the failure's code and a
/// `WWW-Authenticate: Bearer` challenge (RFC 6750 §3).
pub async fn require_auth(
    State(auth): State<Arc<dyn Authenticate>>,
    mut req: Request,
    next: Next,
) -> Response {
    match auth.authenticate(req.headers()) {
        Ok(mut ctx) => {
            if let Some(trace) = req.extensions().get::<warden_types::TraceId>() {
                ctx.trace_id = trace.clone();
            }
            req.extensions_mut().insert(ctx);
            next.run(req).await
        }
        Err(f) => {
            let mut resp = ApiError::unauthorized(f.code, f.message).into_response();
            let challenge = if f.code == "missing_token" {
                "Bearer realm=\"warden\"".to_owned()
            } else {
                format!(
                    "Bearer realm=\"warden\", error=\"invalid_token\", error_description=\"{}\"",
                    f.code
                )
            };
            if let Ok(v) = axum::http::HeaderValue::from_str(&challenge) {
                resp.headers_mut()
                    .insert(axum::http::header::WWW_AUTHENTICATE, v);
            }
            resp
        }
    }
}
