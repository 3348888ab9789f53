//! The four built-in layers, in their default order.

mod baseline;
mod rate_limit;
mod scope_check;
mod secrets;
mod shell_text;
mod tool_blocklist;

pub use baseline::{baseline_rules, data_dir_rules, BaselineRule};
pub use rate_limit::RateLimit;
pub use scope_check::ScopeCheck;
pub use secrets::SecretScan;
pub use tool_blocklist::ToolBlocklist;

/// Layer id of the secret scanner.
pub const SECRET_SCAN: &str = "secret_scan";
/// Layer id of the scope check.
pub const SCOPE_CHECK: &str = "scope_check";
/// Layer id of the tool blocklist.
pub const TOOL_BLOCKLIST: &str = "tool_blocklist";
/// Layer id of the rate limiter.
pub const RATE_LIMIT: &str = "rate_limit";
