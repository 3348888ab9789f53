//! Remote JWKS for federated issuers (SPEC §3).
//!
//! - Each trusted issuer is registered with its JWKS URL; the URL must be `https://` and its
//!   host must be on the allowlist (exact host, or `*.example.com` for subdomains). There is no
//!   way to allow plain HTTP: tests use a fake [`JwksFetcher`].
//! - A fetched set is cached for its `Cache-Control: max-age`, clamped to [30 s, 1 h]
//!   (300 s when the header is absent; `no-store`/`no-cache` count as the 30 s minimum).
//! - A token whose `kid` is not in the cached set triggers a refetch, at most once per 10 s
//!   per issuer (so unknown-kid floods cannot hammer the issuer).
//! - When a refetch fails, the previously fetched set keeps serving (the issuer's keys did
//!   not become invalid because its endpoint is down); with nothing cached the error is
//!   returned and validation fails closed.
//! - The HTTP fetcher ([`HttpJwksFetcher`], feature `remote-jwks`) uses one shared `reqwest`
//!   client (rustls) per process, no redirects, a 1 MiB body cap and a 5 s timeout.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use warden_types::JwtClaims;

use super::KeySet;
use crate::jwt::{decode_unverified, JwtError, TokenValidator, ValidationOptions};

/// Smallest cache lifetime honoured.
pub const MIN_MAX_AGE: Duration = Duration::from_secs(30);
/// Largest cache lifetime honoured.
pub const MAX_MAX_AGE: Duration = Duration::from_secs(3600);
/// Cache lifetime when the response has no `max-age`.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);
/// Minimum interval between two unknown-`kid` refetches of one issuer.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(10);
/// Largest JWKS body accepted.
pub const MAX_JWKS_BYTES: usize = 1 << 20;

/// What went wrong with a remote JWKS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteJwksError {
    /// The URL is not `https://host/...`.
    #[error("JWKS URL must be https:// with a host: {0:?}")]
    NotHttps(String),
    /// The URL's host is not on the allowlist.
    #[error("JWKS host {0:?} is not on the allowlist")]
    HostNotAllowed(String),
    /// The issuer is not registered.
    #[error("issuer {0:?} is not a trusted federated issuer")]
    UnknownIssuer(String),
    /// Fetching failed.
    #[error("fetching JWKS failed: {0}")]
    Fetch(String),
    /// The body is not a usable JWKS.
    #[error("invalid JWKS: {0}")]
    Invalid(String),
}

/// A fetched JWKS document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedJwks {
    /// The body.
    pub body: String,
    /// The `Cache-Control` header value, if any.
    pub cache_control: Option<String>,
}

/// Fetches a JWKS URL (already checked to be HTTPS and allowlisted).
#[async_trait::async_trait]
pub trait JwksFetcher: Send + Sync {
    /// GETs `url`.
    async fn fetch(&self, url: &str) -> Result<FetchedJwks, RemoteJwksError>;
}

/// The cache lifetime for a `Cache-Control` value, clamped to [30 s, 1 h].
pub fn cache_lifetime(cache_control: Option<&str>) -> Duration {
    let Some(cc) = cache_control else {
        return DEFAULT_MAX_AGE;
    };
    let mut age = None;
    for directive in cc.split(',') {
        let d = directive.trim().to_ascii_lowercase();
        if d == "no-store" || d == "no-cache" {
            return MIN_MAX_AGE;
        }
        if let Some(v) = d.strip_prefix("max-age=") {
            age = v
                .trim_matches('"')
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs);
        }
    }
    age.unwrap_or(DEFAULT_MAX_AGE)
        .clamp(MIN_MAX_AGE, MAX_MAX_AGE)
}

/// The host of an `https://` URL (lowercased), refusing userinfo and other schemes.
pub fn https_host(url: &str) -> Result<String, RemoteJwksError> {
    let bad = || RemoteJwksError::NotHttps(crate::jwt::quote_for_error(url));
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') && port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok(host.to_ascii_lowercase())
}

fn host_allowed(host: &str, allowlist: &[String]) -> bool {
    allowlist.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        match a.strip_prefix("*.") {
            Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
            None => host == a,
        }
    })
}

struct Entry {
    url: String,
    keys: Option<Arc<KeySet>>,
    expires_at: Option<Instant>,
    last_fetch: Option<Instant>,
}

/// Cached JWKS of federated issuers.
pub struct RemoteJwks<F: JwksFetcher> {
    fetcher: F,
    allowlist: Vec<String>,
    issuers: Mutex<HashMap<String, Entry>>,
}

impl<F: JwksFetcher> std::fmt::Debug for RemoteJwks<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("allowlist", &self.allowlist)
            .field(
                "issuers",
                &self.issuers.lock().keys().cloned().collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl<F: JwksFetcher> RemoteJwks<F> {
    /// A cache using `fetcher`, accepting JWKS URLs on `allowlist` hosts only.
    pub fn new(fetcher: F, allowlist: Vec<String>) -> Self {
        RemoteJwks {
            fetcher,
            allowlist,
            issuers: Mutex::new(HashMap::new()),
        }
    }

    /// Trusts `issuer`, whose keys are published at `jwks_url` (HTTPS, allowlisted host).
    pub fn add_issuer(&self, issuer: &str, jwks_url: &str) -> Result<(), RemoteJwksError> {
        let host = https_host(jwks_url)?;
        if !host_allowed(&host, &self.allowlist) {
            return Err(RemoteJwksError::HostNotAllowed(host));
        }
        self.issuers.lock().insert(
            issuer.to_owned(),
            Entry {
                url: jwks_url.to_owned(),
                keys: None,
                expires_at: None,
                last_fetch: None,
            },
        );
        Ok(())
    }

    /// The key set of `issuer` as of `now`: cached until its lifetime ends; when `kid` is
    /// given and missing from the cached set, refetched at most once per 10 s.
    pub async fn keys_at(
        &self,
        issuer: &str,
        kid: Option<&str>,
        now: Instant,
    ) -> Result<Arc<KeySet>, RemoteJwksError> {
        let url = {
            let mut map = self.issuers.lock();
            let e = map.get_mut(issuer).ok_or_else(|| {
                RemoteJwksError::UnknownIssuer(crate::jwt::quote_for_error(issuer))
            })?;
            let fresh = e.expires_at.is_some_and(|t| now < t);
            let kid_missing = match (&e.keys, kid) {
                (Some(k), Some(kid)) => k.get(kid).is_none(),
                _ => false,
            };
            let may_refetch = e
                .last_fetch
                .is_none_or(|t| now.saturating_duration_since(t) >= REFETCH_INTERVAL);
            match (&e.keys, fresh, kid_missing, may_refetch) {
                (Some(k), true, false, _) => return Ok(Arc::clone(k)),
                (Some(k), _, _, false) => return Ok(Arc::clone(k)),
                (None, _, _, false) => {
                    return Err(RemoteJwksError::Fetch(
                        "previous fetch failed; retrying later".into(),
                    ))
                }
                _ => {}
            }
            // Record the attempt before awaiting so concurrent callers respect the interval.
            e.last_fetch = Some(now);
            e.url.clone()
        };
        let fetched = self.fetcher.fetch(&url).await.and_then(|f| {
            if f.body.len() > MAX_JWKS_BYTES {
                return Err(RemoteJwksError::Invalid("body exceeds 1 MiB".into()));
            }
            let keys = KeySet::from_json_lenient(&f.body)
                .map_err(|e| RemoteJwksError::Invalid(e.to_string()))?;
            Ok((keys, cache_lifetime(f.cache_control.as_deref())))
        });
        let mut map = self.issuers.lock();
        let e = map
            .get_mut(issuer)
            .ok_or_else(|| RemoteJwksError::UnknownIssuer(crate::jwt::quote_for_error(issuer)))?;
        match fetched {
            Ok((keys, ttl)) => {
                let keys = Arc::new(keys);
                e.keys = Some(Arc::clone(&keys));
                e.expires_at = Some(now + ttl);
                Ok(keys)
            }
            Err(err) => {
                tracing::warn!(issuer, error = %err, "JWKS fetch failed");
                e.keys.clone().ok_or(err)
            }
        }
    }

    /// Validates a token of a registered issuer: its unverified `iss` selects the issuer (and
    /// is then pinned), its `kid` the key; `options.issuer` is ignored.
    pub async fn validate(
        &self,
        token: &str,
        options: &ValidationOptions,
    ) -> Result<Arc<JwtClaims>, FederatedError> {
        let unverified = decode_unverified(token)?;
        let iss = unverified.claims["iss"]
            .as_str()
            .ok_or(JwtError::MissingClaim("iss"))?
            .to_owned();
        let kid = unverified.header["kid"].as_str().map(str::to_owned);
        let keys = self.keys_at(&iss, kid.as_deref(), Instant::now()).await?;
        let mut opts = options.clone();
        opts.issuer = Some(iss);
        Ok(TokenValidator::new(keys)
            .with_options(opts)
            .validate(token)?)
    }
}

/// A federated validation failed: the token, or fetching its issuer's keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederatedError {
    /// The token is invalid.
    #[error(transparent)]
    Token(#[from] JwtError),
    /// The issuer's keys are unavailable.
    #[error(transparent)]
    Keys(#[from] RemoteJwksError),
}

/// The HTTPS fetcher: one shared `reqwest` client per process (rustls, no redirects, 5 s
/// timeout, 1 MiB body cap).
#[cfg(feature = "remote-jwks")]
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpJwksFetcher;

#[cfg(feature = "remote-jwks")]
fn shared_client() -> Result<&'static reqwest::Client, RemoteJwksError> {
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, String>> =
        std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .https_only(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(5))
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| RemoteJwksError::Fetch(e.clone()))
}

#[cfg(feature = "remote-jwks")]
#[async_trait::async_trait]
impl JwksFetcher for HttpJwksFetcher {
    async fn fetch(&self, url: &str) -> Result<FetchedJwks, RemoteJwksError> {
        https_host(url)?;
        let mut resp = shared_client()?
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| RemoteJwksError::Fetch(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(RemoteJwksError::Fetch(format!("HTTP {}", resp.status())));
        }
        let cache_control = resp
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| RemoteJwksError::Fetch(e.to_string()))?
        {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(RemoteJwksError::Invalid("body exceeds 1 MiB".into()));
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body)
            .map_err(|_| RemoteJwksError::Invalid("body is not UTF-8".into()))?;
        Ok(FetchedJwks {
            body,
            cache_control,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::keys::{Algorithm, KeySet};

    struct Fake {
        doc: Mutex<Result<FetchedJwks, RemoteJwksError>>,
        calls: AtomicUsize,
    }

    impl Fake {
        fn new(set: &KeySet, cc: Option<&str>) -> Self {
            Fake {
                doc: Mutex::new(Ok(FetchedJwks {
                    body: set.public_jwks().to_string(),
                    cache_control: cc.map(str::to_owned),
                })),
                calls: AtomicUsize::new(0),
            }
        }
        fn set(&self, set: &KeySet) {
            *self.doc.lock() = Ok(FetchedJwks {
                body: set.public_jwks().to_string(),
                cache_control: None,
            });
        }
        fn fail(&self) {
            *self.doc.lock() = Err(RemoteJwksError::Fetch("down".into()));
        }
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    #[async_trait::async_trait]
    impl JwksFetcher for Arc<Fake> {
        async fn fetch(&self, _url: &str) -> Result<FetchedJwks, RemoteJwksError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.doc.lock().clone()
        }
    }

    fn gen() -> KeySet {
        KeySet::generate(Algorithm::EdDSA).unwrap_or_else(|e| panic!("{e}"))
    }

    fn remote(fake: &Arc<Fake>) -> RemoteJwks<Arc<Fake>> {
        let r = RemoteJwks::new(Arc::clone(fake), vec!["idp.example.com".into()]);
        r.add_issuer(
            "https://idp.example.com",
            "https://idp.example.com/jwks.json",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        r
    }

    #[test]
    fn max_age_is_clamped() {
        assert_eq!(cache_lifetime(Some("max-age=5")), MIN_MAX_AGE);
        assert_eq!(
            cache_lifetime(Some("public, max-age=600")),
            Duration::from_secs(600)
        );
        assert_eq!(cache_lifetime(Some("max-age=86400")), MAX_MAX_AGE);
        assert_eq!(cache_lifetime(None), DEFAULT_MAX_AGE);
        assert_eq!(cache_lifetime(Some("no-store")), MIN_MAX_AGE);
        assert_eq!(cache_lifetime(Some("max-age=abc")), DEFAULT_MAX_AGE);
    }

    #[test]
    fn only_https_urls_are_accepted() {
        assert_eq!(
            https_host("https://IdP.example.com:8443/x").ok(),
            Some("idp.example.com".into())
        );
        assert!(https_host("http://idp.example.com/x").is_err());
        assert!(https_host("https://user@idp.example.com/x").is_err());
        assert!(https_host("https:///x").is_err());
        assert!(https_host("file:///etc/passwd").is_err());
    }

    #[test]
    fn host_allowlist_is_enforced() {
        let fake = Arc::new(Fake::new(&gen(), None));
        let r = RemoteJwks::new(fake, vec!["*.example.com".into(), "login.acme.io".into()]);
        assert!(r.add_issuer("a", "https://idp.example.com/j").is_ok());
        assert!(r.add_issuer("b", "https://login.acme.io/j").is_ok());
        assert_eq!(
            r.add_issuer("c", "https://example.com.evil.io/j"),
            Err(RemoteJwksError::HostNotAllowed(
                "example.com.evil.io".into()
            ))
        );
        assert!(r.add_issuer("d", "https://example.com/j").is_err());
        assert!(matches!(
            r.add_issuer("e", "http://idp.example.com/j"),
            Err(RemoteJwksError::NotHttps(_))
        ));
    }

    #[tokio::test]
    async fn cached_until_max_age() {
        let fake = Arc::new(Fake::new(&gen(), Some("max-age=60")));
        let r = remote(&fake);
        let t0 = Instant::now();
        r.keys_at("https://idp.example.com", None, t0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        r.keys_at(
            "https://idp.example.com",
            None,
            t0 + Duration::from_secs(59),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fake.calls(), 1);
        r.keys_at(
            "https://idp.example.com",
            None,
            t0 + Duration::from_secs(61),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fake.calls(), 2);
    }

    #[tokio::test]
    async fn unknown_kid_refetches_at_most_every_10_seconds() {
        let first = gen();
        let fake = Arc::new(Fake::new(&first, Some("max-age=3600")));
        let r = remote(&fake);
        let t0 = Instant::now();
        let iss = "https://idp.example.com";
        r.keys_at(iss, None, t0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let rotated = gen();
        let new_kid = rotated.keys()[0].kid().to_owned();
        fake.set(&rotated);
        // Within 10 s of the last fetch: no refetch, the old set answers.
        let k = r
            .keys_at(iss, Some(&new_kid), t0 + Duration::from_secs(5))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(k.get(&new_kid).is_none());
        assert_eq!(fake.calls(), 1);
        // After 10 s: one refetch finds the new key.
        let k = r
            .keys_at(iss, Some(&new_kid), t0 + Duration::from_secs(10))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(k.get(&new_kid).is_some());
        assert_eq!(fake.calls(), 2);
        // A flood of unknown kids right after does not refetch.
        for i in 0..50 {
            let _ = r
                .keys_at(
                    iss,
                    Some(&format!("bogus-{i}")),
                    t0 + Duration::from_secs(11),
                )
                .await;
        }
        assert_eq!(fake.calls(), 2);
    }

    #[tokio::test]
    async fn failed_refetch_keeps_serving_previous_keys() {
        let fake = Arc::new(Fake::new(&gen(), Some("max-age=30")));
        let r = remote(&fake);
        let t0 = Instant::now();
        let iss = "https://idp.example.com";
        r.keys_at(iss, None, t0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        fake.fail();
        assert!(r
            .keys_at(iss, None, t0 + Duration::from_secs(31))
            .await
            .is_ok());
        assert_eq!(fake.calls(), 2);
    }

    #[tokio::test]
    async fn first_fetch_failure_fails_closed() {
        let fake = Arc::new(Fake::new(&gen(), None));
        fake.fail();
        let r = remote(&fake);
        assert!(r
            .keys_at("https://idp.example.com", None, Instant::now())
            .await
            .is_err());
    }

    #[tokio::test]
    async fn unregistered_issuer_is_refused() {
        let fake = Arc::new(Fake::new(&gen(), None));
        let r = remote(&fake);
        assert!(matches!(
            r.keys_at("https://other", None, Instant::now()).await,
            Err(RemoteJwksError::UnknownIssuer(_))
        ));
        assert_eq!(fake.calls(), 0);
    }

    #[tokio::test]
    async fn validates_federated_token() {
        let idp = gen();
        let fake = Arc::new(Fake::new(&idp, None));
        let r = remote(&fake);
        let key = idp.active_key().unwrap_or_else(|| panic!("no key"));
        let now = crate::time::now_secs();
        let claims: JwtClaims = serde_json::from_value(serde_json::json!({
            "sub": "fed-user", "exp": now + 60, "iss": "https://idp.example.com", "aud": "api"
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let token = crate::jwt::encode(&claims, key).unwrap_or_else(|e| panic!("{e}"));
        let opts = ValidationOptions {
            audiences: vec!["api".into()],
            ..ValidationOptions::default()
        };
        let c = r
            .validate(&token, &opts)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.sub, "fed-user");
        let other = gen();
        let forged = crate::jwt::encode(&claims, other.active_key().unwrap_or_else(|| panic!()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.validate(&forged, &opts).await.is_err());
    }
}
