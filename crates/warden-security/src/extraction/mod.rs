//! Token and context-header extraction (SPEC §2.1–§2.2).
//!
//! - [`TokenExtractor`] finds a bearer token in the `Authorization` header, the MCP proxy
//!   header or a cookie, following a fallback chain.
//! - [`CookieExtractor`] parses `Cookie` headers (RFC 6265).
//! - [`HeaderExtractor`] / [`HeaderInjector`] read and write the context headers
//!   (`x-trace-id`, `x-session-id`, …, and W3C `traceparent`).
//!
//! Nothing here panics on any header value: hostile bytes become "absent" or a typed error.

mod bearer;
mod cookie;
mod header;
mod names;
mod token;
mod traceparent;

pub use cookie::{CookieExtractionError, CookieExtractor, DEFAULT_COOKIE_NAME};
pub use header::{HeaderExtractor, HeaderInjectionError, HeaderInjector};
pub use names::*;
pub use token::{ExtractionMethod, TokenExtractionError, TokenExtractor, DEFAULT_MCP_PROXY_HEADER};
pub use traceparent::{parse_traceparent, to_traceparent};
