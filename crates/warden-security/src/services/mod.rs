//! Bot and scanner detection (SPEC §2.4).
//!
//! - [`ScannerDetector`]: the seed's static yes/no checks (`is_scanner_path`,
//!   `is_scanner_agent`, `is_high_velocity`, `is_scanner`).
//! - [`BotClassifier`]: [`RequestFacts`] → [`Verdict`] (a [`BotClass`] — human, crawler,
//!   ai_agent, script, scanner — and the [`Reason`]s that fired). The user-agent knowledge is
//!   a word index (each word of the user agent is looked up once, the few rules filed under
//!   it are compared in full, word boundaries included); the path knowledge a segment index
//!   plus a small DFA for payloads; a classification allocates nothing in the common case.
//! - [`VelocityTracker`]: requests per client key over a sliding window in a
//!   [`crate::CounterStore`].
//! - [`BotDetectionLayer`]: the tower layer (`log`, `tag`, `block`) for axum apps.

mod agent_index;
mod agents;
mod classifier;
mod flat_dfa;
mod fold;
mod keytable;
mod layer;
mod log_budget;
mod marks;
mod paths;
mod scanner;
#[cfg(test)]
mod soup;
mod velocity;

pub use classifier::{
    BotClass, BotClassifier, ClassifierConfig, Reason, Reasons, RequestFacts, Velocity, Verdict,
    MAX_REASONS,
};
pub use layer::{
    BotDetection, BotDetectionLayer, ClientIp, DetectConfig, DetectConfigError, DetectMode, IpNet,
    BOT_HEADER,
};
pub use scanner::ScannerDetector;
pub use velocity::{VelocityTracker, DEFAULT_VELOCITY_WINDOW_SECS};

/// User agents shorter than this many bytes (after trimming) are not a browser's.
pub const MIN_USER_AGENT_LEN: usize = 10;

/// Chrome and Firefox majors below this are outdated.
pub const MIN_BROWSER_MAJOR: u32 = 120;

/// More requests than this per minute from one client is high velocity.
pub const MAX_REQUESTS_PER_MINUTE: u64 = 30;

/// The built-in user-agent and path patterns, for benchmarks that compare other matching
/// strategies on the same knowledge. Not a stable API.
#[doc(hidden)]
pub fn builtin_patterns() -> (Vec<&'static str>, Vec<&'static str>) {
    (
        agents::AGENT_RULES.iter().map(|r| r.pattern).collect(),
        paths::PATH_RULES.iter().map(|r| r.pattern).collect(),
    )
}
