//! The real [`Authenticate`] and [`TokenAuthority`] over Warden's key set, validator and
//! persistent revocation list.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use serde_json::{json, Value};
use warden_security::auth::{effective_user_type, AuthError, AuthValidationService};
use warden_security::{
    AdminTokenParams, JwtService, MintError, SessionGenerator, SessionParams, TokenValidator,
};
use warden_store::PersistentRevocationStore;
use warden_types::{RequestContext, Scopes, SessionId, UserId};

use crate::auth::{AuthFailure, Authenticate};
use crate::error::ApiError;
use crate::tokens::{MintRequest, MintResponse, TokenAuthority};

/// Default lifetime of minted tokens (1 hour).
pub const DEFAULT_TTL_SECS: i64 = 3600;
/// Longest lifetime `POST /v1/tokens` grants (30 days).
pub const MAX_TTL_SECS: i64 = 30 * 24 * 3600;

/// Authenticates with an [`AuthValidationService`] (mode `Required`).
pub struct ServiceAuthenticator(pub Arc<AuthValidationService>);

impl Authenticate for ServiceAuthenticator {
    fn authenticate(&self, headers: &HeaderMap) -> Result<RequestContext, AuthFailure> {
        self.0
            .validate_request(headers)
            .map_err(|e: AuthError| AuthFailure {
                code: if matches!(e, AuthError::MissingAuthorization) {
                    "missing_token"
                } else {
                    e.code()
                },
                message: e.to_string(),
            })
    }
}

/// Mints with the active key, validates with the pinned validator, revokes durably. Minting
/// and the JWKS use the validator's current key set, which a key reload replaces
/// ([`crate::runtime`]): the server signs with the key it verifies with.
pub struct WardenTokenAuthority {
    /// Validation (with revocation and cache) and the current key set.
    pub validator: Arc<TokenValidator>,
    /// Durable revocation list.
    pub revocations: Arc<PersistentRevocationStore>,
}

impl WardenTokenAuthority {
    /// A minter over the current key set.
    fn minter(&self) -> JwtService {
        JwtService::new(self.validator.keys())
    }

    fn ttl(req: &MintRequest) -> Result<i64, ApiError> {
        let ttl = req.ttl_secs.unwrap_or(DEFAULT_TTL_SECS);
        if ttl <= 0 || ttl > MAX_TTL_SECS {
            return Err(ApiError::bad_request(
                "invalid_request",
                format!("ttl_secs must be between 1 and {MAX_TTL_SECS}"),
            ));
        }
        Ok(ttl)
    }
}

#[async_trait::async_trait]
impl TokenAuthority for WardenTokenAuthority {
    fn mint(&self, req: &MintRequest) -> Result<MintResponse, ApiError> {
        let ttl = Self::ttl(req)?;
        let user_id = UserId::parse(req.user_id.clone())
            .map_err(|e| ApiError::bad_request("invalid_request", format!("user_id: {e}")))?;
        let session_id = match &req.session_id {
            Some(s) => SessionId::parse(s.clone()).map_err(|e| {
                ApiError::bad_request("invalid_request", format!("session_id: {e}"))
            })?,
            None => SessionId::generate(),
        };
        let email = req.email.clone().unwrap_or_default();
        let duration = Duration::from_secs(ttl.unsigned_abs());
        let token = match req.kind.as_str() {
            "admin" => self.minter().generate_admin_token(&AdminTokenParams {
                user_id,
                session_id,
                email,
                username: None,
                duration,
            }),
            "session" => {
                let scopes = Scopes::parse(
                    req.scope
                        .as_deref()
                        .unwrap_or(crate::tokens::DEFAULT_SESSION_SCOPE),
                );
                let mut params = SessionParams::new(user_id, session_id, email, scopes);
                params.duration = duration;
                SessionGenerator::new(self.minter()).generate(&params)
            }
            other => {
                return Err(ApiError::bad_request(
                    "invalid_request",
                    format!("kind must be \"session\" or \"admin\", not {other:?}"),
                ))
            }
        }
        .map_err(|e| match e {
            MintError::TooLarge { .. } => ApiError::bad_request("invalid_request", e.to_string()),
            e => ApiError::internal(format!("cannot mint token: {e}")),
        })?;
        Ok(MintResponse {
            access_token: token,
            token_type: "Bearer",
            expires_in: ttl,
        })
    }

    /// RFC 7662: `active` only for a token this server would accept as a bearer (the same
    /// session and user-type checks as authentication), with the user type it stands for;
    /// claims the token does not carry are left out rather than answered as null, 0 or "".
    fn introspect(&self, token: &str) -> Value {
        let Ok(c) = self.validator.validate(token) else {
            return json!({"active": false});
        };
        let session = c.session_id.as_deref().filter(|s| !s.is_empty());
        let (Some(session), Ok(user_type)) = (session, effective_user_type(&c)) else {
            return json!({"active": false});
        };
        let mut out = serde_json::Map::new();
        out.insert("active".into(), json!(true));
        out.insert("sub".into(), json!(c.sub));
        out.insert("scope".into(), json!(c.scope.to_string()));
        out.insert("exp".into(), json!(c.exp));
        out.insert("iss".into(), json!(c.iss));
        out.insert("aud".into(), json!(c.aud));
        out.insert("session_id".into(), json!(session));
        out.insert("user_type".into(), json!(user_type));
        let optional = [
            ("client_id", c.client_id.clone().map(Value::from)),
            (
                "username",
                Some(c.username.clone())
                    .filter(|u| !u.is_empty())
                    .map(Value::from),
            ),
            (
                "token_type",
                Some(c.token_type.clone())
                    .filter(|t| !t.is_empty())
                    .map(Value::from),
            ),
            ("iat", Some(c.iat).filter(|&t| t > 0).map(Value::from)),
            ("nbf", c.nbf.map(Value::from)),
            (
                "jti",
                Some(c.jti.clone())
                    .filter(|j| !j.is_empty())
                    .map(Value::from),
            ),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                out.insert(name.into(), v);
            }
        }
        Value::Object(out)
    }

    async fn revoke(&self, token: &str) -> Result<(), ApiError> {
        // RFC 7009 §2.2: an invalid token is not an error.
        let Ok(claims) = self.validator.validate(token) else {
            return Ok(());
        };
        if claims.jti.is_empty() {
            return Err(ApiError::bad_request(
                "unsupported_token",
                "the token has no jti and cannot be revoked",
            ));
        }
        self.revocations
            .revoke_durable(&claims.jti, claims.exp)
            .await?;
        self.validator.revoke(&claims.jti, claims.exp);
        Ok(())
    }

    fn jwks(&self) -> Value {
        self.validator.keys().public_jwks()
    }
}
