use std::sync::Arc;

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use http::{HeaderMap, HeaderValue, Request, StatusCode};
use tower::ServiceExt as _;
use warden_types::{JwtClaims, Scopes, SessionId, UserId, UserType};

use super::*;
use crate::jwt::JwtService;
use crate::keys::{Algorithm, KeySet};
use crate::revocation::InMemoryRevocationStore;
use crate::session::{SessionGenerator, SessionParams};

fn jwt() -> JwtService {
    JwtService::new(Arc::new(
        KeySet::generate(Algorithm::HS256).unwrap_or_else(|e| panic!("{e}")),
    ))
}

fn bearer(token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap_or_else(|e| panic!("{e}")),
    );
    h
}

fn session_token(svc: &JwtService, scope: &str, user_type: Option<UserType>) -> String {
    let mut p = SessionParams::new(
        UserId::new("u-1"),
        SessionId::new("s-1"),
        "u@example.com",
        Scopes::parse(scope),
    );
    p.user_type = user_type;
    SessionGenerator::new(svc.clone())
        .generate(&p)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn claims_token(svc: &JwtService, patch: impl FnOnce(&mut JwtClaims)) -> String {
    let now = crate::time::now_secs();
    let mut c: JwtClaims = serde_json::from_value(serde_json::json!({
        "sub": "u-1", "exp": now + 600, "iat": now, "iss": "warden", "aud": ["api"],
        "jti": "j-1", "scope": "user", "session_id": "s-1"
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    patch(&mut c);
    svc.sign_claims(&c).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn required_without_token_is_missing_authorization() {
    let s = AuthValidationService::for_jwt_service(&jwt(), AuthMode::Required);
    assert_eq!(
        s.validate_request(&HeaderMap::new()),
        Err(AuthError::MissingAuthorization)
    );
}

#[test]
fn required_with_valid_token_is_authenticated() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let mut h = bearer(&session_token(&j, "user mcp", None));
    h.insert("x-trace-id", HeaderValue::from_static("trace-9"));
    h.insert("x-agent-name", HeaderValue::from_static("planner"));
    h.insert("x-context-id", HeaderValue::from_static("ctx-1"));
    let ctx = s.validate_request(&h).unwrap_or_else(|e| panic!("{e}"));
    assert!(ctx.is_authenticated());
    assert_eq!(ctx.user_id.as_str(), "u-1");
    assert_eq!(ctx.session_id.as_str(), "s-1");
    assert_eq!(ctx.user_type, UserType::User);
    assert_eq!(ctx.trace_id.as_str(), "trace-9");
    assert_eq!(ctx.agent_name.as_str(), "planner");
    assert_eq!(ctx.context_id.as_str(), "ctx-1");
    assert!(ctx.jti.is_some() && ctx.expires_at.is_some());
}

#[test]
fn required_with_bad_signature_names_the_reason() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let other = jwt();
    let t = session_token(&other, "user", None);
    let e = s.validate_request(&bearer(&t)).err();
    assert!(matches!(e, Some(AuthError::UnknownKid(_))), "{e:?}");
}

#[test]
fn required_with_expired_token_is_expired() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let t = claims_token(&j, |c| c.exp = 1000);
    assert_eq!(s.validate_request(&bearer(&t)), Err(AuthError::Expired));
}

#[test]
fn required_with_wrong_issuer() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let t = claims_token(&j, |c| c.iss = "evil".into());
    assert!(matches!(
        s.validate_request(&bearer(&t)),
        Err(AuthError::WrongIssuer(_))
    ));
}

#[test]
fn required_with_wrong_audience() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let t = claims_token(&j, |c| {
        c.aud = warden_types::Audiences(vec![warden_types::JwtAudience::Internal]);
    });
    assert_eq!(
        s.validate_request(&bearer(&t)),
        Err(AuthError::WrongAudience)
    );
}

#[test]
fn required_with_malformed_token() {
    let s = AuthValidationService::for_jwt_service(&jwt(), AuthMode::Required);
    assert!(matches!(
        s.validate_request(&bearer("abc.def.ghi")),
        Err(AuthError::Malformed(_))
    ));
}

#[test]
fn required_with_revoked_token() {
    let j = jwt();
    let store = Arc::new(InMemoryRevocationStore::new());
    let v = Arc::new(j.validator().with_revocation(store.clone()));
    let s = AuthValidationService::new(v.clone(), AuthMode::Required);
    let t = claims_token(&j, |_| {});
    assert!(s.validate_request(&bearer(&t)).is_ok());
    v.revoke("j-1", crate::time::now_secs() + 600);
    assert_eq!(s.validate_request(&bearer(&t)), Err(AuthError::Revoked));
}

#[test]
fn session_id_is_required() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let t = claims_token(&j, |c| c.session_id = None);
    assert_eq!(
        s.validate_request(&bearer(&t)),
        Err(AuthError::MissingSessionId)
    );
}

#[test]
fn admin_scope_makes_admin_user_type() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let t = claims_token(&j, |c| {
        c.scope = Scopes::parse("admin");
        c.user_type = UserType::Mcp;
    });
    let ctx = s
        .validate_request(&bearer(&t))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ctx.user_type, UserType::Admin);
}

#[test]
fn user_type_beyond_scopes_is_rejected() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let t = claims_token(&j, |c| {
        c.scope = Scopes::parse("mcp");
        c.user_type = UserType::Admin;
    });
    assert_eq!(
        s.validate_request(&bearer(&t)),
        Err(AuthError::UserTypeNotGranted {
            claimed: UserType::Admin,
            granted: UserType::Mcp
        })
    );
}

#[test]
fn user_type_is_derived_from_scopes_when_unclaimed() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let t = claims_token(&j, |c| c.scope = Scopes::parse("a2a custom:x"));
    let ctx = s
        .validate_request(&bearer(&t))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ctx.user_type, UserType::A2a);
    assert!(ctx.scopes.contains("custom:x"));
}

#[test]
fn optional_failure_is_anonymous_with_header_context() {
    let s = AuthValidationService::for_jwt_service(&jwt(), AuthMode::Optional);
    let mut h = bearer("garbage");
    h.insert("x-trace-id", HeaderValue::from_static("t-1"));
    h.insert("x-agent-name", HeaderValue::from_static("bot"));
    let ctx = s.validate_request(&h).unwrap_or_else(|e| panic!("{e}"));
    assert!(!ctx.is_authenticated());
    assert_eq!(ctx.session_id.as_str(), "anonymous");
    assert_eq!(ctx.user_id.as_str(), "anonymous");
    assert_eq!(ctx.user_type, UserType::Anon);
    assert_eq!(ctx.trace_id.as_str(), "t-1");
    assert_eq!(ctx.agent_name.as_str(), "bot");
}

#[test]
fn optional_valid_token_authenticates() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Optional);
    let ctx = s
        .validate_request(&bearer(&session_token(&j, "user", None)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ctx.is_authenticated());
}

#[test]
fn disabled_gives_fixed_local_context() {
    let s = AuthValidationService::for_jwt_service(&jwt(), AuthMode::Disabled);
    let ctx = s
        .validate_request(&bearer("whatever"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ctx.session_id.as_str(), "test");
    assert_eq!(ctx.trace_id.as_str(), "test-trace");
    assert_eq!(ctx.context_id.as_str(), "test-context");
    assert_eq!(ctx.agent_name.as_str(), "test-agent");
    assert_eq!(ctx.user_id.as_str(), "test-user");
    assert_eq!(ctx.user_type, UserType::User);
}

#[test]
fn token_from_mcp_proxy_header_and_cookie() {
    let j = jwt();
    let s = AuthValidationService::for_jwt_service(&j, AuthMode::Required);
    let t = session_token(&j, "mcp", None);
    let mut h = HeaderMap::new();
    h.insert(
        "x-mcp-proxy-auth",
        HeaderValue::from_str(&format!("Bearer {t}")).unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(s.validate_request(&h).is_ok());
    let mut h = HeaderMap::new();
    h.insert(
        "cookie",
        HeaderValue::from_str(&format!("a=b; access_token={t}")).unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(s.validate_request(&h).is_ok());
}

#[test]
fn every_jwt_error_maps_to_an_auth_error_with_the_same_code() {
    use crate::jwt::JwtError;
    let all = [
        JwtError::Expired { exp: 1, now: 2 },
        JwtError::NotYetValid {
            claim: "nbf",
            at: 2,
            now: 1,
            leeway: 0,
        },
        JwtError::BadSignature,
        JwtError::Malformed("x".into()),
        JwtError::AlgNotAllowed("none".into()),
        JwtError::UnknownKid("k".into()),
        JwtError::WrongIssuer("i".into()),
        JwtError::WrongAudience,
        JwtError::Revoked,
        JwtError::TooLarge { len: 2, max: 1 },
        JwtError::CritUnsupported("c".into()),
        JwtError::MissingClaim("exp"),
    ];
    for e in all {
        let code = e.code();
        assert_eq!(AuthError::from(e).code(), code);
    }
}

fn app(mode: AuthMode, j: &JwtService) -> Router {
    Router::new()
        .route(
            "/me",
            get(|AuthContext(ctx): AuthContext| async move { ctx.user_id.to_string() }),
        )
        .layer(AuthLayer::new(AuthValidationService::for_jwt_service(
            j, mode,
        )))
}

#[tokio::test]
async fn layer_rejects_missing_token_with_401_json() {
    let j = jwt();
    let resp = app(AuthMode::Required, &j)
        .oneshot(Request::get("/me").body(Body::empty()).unwrap_or_default())
        .await
        .unwrap_or_else(|e| match e {});
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.headers()
            .get("www-authenticate")
            .map(HeaderValue::as_bytes),
        Some(&b"Bearer"[..])
    );
    let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
        .await
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    assert_eq!(v["error"]["code"], "missing_authorization");
}

#[tokio::test]
async fn layer_passes_context_to_extractor() {
    let j = jwt();
    let t = session_token(&j, "user", None);
    let req = Request::get("/me")
        .header("authorization", format!("Bearer {t}"))
        .body(Body::empty())
        .unwrap_or_default();
    let resp = app(AuthMode::Required, &j)
        .oneshot(req)
        .await
        .unwrap_or_else(|e| match e {});
    assert_eq!(resp.status(), StatusCode::OK);
    let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
        .await
        .unwrap_or_default();
    assert_eq!(&body[..], b"u-1");
}

#[tokio::test]
async fn extractor_without_layer_fails_closed() {
    let router: Router = Router::new().route(
        "/me",
        get(|AuthContext(ctx): AuthContext| async move { ctx.user_id.to_string() }),
    );
    let resp = router
        .oneshot(Request::get("/me").body(Body::empty()).unwrap_or_default())
        .await
        .unwrap_or_else(|e| match e {});
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn auth_error_displays_are_precise() {
    assert_eq!(
        AuthError::MissingAuthorization.to_string(),
        "missing authorization: no bearer token in the request"
    );
    assert_eq!(
        AuthError::MissingSessionId.to_string(),
        "token has no session id"
    );
}
