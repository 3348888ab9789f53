//! Behaviour of token and context-header extraction (SPEC §2.1–§2.2).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use warden_security::extraction::{parse_traceparent, DEFAULT_MCP_PROXY_HEADER};
use warden_security::{
    CookieExtractionError, CookieExtractor, ExtractionMethod, HeaderExtractor,
    HeaderInjectionError, HeaderInjector, TokenExtractionError, TokenExtractor,
};
use warden_types::{
    AgentName, ContextId, RequestContext, Scopes, SessionId, TaskId, TraceId, UserId, UserType,
};

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

// ---- Display strings (exact, part of the seed API) ----

#[test]
fn token_extraction_error_display_strings_are_exact() {
    use TokenExtractionError::*;
    let cases = [
        (NoTokenFound, "No token found in request"),
        (MissingAuthorizationHeader, "Missing Authorization header"),
        (
            InvalidAuthorizationFormat,
            "Invalid Authorization header format (expected 'Bearer <token>')",
        ),
        (
            MissingMcpProxyHeader,
            "Missing MCP proxy authorization header",
        ),
        (
            InvalidMcpProxyFormat,
            "Invalid MCP proxy header format (expected 'Bearer <token>')",
        ),
        (MissingCookie, "Missing cookie header"),
        (InvalidCookieFormat, "Invalid cookie format"),
        (TokenNotFoundInCookie, "Token not found in cookies"),
    ];
    for (e, s) in cases {
        assert_eq!(e.to_string(), s);
    }
}

#[test]
fn cookie_extraction_error_display_strings_are_exact() {
    assert_eq!(
        CookieExtractionError::MissingCookie.to_string(),
        "Missing cookie header"
    );
    assert_eq!(
        CookieExtractionError::InvalidCookieFormat.to_string(),
        "Invalid cookie format"
    );
    assert_eq!(
        CookieExtractionError::TokenNotFoundInCookie.to_string(),
        "Access token not found in cookies"
    );
}

#[test]
fn header_injection_error_display_string_is_exact() {
    assert_eq!(
        HeaderInjectionError.to_string(),
        "Header value contains invalid characters"
    );
}

#[test]
fn extraction_method_display_strings_are_exact() {
    assert_eq!(
        ExtractionMethod::AuthorizationHeader.to_string(),
        "Authorization header"
    );
    assert_eq!(
        ExtractionMethod::McpProxyHeader.to_string(),
        "MCP proxy header"
    );
    assert_eq!(ExtractionMethod::Cookie.to_string(), "Cookie");
}

// ---- presets and builders ----

#[test]
fn presets_have_the_seed_chains() {
    use ExtractionMethod::*;
    assert_eq!(
        TokenExtractor::standard().chain(),
        &[AuthorizationHeader, McpProxyHeader, Cookie]
    );
    assert_eq!(
        TokenExtractor::browser_only().chain(),
        &[AuthorizationHeader, Cookie]
    );
    assert_eq!(TokenExtractor::api_only().chain(), &[AuthorizationHeader]);
}

#[test]
fn defaults_are_access_token_cookie_and_mcp_proxy_header() {
    let e = TokenExtractor::standard();
    assert_eq!(e.cookie_name(), "access_token");
    assert_eq!(e.mcp_header_name(), "x-mcp-proxy-auth");
    assert_eq!(DEFAULT_MCP_PROXY_HEADER, "x-mcp-proxy-auth");
    assert_eq!(CookieExtractor::DEFAULT_COOKIE_NAME, "access_token");
}

#[test]
fn builders_change_cookie_and_mcp_header_names() {
    let e = TokenExtractor::standard()
        .with_cookie_name("sid")
        .with_mcp_header_name("X-Proxy-Auth");
    let h = headers(&[("x-proxy-auth", "Bearer p1"), ("cookie", "sid=c1")]);
    assert_eq!(e.extract_from_mcp_proxy(&h), Ok("p1".into()));
    assert_eq!(e.extract_from_cookie(&h), Ok("c1".into()));
}

// ---- chain order ----

#[test]
fn chain_prefers_authorization_over_mcp_over_cookie() {
    let h = headers(&[
        ("cookie", "access_token=c"),
        ("x-mcp-proxy-auth", "Bearer m"),
        ("authorization", "Bearer a"),
    ]);
    assert_eq!(
        TokenExtractor::standard().extract_with_method(&h),
        Ok(("a".into(), ExtractionMethod::AuthorizationHeader))
    );
    let h = headers(&[
        ("cookie", "access_token=c"),
        ("x-mcp-proxy-auth", "Bearer m"),
    ]);
    assert_eq!(
        TokenExtractor::standard().extract_with_method(&h),
        Ok(("m".into(), ExtractionMethod::McpProxyHeader))
    );
    let h = headers(&[("cookie", "access_token=c")]);
    assert_eq!(
        TokenExtractor::standard().extract_with_method(&h),
        Ok(("c".into(), ExtractionMethod::Cookie))
    );
}

#[test]
fn malformed_authorization_falls_back_to_the_next_method() {
    let h = headers(&[
        ("authorization", "Basic dXNlcjpwYXNz"),
        ("cookie", "access_token=c"),
    ]);
    assert_eq!(TokenExtractor::standard().extract(&h), Ok("c".into()));
}

#[test]
fn browser_only_ignores_the_mcp_header() {
    let h = headers(&[("x-mcp-proxy-auth", "Bearer m")]);
    assert_eq!(
        TokenExtractor::browser_only().extract(&h),
        Err(TokenExtractionError::NoTokenFound)
    );
}

#[test]
fn all_methods_failing_reports_no_token_found() {
    let h = headers(&[("authorization", "Basic x")]);
    assert_eq!(
        TokenExtractor::standard().extract(&h),
        Err(TokenExtractionError::NoTokenFound)
    );
    assert_eq!(
        TokenExtractor::standard().extract(&HeaderMap::new()),
        Err(TokenExtractionError::NoTokenFound)
    );
}

#[test]
fn single_method_chain_reports_the_specific_error() {
    assert_eq!(
        TokenExtractor::api_only().extract(&HeaderMap::new()),
        Err(TokenExtractionError::MissingAuthorizationHeader)
    );
    let h = headers(&[("authorization", "Token abc")]);
    assert_eq!(
        TokenExtractor::api_only().extract(&h),
        Err(TokenExtractionError::InvalidAuthorizationFormat)
    );
    let cookie_only = TokenExtractor::new(vec![ExtractionMethod::Cookie]);
    assert_eq!(
        cookie_only.extract(&HeaderMap::new()),
        Err(TokenExtractionError::MissingCookie)
    );
}

// ---- Authorization ----

#[test]
fn bearer_scheme_is_case_insensitive() {
    for v in ["Bearer t", "bearer t", "BEARER t", "bEaReR t"] {
        assert_eq!(
            TokenExtractor::api_only().extract(&headers(&[("authorization", v)])),
            Ok("t".into()),
            "{v}"
        );
    }
}

#[test]
fn authorization_token_is_trimmed() {
    let h = headers(&[("authorization", "Bearer    abc.def   ")]);
    assert_eq!(TokenExtractor::api_only().extract(&h), Ok("abc.def".into()));
}

#[test]
fn empty_bearer_token_is_invalid() {
    for v in ["Bearer", "Bearer ", "Bearer     "] {
        let h = headers(&[("authorization", v)]);
        assert_eq!(
            TokenExtractor::api_only().extract_from_authorization(&h),
            Err(TokenExtractionError::InvalidAuthorizationFormat),
            "{v:?}"
        );
    }
}

#[test]
fn non_b64token_characters_are_invalid() {
    for v in [
        "Bearer a b",
        "Bearer a,b",
        "Bearer a\"b",
        "Bearer =abc",
        "Bearer a=b",
    ] {
        let h = headers(&[("authorization", v)]);
        assert_eq!(
            TokenExtractor::api_only().extract_from_authorization(&h),
            Err(TokenExtractionError::InvalidAuthorizationFormat),
            "{v:?}"
        );
    }
}

#[test]
fn b64token_allows_its_full_alphabet_and_trailing_padding() {
    let tok = "AZaz09-._~+/==";
    let h = headers(&[("authorization", &format!("Bearer {tok}"))]);
    assert_eq!(TokenExtractor::api_only().extract(&h), Ok(tok.into()));
}

#[test]
fn multiple_authorization_headers_first_valid_bearer_wins() {
    let h = headers(&[
        ("authorization", "Basic abc"),
        ("authorization", "Bearer second"),
        ("authorization", "Bearer third"),
    ]);
    assert_eq!(TokenExtractor::api_only().extract(&h), Ok("second".into()));
}

#[test]
fn non_utf8_authorization_is_invalid_not_a_panic() {
    let mut h = HeaderMap::new();
    h.insert(
        "authorization",
        HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
    );
    assert_eq!(
        TokenExtractor::api_only().extract(&h),
        Err(TokenExtractionError::InvalidAuthorizationFormat)
    );
}

// ---- MCP proxy header ----

#[test]
fn mcp_proxy_header_requires_a_non_empty_bearer_token() {
    let e = TokenExtractor::standard();
    assert_eq!(
        e.extract_from_mcp_proxy(&headers(&[("x-mcp-proxy-auth", "Bearer ")])),
        Err(TokenExtractionError::InvalidMcpProxyFormat)
    );
    assert_eq!(
        e.extract_from_mcp_proxy(&headers(&[("x-mcp-proxy-auth", "Bearer")])),
        Err(TokenExtractionError::InvalidMcpProxyFormat)
    );
    assert_eq!(
        e.extract_from_mcp_proxy(&headers(&[("x-mcp-proxy-auth", "tok")])),
        Err(TokenExtractionError::InvalidMcpProxyFormat)
    );
    assert_eq!(
        e.extract_from_mcp_proxy(&HeaderMap::new()),
        Err(TokenExtractionError::MissingMcpProxyHeader)
    );
    assert_eq!(
        e.extract_from_mcp_proxy(&headers(&[("x-mcp-proxy-auth", "bearer tok")])),
        Ok("tok".into())
    );
}

// ---- cookies ----

#[test]
fn cookie_pairs_are_trimmed_and_matched_exactly() {
    let c = CookieExtractor::default();
    assert_eq!(
        c.extract(&headers(&[("cookie", "a=1;   access_token = tok ; b=2")])),
        Ok("tok".into())
    );
}

#[test]
fn cookie_name_prefix_collisions_do_not_match() {
    let c = CookieExtractor::default();
    let h = headers(&[(
        "cookie",
        "xaccess_token=bad; access_token_old=bad2; access_token=good",
    )]);
    assert_eq!(c.extract(&h), Ok("good".into()));
    let h = headers(&[("cookie", "xaccess_token=bad; access_tokens=bad2")]);
    assert_eq!(
        c.extract(&h),
        Err(CookieExtractionError::TokenNotFoundInCookie)
    );
}

#[test]
fn empty_cookie_values_are_skipped_first_non_empty_wins() {
    let c = CookieExtractor::default();
    let h = headers(&[(
        "cookie",
        "access_token=; access_token=\"\"; access_token=second; access_token=third",
    )]);
    assert_eq!(c.extract(&h), Ok("second".into()));
}

#[test]
fn quoted_cookie_values_are_unquoted() {
    assert_eq!(
        CookieExtractor::default().extract(&headers(&[("cookie", "access_token=\"q.tok\"")])),
        Ok("q.tok".into())
    );
}

#[test]
fn every_cookie_header_is_parsed() {
    let h = headers(&[("cookie", "a=1"), ("cookie", "access_token=tok")]);
    assert_eq!(CookieExtractor::extract_access_token(&h), Ok("tok".into()));
}

#[test]
fn missing_cookie_header_and_missing_cookie_are_distinguished() {
    let c = CookieExtractor::default();
    assert_eq!(
        c.extract(&HeaderMap::new()),
        Err(CookieExtractionError::MissingCookie)
    );
    assert_eq!(
        c.extract(&headers(&[("cookie", "a=1; b")])),
        Err(CookieExtractionError::TokenNotFoundInCookie)
    );
}

#[test]
fn non_text_cookie_header_is_invalid_format() {
    let mut h = HeaderMap::new();
    h.insert(
        "cookie",
        HeaderValue::from_bytes(b"access_token=\xff").unwrap(),
    );
    assert_eq!(
        CookieExtractor::default().extract(&h),
        Err(CookieExtractionError::InvalidCookieFormat)
    );
    assert_eq!(
        TokenExtractor::new(vec![ExtractionMethod::Cookie]).extract(&h),
        Err(TokenExtractionError::InvalidCookieFormat)
    );
}

#[test]
fn custom_cookie_name() {
    let c = CookieExtractor::new("session");
    assert_eq!(
        c.extract(&headers(&[("cookie", "access_token=a; session=s")])),
        Ok("s".into())
    );
}

// ---- context headers ----

#[test]
fn trace_id_is_read_from_the_header() {
    assert_eq!(
        HeaderExtractor::extract_trace_id(&headers(&[("x-trace-id", "t-1")])).as_str(),
        "t-1"
    );
}

#[test]
fn missing_empty_or_invalid_trace_id_generates_a_uuid() {
    for h in [
        HeaderMap::new(),
        headers(&[("x-trace-id", "")]),
        headers(&[("x-trace-id", "has space")]),
    ] {
        let id = HeaderExtractor::extract_trace_id(&h);
        assert!(uuid::Uuid::parse_str(id.as_str()).is_ok(), "{id}");
    }
}

#[test]
fn traceparent_supplies_the_trace_id_when_x_trace_id_is_absent() {
    let h = headers(&[(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )]);
    assert_eq!(
        HeaderExtractor::extract_trace_id(&h).as_str(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    let h = headers(&[
        ("x-trace-id", "mine"),
        (
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ),
    ]);
    assert_eq!(HeaderExtractor::extract_trace_id(&h).as_str(), "mine");
}

#[test]
fn invalid_traceparent_is_ignored() {
    let h = headers(&[(
        "traceparent",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    )]);
    assert!(uuid::Uuid::parse_str(HeaderExtractor::extract_trace_id(&h).as_str()).is_ok());
}

#[test]
fn ids_longer_than_128_chars_count_as_absent() {
    let long = "a".repeat(129);
    assert_eq!(
        HeaderExtractor::extract_context_id(&headers(&[("x-context-id", &long)])).as_str(),
        ""
    );
    let ok = "a".repeat(128);
    assert_eq!(
        HeaderExtractor::extract_context_id(&headers(&[("x-context-id", &ok)])).as_str(),
        ok
    );
}

#[test]
fn context_id_defaults_to_empty() {
    assert!(HeaderExtractor::extract_context_id(&HeaderMap::new()).is_empty());
}

#[test]
fn task_id_empty_is_none() {
    assert_eq!(
        HeaderExtractor::extract_task_id(&headers(&[("x-task-id", "")])),
        None
    );
    assert_eq!(
        HeaderExtractor::extract_task_id(&headers(&[("x-task-id", "t1")])),
        Some(TaskId::new("t1"))
    );
}

#[test]
fn agent_name_defaults_to_system_and_never_panics() {
    assert_eq!(
        HeaderExtractor::extract_agent_name(&HeaderMap::new()).as_str(),
        "system"
    );
    assert_eq!(
        HeaderExtractor::extract_agent_name(&headers(&[("x-agent-name", "")])).as_str(),
        "system"
    );
    assert_eq!(
        HeaderExtractor::extract_agent_name(&headers(&[("x-agent-name", "unknown")])).as_str(),
        "unknown"
    );
    let mut h = HeaderMap::new();
    h.insert(
        "x-agent-name",
        HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
    );
    assert_eq!(HeaderExtractor::extract_agent_name(&h).as_str(), "system");
}

#[test]
fn injection_replaces_existing_values() {
    let mut h = headers(&[("x-session-id", "old"), ("x-session-id", "older")]);
    HeaderInjector::inject_session_id(&mut h, &SessionId::new("new")).unwrap();
    let all: Vec<_> = h.get_all("x-session-id").iter().collect();
    assert_eq!(all, vec![HeaderValue::from_static("new")]);
}

#[test]
fn injecting_an_empty_context_id_is_a_no_op() {
    let mut h = HeaderMap::new();
    HeaderInjector::inject_context_id(&mut h, &ContextId::default()).unwrap();
    assert!(h.is_empty());
}

#[test]
fn injecting_invalid_characters_is_an_error() {
    let mut h = HeaderMap::new();
    assert_eq!(
        HeaderInjector::inject_user_id(&mut h, &UserId::new("a\nb")),
        Err(HeaderInjectionError)
    );
    assert!(h.is_empty());
}

#[test]
fn inject_from_request_context_writes_all_headers_and_traceparent() {
    let ctx = RequestContext::authenticated(
        SessionId::new("s1"),
        UserId::new("u1"),
        UserType::User,
        Scopes::parse("user"),
        TraceId::new("4bf92f35-77b3-4da6-a3ce-929d0e0e4736"),
    )
    .with_context_id(ContextId::new("c1"))
    .with_agent_name(AgentName::new("coder"))
    .with_task_id(Some(TaskId::new("task1")));
    let mut h = HeaderMap::new();
    HeaderInjector::inject_from_request_context(&mut h, &ctx).unwrap();
    assert_eq!(h["x-session-id"], "s1");
    assert_eq!(h["x-user-id"], "u1");
    assert_eq!(h["x-context-id"], "c1");
    assert_eq!(h["x-agent-name"], "coder");
    assert_eq!(h["x-task-id"], "task1");
    let tp = h["traceparent"].as_bytes();
    assert_eq!(
        parse_traceparent(tp),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    // and the trace id survives a round trip through the headers
    h.remove("x-trace-id");
    assert_eq!(
        HeaderExtractor::extract_trace_id(&h).as_str(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
}

#[test]
fn non_w3c_trace_id_gets_no_traceparent() {
    let mut h = headers(&[(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )]);
    HeaderInjector::inject_from_request_context(&mut h, &RequestContext::local_test()).unwrap();
    assert!(h.get("traceparent").is_none());
    assert_eq!(h["x-trace-id"], "test-trace");
}

// ---- properties ----

fn arbitrary_header_value() -> impl Strategy<Value = HeaderValue> {
    // Every byte HeaderValue accepts: tab, 0x20..=0x7e and 0x80..=0xff.
    let byte = prop_oneof![Just(b'\t'), 0x20u8..=0x7e, 0x80u8..=0xff];
    proptest::collection::vec(byte, 0..300)
        .prop_filter_map("valid header bytes", |b| HeaderValue::from_bytes(&b).ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_extraction_function_panics_on_arbitrary_header_bytes(
        auth in arbitrary_header_value(),
        mcp in arbitrary_header_value(),
        cookie in arbitrary_header_value(),
        ctx in arbitrary_header_value(),
    ) {
        let mut h = HeaderMap::new();
        h.insert("authorization", auth);
        h.insert("x-mcp-proxy-auth", mcp);
        h.insert("cookie", cookie);
        for name in ["x-trace-id", "x-context-id", "x-task-id", "x-agent-name", "traceparent", "x-call-source", "x-user-id"] {
            h.insert(name, ctx.clone());
        }
        let e = TokenExtractor::standard();
        if let Ok(t) = e.extract(&h) {
            prop_assert!(!t.is_empty());
        }
        let _ = e.extract_from_authorization(&h);
        let _ = e.extract_from_mcp_proxy(&h);
        let _ = e.extract_from_cookie(&h);
        let _ = CookieExtractor::extract_access_token(&h);
        let trace = HeaderExtractor::extract_trace_id(&h);
        prop_assert!(!trace.is_empty() && trace.as_str().len() <= 128);
        let _ = HeaderExtractor::extract_context_id(&h);
        let _ = HeaderExtractor::extract_task_id(&h);
        let _ = HeaderExtractor::extract_agent_name(&h);
        let _ = HeaderExtractor::extract_call_source(&h);
        let _ = parse_traceparent(ctx.as_bytes());
    }

    #[test]
    fn inject_then_extract_round_trips_every_valid_id(id in "[!-~]{1,128}") {
        let mut h = HeaderMap::new();
        HeaderInjector::inject_trace_id(&mut h, &TraceId::new(id.clone())).unwrap();
        HeaderInjector::inject_context_id(&mut h, &ContextId::new(id.clone())).unwrap();
        HeaderInjector::inject_task_id(&mut h, &TaskId::new(id.clone())).unwrap();
        HeaderInjector::inject_agent_name(&mut h, &AgentName::new(id.clone())).unwrap();
        HeaderInjector::inject_session_id(&mut h, &SessionId::new(id.clone())).unwrap();
        HeaderInjector::inject_user_id(&mut h, &UserId::new(id.clone())).unwrap();
        prop_assert_eq!(HeaderExtractor::extract_trace_id(&h).into_inner(), id.clone());
        prop_assert_eq!(HeaderExtractor::extract_context_id(&h).into_inner(), id.clone());
        prop_assert_eq!(HeaderExtractor::extract_task_id(&h).map(|t| t.into_inner()), Some(id.clone()));
        prop_assert_eq!(HeaderExtractor::extract_agent_name(&h).into_inner(), id.clone());
        prop_assert_eq!(HeaderExtractor::extract_session_id(&h).map(|t| t.into_inner()), Some(id.clone()));
        prop_assert_eq!(HeaderExtractor::extract_user_id(&h).map(|t| t.into_inner()), Some(id));
    }

    #[test]
    fn bearer_round_trips_any_b64token(tok in "[A-Za-z0-9._~+/-]{1,200}={0,2}") {
        let h = headers(&[("authorization", &format!("Bearer {tok}"))]);
        prop_assert_eq!(TokenExtractor::api_only().extract(&h), Ok(tok));
    }
}
