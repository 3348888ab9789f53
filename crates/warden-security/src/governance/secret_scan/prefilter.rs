//! Tier 1 of the scan: finds the few places of a text worth a closer look.
//!
//! Two cheap detectors produce candidate regions, everything else is skipped:
//! - **long token runs**: almost every vendor secret is a run of at least [`MIN_RUN`]
//!   characters of `[A-Za-z0-9_+/=.~-]`. A skip search probes one byte in every
//!   `MIN_RUN`: a probe on a separator proves that no run of that length crosses it, so prose
//!   and code cost about one memory read per `MIN_RUN` bytes;
//! - **short-secret triggers**: the few rules whose secret may be shorter (passwords,
//!   `secret=` assignments, credentials in URLs) are anchored on a handful of literals found
//!   with a packed (Teddy) searcher, falling back to Rabin-Karp where SIMD is missing.
//!
//! Regions are merged while they overlap; tier 2 ([`super::engine`]) then runs an
//! Aho-Corasick keyword pass over each region and the matching rules' regexes on windows.

use aho_corasick::packed;

/// Shortest token run that makes a region. Every vendor rule's secret is at least this long;
/// rules with shorter secrets are anchored on [`TRIGGERS`].
pub(crate) const MIN_RUN: usize = 16;

/// Bytes of context before a run (keywords and vendor names precede the value).
pub(crate) const RUN_BEFORE: usize = 96;
/// Bytes of context after a run.
pub(crate) const RUN_AFTER: usize = 16;
/// Overlap kept between a trigger region and an already searched run region (longer than
/// any keyword).
const KEYWORD_OVERLAP: usize = 40;
/// Bytes of context on both sides of a trigger hit.
pub(crate) const TRIGGER_RADIUS: usize = 96;

/// Literals anchoring the rules whose secrets can be shorter than [`MIN_RUN`]
/// (`password=hunter22`, `secret: s3cr3t!!`, `token=…`, `postgres://u:pw@host`).
pub(crate) const TRIGGERS: &[&str] = &[
    "pass", "PASS", "Pass", "pwd", "PWD", "Pwd", "ecret", "ECRET", "oken", "OKEN", "://",
];

/// A 256-entry membership table for token-run bytes.
pub(crate) const fn run_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || c == b'_'
            || c == b'-'
            || c == b'+'
            || c == b'/'
            || c == b'='
            || c == b'.'
            || c == b'~';
        b += 1;
    }
    t
}

pub(crate) static RUN: [bool; 256] = run_table();

/// A half-open byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// The compiled tier-1 searcher.
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    triggers: Option<packed::Searcher>,
    min_run: usize,
}

impl Prefilter {
    /// Builds the searcher; `min_run` is the shortest run reported (≤ [`MIN_RUN`]).
    pub(crate) fn new(min_run: usize) -> Self {
        let triggers = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(TRIGGERS)
            .build();
        Self {
            triggers,
            min_run: min_run.clamp(4, MIN_RUN),
        }
    }

    /// Calls `f` with every merged candidate region of `text`, in increasing order within
    /// each detector (runs first, then triggers), and `on_run` with every long token run
    /// (the entropy backstop looks only inside those). Stops early when `f` returns `false`.
    pub(crate) fn for_each_region(
        &self,
        text: &[u8],
        mut on_run: impl FnMut(usize, usize),
        mut f: impl FnMut(Region) -> bool,
    ) {
        let mut merger = Merger::default();
        let mut keep_going = true;
        // Run regions already searched; trigger regions skip what they cover. Allocated only
        // when the text has a candidate.
        let mut covered: Vec<Region> = Vec::new();
        let mut emit_run = |r: Region, covered: &mut Vec<Region>| {
            covered.push(r);
            f(r)
        };
        for_each_run(text, self.min_run, |s, e| {
            on_run(s, e);
            let r = Region {
                start: s.saturating_sub(RUN_BEFORE),
                end: (e + RUN_AFTER).min(text.len()),
            };
            keep_going = merger.push(r, &mut |done| emit_run(done, &mut covered));
            keep_going
        });
        if !keep_going {
            return;
        }
        if let Some(done) = merger.finish() {
            if !emit_run(done, &mut covered) {
                return;
            }
        }
        let mut idx = 0usize;
        let mut keep_going = true;
        let mut uncovered = |r: Region| -> bool {
            while idx < covered.len() && covered[idx].end <= r.start {
                idx += 1;
            }
            let mut a = r.start;
            let mut j = idx;
            while a < r.end && keep_going {
                match covered.get(j) {
                    Some(c) if c.start < r.end => {
                        if c.start > a {
                            // Overlap by a keyword length so no keyword straddles the cut.
                            let piece = Region {
                                start: a,
                                end: (c.start + KEYWORD_OVERLAP).min(r.end),
                            };
                            keep_going = f(piece);
                        }
                        if c.end >= r.end {
                            break;
                        }
                        a = a.max(c.end.saturating_sub(KEYWORD_OVERLAP));
                        j += 1;
                    }
                    _ => {
                        keep_going = f(Region {
                            start: a,
                            end: r.end,
                        });
                        break;
                    }
                }
            }
            keep_going
        };
        self.for_each_trigger(text, |p| {
            let r = Region {
                start: p.saturating_sub(TRIGGER_RADIUS),
                end: (p + TRIGGER_RADIUS).min(text.len()),
            };
            merger.push(r, &mut uncovered)
        });
        if let Some(done) = merger.finish() {
            uncovered(done);
        }
    }

    fn for_each_trigger(&self, text: &[u8], mut f: impl FnMut(usize) -> bool) {
        let mut at = 0;
        match &self.triggers {
            Some(searcher) => {
                while at < text.len() {
                    let Some(m) = searcher.find_in(text, aho_corasick::Span::from(at..text.len()))
                    else {
                        return;
                    };
                    if !f(m.start()) {
                        return;
                    }
                    at = m.start() + 1;
                }
            }
            None => {
                // No packed searcher on this build: memchr-driven literal scan.
                for t in TRIGGERS {
                    for p in memchr::memmem::find_iter(text, t.as_bytes()) {
                        if !f(p) {
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// Merges overlapping regions pushed in increasing start order.
#[derive(Default)]
struct Merger {
    cur: Option<Region>,
}

impl Merger {
    fn push(&mut self, r: Region, f: &mut dyn FnMut(Region) -> bool) -> bool {
        match &mut self.cur {
            Some(c) if r.start <= c.end => {
                c.end = c.end.max(r.end);
                true
            }
            Some(c) => {
                let done = *c;
                self.cur = Some(r);
                f(done)
            }
            None => {
                self.cur = Some(r);
                true
            }
        }
    }

    fn finish(&mut self) -> Option<Region> {
        self.cur.take()
    }
}

/// Calls `f(start, end)` for every maximal run of token bytes at least `min` long.
/// Stops when `f` returns `false`.
///
/// Horspool-style skip search: with `start` the earliest possible run start, the byte at
/// `start + min - 1` is probed and the search walks backwards to `start`; the first separator
/// met at `j` proves no run of `min` bytes starts at or before `j`, so the search resumes at
/// `j + 1`. On prose only the tail of one word is read per ~`min` bytes.
pub(crate) fn for_each_run(text: &[u8], min: usize, f: impl FnMut(usize, usize) -> bool) {
    for_each_run_in(text, min, &RUN, f);
}

/// [`for_each_run`] over an arbitrary byte class.
pub(crate) fn for_each_run_in(
    text: &[u8],
    min: usize,
    class: &[bool; 256],
    mut f: impl FnMut(usize, usize) -> bool,
) {
    let min = min.max(1);
    let n = text.len();
    // Invariant: `start == 0` or `text[start - 1]` is a separator.
    let mut start = 0usize;
    while start + min <= n {
        let mut j = start + min - 1;
        let all_run = loop {
            if !class[usize::from(text[j])] {
                break false;
            }
            if j == start {
                break true;
            }
            j -= 1;
        };
        if !all_run {
            start = j + 1;
            continue;
        }
        let mut e = start + min;
        while e < n && class[usize::from(text[e])] {
            e += 1;
        }
        if !f(start, e) {
            return;
        }
        start = e + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(text: &str, min: usize) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for_each_run(text.as_bytes(), min, |s, e| {
            v.push((s, e));
            true
        });
        v
    }

    #[test]
    fn finds_every_run_at_least_min_long() {
        let text = "ab cdefghijklmnopqrstu v wxyz0123456789ABCDEFG";
        assert_eq!(runs(text, 16), vec![(3, 22), (25, 46)]);
    }

    #[test]
    fn ignores_runs_shorter_than_min() {
        assert!(runs("the quick brown fox jumps over the lazy dog", 16).is_empty());
    }

    #[test]
    fn finds_run_at_text_edges() {
        let t = "x".repeat(20);
        assert_eq!(runs(&t, 16), vec![(0, 20)]);
        assert_eq!(runs(&format!("   {t}"), 16), vec![(3, 23)]);
    }

    #[test]
    fn run_search_matches_naive_definition() {
        let text = "a-b_c d.e/f+g=h~i jjjjjjjjjjjjjjjj kkkkkkkkkkkkkkkk!lllllllllllllll mm";
        let mut naive = Vec::new();
        let b = text.as_bytes();
        let mut s = 0;
        while s < b.len() {
            if RUN[b[s] as usize] {
                let mut e = s;
                while e < b.len() && RUN[b[e] as usize] {
                    e += 1;
                }
                if e - s >= 16 {
                    naive.push((s, e));
                }
                s = e;
            } else {
                s += 1;
            }
        }
        assert_eq!(runs(text, 16), naive);
    }

    #[test]
    fn trigger_regions_cover_keyword() {
        let p = Prefilter::new(MIN_RUN);
        let text = b"hello world my password is short";
        let mut regions = Vec::new();
        p.for_each_region(
            text,
            |_, _| {},
            |r| {
                regions.push(r);
                true
            },
        );
        assert_eq!(regions.len(), 1);
        assert!(regions[0].start <= 15 && regions[0].end >= 23);
    }

    #[test]
    fn clean_prose_has_no_regions() {
        let p = Prefilter::new(MIN_RUN);
        let mut n = 0;
        p.for_each_region(
            b"The quick brown fox jumps over the lazy dog, twice.",
            |_, _| {},
            |_| {
                n += 1;
                true
            },
        );
        assert_eq!(n, 0);
    }
}
