//! Trace propagation: every request gets a trace id (from `x-trace-id`, else `traceparent`,
//! else a new UUID), stored as a request extension and echoed in the `x-trace-id` response
//! header.
//!
//! A plain tower layer rather than `axum::middleware::from_fn`: `from_fn` clones and boxes
//! the whole inner stack on every request, and this runs on every request.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::Response;
use tower::{Layer, Service};
use warden_security::HeaderExtractor;
use warden_types::TraceId;

/// The response header that echoes the trace id.
const TRACE_HEADER: &str = "x-trace-id";

/// Layer: see the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct PropagateTraceIdLayer;

impl<S> Layer<S> for PropagateTraceIdLayer {
    type Service = PropagateTraceId<S>;
    fn layer(&self, inner: S) -> Self::Service {
        PropagateTraceId { inner }
    }
}

/// Service of [`PropagateTraceIdLayer`].
#[derive(Debug, Clone)]
pub struct PropagateTraceId<S> {
    inner: S,
}

impl<S> Service<Request> for PropagateTraceId<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = TraceIdFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let trace_id = HeaderExtractor::extract_trace_id(req.headers());
        let header = HeaderValue::from_str(trace_id.as_str()).ok();
        req.extensions_mut().insert::<TraceId>(trace_id);
        TraceIdFuture {
            inner: self.inner.call(req),
            header,
        }
    }
}

pin_project_lite::pin_project! {
    /// Response future of [`PropagateTraceId`]: the inner response with `x-trace-id` set.
    pub struct TraceIdFuture<F> {
        #[pin]
        inner: F,
        header: Option<HeaderValue>,
    }
}

impl<F, E> Future for TraceIdFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut resp = ready!(this.inner.poll(cx))?;
        if let Some(v) = this.header.take() {
            resp.headers_mut().insert(TRACE_HEADER, v);
        }
        Poll::Ready(Ok(resp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::{Extension, Router};
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route(
                "/",
                get(
                    |Extension(trace): Extension<TraceId>| async move { trace.as_str().to_owned() },
                ),
            )
            .layer(PropagateTraceIdLayer)
    }

    async fn call(req: Request) -> (String, String) {
        let resp = app().oneshot(req).await.unwrap();
        let echoed = resp.headers()[TRACE_HEADER].to_str().unwrap().to_owned();
        let body = axum::body::to_bytes(resp.into_body(), 1024).await.unwrap();
        (echoed, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn the_callers_trace_id_reaches_the_handler_and_is_echoed() {
        let req = Request::get("/")
            .header(TRACE_HEADER, "trace-abc-123")
            .body(Body::empty())
            .unwrap();
        let (echoed, seen) = call(req).await;
        assert_eq!(echoed, "trace-abc-123");
        assert_eq!(seen, "trace-abc-123");
    }

    #[tokio::test]
    async fn a_request_without_one_gets_a_new_trace_id() {
        let (echoed, seen) = call(Request::get("/").body(Body::empty()).unwrap()).await;
        assert!(!echoed.is_empty());
        assert_eq!(echoed, seen);
    }
}
