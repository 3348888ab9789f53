//! The bot classifier: [`BotClassifier::classify`] turns [`RequestFacts`] (path, user agent,
//! request velocity) into a [`Verdict`] — a [`BotClass`] and the [`Reason`]s that fired.
//!
//! Precedence (first that applies):
//! 1. **scanner**: a scanner tool's user agent, an exploit payload in the user agent, or a
//!    probe path (product probe, dot-file, traversal, null byte, source/backup extension,
//!    exploit payload; the seed's generic `/admin`-style paths unless disabled);
//! 2. **ai_agent**: an AI crawler's or assistant's product token;
//! 3. **crawler**: a search, social, SEO or monitoring crawler's product token;
//! 4. **script**: an HTTP library, CLI or headless browser; then generic self-identification
//!    (`…bot/`, a `+http` URL) makes it a **crawler**; then a missing, empty, short or bare
//!    `Mozilla/5.0` user agent, or an outdated Chrome/Firefox, makes it a **script**;
//! 5. otherwise **human**.
//!
//! High velocity turns a human or script verdict into scanner; named crawlers and AI agents
//! keep their class (the reason is still reported) because they legitimately fetch fast.
//!
//! Classification allocates nothing unless the path needs percent-decoding.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::agent_index::AGENT_INDEX;
use super::agents::{AgentKind, AGENT_RULES};
use super::paths::{self, PathFinding};

/// What kind of client sent a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotClass {
    /// A person with a browser (or nothing marks it as automated).
    Human,
    /// A search-engine, social-preview, SEO, archive or monitoring crawler.
    Crawler,
    /// An AI crawler, an AI assistant fetching for a user, or an agent framework.
    AiAgent,
    /// An HTTP library, CLI, API tool, native-app network stack or headless browser.
    Script,
    /// A vulnerability or internet-wide scanner, or a request that probes for weaknesses.
    Scanner,
}

impl BotClass {
    /// All classes, in declaration order.
    pub const ALL: [BotClass; 5] = [
        BotClass::Human,
        BotClass::Crawler,
        BotClass::AiAgent,
        BotClass::Script,
        BotClass::Scanner,
    ];

    /// The wire name (`human`, `crawler`, `ai_agent`, `script`, `scanner`).
    pub const fn as_str(self) -> &'static str {
        match self {
            BotClass::Human => "human",
            BotClass::Crawler => "crawler",
            BotClass::AiAgent => "ai_agent",
            BotClass::Script => "script",
            BotClass::Scanner => "scanner",
        }
    }

    /// True for every class but [`BotClass::Human`].
    pub const fn is_bot(self) -> bool {
        !matches!(self, BotClass::Human)
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<BotClass> {
        BotClass::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for BotClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a verdict was reached. Displays (and serializes) as `code` or `code:detail`, e.g.
/// `scanner_user_agent:sqlmap`, `probe_path:wordpress`, `high_velocity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// No `User-Agent` at all.
    MissingUserAgent,
    /// A `User-Agent` that is empty or only whitespace.
    EmptyUserAgent,
    /// A `User-Agent` shorter than [`super::MIN_USER_AGENT_LEN`] bytes.
    ShortUserAgent,
    /// Exactly `Mozilla/5.0` (or `/4.0`, `/3.0`, `(compatible)`) and nothing else.
    BareMozilla,
    /// Chrome or Firefox older than the configured minimum major version.
    OutdatedBrowser,
    /// A crawler's product token.
    CrawlerUserAgent(&'static str),
    /// An AI crawler's, assistant's or agent's product token.
    AiAgentUserAgent(&'static str),
    /// An HTTP library's, CLI's or app network stack's product token.
    ScriptUserAgent(&'static str),
    /// A headless or automated browser.
    HeadlessBrowser(&'static str),
    /// A scanner's product token.
    ScannerUserAgent(&'static str),
    /// An exploit payload inside the user agent.
    ExploitInUserAgent(&'static str),
    /// Generic bot self-identification (`…bot/`, `crawler`, a contact URL).
    GenericBotToken(&'static str),
    /// A probe path for a product family (`wordpress`, `spring`, `exchange`, …).
    ProbePath(&'static str),
    /// One of the seed's generic sensitive paths (`admin`, `uploads`, `config/`, `identity`).
    SensitivePath(&'static str),
    /// A dot-file or dot-directory (`/.env`, `/.git/config`); `/.well-known/` excepted.
    DotFile,
    /// A `..` segment after decoding.
    PathTraversal,
    /// A NUL byte in the path.
    NullByte,
    /// An exploit payload in the path or query.
    ExploitInPath(&'static str),
    /// A source, configuration, database or backup file extension.
    SuspiciousExtension(&'static str),
    /// More requests per minute than the configured threshold.
    HighVelocity,
    /// The client is on an allow-list of the layer (never blocked).
    AllowListed,
}

impl Reason {
    /// The stable code (the part before `:`).
    pub const fn code(self) -> &'static str {
        match self {
            Reason::MissingUserAgent => "missing_user_agent",
            Reason::EmptyUserAgent => "empty_user_agent",
            Reason::ShortUserAgent => "short_user_agent",
            Reason::BareMozilla => "bare_mozilla",
            Reason::OutdatedBrowser => "outdated_browser",
            Reason::CrawlerUserAgent(_) => "crawler_user_agent",
            Reason::AiAgentUserAgent(_) => "ai_agent_user_agent",
            Reason::ScriptUserAgent(_) => "script_user_agent",
            Reason::HeadlessBrowser(_) => "headless_browser",
            Reason::ScannerUserAgent(_) => "scanner_user_agent",
            Reason::ExploitInUserAgent(_) => "exploit_in_user_agent",
            Reason::GenericBotToken(_) => "generic_bot_token",
            Reason::ProbePath(_) => "probe_path",
            Reason::SensitivePath(_) => "sensitive_path",
            Reason::DotFile => "dotfile_path",
            Reason::PathTraversal => "path_traversal",
            Reason::NullByte => "null_byte",
            Reason::ExploitInPath(_) => "exploit_in_path",
            Reason::SuspiciousExtension(_) => "suspicious_extension",
            Reason::HighVelocity => "high_velocity",
            Reason::AllowListed => "allow_listed",
        }
    }

    /// The detail (matched token, product family, extension), if any.
    pub const fn detail(self) -> Option<&'static str> {
        match self {
            Reason::CrawlerUserAgent(d)
            | Reason::AiAgentUserAgent(d)
            | Reason::ScriptUserAgent(d)
            | Reason::HeadlessBrowser(d)
            | Reason::ScannerUserAgent(d)
            | Reason::ExploitInUserAgent(d)
            | Reason::GenericBotToken(d)
            | Reason::ProbePath(d)
            | Reason::SensitivePath(d)
            | Reason::ExploitInPath(d)
            | Reason::SuspiciousExtension(d) => Some(d),
            _ => None,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.detail() {
            Some(d) => write!(f, "{}:{d}", self.code()),
            None => f.write_str(self.code()),
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Most reasons one verdict keeps; further ones are dropped (the class is unaffected).
pub const MAX_REASONS: usize = 8;

/// The reasons of a verdict: a fixed inline array, so a verdict never allocates.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Reasons {
    items: [Option<Reason>; MAX_REASONS],
    len: u8,
}

impl Reasons {
    /// Adds `reason` unless present or full.
    pub fn push(&mut self, reason: Reason) {
        if self.contains(reason) {
            return;
        }
        if let Some(slot) = self.items.get_mut(usize::from(self.len)) {
            *slot = Some(reason);
            self.len += 1;
        }
    }

    /// Number of reasons.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// True when no reason fired.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when `reason` is present.
    pub fn contains(&self, reason: Reason) -> bool {
        self.iter().any(|r| r == reason)
    }

    /// True when a reason with this code is present.
    pub fn contains_code(&self, code: &str) -> bool {
        self.iter().any(|r| r.code() == code)
    }

    /// The reasons in the order they fired.
    pub fn iter(&self) -> impl Iterator<Item = Reason> + '_ {
        self.items.iter().map_while(|r| *r)
    }
}

impl fmt::Debug for Reasons {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Reasons {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// The answer of the classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The class.
    pub class: BotClass,
    /// Every signal that fired, in order.
    pub reasons: Reasons,
}

impl Verdict {
    /// True when the class is not human.
    pub const fn is_bot(&self) -> bool {
        self.class.is_bot()
    }
}

/// Requests counted for one client inside a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Velocity {
    /// Requests inside the window (this one included).
    pub count: u64,
    /// Window length in seconds.
    pub window_secs: u64,
}

/// What the classifier looks at. Borrowed: building one costs nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestFacts<'a> {
    /// Request path, optionally with `?query` (payloads are looked for in both).
    pub path: Option<&'a str>,
    /// The `User-Agent` header; `None` when absent.
    pub user_agent: Option<&'a str>,
    /// Velocity of the client, when tracked ([`super::VelocityTracker`]).
    pub velocity: Option<Velocity>,
}

/// Tunables of [`BotClassifier`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClassifierConfig {
    /// Chrome/Firefox majors below this are outdated (default 120).
    pub min_browser_major: u32,
    /// More than this many requests per minute is high velocity (default 30).
    pub max_requests_per_minute: u64,
    /// Treat the seed's generic paths (`/admin`, `/uploads`, `/config/`, `/identity`) as
    /// probes (default true, as the seed). Turn off when the application serves them.
    pub generic_paths_are_probes: bool,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        Self {
            min_browser_major: super::MIN_BROWSER_MAJOR,
            max_requests_per_minute: super::MAX_REQUESTS_PER_MINUTE,
            generic_paths_are_probes: true,
        }
    }
}

/// The bot classifier. Cheap to clone; the compiled pattern indexes are shared process-wide.
#[derive(Debug, Clone, Copy, Default)]
pub struct BotClassifier {
    config: ClassifierConfig,
}

/// What the user agent alone says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AgentFindings {
    pub scanner: Option<&'static str>,
    pub exploit: Option<&'static str>,
    pub ai: Option<&'static str>,
    pub crawler: Option<&'static str>,
    pub script: Option<&'static str>,
    pub headless: Option<&'static str>,
    pub generic: Option<&'static str>,
    pub fork: bool,
    pub chrome_major: Option<u32>,
    pub firefox_major: Option<u32>,
    /// True when a seed tool rule fired for this length of user agent.
    pub seed_tool: bool,
}

fn parse_major(rest: &[u8]) -> Option<u32> {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    rest[..digits].iter().try_fold(0u32, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// Slots of the per-thread user-agent memo (direct-mapped).
const MEMO_SLOTS: usize = 256;
/// User agents longer than this are not memoized.
const MEMO_MAX_LEN: usize = 256;

#[derive(Clone, Copy)]
struct MemoSlot {
    hash: u64,
    len: usize,
    key: [u8; MEMO_MAX_LEN],
    findings: AgentFindings,
}

impl Default for MemoSlot {
    fn default() -> Self {
        Self {
            hash: 0,
            len: usize::MAX,
            key: [0; MEMO_MAX_LEN],
            findings: AgentFindings::default(),
        }
    }
}

thread_local! {
    /// Real traffic repeats a few hundred user agents; remembering their findings per thread
    /// skips the word index for them. Keys are compared in full, so a collision only costs a
    /// miss (an attacker can evict entries, never poison them).
    static AGENT_MEMO: std::cell::RefCell<Vec<MemoSlot>> =
        std::cell::RefCell::new(vec![MemoSlot::default(); MEMO_SLOTS]);
}

/// A fast non-cryptographic hash (FxHash-style, 8 bytes at a time) for the memo index.
fn memo_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// [`scan_agent_uncached`] behind the per-thread memo.
pub(crate) fn scan_agent(ua: &str) -> AgentFindings {
    let bytes = ua.as_bytes();
    if bytes.len() > MEMO_MAX_LEN {
        return scan_agent_uncached(ua);
    }
    let hash = memo_hash(bytes);
    let index = (hash as usize) % MEMO_SLOTS;
    let cached = AGENT_MEMO.try_with(|memo| {
        let memo = memo.try_borrow().ok()?;
        let slot = memo.get(index)?;
        (slot.hash == hash && slot.len == bytes.len() && slot.key.get(..bytes.len()) == Some(bytes))
            .then_some(slot.findings)
    });
    if let Ok(Some(findings)) = cached {
        return findings;
    }
    let findings = scan_agent_uncached(ua);
    let _ = AGENT_MEMO.try_with(|memo| {
        if let Ok(mut memo) = memo.try_borrow_mut() {
            if let Some(slot) = memo.get_mut(index) {
                slot.hash = hash;
                slot.len = bytes.len();
                slot.key[..bytes.len()].copy_from_slice(bytes);
                slot.findings = findings;
            }
        }
    });
    findings
}

/// The order key of a match: by end, then longer first (as an overlapping Aho–Corasick pass
/// over the user agent would report them).
#[inline]
fn match_key(start: usize, end: usize) -> u64 {
    ((end as u64) << 16) | u64::from(u16::MAX - u16::try_from(end - start).unwrap_or(u16::MAX))
}

/// Looks `ua` (already trimmed) up in the user-agent word index once.
pub(crate) fn scan_agent_uncached(ua: &str) -> AgentFindings {
    let hay = ua.as_bytes();
    // Per [`AgentKind`] (declaration order): the key of the first match so far (`u64::MAX`:
    // none yet) and its rule; for the version tokens, the parsed major.
    let mut keys = [u64::MAX; 10];
    let mut rules = [0u16; 10];
    let mut majors = [None::<u32>; 2];
    let mut fork = false;
    let mut seed_tool = false;
    AGENT_INDEX.for_each_match(hay, |r, start, end| {
        let Some(rule) = AGENT_RULES.get(usize::from(r)) else {
            return;
        };
        if rule.seed_max_len != 0 && hay.len() < usize::from(rule.seed_max_len) {
            seed_tool = true;
        }
        let kind = rule.kind as usize;
        let key = match_key(start, end);
        let (Some(best), Some(slot)) = (keys.get_mut(kind), rules.get_mut(kind)) else {
            return;
        };
        if key >= *best {
            return;
        }
        match rule.kind {
            AgentKind::EngineFork => fork = true,
            // The first version token whose major parses counts.
            AgentKind::ChromeVersion | AgentKind::FirefoxVersion => {
                if let Some(major) = hay.get(end..).and_then(parse_major) {
                    let i = usize::from(rule.kind == AgentKind::FirefoxVersion);
                    if let Some(m) = majors.get_mut(i) {
                        *m = Some(major);
                    }
                    *best = key;
                }
            }
            _ => {
                *best = key;
                *slot = r;
            }
        }
    });
    let pattern = |kind: AgentKind| {
        let i = kind as usize;
        keys.get(i)
            .filter(|&&k| k != u64::MAX)
            .and_then(|_| rules.get(i))
            .and_then(|&r| AGENT_RULES.get(usize::from(r)))
            .map(|rule| rule.pattern)
    };
    AgentFindings {
        scanner: pattern(AgentKind::Scanner),
        exploit: pattern(AgentKind::Exploit),
        ai: pattern(AgentKind::AiAgent),
        crawler: pattern(AgentKind::Crawler),
        script: pattern(AgentKind::Script),
        headless: pattern(AgentKind::Headless),
        generic: pattern(AgentKind::GenericBot),
        fork,
        chrome_major: majors[0],
        firefox_major: majors[1],
        seed_tool,
    }
}

impl AgentFindings {
    /// True when a named (non-generic) product token matched.
    pub(crate) fn named(&self) -> bool {
        self.scanner.is_some()
            || self.ai.is_some()
            || self.crawler.is_some()
            || self.script.is_some()
            || self.headless.is_some()
    }

    /// True when the browser engine is older than `min_major` and nothing explains it.
    pub(crate) fn outdated(&self, min_major: u32) -> bool {
        if self.fork || self.named() || self.generic.is_some() {
            return false;
        }
        self.chrome_major.is_some_and(|v| v < min_major)
            || self.firefox_major.is_some_and(|v| v < min_major)
    }
}

/// Rate per minute above `max_per_minute`? `count` requests over `duration_secs` seconds;
/// a zero duration never counts as high velocity.
pub(crate) fn velocity_exceeds(count: u64, duration_secs: u64, max_per_minute: u64) -> bool {
    if duration_secs == 0 {
        return false;
    }
    // count / duration * 60 > max  ⇔  count * 60 > max * duration (no float, no overflow).
    u128::from(count) * 60 > u128::from(max_per_minute) * u128::from(duration_secs)
}

/// `ua` without leading and trailing whitespace ([`str::trim`]), skipping the Unicode
/// decoding when both ends are visible ASCII (nearly every real user agent).
#[inline(always)]
fn trim_agent(ua: &str) -> &str {
    let b = ua.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => ua,
        _ => ua.trim(),
    }
}

impl BotClassifier {
    /// A classifier with `config`.
    pub const fn new(config: ClassifierConfig) -> Self {
        Self { config }
    }

    /// The configuration in force.
    pub const fn config(&self) -> &ClassifierConfig {
        &self.config
    }

    /// Classifies one request. User-agent findings are memoized per thread (256 entries,
    /// user agents up to 256 bytes); the result is the same as [`Self::classify_uncached`].
    pub fn classify(&self, facts: &RequestFacts<'_>) -> Verdict {
        self.classify_with(facts, scan_agent)
    }

    /// Classifies one request without the per-thread user-agent memo (for benchmarks and
    /// for checking the memo).
    pub fn classify_uncached(&self, facts: &RequestFacts<'_>) -> Verdict {
        self.classify_with(facts, scan_agent_uncached)
    }

    #[inline(always)]
    fn classify_with(&self, facts: &RequestFacts<'_>, scan: fn(&str) -> AgentFindings) -> Verdict {
        let mut reasons = Reasons::default();
        let mut scanner = false;
        let mut script_hint = false;

        // The path.
        if let Some(path) = facts.path {
            for finding in paths::analyze(path).iter() {
                if finding.is_generic() && !self.config.generic_paths_are_probes {
                    continue;
                }
                scanner = true;
                reasons.push(match finding {
                    PathFinding::NullByte => Reason::NullByte,
                    PathFinding::Traversal => Reason::PathTraversal,
                    PathFinding::DotFile => Reason::DotFile,
                    PathFinding::Probe(f) => Reason::ProbePath(f),
                    PathFinding::Generic(p) => Reason::SensitivePath(p),
                    PathFinding::Exploit(f) => Reason::ExploitInPath(f),
                    PathFinding::Extension(e) => Reason::SuspiciousExtension(e),
                });
            }
        }

        // The user agent.
        let agent = match facts.user_agent.map(trim_agent) {
            None => {
                reasons.push(Reason::MissingUserAgent);
                script_hint = true;
                AgentFindings::default()
            }
            Some("") => {
                reasons.push(Reason::EmptyUserAgent);
                script_hint = true;
                AgentFindings::default()
            }
            Some(ua) => {
                if ua.len() < super::MIN_USER_AGENT_LEN {
                    reasons.push(Reason::ShortUserAgent);
                    script_hint = true;
                }
                if is_bare_mozilla(ua) {
                    reasons.push(Reason::BareMozilla);
                    script_hint = true;
                }
                scan(ua)
            }
        };
        if let Some(t) = agent.scanner {
            scanner = true;
            reasons.push(Reason::ScannerUserAgent(t));
        }
        if let Some(t) = agent.exploit {
            scanner = true;
            reasons.push(Reason::ExploitInUserAgent(t));
        }
        if let Some(t) = agent.ai {
            reasons.push(Reason::AiAgentUserAgent(t));
        }
        if let Some(t) = agent.crawler {
            reasons.push(Reason::CrawlerUserAgent(t));
        }
        if let Some(t) = agent.script {
            reasons.push(Reason::ScriptUserAgent(t));
        }
        if let Some(t) = agent.headless {
            reasons.push(Reason::HeadlessBrowser(t));
        }
        let generic_only = !agent.named() && agent.generic.is_some();
        if let Some(t) = agent.generic.filter(|_| generic_only) {
            reasons.push(Reason::GenericBotToken(t));
        }
        if agent.outdated(self.config.min_browser_major) {
            reasons.push(Reason::OutdatedBrowser);
            script_hint = true;
        }

        let mut class = if scanner {
            BotClass::Scanner
        } else if agent.ai.is_some() {
            BotClass::AiAgent
        } else if agent.crawler.is_some() {
            BotClass::Crawler
        } else if agent.script.is_some() || agent.headless.is_some() {
            BotClass::Script
        } else if generic_only {
            BotClass::Crawler
        } else if script_hint {
            BotClass::Script
        } else {
            BotClass::Human
        };

        if let Some(v) = facts.velocity {
            if velocity_exceeds(v.count, v.window_secs, self.config.max_requests_per_minute) {
                reasons.push(Reason::HighVelocity);
                if matches!(class, BotClass::Human | BotClass::Script) {
                    class = BotClass::Scanner;
                }
            }
        }
        Verdict { class, reasons }
    }
}

/// A user agent that is only the `Mozilla/N.0` compatibility token, with nothing (or only
/// `(compatible)`) after it: no browser sends that.
fn is_bare_mozilla(ua: &str) -> bool {
    let ua = ua.trim();
    let Some(rest) = ua
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("Mozilla/"))
        .and_then(|_| ua.get(8..))
    else {
        return false;
    };
    let rest = match rest.as_bytes() {
        [b'3' | b'4' | b'5', b'.', b'0', ..] => &rest[3..],
        _ => return false,
    };
    let rest = rest.trim();
    rest.is_empty() || rest.eq_ignore_ascii_case("(compatible)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::agents::reference::{build_automaton, on_word_boundaries};
    use proptest::prelude::*;
    use std::sync::LazyLock;

    /// The former matcher: one overlapping pass of an Aho–Corasick DFA over the lowercased
    /// user agent, each match checked for word boundaries, the first of each kind kept.
    fn reference_scan(ua: &str) -> AgentFindings {
        static AUTOMATON: LazyLock<aho_corasick::AhoCorasick> =
            LazyLock::new(|| build_automaton(AGENT_RULES.iter().map(|r| r.pattern)));
        let hay = ua.as_bytes().to_ascii_lowercase();
        let hay = hay.as_slice();
        let mut f = AgentFindings::default();
        for m in AUTOMATON.find_overlapping_iter(hay) {
            let Some(rule) = AGENT_RULES.get(m.pattern().as_usize()) else {
                continue;
            };
            if !on_word_boundaries(hay, m.start(), m.end(), rule.left_boundary) {
                continue;
            }
            if rule.seed_max_len != 0 && hay.len() < usize::from(rule.seed_max_len) {
                f.seed_tool = true;
            }
            let slot = match rule.kind {
                AgentKind::Scanner => &mut f.scanner,
                AgentKind::Exploit => &mut f.exploit,
                AgentKind::AiAgent => &mut f.ai,
                AgentKind::Crawler => &mut f.crawler,
                AgentKind::Script => &mut f.script,
                AgentKind::Headless => &mut f.headless,
                AgentKind::GenericBot => &mut f.generic,
                AgentKind::EngineFork => {
                    f.fork = true;
                    continue;
                }
                AgentKind::ChromeVersion => {
                    if f.chrome_major.is_none() {
                        f.chrome_major = hay.get(m.end()..).and_then(parse_major);
                    }
                    continue;
                }
                AgentKind::FirefoxVersion => {
                    if f.firefox_major.is_none() {
                        f.firefox_major = hay.get(m.end()..).and_then(parse_major);
                    }
                    continue;
                }
            };
            if slot.is_none() {
                *slot = Some(rule.pattern);
            }
        }
        f
    }

    fn fixture_user_agents() -> Vec<String> {
        include_str!("../../tests/fixtures/user_agents.jsonl")
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("user_agent")?.as_str().map(str::to_owned))
            .collect()
    }

    #[test]
    fn word_index_agrees_with_the_automaton_on_the_fixtures() {
        let uas = fixture_user_agents();
        assert!(uas.len() > 150);
        for ua in &uas {
            assert_eq!(scan_agent_uncached(ua), reference_scan(ua), "{ua}");
        }
    }

    #[test]
    fn word_index_agrees_with_the_automaton_on_every_pattern() {
        for rule in AGENT_RULES {
            let p = rule.pattern;
            for ua in [
                p.to_owned(),
                p.to_ascii_uppercase(),
                format!("Mozilla/5.0 ({p}/1.0; +https://example.com)"),
                format!("x{p}"),
                format!("{p}x"),
                format!("1{p}/2"),
                format!("{p}{p} {p}"),
                format!("Bluesky {p};Chrome/99.0 Firefox/12"),
            ] {
                assert_eq!(scan_agent_uncached(&ua), reference_scan(&ua), "{ua}");
            }
        }
    }

    /// Fragments of patterns and separators, so generated user agents hit many rules.
    fn soup() -> impl Strategy<Value = String> {
        crate::services::soup::soup(
            AGENT_RULES.iter().map(|r| r.pattern),
            &[
                " ",
                "/",
                ";",
                "(",
                ")",
                "-",
                "_",
                ".",
                "x",
                "7",
                "é",
                "{",
                "$",
                "Chrome/1",
                "Firefox/200",
            ],
            24,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn word_index_agrees_with_the_automaton_on_pattern_soup(ua in soup()) {
            prop_assert_eq!(scan_agent_uncached(&ua), reference_scan(&ua));
        }

        #[test]
        fn the_agent_trim_is_str_trim(ua in any::<String>()) {
            prop_assert_eq!(trim_agent(&ua), ua.trim());
            let padded = format!(" {ua}\u{3000}");
            prop_assert_eq!(trim_agent(&padded), padded.trim());
        }

        #[test]
        fn word_index_agrees_with_the_automaton_on_arbitrary_text(ua in any::<String>()) {
            prop_assert_eq!(scan_agent_uncached(&ua), reference_scan(&ua));
        }
    }

    #[test]
    fn major_version_parser_stops_at_the_dot() {
        assert_eq!(parse_major(b"131.0.6778.86"), Some(131));
        assert_eq!(parse_major(b"W.X.Y.Z"), None);
        assert_eq!(parse_major(b"9999999999"), None);
    }

    #[test]
    fn velocity_math_matches_the_seed() {
        assert!(!velocity_exceeds(30, 60, 30));
        assert!(velocity_exceeds(31, 60, 30));
        assert!(velocity_exceeds(1, 1, 30));
        assert!(!velocity_exceeds(0, 1, 30));
        assert!(!velocity_exceeds(100, 0, 30));
        // No overflow at the extremes: u64::MAX per u64::MAX seconds is 60 per minute.
        assert!(velocity_exceeds(u64::MAX, u64::MAX, 30));
        assert!(!velocity_exceeds(1, 1, 60));
    }

    #[test]
    fn reasons_dedupe_and_cap() {
        let mut r = Reasons::default();
        r.push(Reason::DotFile);
        r.push(Reason::DotFile);
        assert_eq!(r.len(), 1);
        for name in ["a", "b", "c", "d", "e", "f", "g", "h", "i"] {
            r.push(Reason::ProbePath(name));
        }
        assert_eq!(r.len(), MAX_REASONS);
    }

    #[test]
    fn reason_displays_code_and_detail() {
        assert_eq!(
            Reason::ScannerUserAgent("sqlmap").to_string(),
            "scanner_user_agent:sqlmap"
        );
        assert_eq!(Reason::HighVelocity.to_string(), "high_velocity");
    }
}
