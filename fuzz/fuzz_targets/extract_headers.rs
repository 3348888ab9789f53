//! Fuzzes every header extractor with arbitrary header bytes.
#![no_main]

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use warden_security::{CookieExtractor, HeaderExtractor, TokenExtractor};

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    // Split the input into header values on 0x00 and assign them round-robin.
    let names = [
        "authorization",
        "x-mcp-proxy-auth",
        "cookie",
        "x-trace-id",
        "traceparent",
        "x-context-id",
        "x-task-id",
        "x-agent-name",
    ];
    for (i, part) in data.split(|&b| b == 0).enumerate() {
        if let Ok(v) = HeaderValue::from_bytes(part) {
            headers.append(names[i % names.len()], v);
        }
    }
    let _ = TokenExtractor::standard().extract(&headers);
    let _ = CookieExtractor::extract_access_token(&headers);
    let _ = HeaderExtractor::extract_trace_id(&headers);
    let _ = HeaderExtractor::extract_context_id(&headers);
    let _ = HeaderExtractor::extract_task_id(&headers);
    let _ = HeaderExtractor::extract_agent_name(&headers);
});
