//! Trace propagation: every request gets a trace id (from `x-trace-id`, else `traceparent`,
//! else a new UUID), stored as a request extension and echoed in the `x-trace-id` response
//! header.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use warden_security::HeaderExtractor;
use warden_types::TraceId;

/// Middleware function: see the module docs.
pub async fn propagate_trace_id(mut req: Request, next: Next) -> Response {
    let trace_id = HeaderExtractor::extract_trace_id(req.headers());
    let header = HeaderValue::from_str(trace_id.as_str()).ok();
    req.extensions_mut().insert::<TraceId>(trace_id);
    let mut resp = next.run(req).await;
    if let Some(v) = header {
        resp.headers_mut().insert("x-trace-id", v);
    }
    resp
}
