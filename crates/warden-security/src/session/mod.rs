//! Session tokens (SPEC §2.3): [`SessionGenerator`] mints the full claim set with the caller's
//! permissions, user type, roles and tier; [`ValidatedSessionClaims`] is what a validated
//! session token says about its holder.

use std::time::Duration;

use warden_types::{
    Audiences, JwtClaims, Permission, RateLimitTier, Scopes, SessionId, UserId, UserType,
};

use crate::jwt::{expiry, new_jti, JwtService, MintError};

/// Parameters of a session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionParams {
    /// The user (`sub`).
    pub user_id: UserId,
    /// The session.
    pub session_id: SessionId,
    /// E-mail address.
    pub email: String,
    /// Display name; defaults to the e-mail address when `None`.
    pub username: Option<String>,
    /// Kind of principal; `None` derives it from the highest permission.
    pub user_type: Option<UserType>,
    /// Granted scopes (permission words and custom scopes).
    pub scopes: Scopes,
    /// Roles; `None` omits the claim.
    pub roles: Option<Vec<String>>,
    /// Rate-limit tier; `None` derives it from the user type.
    pub rate_limit_tier: Option<RateLimitTier>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// Lifetime (must be positive).
    pub duration: Duration,
}

impl SessionParams {
    /// Parameters with the given identity and scopes, one-hour lifetime, everything else
    /// derived.
    pub fn new(
        user_id: UserId,
        session_id: SessionId,
        email: impl Into<String>,
        scopes: Scopes,
    ) -> Self {
        SessionParams {
            user_id,
            session_id,
            email: email.into(),
            username: None,
            user_type: None,
            scopes,
            roles: None,
            rate_limit_tier: None,
            client_id: None,
            duration: Duration::from_secs(3600),
        }
    }
}

/// Mints session tokens.
#[derive(Debug, Clone)]
pub struct SessionGenerator {
    service: JwtService,
}

impl SessionGenerator {
    /// A generator signing through `service` (its keys, issuer and audiences).
    pub fn new(service: JwtService) -> SessionGenerator {
        SessionGenerator { service }
    }

    /// The claim set a session token for `params` carries, as of `now`.
    pub fn claims_at(&self, params: &SessionParams, now: i64) -> Result<JwtClaims, MintError> {
        let exp = expiry(now, params.duration)?;
        let highest = params.scopes.highest_permission();
        let user_type = params
            .user_type
            .unwrap_or_else(|| highest.map_or(UserType::Anon, |p: Permission| p.user_type()));
        Ok(JwtClaims {
            sub: params.user_id.as_str().to_owned(),
            iat: now,
            exp,
            nbf: None,
            iss: self.service.issuer().to_owned(),
            aud: Audiences(self.service.audiences().to_vec()),
            jti: new_jti(),
            scope: params.scopes.clone(),
            username: params
                .username
                .clone()
                .unwrap_or_else(|| params.email.clone()),
            email: params.email.clone(),
            user_type,
            roles: params.roles.clone(),
            client_id: params.client_id.clone(),
            token_type: "Bearer".into(),
            auth_time: now,
            session_id: Some(params.session_id.as_str().to_owned()),
            rate_limit_tier: Some(
                params
                    .rate_limit_tier
                    .unwrap_or_else(|| user_type.rate_limit_tier()),
            ),
        })
    }

    /// Mints a session token.
    pub fn generate(&self, params: &SessionParams) -> Result<String, MintError> {
        let claims = self.claims_at(params, crate::time::now_secs())?;
        self.service.sign_claims(&claims)
    }
}

/// What a validated session token says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedSessionClaims {
    /// The user (`sub`).
    pub user_id: UserId,
    /// The session.
    pub session_id: SessionId,
    /// The effective user type.
    pub user_type: UserType,
}

impl ValidatedSessionClaims {
    /// Extracts the session claims; `None` when the token carries no (or an empty)
    /// `session_id`.
    pub fn from_claims(claims: &JwtClaims) -> Option<ValidatedSessionClaims> {
        let sid = claims.session_id.as_deref().filter(|s| !s.is_empty())?;
        Some(ValidatedSessionClaims {
            user_id: UserId::new(claims.sub.clone()),
            session_id: SessionId::new(sid),
            user_type: claims.user_type,
        })
    }
}
