//! The compiled scanner: tier 1 ([`super::prefilter`]) finds regions, tier 2 finds rule
//! keywords in each region with one Aho-Corasick pass, and only the rules whose keyword (and
//! vendor context, if any) is present run their regex, on a bounded window around it.
//!
//! Nothing is allocated unless a candidate region exists; findings are collected as
//! [`Hit`]s (rule index + byte span) and turned into [`super::Finding`]s by the caller.

use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use regex::bytes::{Regex, RegexBuilder, RegexSet};

use super::prefilter::{Prefilter, MIN_RUN};
use super::rules::{self, RuleSpec};
use super::{entropy, validate, LeakMatcher, ScanAction, ScanConfigError, SecretScanConfig};

/// Rule id of the entropy backstop.
pub const ENTROPY_RULE_ID: &str = "high-entropy-string";
/// Rule id of exact matches of vault secrets.
pub const VAULT_RULE_ID: &str = "vault-secret";

/// Index of the entropy pseudo-rule in [`Hit::rule`].
pub(crate) const ENTROPY: u16 = u16::MAX - 1;
/// Index of the vault pseudo-rule in [`Hit::rule`].
pub(crate) const VAULT: u16 = u16::MAX;

/// Bytes before a keyword searched for vendor context words.
const CTX_BEFORE: usize = 96;
/// Bytes after a keyword searched for vendor context words.
const CTX_AFTER: usize = 48;
/// Bytes after `://` searched for a URL rule's context (host names).
const URL_CTX_AFTER: usize = 96;
/// Upper bound of raw hits kept for one text (a hostile text cannot grow this without bound).
pub(crate) const MAX_HITS_PER_TEXT: usize = 1024;

/// A raw finding: rule index and byte span in the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Index into the rule table, or [`ENTROPY`] / [`VAULT`].
    pub rule: u16,
}

/// A small set of context-word indices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Mask([u64; 4]);

impl Mask {
    fn set(&mut self, i: usize) {
        if i < 256 {
            self.0[i / 64] |= 1 << (i % 64);
        }
    }
    fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }
    fn intersects(&self, o: &Mask) -> bool {
        self.0.iter().zip(o.0.iter()).any(|(a, b)| a & b != 0)
    }
}

/// A built-in rule's regex, compiled on first use: compiling every rule is most of a short
/// process.s run (a `warden hook` call compiled ~300 regexes to scan one command), which now
/// pays only for the rules its input reaches. `warden serve` compiles them all at start
/// ([`Engine::compile_all`]), so no request pays for it.
#[derive(Debug, Clone)]
struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Result<Regex, String>>,
}

impl LazyRegex {
    fn new(pattern: String) -> Self {
        Self {
            pattern,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled regex, or why the pattern does not compile.
    fn get(&self) -> Result<&Regex, &str> {
        self.compiled
            .get_or_init(|| {
                RegexBuilder::new(&self.pattern)
                    .unicode(false)
                    .size_limit(4 << 20)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(String::as_str)
    }
}

#[derive(Debug, Clone)]
struct CompiledRule {
    spec: &'static RuleSpec,
    regex: LazyRegex,
    /// For assignment and URL rules: `\A<identifier prefix>(pattern)`, run on a slice that
    /// starts at the identifier (or URL scheme) holding the keyword, so a search costs a few
    /// bytes instead of a window scan.
    anchored: Option<LazyRegex>,
    action: ScanAction,
    ctx: Mask,
}

/// The compiled rule set and searchers, shared by clones of the scanner.
#[derive(Clone)]
pub(crate) struct Engine {
    rules: Vec<CompiledRule>,
    prefilter: Prefilter,
    keywords: AhoCorasick,
    /// Per keyword: the rules of that keyword and of every keyword it contains (the
    /// keyword search is leftmost-longest, so a contained keyword is reported through the
    /// longer one).
    keyword_rules: Vec<Vec<u16>>,
    /// Per keyword: index in `keyword_rules[k]` where the assignment rules with vendor
    /// context start (they are sorted last), and the union of their context masks, so a hit
    /// whose identifier names no vendor skips them all at once.
    keyword_ctx_start: Vec<usize>,
    keyword_ctx_union: Vec<Mask>,
    contexts: AhoCorasick,
    /// Per context word: itself and every context word it contains.
    context_closure: Vec<Vec<u16>>,
    allowlist: Option<RegexSet>,
    entropy: Option<super::EntropyConfig>,
    entropy_action: ScanAction,
    vault_action: ScanAction,
    leak: Option<Arc<dyn LeakMatcher>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .field("allowlist", &self.allowlist.as_ref().map(RegexSet::len))
            .field("entropy", &self.entropy)
            .field("leak_matcher", &self.leak.is_some())
            .finish()
    }
}

/// For each word, the union of `lists` over every word it contains (itself included).
fn close_over_substrings(words: &[String], lists: &[Vec<u16>]) -> Vec<Vec<u16>> {
    words
        .iter()
        .map(|w| {
            let mut v: Vec<u16> = Vec::new();
            for (i, o) in words.iter().enumerate() {
                if w.contains(o.as_str()) {
                    for &r in &lists[i] {
                        if !v.contains(&r) {
                            v.push(r);
                        }
                    }
                }
            }
            v.sort_unstable();
            v
        })
        .collect()
}

fn build_ac(words: &[String], kind: MatchKind) -> Result<AhoCorasick, ScanConfigError> {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(kind)
        .kind(Some(AhoCorasickKind::DFA))
        .build(words)
        .map_err(|e| ScanConfigError(format!("cannot build keyword automaton: {e}")))
}

impl Engine {
    /// Compiles the built-in rules for `config`.
    pub(crate) fn new(config: &SecretScanConfig) -> Result<Self, ScanConfigError> {
        let specs: Vec<&'static RuleSpec> = rules::builtin().collect();
        let named = config
            .rule_actions
            .keys()
            .map(|id| ("rule_actions", id))
            .chain(
                config
                    .disabled_rules
                    .iter()
                    .map(|id| ("disabled_rules", id)),
            );
        for (key, id) in named {
            let known = specs.iter().any(|s| s.id == id.as_str())
                || id == ENTROPY_RULE_ID
                || id == VAULT_RULE_ID;
            if !known {
                return Err(ScanConfigError(format!(
                    "{key}: unknown rule id `{id}` (`warden scan --list-rules` lists them)"
                )));
            }
        }
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u16>> = Vec::new();
        let mut contexts: Vec<String> = Vec::new();
        let mut compiled = Vec::new();
        for spec in specs {
            if config.disabled_rules.iter().any(|d| d == spec.id) {
                continue;
            }
            let idx = u16::try_from(compiled.len())
                .map_err(|_| ScanConfigError("too many rules".into()))?;
            let regex = LazyRegex::new(spec.pattern.to_owned());
            let anchored = (spec.assignment || is_url_rule(spec))
                .then(|| LazyRegex::new(format!(r"\A[\w.+\-]{{0,48}}?({})", spec.pattern)));
            for kw in spec.keywords {
                let kw = kw.to_ascii_lowercase();
                let k = match keywords.iter().position(|w| *w == kw) {
                    Some(k) => k,
                    None => {
                        keywords.push(kw);
                        keyword_rules.push(Vec::new());
                        keywords.len() - 1
                    }
                };
                keyword_rules[k].push(idx);
            }
            let mut ctx = Mask::default();
            for c in spec.context {
                let c = c.to_ascii_lowercase();
                let k = match contexts.iter().position(|w| *w == c) {
                    Some(k) => k,
                    None => {
                        contexts.push(c);
                        contexts.len() - 1
                    }
                };
                if k >= 256 {
                    return Err(ScanConfigError("too many context words".into()));
                }
                ctx.set(k);
            }
            let action = config
                .rule_actions
                .get(spec.id)
                .copied()
                .or(spec.action)
                .unwrap_or(config.action);
            compiled.push(CompiledRule {
                spec,
                regex,
                anchored,
                action,
                ctx,
            });
        }
        if contexts.is_empty() {
            contexts.push("\u{0}".into());
        }
        let allowlist = if config.allowlist.is_empty() {
            None
        } else {
            Some(
                RegexSet::new(&config.allowlist)
                    .map_err(|e| ScanConfigError(format!("bad allowlist regex: {e}")))?,
            )
        };
        let entropy_enabled =
            config.entropy.enabled && !config.disabled_rules.iter().any(|d| d == ENTROPY_RULE_ID);
        if entropy_enabled && !(0.0..=1.0).contains(&config.entropy.threshold) {
            return Err(ScanConfigError(format!(
                "entropy.threshold must be within 0..=1, got {}",
                config.entropy.threshold
            )));
        }
        if entropy_enabled && config.entropy.min_len < 8 {
            return Err(ScanConfigError(format!(
                "entropy.min_len must be at least 8, got {}",
                config.entropy.min_len
            )));
        }
        let mut keyword_rules = close_over_substrings(&keywords, &keyword_rules);
        let category = |ri: u16| {
            let r = &compiled[usize::from(ri)];
            match (r.spec.assignment, r.ctx.is_empty()) {
                (false, _) => 0u8,
                (true, true) => 1,
                (true, false) => 2,
            }
        };
        let mut keyword_ctx_start = Vec::with_capacity(keyword_rules.len());
        let mut keyword_ctx_union = Vec::with_capacity(keyword_rules.len());
        for list in &mut keyword_rules {
            list.sort_by_key(|&ri| (category(ri), ri));
            let start = list
                .iter()
                .position(|&ri| category(ri) == 2)
                .unwrap_or(list.len());
            let mut union = Mask::default();
            for &ri in &list[start..] {
                for (u, c) in union.0.iter_mut().zip(compiled[usize::from(ri)].ctx.0) {
                    *u |= c;
                }
            }
            keyword_ctx_start.push(start);
            keyword_ctx_union.push(union);
        }
        let action_for = |id: &str| {
            config
                .rule_actions
                .get(id)
                .copied()
                .unwrap_or(config.action)
        };
        Ok(Self {
            prefilter: Prefilter::new(if entropy_enabled {
                config.entropy.min_len.min(MIN_RUN)
            } else {
                MIN_RUN
            }),
            keywords: build_ac(&keywords, MatchKind::LeftmostLongest)?,
            keyword_rules,
            keyword_ctx_start,
            keyword_ctx_union,
            context_closure: close_over_substrings(
                &contexts,
                &(0..contexts.len())
                    .map(|i| vec![i as u16])
                    .collect::<Vec<_>>(),
            ),
            contexts: build_ac(&contexts, MatchKind::LeftmostLongest)?,
            rules: compiled,
            allowlist,
            entropy: entropy_enabled.then(|| config.entropy.clone()),
            entropy_action: action_for(ENTROPY_RULE_ID),
            vault_action: action_for(VAULT_RULE_ID),
            leak: None,
        })
    }

    /// Installs the vault leak matcher.
    pub(crate) fn set_leak_matcher(&mut self, m: Arc<dyn LeakMatcher>) {
        self.leak = Some(m);
    }

    /// The compiled (enabled) rules.
    pub(crate) fn specs(&self) -> impl Iterator<Item = &'static RuleSpec> + '_ {
        self.rules.iter().map(|r| r.spec)
    }

    /// Id, preview policy (`prefixed`) and action of a hit's rule.
    pub(crate) fn rule_meta(&self, rule: u16) -> (&'static str, bool, ScanAction) {
        match rule {
            ENTROPY => (ENTROPY_RULE_ID, false, self.entropy_action),
            VAULT => (VAULT_RULE_ID, false, self.vault_action),
            i => match self.rules.get(usize::from(i)) {
                Some(r) => (r.spec.id, r.spec.prefixed, r.action),
                None => ("unknown", false, ScanAction::Deny),
            },
        }
    }

    /// The preview of a hit: vault secrets reveal nothing, others follow
    /// [`super::redact::preview`].
    pub(crate) fn preview(&self, rule: u16, secret: &str, prefixed: bool) -> String {
        if rule == VAULT {
            "****".to_string()
        } else {
            super::redact::preview(secret, prefixed)
        }
    }

    fn is_generic(&self, rule: u16) -> bool {
        match rule {
            ENTROPY | VAULT => rule == ENTROPY,
            i => self
                .rules
                .get(usize::from(i))
                .is_some_and(|r| r.spec.generic),
        }
    }

    /// Finds every secret of `text`; `out` receives sorted, de-duplicated hits.
    /// Allocates nothing when `text` has no candidate region and `out` stays empty.
    pub(crate) fn find(&self, text: &[u8], out: &mut Vec<Hit>) {
        let first = out.len();
        // Entropy tokens are runs of a subset of the run class, so they lie inside the long
        // runs the prefilter reports; they are collected there (no second pass over `text`)
        // and checked after the rules. A run list is kept only when one is long enough.
        let entropy_min = self
            .entropy
            .as_ref()
            .map_or(usize::MAX, |c| c.min_len.max(8));
        let mut long_runs: Vec<(usize, usize)> = Vec::new();
        self.prefilter.for_each_region(
            text,
            |s, e| {
                if e - s >= entropy_min && long_runs.len() < MAX_HITS_PER_TEXT {
                    long_runs.push((s, e));
                }
            },
            |r| {
                self.scan_region(text, r.start, r.end, first, out);
                out.len() - first < MAX_HITS_PER_TEXT || compact(first, out) < MAX_HITS_PER_TEXT
            },
        );
        if let Some(cfg) = &self.entropy {
            for &(rs, re) in &long_runs {
                entropy::for_each_token_in(text, rs, re, cfg, |s, e| {
                    if out.len() - first < MAX_HITS_PER_TEXT && !self.allowed(&text[s..e]) {
                        out.push(Hit {
                            start: s,
                            end: e,
                            rule: ENTROPY,
                        });
                    }
                });
            }
        }
        if let Some(leak) = &self.leak {
            if let Ok(s) = std::str::from_utf8(text) {
                for (a, b) in leak.find(s) {
                    if a < b && b <= text.len() && out.len() - first < MAX_HITS_PER_TEXT {
                        out.push(Hit {
                            start: a,
                            end: b,
                            rule: VAULT,
                        });
                    }
                }
            }
        }
        if out.len() > first {
            self.finalize(&mut out[first..]);
            let keep = self.dedup_len(first, out);
            out.truncate(keep.min(first + MAX_HITS_PER_TEXT));
        }
    }

    fn finalize(&self, hits: &mut [Hit]) {
        hits.sort_unstable();
    }

    /// Removes exact duplicates and generic hits (generic rules, entropy) overlapping a
    /// specific one; returns the new length.
    fn dedup_len(&self, first: usize, out: &mut [Hit]) -> usize {
        let mut w = first;
        for r in first..out.len() {
            let h = out[r];
            // Sorted by start: an overlapping hit of the same rule kept already is the same
            // secret, found again from another keyword's window.
            if out[first..w]
                .iter()
                .any(|o| o.rule == h.rule && o.start < h.end && h.start < o.end)
            {
                continue;
            }
            let overlaps_specific = self.is_generic(h.rule)
                && out[first..out.len()]
                    .iter()
                    .any(|o| !self.is_generic(o.rule) && o.start < h.end && h.start < o.end);
            let entropy_dup = h.rule == ENTROPY
                && out[first..out.len()]
                    .iter()
                    .any(|o| o.rule != ENTROPY && o.start < h.end && h.start < o.end);
            if overlaps_specific || entropy_dup {
                continue;
            }
            out[w] = h;
            w += 1;
        }
        w
    }

    fn allowed(&self, secret: &[u8]) -> bool {
        self.allowlist.as_ref().is_some_and(|a| a.is_match(secret))
    }

    /// Runs the rules whose keywords occur in `start..end`; `out[first..]` holds this
    /// text's hits so far.
    fn scan_region(&self, text: &[u8], start: usize, end: usize, first: usize, out: &mut Vec<Hit>) {
        // Recently searched (rule, window) pairs: repeated keywords reuse a search.
        let mut recent = [(u16::MAX, 0usize, 0usize); 16];
        let mut next = 0usize;
        let input = Input::new(text).span(start..end);
        for m in self.keywords.find_iter(input) {
            let (q, qe) = (m.start(), m.end());
            let k = m.pattern().as_usize();
            let Some(list) = self.keyword_rules.get(k) else {
                continue;
            };
            let ctx_start = self.keyword_ctx_start.get(k).copied().unwrap_or(list.len());
            let mut ctx: Option<Mask> = None;
            let mut assign: Option<Option<usize>> = None;
            let mut ident_ctx: Option<Mask> = None;
            for (i, &ri) in list.iter().enumerate() {
                if i == ctx_start {
                    // Remaining rules need an assignment whose identifier names a vendor.
                    let Some(ident_start) =
                        *assign.get_or_insert_with(|| assignment_at(text, q, qe))
                    else {
                        break;
                    };
                    let have =
                        *ident_ctx.get_or_insert_with(|| self.context_mask(text, ident_start, qe));
                    if !self
                        .keyword_ctx_union
                        .get(k)
                        .is_some_and(|u| have.intersects(u))
                    {
                        break;
                    }
                }
                let rule = &self.rules[usize::from(ri)];
                let mut ws = q.saturating_sub(rule.spec.before);
                if rule.spec.assignment {
                    let Some(ident_start) =
                        *assign.get_or_insert_with(|| assignment_at(text, q, qe))
                    else {
                        continue;
                    };
                    if !rule.ctx.is_empty() {
                        let have = *ident_ctx
                            .get_or_insert_with(|| self.context_mask(text, ident_start, qe));
                        if !have.intersects(&rule.ctx) {
                            continue;
                        }
                    }
                    ws = ident_start;
                } else if !rule.ctx.is_empty() {
                    let have = *ctx.get_or_insert_with(|| {
                        // URL rules look at the URL around `://`, others at a window.
                        let (a, b) = if is_url_rule(rule.spec) {
                            (scheme_start(text, q), qe + URL_CTX_AFTER)
                        } else {
                            (q.saturating_sub(CTX_BEFORE), qe + CTX_AFTER)
                        };
                        self.context_mask(text, a, b.min(text.len()))
                    });
                    if !have.intersects(&rule.ctx) {
                        continue;
                    }
                }
                let we = (qe + rule.spec.after).min(text.len());
                // An anchored rule looks at one place (the assignment or the URL that starts
                // at `ws`), not the whole window: only a search from the same anchor covers it.
                let anchored = rule.anchored.is_some();
                if anchored && !rule.spec.assignment {
                    ws = scheme_start(text, q);
                }
                if recent.iter().any(|&(r, a, b)| {
                    r == ri && we <= b && if anchored { a == ws } else { a <= ws }
                }) {
                    continue;
                }
                recent[next % recent.len()] = (ri, ws, we);
                next += 1;
                if anchored {
                    self.run_anchored(text, ri, ws, we, out);
                } else {
                    self.run_rule(text, ri, ws, we, out);
                    if escape_before(text, q) {
                        // `\nAKIA…` in JSON-escaped text, `%3Dghp_…` in a URL: the escape's
                        // last character glues onto the token and a leading `\b` fails.
                        // Searched again from the keyword, as if the text began there.
                        self.run_rule_from(text, ri, q, we, out);
                    }
                }
                // Overlapping windows find the same hits again: count distinct ones before
                // giving up on the region.
                if out.len() - first >= MAX_HITS_PER_TEXT * 2
                    && compact(first, out) >= MAX_HITS_PER_TEXT
                {
                    return;
                }
            }
        }
    }

    fn context_mask(&self, text: &[u8], start: usize, end: usize) -> Mask {
        let mut mask = Mask::default();
        let input = Input::new(text).span(start..end);
        for m in self.contexts.find_iter(input) {
            if let Some(all) = self.context_closure.get(m.pattern().as_usize()) {
                for &c in all {
                    mask.set(usize::from(c));
                }
            }
        }
        mask
    }

    /// Compiles every rule's regexes now; the first that does not compile is the error.
    pub(crate) fn compile_all(&self) -> Result<(), ScanConfigError> {
        for rule in &self.rules {
            for re in std::iter::once(&rule.regex).chain(rule.anchored.as_ref()) {
                re.get().map_err(|e| {
                    ScanConfigError(format!("rule `{}`: bad regex: {e}", rule.spec.id))
                })?;
            }
        }
        Ok(())
    }

    /// Rules whose main regex is compiled (for tests).
    #[cfg(test)]
    pub(crate) fn compiled_rules(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| r.regex.compiled.get().is_some())
            .count()
    }

    /// A rule whose regex does not compile (never for the built-in rules, which tests
    /// compile) cannot clear the window it was asked about: the window counts as found.
    fn uncompiled(&self, ri: u16, start: usize, end: usize, why: &str, out: &mut Vec<Hit>) {
        tracing::error!(
            rule = self.rules[usize::from(ri)].spec.id,
            error = why,
            "secret rule does not compile; its candidate counts as found"
        );
        if end > start {
            out.push(Hit {
                start,
                end,
                rule: ri,
            });
        }
    }

    fn run_anchored(&self, text: &[u8], ri: u16, start: usize, we: usize, out: &mut Vec<Hit>) {
        let rule = &self.rules[usize::from(ri)];
        let (Some(lazy), Some(hay)) = (&rule.anchored, text.get(start..we)) else {
            return;
        };
        let re = match lazy.get() {
            Ok(re) => re,
            Err(why) => return self.uncompiled(ri, start, we, why, out),
        };
        // The lazy DFA rejects most candidates within a few bytes; only a match pays for
        // capture groups.
        if !re.is_match(hay) {
            return;
        }
        let Some(caps) = re.captures(hay) else {
            return;
        };
        let Some(g) = caps.get(rule.spec.group + 1) else {
            return;
        };
        let (s, e) = (start + g.start(), start + g.end());
        if e > s
            && rule
                .spec
                .validators
                .iter()
                .all(|&v| validate::check(v, text, s, e))
            && !self.allowed(&text[s..e])
        {
            let e = if rule.spec.quoted_value {
                to_closing_quote(text, s, e)
            } else {
                e
            };
            out.push(Hit {
                start: s,
                end: e,
                rule: ri,
            });
        }
    }

    /// [`Engine::run_rule`] on `text[from..we]` alone (offsets mapped back into `text`).
    fn run_rule_from(&self, text: &[u8], ri: u16, from: usize, we: usize, out: &mut Vec<Hit>) {
        let Some(part) = text.get(from..we) else {
            return;
        };
        let first = out.len();
        self.run_rule(part, ri, 0, part.len(), out);
        for h in &mut out[first..] {
            h.start += from;
            h.end += from;
        }
    }

    fn run_rule(&self, text: &[u8], ri: u16, ws: usize, we: usize, out: &mut Vec<Hit>) {
        let rule = &self.rules[usize::from(ri)];
        let regex = match rule.regex.get() {
            Ok(re) => re,
            Err(why) => return self.uncompiled(ri, ws, we, why, out),
        };
        let hay = &text[..we];
        let mut at = ws;
        while at <= hay.len() {
            let Some(m) = regex.find_at(hay, at) else {
                return;
            };
            let (s, e) = if rule.spec.group == 0 {
                (m.start(), m.end())
            } else {
                match regex
                    .captures_at(&hay[..m.end()], m.start())
                    .and_then(|c| c.get(rule.spec.group))
                {
                    Some(g) => (g.start(), g.end()),
                    None => (m.start(), m.start()),
                }
            };
            if e > s
                && rule
                    .spec
                    .validators
                    .iter()
                    .all(|&v| validate::check(v, text, s, e))
                && !self.allowed(&text[s..e])
            {
                let e = if rule.spec.quoted_value {
                    to_closing_quote(text, s, e)
                } else {
                    e
                };
                out.push(Hit {
                    start: s,
                    end: e,
                    rule: ri,
                });
            }
            at = if m.end() > at { m.end() } else { at + 1 };
        }
    }
}

/// Longest quoted value taken whole.
const MAX_QUOTED_VALUE: usize = 256;

/// `e`, or the position of the quote that closes the quoted value starting at `s` (when
/// `text[s - 1]` is a quote and it closes on the same line within [`MAX_QUOTED_VALUE`]):
/// `password = "correct horse battery staple"` is reported whole, not as `correct`.
fn to_closing_quote(text: &[u8], s: usize, e: usize) -> usize {
    let Some(&quote @ (b'"' | b'\'' | b'`')) = s.checked_sub(1).and_then(|i| text.get(i)) else {
        return e;
    };
    if text.get(e) == Some(&quote) {
        return e;
    }
    let limit = (s + MAX_QUOTED_VALUE).min(text.len());
    let Some(rest) = text.get(e..limit) else {
        return e;
    };
    match rest.iter().position(|&b| b == quote || b == b'\n') {
        Some(i) if rest[i] == quote && rest[..i].last() != Some(&b'\\') => e + i,
        _ => e,
    }
}

/// Sorts `out[first..]` and removes exact duplicates; returns how many hits remain there.
fn compact(first: usize, out: &mut Vec<Hit>) -> usize {
    if let Some(hits) = out.get_mut(first..) {
        hits.sort_unstable();
    }
    let mut w = first;
    for r in first..out.len() {
        if w == first || out[w - 1] != out[r] {
            out[w] = out[r];
            w += 1;
        }
    }
    out.truncate(w);
    w - first
}

const fn ident_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-';
        b += 1;
    }
    t
}

static IDENT: [bool; 256] = ident_table();

/// Whether the keyword at `q` follows a two-character escape (`\n`, `\t`, `\r`) or a
/// percent-encoded byte (`%3D`) whose last character is a letter or digit.
fn escape_before(text: &[u8], q: usize) -> bool {
    let at = |i: usize| q.checked_sub(i).and_then(|j| text.get(j)).copied();
    match (at(3), at(2), at(1)) {
        (_, Some(b'\\'), Some(b'n' | b'r' | b't')) => true,
        (Some(b'%'), Some(h), Some(l)) => h.is_ascii_hexdigit() && l.is_ascii_hexdigit(),
        _ => false,
    }
}

/// URL rules are anchored on `://`.
fn is_url_rule(spec: &RuleSpec) -> bool {
    spec.keywords == ["://"]
}

/// Start of the URL scheme ending at the `://` found at `q` (at most 32 bytes back).
fn scheme_start(text: &[u8], q: usize) -> usize {
    let mut s = q;
    let lim = q.saturating_sub(32);
    while s > lim
        && (text[s - 1].is_ascii_alphanumeric() || matches!(text[s - 1], b'+' | b'.' | b'-'))
    {
        s -= 1;
    }
    s
}

/// When the keyword at `q..qe` lies in an identifier followed by an assignment (`=`, `:`,
/// `=>`, `:=`, after up to 3 closing quotes/brackets and 4 blanks), the identifier's start.
fn assignment_at(text: &[u8], q: usize, qe: usize) -> Option<usize> {
    let n = text.len();
    let mut s = q;
    let lim = q.saturating_sub(48);
    while s > lim && IDENT[usize::from(text[s - 1])] {
        s -= 1;
    }
    let mut k = qe;
    let lim = (qe + 24).min(n);
    while k < lim && IDENT[usize::from(text[k])] {
        k += 1;
    }
    let mut c = 0;
    while k < n && c < 3 && matches!(text[k], b'"' | b'\'' | b']' | b')' | b'`') {
        k += 1;
        c += 1;
    }
    let mut c = 0;
    while k < n && c < 4 && matches!(text[k], b' ' | b'\t') {
        k += 1;
        c += 1;
    }
    (k < n && matches!(text[k], b'=' | b':')).then_some(s)
}
