//! `BotDetectionLayer`: bot and scanner detection as a tower layer for axum apps.
//!
//! Modes ([`DetectMode`]):
//! - `log`: classify and log bots (`tracing`, target `warden::detect`); change nothing.
//! - `tag`: also put the [`super::Verdict`] into the request extensions (handlers read it with
//!   `Extension<Verdict>`) and answer with a response header `x-warden-bot: <class>`.
//! - `block`: as `tag`, and answer `403` with
//!   `{"error":{"code":"bot_blocked","message":…}}` when the class is one of
//!   `block_classes` (default: `scanner`).
//!
//! Known-good clients (monitors, partners) are allow-listed by user-agent substring or by
//! client IP / CIDR: they are classified and tagged but never blocked and not counted for
//! velocity. The client IP is the peer address (`axum::extract::ConnectInfo<SocketAddr>` or a
//! [`ClientIp`] extension set by an earlier layer); with `trust_forwarded_for` it is the
//! right-most `X-Forwarded-For` entry, i.e. the one appended by the trusted proxy.
//!
//! A velocity-store failure does not block anyone: detection is a heuristic, not an
//! authorization decision, so the request is classified without velocity and the failure is
//! logged (`warn`).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use axum::body::Body;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, USER_AGENT};
use http::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use tower::{Layer, Service};

use super::classifier::{BotClass, BotClassifier, ClassifierConfig, Reason, RequestFacts};
use super::log_budget::{LogBudget, SCANNER_LINES_PER_SECOND};
use super::velocity::{VelocityTracker, DEFAULT_VELOCITY_WINDOW_SECS};

/// The response header carrying the class in `tag` and `block` modes.
pub const BOT_HEADER: &str = "x-warden-bot";

/// What the layer does with a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectMode {
    /// Log bots; change nothing.
    Log,
    /// Add the verdict as a request extension and the `x-warden-bot` response header.
    #[default]
    Tag,
    /// Tag, and answer 403 for the blocked classes.
    Block,
}

/// The client IP as seen by an earlier layer (e.g. a PROXY-protocol acceptor). Takes
/// precedence over `ConnectInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The `[detect]` section of `warden.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectConfig {
    /// `log`, `tag` (default) or `block`.
    pub mode: DetectMode,
    /// Classes answered with 403 in `block` mode (default `["scanner"]`).
    pub block_classes: Vec<BotClass>,
    /// User-agent substrings (case-insensitive) of clients never blocked.
    pub allow_user_agents: Vec<String>,
    /// IPs or CIDRs (`10.0.0.0/8`, `2001:db8::/32`) of clients never blocked.
    pub allow_ips: Vec<String>,
    /// Take the client IP from the right-most `X-Forwarded-For` entry (default false).
    pub trust_forwarded_for: bool,
    /// Sliding-window length for velocity (default 60 s).
    pub velocity_window_secs: u64,
    /// More than this many requests per minute from one client is high velocity (default 30).
    pub max_requests_per_minute: u64,
    /// Chrome/Firefox majors below this are outdated (default 120).
    pub min_browser_major: u32,
    /// Treat `/admin`, `/uploads`, `/config/`, `/identity` as probes (default true).
    pub generic_paths_are_probes: bool,
}

impl Default for DetectConfig {
    fn default() -> Self {
        let c = ClassifierConfig::default();
        Self {
            mode: DetectMode::default(),
            block_classes: vec![BotClass::Scanner],
            allow_user_agents: Vec::new(),
            allow_ips: Vec::new(),
            trust_forwarded_for: false,
            velocity_window_secs: DEFAULT_VELOCITY_WINDOW_SECS,
            max_requests_per_minute: c.max_requests_per_minute,
            min_browser_major: c.min_browser_major,
            generic_paths_are_probes: c.generic_paths_are_probes,
        }
    }
}

impl DetectConfig {
    /// The classifier settings of this configuration.
    pub fn classifier_config(&self) -> ClassifierConfig {
        ClassifierConfig {
            min_browser_major: self.min_browser_major,
            max_requests_per_minute: self.max_requests_per_minute,
            generic_paths_are_probes: self.generic_paths_are_probes,
        }
    }
}

/// A `[detect]` configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectConfigError {
    /// An `allow_ips` entry is neither an IP address nor a CIDR.
    #[error("detect.allow_ips[{index}]: `{value}` is not an IP address or CIDR ({reason})")]
    BadNetwork {
        /// Position in the list.
        index: usize,
        /// The entry.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An `allow_user_agents` entry is empty (it would allow everyone).
    #[error("detect.allow_user_agents[{index}] is empty: it would allow every client")]
    EmptyUserAgent {
        /// Position in the list.
        index: usize,
    },
    /// `velocity_window_secs` is zero.
    #[error("detect.velocity_window_secs must be at least 1")]
    ZeroWindow,
}

/// An IP network (`addr/prefix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `1.2.3.4`, `1.2.3.0/24`, `2001:db8::1` or `2001:db8::/32`.
    pub fn parse(text: &str) -> Result<IpNet, &'static str> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| "bad address")?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or("bad prefix length")?,
        };
        Ok(IpNet { addr, prefix })
    }

    /// True when `ip` is inside the network (IPv4-mapped IPv6 addresses match IPv4 nets).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(
                u128::from(u32::from(net)) << 96,
                u128::from(u32::from(ip)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(u128::from(net), u128::from(ip), self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, prefix: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let mask = u128::MAX << (128 - u32::from(prefix.min(128)));
    a & mask == b & mask
}

/// The compiled policy the layer runs.
#[derive(Debug, Clone)]
struct Policy {
    classifier: BotClassifier,
    mode: DetectMode,
    block: [bool; 5],
    allow_agents: Option<AhoCorasick>,
    allow_nets: Vec<IpNet>,
    trust_forwarded_for: bool,
    velocity: Option<VelocityTracker>,
    /// INFO lines for scanner verdicts, per second.
    scanner_lines: Arc<LogBudget>,
    /// Told every verdict's class (e.g. to count verdicts in metrics).
    observer: Option<VerdictObserver>,
}

/// A callback told the class of every verdict the layer reaches.
#[derive(Clone)]
struct VerdictObserver(Arc<dyn Fn(BotClass) + Send + Sync>);

impl std::fmt::Debug for VerdictObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerdictObserver")
    }
}

impl Policy {
    fn allowed(&self, user_agent: Option<&str>, ip: Option<IpAddr>) -> bool {
        let by_agent = match (&self.allow_agents, user_agent) {
            (Some(ac), Some(ua)) => ac.is_match(ua),
            _ => false,
        };
        by_agent || ip.is_some_and(|ip| self.allow_nets.iter().any(|n| n.contains(ip)))
    }

    fn blocks(&self, class: BotClass) -> bool {
        self.block[class as usize]
    }
}

/// Tower layer running bot detection in front of an axum service.
#[derive(Debug, Clone)]
pub struct BotDetectionLayer {
    policy: Arc<Policy>,
}

impl BotDetectionLayer {
    /// A layer from a `[detect]` configuration (velocity is off until
    /// [`BotDetectionLayer::with_velocity`]).
    pub fn from_config(config: &DetectConfig) -> Result<Self, DetectConfigError> {
        if config.velocity_window_secs == 0 {
            return Err(DetectConfigError::ZeroWindow);
        }
        let mut block = [false; 5];
        for c in &config.block_classes {
            block[*c as usize] = true;
        }
        let mut agents = Vec::with_capacity(config.allow_user_agents.len());
        for (index, ua) in config.allow_user_agents.iter().enumerate() {
            if ua.trim().is_empty() {
                return Err(DetectConfigError::EmptyUserAgent { index });
            }
            agents.push(ua.as_str());
        }
        let allow_agents = if agents.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&agents)
                .ok()
        };
        let mut allow_nets = Vec::with_capacity(config.allow_ips.len());
        for (index, value) in config.allow_ips.iter().enumerate() {
            let net = IpNet::parse(value).map_err(|reason| DetectConfigError::BadNetwork {
                index,
                value: value.clone(),
                reason,
            })?;
            allow_nets.push(net);
        }
        Ok(Self {
            policy: Arc::new(Policy {
                classifier: BotClassifier::new(config.classifier_config()),
                mode: config.mode,
                block,
                allow_agents,
                allow_nets,
                trust_forwarded_for: config.trust_forwarded_for,
                velocity: None,
                scanner_lines: Arc::new(LogBudget::new(SCANNER_LINES_PER_SECOND)),
                observer: None,
            }),
        })
    }

    /// A layer in `mode` with every other setting at its default (blocks scanners in
    /// `block` mode, no allow-lists, no velocity).
    pub fn new(mode: DetectMode) -> Self {
        let mut block = [false; 5];
        block[BotClass::Scanner as usize] = true;
        Self {
            policy: Arc::new(Policy {
                classifier: BotClassifier::default(),
                mode,
                block,
                allow_agents: None,
                allow_nets: Vec::new(),
                trust_forwarded_for: false,
                velocity: None,
                scanner_lines: Arc::new(LogBudget::new(SCANNER_LINES_PER_SECOND)),
                observer: None,
            }),
        }
    }

    /// Counts requests per client IP with `tracker` (its window and threshold apply).
    pub fn with_velocity(mut self, tracker: VelocityTracker) -> Self {
        Arc::make_mut(&mut self.policy).velocity = Some(tracker);
        self
    }

    /// Calls `observer` with the class of every verdict (human ones included), e.g. to
    /// count verdicts in metrics. It runs on the request path: keep it cheap.
    pub fn with_observer(mut self, observer: impl Fn(BotClass) + Send + Sync + 'static) -> Self {
        Arc::make_mut(&mut self.policy).observer = Some(VerdictObserver(Arc::new(observer)));
        self
    }
}

impl<S> Layer<S> for BotDetectionLayer {
    type Service = BotDetection<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BotDetection {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// The service produced by [`BotDetectionLayer`].
#[derive(Debug, Clone)]
pub struct BotDetection<S> {
    inner: S,
    policy: Arc<Policy>,
}

fn client_ip<B>(req: &Request<B>, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        // Only the right-most entry was written by the trusted proxy; anything left of it
        // is client-controlled, so an unparsable right-most entry is not skipped over.
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|s| s.trim().parse::<IpAddr>().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    if let Some(ClientIp(ip)) = req.extensions().get::<ClientIp>() {
        return Some(*ip);
    }
    req.extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

fn blocked_response(class: BotClass) -> Response<Body> {
    let body = serde_json::json!({
        "error": {
            "code": "bot_blocked",
            "message": format!("request refused: classified as {class}"),
        }
    });
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = StatusCode::FORBIDDEN;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp.headers_mut().insert(
        HeaderName::from_static(BOT_HEADER),
        HeaderValue::from_static(class.as_str()),
    );
    resp
}

impl<S, B> Service<Request<B>> for BotDetection<S>
where
    S: Service<Request<B>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let policy = self.policy.clone();
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let ip = client_ip(&req, policy.trust_forwarded_for);
            let allowed = {
                let ua = req
                    .headers()
                    .get(USER_AGENT)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()));
                policy.allowed(ua.as_deref(), ip)
            };
            let velocity = match (&policy.velocity, ip) {
                // Loopback peers are the host's own processes (a coding agent's hook, a
                // reverse proxy that does not forward the client address): one address for
                // all of them, so a request rate says nothing about any one client.
                (Some(tracker), Some(ip)) if !allowed && !ip.to_canonical().is_loopback() => {
                    match tracker
                        .observe(&ip.to_string(), crate::time::now_millis())
                        .await
                    {
                        Ok(v) => Some(v),
                        Err(e) => {
                            tracing::warn!(target: "warden::detect", error = %e, "velocity store unavailable; classifying without velocity");
                            None
                        }
                    }
                }
                _ => None,
            };
            let mut verdict = {
                let ua = req
                    .headers()
                    .get(USER_AGENT)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()));
                let path = req
                    .uri()
                    .path_and_query()
                    .map_or_else(|| req.uri().path(), |pq| pq.as_str());
                policy.classifier.classify(&RequestFacts {
                    path: Some(path),
                    user_agent: ua.as_deref(),
                    velocity,
                })
            };
            if allowed {
                verdict.reasons.push(Reason::AllowListed);
            }
            if let Some(observe) = &policy.observer {
                (observe.0)(verdict.class);
            }
            // Scanners are worth an operator's attention (within a line budget: a flood is
            // one scanner verdict per request); crawlers and scripts are routine.
            if verdict.class == BotClass::Scanner {
                if let Some(left_out) = policy.scanner_lines.take(crate::time::now_millis()) {
                    tracing::info!(
                        target: "warden::detect",
                        class = verdict.class.as_str(),
                        reasons = ?verdict.reasons,
                        path = req.uri().path(),
                        left_out,
                        "bot detected"
                    );
                }
            } else if verdict.is_bot() {
                tracing::debug!(
                    target: "warden::detect",
                    class = verdict.class.as_str(),
                    reasons = ?verdict.reasons,
                    path = req.uri().path(),
                    "bot detected"
                );
            }
            match policy.mode {
                DetectMode::Log => inner.call(req).await,
                DetectMode::Tag | DetectMode::Block => {
                    if policy.mode == DetectMode::Block && !allowed && policy.blocks(verdict.class)
                    {
                        return Ok(blocked_response(verdict.class));
                    }
                    req.extensions_mut().insert(verdict);
                    let mut resp = inner.call(req).await?;
                    resp.headers_mut().insert(
                        HeaderName::from_static(BOT_HEADER),
                        HeaderValue::from_static(verdict.class.as_str()),
                    );
                    Ok(resp)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_contains_its_addresses_only() {
        let net = IpNet::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()));
        let v6 = IpNet::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:1::5".parse().unwrap()));
        assert!(!v6.contains("2001:db9::5".parse().unwrap()));
        assert!(IpNet::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn exact_ip_is_a_full_length_prefix() {
        let net = IpNet::parse("192.0.2.7").unwrap();
        assert!(net.contains("192.0.2.7".parse().unwrap()));
        assert!(!net.contains("192.0.2.8".parse().unwrap()));
    }

    #[test]
    fn bad_networks_are_rejected() {
        assert_eq!(IpNet::parse("10.0.0.0/33"), Err("bad prefix length"));
        assert_eq!(IpNet::parse("example.com"), Err("bad address"));
    }
}
