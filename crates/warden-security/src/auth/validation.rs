//! [`AuthValidationService`]: bearer token → [`RequestContext`], with the seed's
//! [`AuthMode`] semantics (SPEC §2.3).

use std::sync::{Arc, Once};

use http::HeaderMap;
use warden_types::{
    ClientId, JwtClaims, Permission, RequestContext, Scopes, SessionId, TraceId, UserId, UserType,
};

use crate::extraction::{HeaderExtractor, TokenExtractionError, TokenExtractor};
use crate::jwt::{JwtError, JwtService, TokenValidator};

/// How strictly requests must authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuthMode {
    /// A valid token is required; every failure is an [`AuthError`].
    #[default]
    Required,
    /// A valid token authenticates; anything else yields the anonymous context.
    Optional,
    /// No authentication: every request gets the fixed local test context (development only;
    /// a warning is logged once).
    Disabled,
}

/// Why a request did not authenticate. One variant per reason; [`AuthError::code`] gives the
/// stable machine code (the token codes are those of `warden token verify`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The request carries no token.
    #[error("missing authorization: no bearer token in the request")]
    MissingAuthorization,
    /// A credential header is present but not `Bearer <token>`.
    #[error("invalid authorization header: {0}")]
    InvalidAuthorizationFormat(TokenExtractionError),
    /// The token expired.
    #[error("token expired")]
    Expired,
    /// The token is not valid yet.
    #[error("token is not valid yet")]
    NotYetValid,
    /// The signature does not verify.
    #[error("bad token signature")]
    BadSignature,
    /// The token is malformed.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The token's algorithm is not allowed for its key.
    #[error("token algorithm not allowed: {0}")]
    AlgorithmNotAllowed(String),
    /// No key with the token's `kid`.
    #[error("unknown signing key {0:?}")]
    UnknownKid(String),
    /// The issuer is not the pinned one.
    #[error("wrong token issuer {0:?}")]
    WrongIssuer(String),
    /// No audience matches.
    #[error("wrong token audience")]
    WrongAudience,
    /// The token was revoked.
    #[error("token revoked")]
    Revoked,
    /// The token exceeds the size cap.
    #[error("token too large")]
    TokenTooLarge,
    /// The token has an unsupported critical header.
    #[error("unsupported critical header {0:?}")]
    CritUnsupported(String),
    /// A required claim is missing.
    #[error("missing claim {0:?}")]
    MissingClaim(&'static str),
    /// The token has no `session_id` claim.
    #[error("token has no session id")]
    MissingSessionId,
    /// The `user_type` claim claims more than the scopes grant.
    #[error("user type {claimed} is not granted by the token's scopes (at most {granted})")]
    UserTypeNotGranted {
        /// What the token claims.
        claimed: UserType,
        /// What its scopes grant.
        granted: UserType,
    },
}

impl AuthError {
    /// Stable machine code.
    pub const fn code(&self) -> &'static str {
        match self {
            AuthError::MissingAuthorization => "missing_authorization",
            AuthError::InvalidAuthorizationFormat(_) => "invalid_authorization",
            AuthError::Expired => "expired",
            AuthError::NotYetValid => "not_yet_valid",
            AuthError::BadSignature => "bad_signature",
            AuthError::Malformed(_) => "malformed",
            AuthError::AlgorithmNotAllowed(_) => "alg_not_allowed",
            AuthError::UnknownKid(_) => "unknown_kid",
            AuthError::WrongIssuer(_) => "wrong_issuer",
            AuthError::WrongAudience => "wrong_audience",
            AuthError::Revoked => "revoked",
            AuthError::TokenTooLarge => "too_large",
            AuthError::CritUnsupported(_) => "crit_unsupported",
            AuthError::MissingClaim(_) => "missing_claim",
            AuthError::MissingSessionId => "missing_session_id",
            AuthError::UserTypeNotGranted { .. } => "user_type_not_granted",
        }
    }
}

impl From<JwtError> for AuthError {
    fn from(e: JwtError) -> Self {
        match e {
            JwtError::Expired { .. } => AuthError::Expired,
            JwtError::NotYetValid { .. } => AuthError::NotYetValid,
            JwtError::BadSignature => AuthError::BadSignature,
            JwtError::Malformed(m) => AuthError::Malformed(m),
            JwtError::AlgNotAllowed(a) => AuthError::AlgorithmNotAllowed(a),
            JwtError::UnknownKid(k) => AuthError::UnknownKid(k),
            JwtError::WrongIssuer(i) => AuthError::WrongIssuer(i),
            JwtError::WrongAudience => AuthError::WrongAudience,
            JwtError::Revoked => AuthError::Revoked,
            JwtError::TooLarge { .. } => AuthError::TokenTooLarge,
            JwtError::CritUnsupported(c) => AuthError::CritUnsupported(c),
            JwtError::MissingClaim(c) => AuthError::MissingClaim(c),
        }
    }
}

impl From<TokenExtractionError> for AuthError {
    fn from(e: TokenExtractionError) -> Self {
        match e {
            TokenExtractionError::InvalidAuthorizationFormat
            | TokenExtractionError::InvalidMcpProxyFormat
            | TokenExtractionError::InvalidCookieFormat => AuthError::InvalidAuthorizationFormat(e),
            _ => AuthError::MissingAuthorization,
        }
    }
}

/// The user type a validated token stands for: `admin` when the scopes carry `admin`;
/// otherwise the claimed `user_type` if the scopes grant at least its level, the type of the
/// highest granted permission when nothing is claimed, and an error when the claim exceeds the
/// scopes.
pub fn effective_user_type(claims: &JwtClaims) -> Result<UserType, AuthError> {
    user_type_within(&claims.scope, claims.user_type)
}

/// The user type `claimed` (`Unknown`: none claimed) stands for under `scopes`: `admin` when
/// the scopes carry `admin`, else the claim if the scopes grant at least its level, the type
/// of the highest granted permission when nothing is claimed, and an error when the claim
/// exceeds the scopes (as [`effective_user_type`] decides for a token).
pub fn user_type_within(scopes: &Scopes, claimed: UserType) -> Result<UserType, AuthError> {
    if scopes.contains(Permission::Admin.as_str()) {
        return Ok(UserType::Admin);
    }
    let granted = scopes
        .highest_permission()
        .map_or(UserType::Anon, |p: Permission| p.user_type());
    match claimed {
        UserType::Unknown => Ok(granted),
        claimed if claimed.level() > granted.level() => {
            Err(AuthError::UserTypeNotGranted { claimed, granted })
        }
        claimed => Ok(claimed),
    }
}

static DISABLED_WARNING: Once = Once::new();

/// Validates requests and turns them into [`RequestContext`]s.
#[derive(Debug, Clone)]
pub struct AuthValidationService {
    validator: Arc<TokenValidator>,
    extractor: TokenExtractor,
    mode: AuthMode,
}

impl AuthValidationService {
    /// A service over `validator` (configure issuer, audiences, revocation and cache there)
    /// with the standard extraction chain (Authorization, MCP proxy header, cookie).
    pub fn new(validator: Arc<TokenValidator>, mode: AuthMode) -> Self {
        AuthValidationService {
            validator,
            extractor: TokenExtractor::standard(),
            mode,
        }
    }

    /// A service validating the tokens `jwt` mints (same keys, issuer and audiences), with a
    /// 10 000-entry validated-token cache.
    pub fn for_jwt_service(jwt: &JwtService, mode: AuthMode) -> Self {
        Self::new(Arc::new(jwt.validator().with_cache(10_000)), mode)
    }

    /// Replaces the extraction chain.
    #[must_use]
    pub fn with_extractor(mut self, extractor: TokenExtractor) -> Self {
        self.extractor = extractor;
        self
    }

    /// The mode.
    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// The validator.
    pub fn validator(&self) -> &Arc<TokenValidator> {
        &self.validator
    }

    /// Authenticates a request from its headers according to the mode.
    pub fn validate_request(&self, headers: &HeaderMap) -> Result<RequestContext, AuthError> {
        match self.mode {
            AuthMode::Disabled => {
                DISABLED_WARNING.call_once(|| {
                    tracing::warn!(
                        "authentication is DISABLED: every request runs as the local test user"
                    );
                });
                Ok(RequestContext::local_test())
            }
            AuthMode::Required => self.authenticate(headers),
            AuthMode::Optional => Ok(self
                .authenticate(headers)
                .unwrap_or_else(|_| anonymous(headers))),
        }
    }

    fn authenticate(&self, headers: &HeaderMap) -> Result<RequestContext, AuthError> {
        let token = self.extractor.extract(headers)?;
        self.validate_token(&token, headers)
    }

    /// Validates `token` and builds the authenticated context (trace, context, agent and task
    /// ids come from `headers`).
    pub fn validate_token(
        &self,
        token: &str,
        headers: &HeaderMap,
    ) -> Result<RequestContext, AuthError> {
        let claims = self.validator.validate(token)?;
        let session = claims
            .session_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or(AuthError::MissingSessionId)?;
        let user_type = effective_user_type(&claims)?;
        let mut ctx = RequestContext::authenticated(
            SessionId::new(session),
            UserId::new(claims.sub.clone()),
            user_type,
            claims.scope.clone(),
            HeaderExtractor::extract_trace_id(headers),
        )
        .with_context_id(HeaderExtractor::extract_context_id(headers))
        .with_agent_name(HeaderExtractor::extract_agent_name(headers))
        .with_task_id(HeaderExtractor::extract_task_id(headers));
        ctx.client_id = claims.client_id.as_deref().map(ClientId::new);
        ctx.call_source = HeaderExtractor::extract_call_source(headers);
        ctx.ai_tool_call_id = HeaderExtractor::extract_ai_tool_call_id(headers);
        ctx.jti = (!claims.jti.is_empty()).then(|| claims.jti.clone());
        ctx.expires_at = Some(claims.exp);
        Ok(ctx)
    }
}

fn anonymous(headers: &HeaderMap) -> RequestContext {
    let trace = HeaderExtractor::extract_trace_id_opt(headers).unwrap_or_else(TraceId::generate);
    RequestContext::anonymous(trace)
        .with_context_id(HeaderExtractor::extract_context_id(headers))
        .with_agent_name(HeaderExtractor::extract_agent_name(headers))
        .with_task_id(HeaderExtractor::extract_task_id(headers))
}
