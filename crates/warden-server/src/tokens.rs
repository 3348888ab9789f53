//! The token authority seam used by the token endpoints: mint, introspect, revoke, JWKS.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

/// The scope of a session token minted without one.
pub const DEFAULT_SESSION_SCOPE: &str = "user";

/// `POST /v1/tokens` body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    /// `session` or `admin`.
    pub kind: String,
    /// Subject.
    pub user_id: String,
    /// Session id (generated when absent).
    #[serde(default)]
    pub session_id: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Space-separated scopes (session tokens; [`DEFAULT_SESSION_SCOPE`] when absent).
    #[serde(default)]
    pub scope: Option<String>,
    /// Lifetime in seconds (default 3600).
    #[serde(default)]
    pub ttl_secs: Option<i64>,
}

/// `POST /v1/tokens` answer.
#[derive(Debug, Clone, Serialize)]
pub struct MintResponse {
    /// The JWT.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Lifetime in seconds.
    pub expires_in: i64,
}

/// Mints, introspects and revokes tokens.
#[async_trait::async_trait]
pub trait TokenAuthority: Send + Sync {
    /// Mints a token.
    fn mint(&self, req: &MintRequest) -> Result<MintResponse, ApiError>;
    /// RFC 7662 introspection response (`{"active":false}` for any invalid token).
    fn introspect(&self, token: &str) -> Value;
    /// RFC 7009 revocation: revokes a valid token (idempotent; invalid tokens are ignored).
    async fn revoke(&self, token: &str) -> Result<(), ApiError>;
    /// The public JWKS.
    fn jwks(&self) -> Value;
}
