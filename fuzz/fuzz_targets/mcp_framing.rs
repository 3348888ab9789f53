//! The MCP gateway's parsers on hostile input: JSON-RPC payloads and SSE streams fed in
//! arbitrary chunks must never panic, and re-encoded events must parse back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_server::mcp::jsonrpc;
use warden_server::mcp::sse::SseParser;

fuzz_target!(|data: &[u8]| {
    if let Ok(payload) = jsonrpc::parse_payload(data) {
        for msg in payload.messages() {
            let _ = jsonrpc::classify(msg);
            let _ = jsonrpc::param_name(msg);
        }
    }
    let split = data.first().map_or(1, |b| usize::from(*b % 16) + 1);
    let mut parser = SseParser::new(4096);
    let mut events = Vec::new();
    for chunk in data.chunks(split) {
        if parser.feed(chunk, &mut events).is_err() {
            return;
        }
    }
    for event in &events {
        let mut again = SseParser::new(1 << 20);
        let mut out = Vec::new();
        again.feed(&event.encode(), &mut out).expect("re-encoded event parses");
        assert_eq!(out.len(), 1);
    }
});
