//! Bounds on a request's head (target and headers), answered as JSON errors.
//!
//! hyper answers a request line or header block over its own hard limits (a target of
//! 64 KiB, a head of about 400 KiB, more than 100 headers) with a bare 414 or 431 and no body.
//! Warden's bounds are tighter, so that an oversized head almost always gets the JSON error
//! with a stable code every other failure has: `uri_too_long` (414) for a target over
//! [`MAX_TARGET_BYTES`], `headers_too_large` (431) for headers over [`MAX_HEADER_BYTES`] in
//! all. Only a head past hyper's limits still gets hyper's bare answer.

use axum::http::{Request, StatusCode};

use crate::error::ApiError;

/// The longest request target (path and query) accepted.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;

/// The most header bytes (names and values) accepted in one request.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// `Err` with the JSON error for a request whose head is over Warden's bounds.
pub fn check<B>(req: &Request<B>) -> Result<(), ApiError> {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_TARGET_BYTES {
        return Err(ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!(
                "the request target is {target} bytes; at most {MAX_TARGET_BYTES} are accepted"
            ),
        ));
    }
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers > MAX_HEADER_BYTES {
        return Err(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!(
                "the request headers are {headers} bytes; at most {MAX_HEADER_BYTES} are accepted"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, header_value_len: usize) -> Request<()> {
        Request::builder()
            .uri(target)
            .header("x-pad", "a".repeat(header_value_len))
            .body(())
            .unwrap()
    }

    #[test]
    fn heads_within_the_bounds_pass() {
        let target = format!("/v1/x?q={}", "a".repeat(MAX_TARGET_BYTES - 8));
        assert_eq!(target.len(), MAX_TARGET_BYTES);
        assert!(check(&request(&target, MAX_HEADER_BYTES - 5)).is_ok());
    }

    #[test]
    fn a_long_target_is_uri_too_long() {
        let target = format!("/v1/x?q={}", "a".repeat(MAX_TARGET_BYTES));
        let e = check(&request(&target, 1)).unwrap_err();
        assert_eq!(e.body()["error"]["code"], "uri_too_long");
        assert_eq!(e.status, StatusCode::URI_TOO_LONG);
    }

    #[test]
    fn large_headers_are_headers_too_large() {
        let e = check(&request("/", MAX_HEADER_BYTES)).unwrap_err();
        assert_eq!(e.body()["error"]["code"], "headers_too_large");
        assert_eq!(e.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
}
