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
/// (`password=hunter22`, `secret: s3cr3t!!`, `token=…`, `postgres://u:pw@host`, and the
/// commands that take a password as an argument: `curl -u u:pw`, `mysql -ppw`,
/// `docker login -p pw`, `redis-cli -a pw`; `--password pw` and `sshpass` are reached by
/// `pass`). At most 16: past that the packed searcher slowed the clean-text scan by 30 %.
pub(crate) const TRIGGERS: &[&str] = &[
    "pass",
    "PASS",
    "Pass",
    "pwd",
    "PWD",
    "Pwd",
    "ecret",
    "ECRET",
    "oken",
    "OKEN",
    "://",
    "curl",
    "mysql",
    "mariadb",
    "login",
    "redis-cli",
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
    if cfg!(all(target_arch = "x86_64", target_feature = "sse2")) && (1..=64).contains(&min) {
        if min == MIN_RUN {
            // The constant lets the window test unroll.
            for_each_run_by_mask(text, MIN_RUN, run_mask, f);
        } else {
            for_each_run_by_mask(text, min, run_mask, f);
        }
    } else {
        for_each_run_in(text, min, &RUN, f);
    }
}

/// Bit `i`: byte `i` of `block` (at most 64 bytes) is a token-run byte ([`RUN`]); bits past
/// the block are 0. SSE2: range compares for letters, digits and `-./`, equality for
/// `+=_~`, sixteen bytes at a time.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn run_mask(block: &[u8]) -> u64 {
    use crate::lanes::lane16;
    use safe_arch::{
        add_i8_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, cmp_lt_mask_i8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };
    let splat = |b: u8| set_splat_i8_m128i(b as i8);
    // `b + (0x80 - lo) < -0x80 + span` as `i8` ⇔ `lo <= b < lo + span` as `u8`.
    let below = |span: i8| set_splat_i8_m128i(-0x80 + span);
    let (letter_shift, digit_shift, punct_shift) = (
        splat(0x80u8.wrapping_sub(b'a')),
        splat(0x80u8.wrapping_sub(b'0')),
        splat(0x80u8.wrapping_sub(b'-')),
    );
    let (letters, digits, puncts) = (below(26), below(10), below(3));
    let (case, plus, equals, underscore, tilde) = (
        splat(0x20),
        splat(b'+'),
        splat(b'='),
        splat(b'_'),
        splat(b'~'),
    );
    let n = block.len().min(64);
    let mut mask = 0u64;
    let mut at = 0;
    while at < n {
        let (x, drop) = lane16(block, at);
        let range = |shift, span| cmp_lt_mask_i8_m128i(add_i8_m128i(x, shift), span);
        let letter =
            cmp_lt_mask_i8_m128i(add_i8_m128i(bitor_m128i(x, case), letter_shift), letters);
        let eq = |v| cmp_eq_mask_i8_m128i(x, v);
        let any = bitor_m128i(
            bitor_m128i(letter, range(digit_shift, digits)),
            bitor_m128i(
                bitor_m128i(range(punct_shift, puncts), eq(plus)),
                bitor_m128i(bitor_m128i(eq(equals), eq(underscore)), eq(tilde)),
            ),
        );
        mask |= (u64::from(move_mask_i8_m128i(any) as u16) >> drop) << at;
        at += 16;
    }
    if n < 64 {
        mask &= (1u64 << n) - 1;
    }
    mask
}

/// The portable [`run_mask`]: a byte loop over [`RUN`] (other targets; and the reference in
/// tests).
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn run_mask_bytes(block: &[u8]) -> u64 {
    block
        .iter()
        .take(64)
        .enumerate()
        .fold(0, |m, (i, &b)| m | (u64::from(RUN[usize::from(b)]) << i))
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn run_mask(block: &[u8]) -> u64 {
    run_mask_bytes(block)
}

/// Bit `i` of the result: bits `i..i + min` of `m` are all set (`1 <= min <= 64`; runs that
/// reach past bit 63 are not seen). Doubling shifts: about `2·log2(min)` operations.
#[inline(always)]
fn windows_of(m: u64, min: usize) -> u64 {
    let mut x = m;
    let mut covered = 1usize;
    while covered * 2 <= min {
        x &= x >> covered;
        covered *= 2;
    }
    if covered < min {
        x &= x >> (min - covered);
    }
    x
}

/// [`for_each_run`] from per-block masks: 64 bytes are classified at once (`mask_of`), and a
/// block with no run of `min` bytes inside it and none reaching its end costs two tests —
/// branch-free work per byte instead of one dependent load and branch per probed byte.
#[inline(always)]
fn for_each_run_by_mask(
    text: &[u8],
    min: usize,
    mask_of: impl Fn(&[u8]) -> u64,
    mut f: impl FnMut(usize, usize) -> bool,
) {
    let min = min.clamp(1, 64);
    let n = text.len();
    // Start of a run that reaches the end of the blocks read so far.
    let mut open: Option<usize> = None;
    let mut base = 0usize;
    while base < n {
        let block = text.get(base..n.min(base + 64)).unwrap_or(&[]);
        let mut m = mask_of(block);
        if let Some(s) = open {
            let lead = (!m).trailing_zeros() as usize;
            if lead >= 64 {
                base += 64;
                continue;
            }
            open = None;
            if base + lead - s >= min && !f(s, base + lead) {
                return;
            }
            m &= !((1u64 << lead) - 1);
        }
        if windows_of(m, min) == 0 {
            // No run of `min` bytes inside the block (the common case): at most the run
            // reaching its end matters, and only if the next block continues it.
            let top = m.leading_ones() as usize;
            if top > 0 {
                open = Some(base + 64 - top);
            }
        } else {
            while m != 0 {
                let s = m.trailing_zeros() as usize;
                let len = (!(m >> s)).trailing_zeros() as usize;
                if s + len >= 64 {
                    // Reaches the block's end: it may go on in the next one.
                    open = Some(base + s);
                    break;
                }
                if len >= min && !f(base + s, base + s + len) {
                    return;
                }
                m &= !(((1u64 << len) - 1) << s);
            }
        }
        base += 64;
    }
    if let Some(s) = open {
        if n - s >= min {
            f(s, n);
        }
    }
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

    fn runs_by_horspool(text: &[u8], min: usize) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for_each_run_in(text, min, &RUN, |s, e| {
            v.push((s, e));
            true
        });
        v
    }

    fn runs_by_mask(text: &[u8], min: usize, mask_of: fn(&[u8]) -> u64) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for_each_run_by_mask(text, min, mask_of, |s, e| {
            v.push((s, e));
            true
        });
        v
    }

    #[test]
    fn run_masks_classify_every_byte_at_every_position() {
        for b in 0..=255u8 {
            for len in 1..=64usize {
                let mut block = vec![b'a'; len];
                block[len - 1] = b;
                assert_eq!(run_mask(&block), run_mask_bytes(&block), "{b:#x} at {len}");
            }
        }
    }

    #[test]
    fn mask_search_finds_runs_across_blocks() {
        for min in [1usize, 4, 15, 16, 17, 63, 64] {
            for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200] {
                for pad in [0usize, 1, 47, 63, 64] {
                    let text = format!(
                        "{} {}!{} x",
                        "a".repeat(pad),
                        "b".repeat(len),
                        "c".repeat(len / 2)
                    );
                    let t = text.as_bytes();
                    assert_eq!(
                        runs_by_mask(t, min, run_mask),
                        runs_by_horspool(t, min),
                        "min {min} len {len} pad {pad}"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn mask_search_agrees_with_the_skip_search(
            text in proptest::collection::vec(
                proptest::sample::select(b"ab0_-. !/+=~\xff".to_vec()), 0..400),
            min in 1usize..=64,
        ) {
            let want = runs_by_horspool(&text, min);
            proptest::prop_assert_eq!(runs_by_mask(&text, min, run_mask), want.clone());
            proptest::prop_assert_eq!(runs_by_mask(&text, min, run_mask_bytes), want);
        }

        #[test]
        fn run_masks_agree_on_arbitrary_blocks(block in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..=64)) {
            proptest::prop_assert_eq!(run_mask(&block), run_mask_bytes(&block));
        }
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
