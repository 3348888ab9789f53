//! The HTTP client towards upstream MCP servers: hyper-util's pooled HTTP/1.1 client (keep-alive,
//! `TCP_NODELAY`) over rustls with the ring provider and the webpki roots, for `http` and
//! `https` URLs. It follows no redirect (a redirect could carry injected credentials to another
//! host) and reads no proxy from the environment.
//!
//! One client per gateway, shared by every request; a request is one `http::Request` handed to
//! the pool, with no per-request client state to build (reqwest, used before, cloned its
//! connector stack and converted the URL on every request).

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::{BodyDataStream, BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Idle connections kept per upstream.
const POOL_MAX_IDLE_PER_HOST: usize = 256;

/// The shared upstream client.
#[derive(Clone)]
pub(crate) struct UpstreamClient {
    inner: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for UpstreamClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamClient").finish_non_exhaustive()
    }
}

/// A request that got no response (connection, TLS or protocol failure).
#[derive(Debug)]
pub(crate) struct SendError(hyper_util::client::legacy::Error);

impl SendError {
    /// True when no connection could be established.
    pub(crate) fn is_connect(&self) -> bool {
        self.0.is_connect()
    }
}

impl UpstreamClient {
    /// Builds the client.
    pub(crate) fn new() -> Result<Self, String> {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| e.to_string())?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let inner = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
            .build(https);
        Ok(Self { inner })
    }

    /// Sends one request (`Host` is set from `uri`).
    pub(crate) async fn send(
        &self,
        method: Method,
        uri: &Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<UpstreamResponse, SendError> {
        let mut request = http::Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri.clone();
        *request.headers_mut() = headers;
        self.inner
            .request(request)
            .await
            .map(UpstreamResponse)
            .map_err(SendError)
    }
}

/// An upstream response whose body has not been read yet.
#[derive(Debug)]
pub(crate) struct UpstreamResponse(http::Response<Incoming>);

impl UpstreamResponse {
    /// The status.
    pub(crate) fn status(&self) -> StatusCode {
        self.0.status()
    }

    /// The headers.
    pub(crate) fn headers(&self) -> &HeaderMap {
        self.0.headers()
    }

    /// The body length when the upstream announced it.
    pub(crate) fn content_length(&self) -> Option<u64> {
        hyper::body::Body::size_hint(self.0.body()).exact()
    }

    /// The next chunk of the body; `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, hyper::Error> {
        loop {
            match self.0.body_mut().frame().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(e),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                }
            }
        }
    }

    /// The body as a stream of chunks.
    pub(crate) fn bytes_stream(self) -> BodyDataStream<Incoming> {
        self.0.into_body().into_data_stream()
    }
}
