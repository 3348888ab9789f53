//! A JSON body extractor with a nesting-depth limit, checked on the raw bytes before any
//! deserialization, and errors in the API's JSON shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// Default maximum nesting depth of request JSON.
pub const DEFAULT_MAX_JSON_DEPTH: usize = 64;

/// The nesting depth of a JSON text (arrays and objects), ignoring brackets inside strings.
/// Stops counting as soon as `limit` is exceeded and returns `limit + 1`.
///
/// Most bytes of a request body are inside strings; those are skipped with `memchr2` (SIMD)
/// to the next quote or backslash instead of being walked one by one. Invalid JSON (an
/// unterminated string, unbalanced brackets) is counted as far as it goes: the parser that
/// runs next rejects it.
pub fn json_depth(bytes: &[u8], limit: usize) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'"' => match string_end(bytes, i) {
                Some(end) => i = end,
                // Unterminated: everything left is inside the string.
                None => return max,
            },
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    max = depth;
                    if max > limit {
                        return limit + 1;
                    }
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The index just past the quote that closes the string whose contents start at `from`;
/// `None` when the string is not closed.
fn string_end(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let offset = memchr::memchr2(b'"', b'\\', bytes.get(from..)?)?;
        let at = from + offset;
        if bytes.get(at) == Some(&b'"') {
            return Some(at + 1);
        }
        // A backslash escapes the byte after it, whatever it is.
        from = at + 2;
    }
}

/// Parses a JSON object body after checking its depth; errors are 400 `malformed_json`,
/// 400 `json_too_deep` or 415 `unsupported_media_type`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], max_depth: usize) -> Result<T, ApiError> {
    if json_depth(bytes, max_depth) > max_depth {
        return Err(ApiError::bad_request(
            "json_too_deep",
            format!("request JSON is nested deeper than {max_depth} levels"),
        ));
    }
    // Every request body is an object: serde would also fill a struct from an array of its
    // fields in order (`["Bash", {…}]`), which no client means.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request(
            "malformed_json",
            "the request body must be a JSON object",
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request("malformed_json", format!("invalid JSON body: {e}")))
}

/// `Json<T>` with the server's depth limit (`[server] max_json_depth`) and API-shaped errors.
#[derive(Debug, Clone)]
pub struct LimitedJson<T>(pub T);

impl<T> FromRequest<AppState> for LimitedJson<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(is_json_media_type);
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected Content-Type: application/json",
            ));
        }
        let RequestBytes(bytes) = RequestBytes::from_request(req, state).await?;
        parse_json(&bytes, state.max_json_depth).map(LimitedJson)
    }
}

/// The request body, read within the server's body deadline
/// ([`AppState::body_read_timeout`]): 413 `payload_too_large` past the size limit, 408
/// `request_timeout` when the body does not arrive in time (the client's fault, not a 504).
#[derive(Debug, Clone)]
pub struct RequestBytes(pub Bytes);

impl FromRequest<AppState> for RequestBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match tokio::time::timeout(state.body_read_timeout, Bytes::from_request(req, state)).await {
            Ok(read) => read.map(RequestBytes).map_err(body_error),
            Err(_) => Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request body did not arrive in time",
            )),
        }
    }
}

/// True for a JSON media type: `application/json` or any `…+json`, parameters (`; charset=…`)
/// ignored, matched case-insensitively (RFC 9110 §8.3.1).
pub fn is_json_media_type(value: &axum::http::HeaderValue) -> bool {
    media_type_essence(value).is_some_and(|essence| {
        essence.eq_ignore_ascii_case("application/json")
            || essence
                .len()
                .checked_sub(5)
                .and_then(|i| essence.get(i..))
                .is_some_and(|suffix| suffix.eq_ignore_ascii_case("+json"))
    })
}

/// The `type/subtype` of a Content-Type value, without its parameters; compare it
/// case-insensitively.
pub fn media_type_essence(value: &axum::http::HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?;
    Some(text.split(';').next().unwrap_or_default().trim())
}

/// Maps a body-read failure (notably the size limit) to an API error.
pub fn body_error(e: axum::extract::rejection::BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "request body exceeds the size limit",
        )
    } else {
        ApiError::bad_request("bad_body", format!("cannot read request body: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_match_case_insensitively() {
        use axum::http::HeaderValue;
        for yes in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/merge-patch+json",
            "APPLICATION/VND.API+JSON ; q=1",
        ] {
            assert!(is_json_media_type(&HeaderValue::from_static(yes)), "{yes}");
        }
        for no in [
            "text/plain",
            "application/jsonl",
            "application/octet-stream",
            "json",
        ] {
            assert!(!is_json_media_type(&HeaderValue::from_static(no)), "{no}");
        }
    }

    #[test]
    fn depth_counts_nesting_outside_strings() {
        assert_eq!(json_depth(br#"{"a":[1,{"b":2}]}"#, 64), 3);
        assert_eq!(json_depth(br#"{"a":"[[[[{{{{"}"#, 64), 1);
        assert_eq!(json_depth(br#"{"a":"\"[[["}"#, 64), 1);
        assert_eq!(json_depth(b"1", 64), 0);
    }

    /// The byte-at-a-time scanner `json_depth` replaced: the reference it must agree with.
    fn reference_depth(bytes: &[u8], limit: usize) -> usize {
        let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
        for &b in bytes {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > max {
                        max = depth;
                        if max > limit {
                            return limit + 1;
                        }
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        max
    }

    #[test]
    fn escapes_at_the_end_and_unterminated_strings_do_not_panic() {
        for input in [
            &b"\""[..],
            b"\"\\",
            b"[\"\\\"",
            b"[\"a\\\\\"]",
            b"[\"\\",
            b"\"\\\\",
        ] {
            assert_eq!(
                json_depth(input, 64),
                reference_depth(input, 64),
                "{input:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn depth_matches_the_byte_by_byte_reference(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"[]{}\"\\ax,:".to_vec()),
                    proptest::num::u8::ANY,
                ],
                0..300,
            ),
            limit in 1usize..8,
        ) {
            proptest::prop_assert_eq!(json_depth(&bytes, limit), reference_depth(&bytes, limit));
        }
    }

    #[test]
    fn depth_stops_past_the_limit() {
        let deep = "[".repeat(100_000);
        assert_eq!(json_depth(deep.as_bytes(), 64), 65);
    }

    #[test]
    fn parse_json_reports_depth_and_syntax_errors() {
        let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
        assert_eq!(
            parse_json::<serde_json::Value>(deep.as_bytes(), 64)
                .unwrap_err()
                .code,
            "json_too_deep"
        );
        assert_eq!(
            parse_json::<serde_json::Value>(b"{", 64).unwrap_err().code,
            "malformed_json"
        );
    }
}
