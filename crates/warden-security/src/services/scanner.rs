//! The seed's `ScannerDetector`: static yes/no checks on a path, a user agent and a request
//! rate, kept with the seed's names and thresholds and with its misses fixed (dot-files,
//! a Firefox version check that works, segment matching instead of substrings).

use super::classifier::{scan_agent, velocity_exceeds};
use super::paths;
use super::{MAX_REQUESTS_PER_MINUTE, MIN_BROWSER_MAJOR, MIN_USER_AGENT_LEN};

/// Yes/no scanner checks (the seed's API). For a class and reasons use
/// [`super::BotClassifier`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScannerDetector;

impl ScannerDetector {
    /// True when the path probes for something no visitor asks for: a product's admin or
    /// exploit path (WordPress, phpMyAdmin, Joomla, Spring actuator, Tomcat manager, cgi-bin,
    /// Exchange, Citrix, Fortinet, …), a dot-file (`/.env`, `/.git/config`; not
    /// `/.well-known/`), traversal, a NUL byte, an exploit payload, a source or backup
    /// extension, or one of the seed's generic paths (`/admin`, `/uploads`, `/config/`,
    /// `/identity`). Case and percent-encoding are ignored; whole path segments are matched,
    /// so `/administrator-guide` and `/wp-content-strategy` are not probes.
    pub fn is_scanner_path(path: &str) -> bool {
        !paths::analyze(path).is_empty()
    }

    /// True when the user agent is a scanner's, carries an exploit payload, is shorter than
    /// 10 bytes, is a bare `Mozilla/5.0`, is a seed-listed tool (curl/wget under 20 bytes,
    /// python-requests and Go-http-client under 30, Ruby under 25; Java, Apache-HttpClient,
    /// HttpUnit, WordPress, wp-http, wp-cron, probe-image-size at any length), or names a
    /// Chrome or Firefox major below 120.
    pub fn is_scanner_agent(user_agent: &str) -> bool {
        let ua = user_agent.trim();
        if ua.len() < MIN_USER_AGENT_LEN || ua.eq_ignore_ascii_case("Mozilla/5.0") {
            return true;
        }
        let f = scan_agent(ua);
        f.scanner.is_some() || f.exploit.is_some() || f.seed_tool || f.outdated(MIN_BROWSER_MAJOR)
    }

    /// True when `count` requests in `duration_secs` seconds exceed 30 requests per minute.
    /// A zero duration is never high velocity.
    pub fn is_high_velocity(count: u64, duration_secs: u64) -> bool {
        velocity_exceeds(count, duration_secs, MAX_REQUESTS_PER_MINUTE)
    }

    /// True when any given signal says scanner: the path, the user agent (a missing one
    /// counts as a scanner's), or the velocity (only when both `count` and `duration_secs`
    /// are given).
    pub fn is_scanner(
        path: Option<&str>,
        user_agent: Option<&str>,
        count: Option<u64>,
        duration_secs: Option<u64>,
    ) -> bool {
        path.is_some_and(Self::is_scanner_path)
            || user_agent.is_none_or(Self::is_scanner_agent)
            || matches!((count, duration_secs), (Some(c), Some(d)) if Self::is_high_velocity(c, d))
    }
}
