//! Measurement only (cargo feature `load-floor`, off by default and in every shipped build):
//! two routes that do none of `/v1/govern`'s work but move the same bytes, so that
//! `scripts/load.sh --floor` can show what the HTTP exchange alone costs on a machine.
//!
//! - `POST /__load/floor`: behind the same middleware as every route (trace id, bot
//!   detection, envelope, body limit); reads the body and answers a canned `/v1/govern`
//!   allow decision of the same size;
//! - `POST /__load/floor-auth`: the same, behind the bearer-token authentication as well.

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// A `/v1/govern` answer to the load script's call, as the server gives it (568 bytes).
const ANSWER: &str = r#"{"decision":"allow","policy":null,"reason":"allowed by every layer","reason_code":"allowed","chain":[{"policy_id":"secret_scan","result":"allow","detail":"no secrets found","duration_us":11},{"policy_id":"scope_check","result":"allow","detail":"no rule maps this tool; default allow","duration_us":1},{"policy_id":"tool_blocklist","result":"allow","detail":"no rule matched","duration_us":212},{"policy_id":"rate_limit","result":"allow","detail":"1/300 calls in 60 s per principal","duration_us":10}],"findings":[],"decision_id":"dec_b0a564e67c354ad2718fe088646f4903"}"#;

/// Reads the whole body (as a handler must) and answers [`ANSWER`].
pub async fn answer(body: Bytes) -> impl IntoResponse {
    drop(body);
    ([(CONTENT_TYPE, "application/json")], ANSWER)
}
