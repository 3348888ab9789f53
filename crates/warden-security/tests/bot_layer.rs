//! `BotDetectionLayer` in front of a service, driven with `tower::ServiceExt::oneshot`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use http::{Request, Response, StatusCode};
use tower::{service_fn, Layer, ServiceExt};
use warden_security::services::{
    BotDetectionLayer, ClientIp, DetectConfig, DetectConfigError, DetectMode,
};
use warden_security::{BotClass, InMemoryCounterStore, VelocityTracker, Verdict};

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Echoes the class of the `Verdict` extension (or `none`) in the body.
async fn handler(req: Request<Body>) -> Result<Response<Body>, Infallible> {
    let seen = req
        .extensions()
        .get::<Verdict>()
        .map_or("none", |v| v.class.as_str());
    Ok(Response::new(Body::from(seen)))
}

fn request(path: &str, ua: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(path);
    if let Some(ua) = ua {
        b = b.header("user-agent", ua);
    }
    b.body(Body::empty()).unwrap()
}

async fn body(resp: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn send(layer: &BotDetectionLayer, req: Request<Body>) -> Response<Body> {
    layer.layer(service_fn(handler)).oneshot(req).await.unwrap()
}

#[tokio::test]
async fn tag_mode_adds_the_verdict_extension_and_the_header() {
    let layer = BotDetectionLayer::new(DetectMode::Tag);
    let resp = send(&layer, request("/", Some("curl/8.5.0"))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["x-warden-bot"], "script");
    assert_eq!(body(resp).await, "script");
}

#[tokio::test]
async fn tag_mode_tags_humans_too() {
    let layer = BotDetectionLayer::new(DetectMode::Tag);
    let resp = send(&layer, request("/", Some(CHROME))).await;
    assert_eq!(resp.headers()["x-warden-bot"], "human");
}

#[tokio::test]
async fn tag_mode_never_blocks() {
    let layer = BotDetectionLayer::new(DetectMode::Tag);
    let resp = send(&layer, request("/.env", Some("sqlmap/1.8"))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["x-warden-bot"], "scanner");
}

#[tokio::test]
async fn log_mode_changes_nothing() {
    let layer = BotDetectionLayer::new(DetectMode::Log);
    let resp = send(&layer, request("/.env", Some("sqlmap/1.8"))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("x-warden-bot").is_none());
    assert_eq!(body(resp).await, "none");
}

#[tokio::test]
async fn block_mode_answers_403_json_for_a_scanner() {
    let layer = BotDetectionLayer::new(DetectMode::Block);
    let resp = send(&layer, request("/wp-login.php", Some(CHROME))).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let json: serde_json::Value = serde_json::from_str(&body(resp).await).unwrap();
    assert_eq!(json["error"]["code"], "bot_blocked");
    assert!(json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("scanner"));
}

#[tokio::test]
async fn block_mode_lets_other_classes_through_by_default() {
    let layer = BotDetectionLayer::new(DetectMode::Block);
    for ua in [
        CHROME,
        "curl/8.5.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ] {
        let resp = send(&layer, request("/", Some(ua))).await;
        assert_eq!(resp.status(), StatusCode::OK, "{ua}");
    }
}

#[tokio::test]
async fn blocked_classes_are_configurable() {
    let layer = BotDetectionLayer::from_config(&DetectConfig {
        mode: DetectMode::Block,
        block_classes: vec![BotClass::Scanner, BotClass::AiAgent],
        ..DetectConfig::default()
    })
    .unwrap();
    let resp = send(&layer, request("/", Some("GPTBot/1.2"))).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_allow_listed_user_agent_is_never_blocked() {
    let layer = BotDetectionLayer::from_config(&DetectConfig {
        mode: DetectMode::Block,
        allow_user_agents: vec!["acme-monitor".into()],
        ..DetectConfig::default()
    })
    .unwrap();
    let resp = send(
        &layer,
        request("/actuator/health", Some("Acme-Monitor/2.0 nmap")),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["x-warden-bot"], "scanner");
}

#[tokio::test]
async fn an_allow_listed_network_is_never_blocked() {
    let layer = BotDetectionLayer::from_config(&DetectConfig {
        mode: DetectMode::Block,
        allow_ips: vec!["192.0.2.0/24".into()],
        ..DetectConfig::default()
    })
    .unwrap();
    let mut req = request("/.git/config", Some(CHROME));
    req.extensions_mut()
        .insert(ClientIp("192.0.2.44".parse().unwrap()));
    assert_eq!(send(&layer, req).await.status(), StatusCode::OK);
    let mut req = request("/.git/config", Some(CHROME));
    req.extensions_mut()
        .insert(ClientIp("198.51.100.1".parse().unwrap()));
    assert_eq!(send(&layer, req).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forwarded_for_is_used_only_when_trusted() {
    let config = DetectConfig {
        mode: DetectMode::Block,
        allow_ips: vec!["203.0.113.9".into()],
        ..DetectConfig::default()
    };
    let make = || {
        let mut r = request("/.env", Some(CHROME));
        r.headers_mut().insert(
            "x-forwarded-for",
            "198.51.100.1, 203.0.113.9".parse().unwrap(),
        );
        r
    };
    let untrusted = BotDetectionLayer::from_config(&config).unwrap();
    assert_eq!(
        send(&untrusted, make()).await.status(),
        StatusCode::FORBIDDEN
    );
    let trusted = BotDetectionLayer::from_config(&DetectConfig {
        trust_forwarded_for: true,
        ..config
    })
    .unwrap();
    assert_eq!(send(&trusted, make()).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn velocity_turns_a_fast_client_into_a_blocked_scanner() {
    let tracker = VelocityTracker::new(Arc::new(InMemoryCounterStore::default()));
    let layer = BotDetectionLayer::new(DetectMode::Block).with_velocity(tracker);
    let ip: std::net::IpAddr = "198.51.100.20".parse().unwrap();
    for i in 0..30 {
        let mut req = request("/api/items", Some(CHROME));
        req.extensions_mut().insert(ClientIp(ip));
        assert_eq!(
            send(&layer, req).await.status(),
            StatusCode::OK,
            "request {}",
            i + 1
        );
    }
    let mut req = request("/api/items", Some(CHROME));
    req.extensions_mut().insert(ClientIp(ip));
    assert_eq!(send(&layer, req).await.status(), StatusCode::FORBIDDEN);
}

/// The host's own processes (a coding agent's hook calls, a local proxy) share the loopback
/// address: their combined rate is not one client's velocity.
#[tokio::test]
async fn loopback_clients_are_not_judged_by_velocity() {
    let tracker = VelocityTracker::new(Arc::new(InMemoryCounterStore::default()));
    let layer = BotDetectionLayer::new(DetectMode::Block).with_velocity(tracker);
    for ip in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
        let ip: std::net::IpAddr = ip.parse().unwrap();
        for i in 0..40 {
            let mut req = request("/v1/hooks/claude-code", Some("warden-hook/0.1.0"));
            req.extensions_mut().insert(ClientIp(ip));
            assert_eq!(
                send(&layer, req).await.status(),
                StatusCode::OK,
                "{ip} request {}",
                i + 1
            );
        }
    }
}

#[tokio::test]
async fn a_bad_allow_list_network_is_a_precise_config_error() {
    let err = BotDetectionLayer::from_config(&DetectConfig {
        allow_ips: vec!["10.0.0.0/8".into(), "10.0.0.0/40".into()],
        ..DetectConfig::default()
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "detect.allow_ips[1]: `10.0.0.0/40` is not an IP address or CIDR (bad prefix length)"
    );
}

#[tokio::test]
async fn an_empty_allow_list_user_agent_is_rejected() {
    let err = BotDetectionLayer::from_config(&DetectConfig {
        allow_user_agents: vec![" ".into()],
        ..DetectConfig::default()
    })
    .unwrap_err();
    assert_eq!(err, DetectConfigError::EmptyUserAgent { index: 0 });
    assert!(err.to_string().contains("would allow every client"));
}

#[test]
fn detect_config_deserializes_and_rejects_unknown_keys() {
    let c: DetectConfig = from_json(
        r#"{"mode":"block","block_classes":["scanner","script"],"allow_ips":["10.0.0.0/8"]}"#,
    )
    .unwrap();
    assert_eq!(c.mode, DetectMode::Block);
    assert_eq!(c.block_classes, vec![BotClass::Scanner, BotClass::Script]);
    assert!(from_json(r#"{"mode":"block","blok":true}"#).is_err());
}

fn from_json(json: &str) -> Result<DetectConfig, serde_json::Error> {
    serde_json::from_str(json)
}

/// Counts the log lines written through it.
#[derive(Clone, Default)]
struct Lines(Arc<std::sync::Mutex<Vec<String>>>);

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(buf).into_owned());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_scanner_flood_writes_a_bounded_number_of_log_lines() {
    // A process-wide subscriber, not a thread-local `with_default` one: the other tests of
    // this binary hit the same log callsite on their threads at the same time, and a
    // callsite whose interest is cached while only they are looking can miss this thread's
    // subscriber (seen once in CI as no line at all). Lines are told apart by their path.
    const PATH: &str = "/flood-probe-5b1e";
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let layer = BotDetectionLayer::new(DetectMode::Log);
        for _ in 0..500 {
            let resp = send(&layer, request(PATH, Some("sqlmap/1.8"))).await;
            assert_eq!(resp.status(), StatusCode::OK);
        }
    });
    let written: Vec<String> = lines
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("bot detected") && l.contains(PATH))
        .cloned()
        .collect();
    // 10 lines a second; the flood may straddle one second boundary (or a few, on a slow
    // machine), never 500 lines.
    assert!(!written.is_empty());
    assert!(written.len() <= 60, "{} lines", written.len());
    assert!(written[0].contains("left_out=0"), "{}", written[0]);
}
