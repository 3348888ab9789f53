//! Cross-cutting middleware: panics become JSON 500s, a per-request timeout answers JSON 504,
//! every request is counted by route and status class, and error answers that axum produces
//! itself (unknown route, wrong method, a raw body over the limit, a bad query string) get the
//! same JSON error shape as the API's own.

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

use crate::error::ApiError;
use crate::metrics::{HttpLabels, Metrics};

/// Turns a handler panic into a JSON 500 (the server keeps running). The panic payload is
/// not echoed: it could contain request data.
pub fn panic_response(_payload: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::internal("internal error").into_response()
}

/// Layer that bounds every request by a deadline (a JSON 504 `timeout` past it), counts it
/// by route template and status class, and gives every error answer the JSON shape
/// `{"error":{"code","message"}}` (see [`json_error`]).
///
/// One plain tower layer rather than `axum::middleware::from_fn` functions: `from_fn`
/// clones and boxes the whole inner stack on every request. The response future is boxed
/// only on the rare path that rewrites a non-JSON error body.
#[derive(Debug, Clone)]
pub struct RequestEnvelopeLayer {
    metrics: Arc<Metrics>,
    timeout: Duration,
    max_body_bytes: Option<u64>,
}

impl RequestEnvelopeLayer {
    /// Counts into `metrics`; answers 504 after `timeout`.
    pub fn new(metrics: Arc<Metrics>, timeout: Duration) -> Self {
        Self {
            metrics,
            timeout,
            max_body_bytes: None,
        }
    }

    /// Answers 413 at once to a request whose `Content-Length` exceeds `max`, before its
    /// body is read (nor `100 Continue` sent): the body limit itself applies while reading.
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = u64::try_from(max).ok();
        self
    }
}

impl<S> Layer<S> for RequestEnvelopeLayer {
    type Service = RequestEnvelope<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequestEnvelope {
            inner,
            metrics: self.metrics.clone(),
            timeout: self.timeout,
            max_body_bytes: self.max_body_bytes,
        }
    }
}

/// Service of [`RequestEnvelopeLayer`].
#[derive(Debug, Clone)]
pub struct RequestEnvelope<S> {
    inner: S,
    metrics: Arc<Metrics>,
    timeout: Duration,
    max_body_bytes: Option<u64>,
}

impl<S> Service<Request> for RequestEnvelope<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EnvelopeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
        // An oversized request target or header block (`request_head`): a JSON 414 / 431.
        if let Err(e) = crate::request_head::check(&req) {
            return EnvelopeFuture {
                state: EnvelopeState::Refused {
                    resp: Some(e.into_response()),
                },
                metrics: self.metrics.clone(),
                route,
            };
        }
        if let Some(max) = self.max_body_bytes {
            let declared = req
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            if declared.is_some_and(|n| n > max) {
                return EnvelopeFuture {
                    state: EnvelopeState::Refused {
                        resp: Some(
                            ApiError::new(
                                StatusCode::PAYLOAD_TOO_LARGE,
                                "payload_too_large",
                                "request body exceeds the size limit",
                            )
                            .into_response(),
                        ),
                    },
                    metrics: self.metrics.clone(),
                    route,
                };
            }
        }
        EnvelopeFuture {
            state: EnvelopeState::Running {
                inner: tokio::time::timeout(self.timeout, self.inner.call(req)),
            },
            metrics: self.metrics.clone(),
            route,
        }
    }
}

pin_project_lite::pin_project! {
    /// Response future of [`RequestEnvelope`].
    pub struct EnvelopeFuture<F> {
        #[pin]
        state: EnvelopeState<F>,
        metrics: Arc<Metrics>,
        route: String,
    }
}

pin_project_lite::pin_project! {
    /// The inner call under its deadline, then (rarely) the rewrite of a non-JSON error.
    #[project = EnvelopeStateProj]
    enum EnvelopeState<F> {
        Running { #[pin] inner: tokio::time::Timeout<F> },
        Refused { resp: Option<Response> },
        Rewriting { rewrite: Pin<Box<dyn Future<Output = Response> + Send>> },
    }
}

impl<F> Future for EnvelopeFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let resp = match this.state.as_mut().project() {
                EnvelopeStateProj::Running { inner } => match ready!(inner.poll(cx)) {
                    Ok(Ok(resp)) => resp,
                    Ok(Err(never)) => match never {},
                    Err(_) => ApiError::new(
                        StatusCode::GATEWAY_TIMEOUT,
                        "timeout",
                        "request took longer than the server's timeout",
                    )
                    .into_response(),
                },
                EnvelopeStateProj::Refused { resp } => match resp.take() {
                    Some(resp) => resp,
                    // Polled again after it answered: nothing left to give.
                    None => return Poll::Pending,
                },
                EnvelopeStateProj::Rewriting { rewrite } => {
                    return rewrite.as_mut().poll(cx).map(Ok);
                }
            };
            let status = match resp.status().as_u16() {
                100..=199 => "1xx",
                200..=299 => "2xx",
                300..=399 => "3xx",
                400..=499 => "4xx",
                _ => "5xx",
            };
            this.metrics
                .http_requests
                .get_or_create(&HttpLabels {
                    route: std::mem::take(this.route),
                    status: status.to_owned(),
                })
                .inc();
            if resp.status().as_u16() < 400 || is_json(&resp) {
                return Poll::Ready(Ok(resp));
            }
            this.state.set(EnvelopeState::Rewriting {
                rewrite: Box::pin(json_error(resp)),
            });
        }
    }
}

fn is_json(resp: &Response) -> bool {
    resp.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let ct = ct.split(';').next().unwrap_or("").trim();
            ct.eq_ignore_ascii_case("application/json") || ct.ends_with("+json")
        })
}

/// Most bytes of a non-JSON error body kept as the message.
const MAX_REJECTION_TEXT: usize = 512;

/// Rewrites a non-JSON error answer (axum's plain-text rejections, empty 404/405 bodies) as
/// the API's JSON error with a stable code chosen by status. Headers such as `Allow` and
/// `WWW-Authenticate` are kept; axum's text, when short, becomes the message.
pub async fn json_error(resp: Response) -> Response {
    let (parts, body) = resp.into_parts();
    let status = parts.status;
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => "timeout",
        s if s.is_server_error() => "internal",
        _ => "invalid_request",
    };
    let text = match axum::body::to_bytes(body, MAX_REJECTION_TEXT).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_owned(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_owned()
    } else {
        text
    };
    let mut out = ApiError::new(status, code, message).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn app(metrics: Arc<Metrics>, timeout: Duration) -> Router {
        Router::new()
            .route("/ok/{id}", get(|| async { "fine" }))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .route(
                "/plain-error",
                get(|| async { (StatusCode::BAD_REQUEST, "no such thing") }),
            )
            .layer(RequestEnvelopeLayer::new(metrics, timeout))
    }

    async fn get_path(app: Router, path: &str) -> (StatusCode, serde_json::Value, Response) {
        let resp = app
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 16).await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, json, Response::from_parts(parts, Body::empty()))
    }

    fn count(metrics: &Metrics, route: &str, status: &str) -> u64 {
        metrics
            .http_requests
            .get_or_create(&HttpLabels {
                route: route.into(),
                status: status.into(),
            })
            .get()
    }

    #[tokio::test]
    async fn a_success_passes_through_and_is_counted_by_route_template() {
        let metrics = Arc::new(Metrics::new());
        let (status, _, _) = get_path(app(metrics.clone(), Duration::from_secs(5)), "/ok/7").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(count(&metrics, "/ok/{id}", "2xx"), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_past_the_deadline_is_a_json_504_counted_as_5xx() {
        let metrics = Arc::new(Metrics::new());
        let (status, body, _) =
            get_path(app(metrics.clone(), Duration::from_millis(50)), "/slow").await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(body["error"]["code"], "timeout");
        assert_eq!(count(&metrics, "/slow", "5xx"), 1);
    }

    #[tokio::test]
    async fn a_plain_text_error_gets_the_json_error_shape() {
        let metrics = Arc::new(Metrics::new());
        let (status, body, _) =
            get_path(app(metrics.clone(), Duration::from_secs(5)), "/plain-error").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "invalid_request");
        assert_eq!(body["error"]["message"], "no such thing");
        assert_eq!(count(&metrics, "/plain-error", "4xx"), 1);
    }

    #[tokio::test]
    async fn an_unknown_route_is_a_json_404() {
        let metrics = Arc::new(Metrics::new());
        let (status, body, resp) =
            get_path(app(metrics.clone(), Duration::from_secs(5)), "/nowhere").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "not_found");
        assert!(is_json(&resp));
    }
}
