//! The compiled form of [`AGENT_RULES`]: a word index instead of an automaton.
//!
//! Every rule is word-bounded ([`super::agents`]), so a match can only begin where the
//! user agent's words allow it:
//!
//! - a rule whose first byte is a letter or digit (and whose left edge is checked) starts at
//!   the start of a word and its first word *is* that word (`Googlebot-Image` → `googlebot`);
//! - a rule that begins with punctuation (`+http`, `${jndi:`, `/etc/passwd`) has a first word
//!   too, preceded by that punctuation;
//! - a suffix rule (`bot/`, `crawler`: left edge not checked) ends its first word at the end
//!   of a word of the user agent;
//! - a rule without any letter or digit (`() {`, `${${`) is searched for as a plain substring,
//!   and only when the user agent holds a byte that all such rules share.
//!
//! So one pass finds the words of the user agent (eight bytes at a time, no branch per byte),
//! each word is looked up once in a [`KeyTable`] of first words (lowercase first eight bytes
//! and length), and only the few rules filed under that word are compared in full. The
//! tables take a few kilobytes and stay in cache, where the former Aho–Corasick DFA over the
//! same rules took about 1.6 MB and a dependent table load per byte.

use std::sync::LazyLock;

use super::agents::{is_word_byte, AGENT_RULES};
use super::fold::{load_short, Folded};
use super::keytable::KeyTable;

/// `b` in every byte of a word.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

const LOW7: u64 = splat(0x7f);
const HIGH: u64 = splat(0x80);

/// Gathers the high bit of each byte of `x` into bits 0..8 (byte `i` → bit `i`).
#[inline(always)]
fn gather(x: u64) -> u64 {
    ((x >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// For the eight bytes of `x` (little-endian): `(words, letters)`, one bit per byte, set
/// when the byte is an ASCII letter or digit (`words`) or an ASCII letter (`letters`).
#[inline(always)]
fn class_bits(x: u64) -> (u64, u64) {
    let ascii = !x & HIGH;
    // Adding 0x80 - c to a 7-bit byte sets its high bit exactly when the byte is >= c.
    let l7 = (x | splat(0x20)) & LOW7;
    let letter = (l7 + splat(0x80 - b'a')) & !(l7 + splat(0x80 - (b'z' + 1))) & ascii;
    let x7 = x & LOW7;
    let digit = (x7 + splat(0x80 - b'0')) & !(x7 + splat(0x80 - (b'9' + 1))) & ascii;
    (gather(letter | digit), gather(letter))
}

/// High bit of every byte of `x` that is zero.
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// Classes of a block of at most 64 bytes.
struct Block {
    /// Bit `i`: `block[i]` is a word byte (ASCII letter or digit).
    words: u64,
    /// Bit `i`: `block[i]` is an ASCII letter.
    letters: u64,
    /// Nonzero when the block holds the trigger byte.
    seen: u64,
}

/// Classes of `block` (at most 64 bytes), eight bytes at a time in general-purpose
/// registers: the portable path, and the reference the SSE2 path is tested against.
#[cfg_attr(not(test), allow(dead_code))]
#[inline(always)]
fn classify_block_swar(block: &[u8], trigger: u64) -> Block {
    let mut out = Block {
        words: 0,
        letters: 0,
        seen: 0,
    };
    let mut shift = 0u32;
    let mut chunks = block.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w);
        let (words, letters) = class_bits(x);
        out.words |= words << shift;
        out.letters |= letters << shift;
        out.seen |= zero_bytes(x ^ trigger);
        shift += 8;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() && shift < 64 {
        let x = load_short(rest);
        let (words, letters) = class_bits(x);
        out.words |= words << shift;
        out.letters |= letters << shift;
        // The zero padding must not count as the trigger byte.
        let real = u64::MAX >> (64 - 8 * rest.len() as u32);
        out.seen |= zero_bytes(x ^ trigger) & real;
    }
    out
}

/// Classes of `block` (at most 64 bytes) with SSE2 (part of the x86-64 baseline): sixteen
/// bytes per compare and one `pmovmskb` per class, about a fifth of the instructions of the
/// portable path (which LLVM vectorizes with emulated 64-bit multiplies). `safe_arch` wraps
/// the intrinsics in safe functions, so this crate stays free of `unsafe`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn classify_block(block: &[u8], trigger: u64) -> Block {
    use crate::lanes::lane16;
    use safe_arch::{
        add_i8_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, cmp_lt_mask_i8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };
    // `b + (0x80 - lo) < -0x80 + span` as `i8` holds exactly when `lo <= b < lo + span`
    // (as `u8`); `| 0x20` lowercases letters and maps no other byte into `a..=z`.
    let letter_shift = set_splat_i8_m128i(0x80u8.wrapping_sub(b'a') as i8);
    let digit_shift = set_splat_i8_m128i(0x80u8.wrapping_sub(b'0') as i8);
    let letter_span = set_splat_i8_m128i(-0x80 + 26);
    let digit_span = set_splat_i8_m128i(-0x80 + 10);
    let case = set_splat_i8_m128i(0x20);
    let needle = set_splat_i8_m128i(trigger as u8 as i8);
    let (mut words, mut letters, mut seen) = (0u64, 0u64, 0u64);
    let mut at = 0;
    while at < block.len().min(64) {
        let (x, drop) = lane16(block, at);
        let letter = cmp_lt_mask_i8_m128i(
            add_i8_m128i(bitor_m128i(x, case), letter_shift),
            letter_span,
        );
        let digit = cmp_lt_mask_i8_m128i(add_i8_m128i(x, digit_shift), digit_span);
        let mask = |v| (u64::from(move_mask_i8_m128i(v) as u16) >> drop) << at;
        letters |= mask(letter);
        words |= mask(bitor_m128i(letter, digit));
        seen |= mask(cmp_eq_mask_i8_m128i(x, needle));
        at += 16;
    }
    // The zero padding of a short block must not count as the trigger byte.
    let real = if block.len() >= 64 {
        u64::MAX
    } else {
        (1u64 << block.len()) - 1
    };
    Block {
        words,
        letters,
        seen: seen & real,
    }
}

/// Classes of `block` (at most 64 bytes): the portable path.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn classify_block(block: &[u8], trigger: u64) -> Block {
    classify_block_swar(block, trigger)
}

/// A maximal run of ASCII letters in a user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    /// First letter.
    pub start: usize,
    /// End of the letters (exclusive).
    pub letters_end: usize,
    /// End of the word (letters and digits) that begins at `start` (exclusive); only when
    /// `word_start` (computing it for runs inside a word could rescan a long word once per
    /// run: quadratic on `a1a1a1…`), else `letters_end`.
    pub word_end: usize,
    /// Whether `start` begins a word (the byte before is not a letter or digit).
    pub word_start: bool,
    /// Whether the letters end the word (the byte after them is not a digit).
    pub ends_word: bool,
}

/// Calls `f` for every maximal run of ASCII letters in `hay`, in order, and returns whether
/// `hay` holds the byte splatted in `trigger`. Linear in `hay`, eight bytes at a time, with
/// one branch per run rather than per byte; words that begin with a digit are skipped
/// (no rule's first word does).
#[inline(always)]
fn scan_runs(hay: &[u8], trigger: u64, mut f: impl FnMut(Run)) -> bool {
    let n = hay.len();
    let mut seen = 0u64;
    let mut base = 0usize;
    // Whether the byte just before the current block is a word byte / a letter (0 or 1).
    let (mut carry_word, mut carry_letter) = (0u64, 0u64);
    while base < n {
        let b = classify_block(hay.get(base..n.min(base + 64)).unwrap_or(&[]), trigger);
        seen |= b.seen;
        let mut starts = b.letters & !((b.letters << 1) | carry_letter);
        while starts != 0 {
            let off = starts.trailing_zeros();
            starts &= starts - 1;
            let before = (b.words << 1) | carry_word;
            let letters = (!(b.letters >> off)).trailing_zeros();
            let word = (!(b.words >> off)).trailing_zeros();
            let start = base + off as usize;
            let word_start = (before >> off) & 1 == 0;
            let mut run = Run {
                start,
                letters_end: start + letters as usize,
                word_end: start + if word_start { word } else { letters } as usize,
                word_start,
                ends_word: letters == word,
            };
            if off + word >= 64 {
                // Crosses into the next block (rare: long words). Each byte is rescanned at
                // most once: letter runs are disjoint, and so are the words they start.
                if off + letters >= 64 {
                    run.letters_end = run_end(hay, run.letters_end, true);
                }
                run.word_end = if word_start {
                    run_end(hay, run.word_end, false)
                } else {
                    run.letters_end
                };
                run.ends_word = !hay.get(run.letters_end).copied().is_some_and(is_word_byte);
            }
            f(run);
        }
        carry_word = b.words >> 63;
        carry_letter = b.letters >> 63;
        base += 64;
    }
    seen != 0
}

/// The end of the run of word bytes (`letters`: of letters) that continues at `from`.
#[inline(never)]
fn run_end(hay: &[u8], from: usize, letters: bool) -> usize {
    let tail = hay.get(from..).unwrap_or(&[]);
    let len = if letters {
        tail.iter().take_while(|b| b.is_ascii_alphabetic()).count()
    } else {
        tail.iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count()
    };
    from + len
}

/// Up to eight bytes of `hay` from `at`, zero-padded past its end, little-endian.
#[inline(always)]
fn load8(hay: &[u8], at: usize) -> u64 {
    let n = hay.len();
    let le = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    if let Some(c) = hay.get(at..at.saturating_add(8)) {
        le(c)
    } else if let (Some(c), true) = (hay.get(n.saturating_sub(8)..n), n >= 8 && at < n) {
        // The last eight bytes, shifted so that `hay[at]` comes first.
        le(c) >> (8 * (at + 8 - n))
    } else {
        load_short(hay.get(at..).unwrap_or(&[]))
    }
}

/// The table key of the word `hay[start..end]` (letters and digits only): its first eight
/// bytes lowercased, mixed with its length. Different words may share a key (long words
/// with the same first eight bytes and length); the rules filed under it are verified.
#[inline(always)]
fn word_key(hay: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    let keep = if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    };
    // `| 0x20` lowercases letters and leaves digits alone.
    let head = (load8(hay, start) | splat(0x20)) & keep;
    head ^ (len as u64).wrapping_mul(0xff51_afd7_ed55_8ccd)
}

/// Where a rule's first word sits in it: `(offset, length)`; `None` when it has no letter
/// or digit.
fn first_word(pattern: &[u8]) -> Option<(usize, usize)> {
    let start = pattern.iter().position(|&b| is_word_byte(b))?;
    let len = pattern
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&b| is_word_byte(b))
        .count();
    Some((start, len))
}

/// Rules whose first word must end a word of the user agent (left edge unchecked).
#[derive(Debug)]
struct Suffix {
    /// The first word.
    word: Folded,
    /// Rule numbers.
    rules: Vec<u16>,
}

/// The compiled user-agent knowledge.
#[derive(Debug)]
pub(crate) struct AgentIndex {
    /// First word → rules that start with it (or with punctuation and then it).
    keyed: KeyTable,
    /// Per rule: bytes of punctuation before its first word.
    lead: Vec<u8>,
    /// Per rule: the pattern, for case-insensitive comparison.
    folded: Vec<Folded>,
    /// Per rule: whether its last byte is a letter or digit (its right edge is checked).
    right_word: Vec<bool>,
    /// Suffix rules, grouped by first word.
    suffixes: Vec<Suffix>,
    /// Per suffix word: its lowercase bytes as a little-endian word and its length.
    suffix_tails: Vec<(u64, u32)>,
    /// Last bytes (lowercase and uppercase) of the suffix words.
    suffix_last: [bool; 256],
    /// Rules without letters or digits.
    bare: Vec<u16>,
    /// A byte every bare rule contains (`None`: search for them in every user agent).
    bare_trigger: Option<u8>,
    /// `bare_trigger` in every byte of a word (0 when none).
    trigger: u64,
}

/// The index over [`AGENT_RULES`], built on first use.
pub(crate) static AGENT_INDEX: LazyLock<AgentIndex> = LazyLock::new(AgentIndex::build);

impl AgentIndex {
    fn build() -> Self {
        let mut keyed = Vec::new();
        let mut lead = Vec::with_capacity(AGENT_RULES.len());
        let mut suffixes: Vec<Suffix> = Vec::new();
        let mut suffix_last = [false; 256];
        let mut bare = Vec::new();
        for (i, rule) in AGENT_RULES.iter().enumerate() {
            let Ok(id) = u16::try_from(i) else { break };
            let p = rule.pattern.as_bytes();
            let Some((start, len)) = first_word(p) else {
                lead.push(0);
                bare.push(id);
                continue;
            };
            lead.push(u8::try_from(start).unwrap_or(u8::MAX));
            if start == 0 && !rule.left_boundary {
                let word = p.get(..len).unwrap_or(&[]).to_ascii_lowercase();
                if let Some(&last) = word.last() {
                    suffix_last[usize::from(last)] = true;
                    suffix_last[usize::from(last.to_ascii_uppercase())] = true;
                }
                match suffixes.iter_mut().find(|s| s.word.eq(&word)) {
                    Some(s) => s.rules.push(id),
                    None => suffixes.push(Suffix {
                        word: Folded::new(&word),
                        rules: vec![id],
                    }),
                }
            } else {
                keyed.push((word_key(p, start, start + len), id));
            }
        }
        let bare_trigger = bare.first().and_then(|&first| {
            let first = AGENT_RULES.get(usize::from(first))?.pattern.as_bytes();
            first.iter().copied().find(|b| {
                bare.iter().all(|&r| {
                    AGENT_RULES
                        .get(usize::from(r))
                        .is_some_and(|rule| rule.pattern.as_bytes().contains(b))
                })
            })
        });
        let suffix_tails = suffixes
            .iter()
            .map(|s| {
                let word = AGENT_RULES
                    .get(usize::from(s.rules.first().copied().unwrap_or(0)))
                    .map_or(&b""[..], |r| r.pattern.as_bytes())
                    .get(..s.word.len())
                    .unwrap_or(&[])
                    .to_ascii_lowercase();
                (load_short(&word), u32::try_from(word.len()).unwrap_or(0))
            })
            .collect();
        Self {
            keyed: KeyTable::new(keyed),
            suffix_tails,
            lead,
            folded: AGENT_RULES
                .iter()
                .map(|r| Folded::new(r.pattern.as_bytes()))
                .collect(),
            right_word: AGENT_RULES
                .iter()
                .map(|r| r.pattern.bytes().last().is_some_and(is_word_byte))
                .collect(),
            suffixes,
            suffix_last,
            bare,
            bare_trigger,
            trigger: splat(bare_trigger.unwrap_or(0)),
        }
    }

    /// Calls `f(rule, start, end)` for matches of the rules in `hay` (a trimmed user agent,
    /// any case): every word-bounded occurrence of keyed and suffix rules, and the first
    /// occurrence of each rule without letters or digits. Order is unspecified.
    #[inline]
    pub(crate) fn for_each_match(&self, hay: &[u8], mut f: impl FnMut(u16, usize, usize)) {
        // The common case (a word that no rule starts or ends with) stays in this loop; the
        // rest is out of line.
        let seen = scan_runs(hay, self.trigger, |run| {
            if run.word_start {
                let cands = self.keyed.get(word_key(hay, run.start, run.word_end));
                if !cands.is_empty() {
                    self.keyed_matches(hay, run.start, cands, &mut f);
                }
            }
            // Suffix words are letters: they end a letter run that ends its word.
            if run.ends_word {
                let last = hay
                    .get(run.letters_end.wrapping_sub(1))
                    .copied()
                    .unwrap_or(0);
                if self.suffix_last[usize::from(last)] && self.maybe_suffix(hay, run.letters_end) {
                    self.suffix_matches(hay, run.start, run.letters_end, &mut f);
                }
            }
        });
        if !self.bare.is_empty() && (seen || self.bare_trigger.is_none()) {
            self.bare_matches(hay, &mut f);
        }
    }

    #[inline(never)]
    fn keyed_matches(
        &self,
        hay: &[u8],
        s: usize,
        cands: &[u16],
        f: &mut impl FnMut(u16, usize, usize),
    ) {
        for &r in cands {
            let lead = usize::from(self.lead.get(usize::from(r)).copied().unwrap_or(0));
            if let Some(start) = s.checked_sub(lead) {
                if let Some(end) = self.verify(hay, r, start) {
                    f(r, start, end);
                }
            }
        }
    }

    #[inline(never)]
    fn suffix_matches(
        &self,
        hay: &[u8],
        s: usize,
        e: usize,
        f: &mut impl FnMut(u16, usize, usize),
    ) {
        for suffix in &self.suffixes {
            let Some(start) = e.checked_sub(suffix.word.len()).filter(|&st| st >= s) else {
                continue;
            };
            if !suffix.word.at(hay, start) {
                continue;
            }
            for &r in &suffix.rules {
                if let Some(end) = self.verify(hay, r, start) {
                    f(r, start, end);
                }
            }
        }
    }

    /// Whether a suffix word may end at `e`: compares the last bytes as one word per suffix
    /// (suffix words are letters; `| 0x20` cannot turn another byte into a lowercase letter).
    #[inline(always)]
    fn maybe_suffix(&self, hay: &[u8], e: usize) -> bool {
        let tail = match e.checked_sub(8).and_then(|s| hay.get(s..e)) {
            Some(c) => {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                u64::from_le_bytes(w)
            }
            None => load_short(hay.get(..e).unwrap_or(&[])) << (8 * (8 - e.min(8))),
        } | splat(0x20);
        self.suffix_tails
            .iter()
            .any(|&(word, len)| len == 0 || len > 8 || tail >> (64 - 8 * len) == word)
    }

    #[inline(never)]
    fn bare_matches(&self, hay: &[u8], f: &mut impl FnMut(u16, usize, usize)) {
        for &r in &self.bare {
            let Some(rule) = AGENT_RULES.get(usize::from(r)) else {
                continue;
            };
            let p = rule.pattern.as_bytes();
            if let Some(start) = memchr::memmem::find(hay, p) {
                f(r, start, start + p.len());
            }
        }
    }
}

impl AgentIndex {
    /// Whether rule `r` occurs at `start` (ASCII case ignored) with its right edge on a word
    /// boundary; its end if so. (The left edge is the caller's: a word start, a suffix rule
    /// or punctuation.)
    #[inline]
    fn verify(&self, hay: &[u8], r: u16, start: usize) -> Option<usize> {
        let p = self.folded.get(usize::from(r))?;
        if !p.at(hay, start) {
            return None;
        }
        let end = start + p.len();
        let right_ok = !self.right_word.get(usize::from(r)).copied().unwrap_or(true)
            || !hay.get(end).copied().is_some_and(is_word_byte);
        right_ok.then_some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(hay: &str) -> Vec<Run> {
        let mut out = Vec::new();
        scan_runs(hay.as_bytes(), 0, |r| out.push(r));
        out
    }

    fn runs_slowly(hay: &str) -> Vec<Run> {
        let b = hay.as_bytes();
        let mut out = Vec::new();
        for i in 0..b.len() {
            if b[i].is_ascii_alphabetic() && (i == 0 || !b[i - 1].is_ascii_alphabetic()) {
                let count = |f: fn(&u8) -> bool| b[i..].iter().take_while(|c| f(c)).count();
                let letters_end = i + count(u8::is_ascii_alphabetic);
                let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
                out.push(Run {
                    start: i,
                    letters_end,
                    word_end: if word_start {
                        i + count(u8::is_ascii_alphanumeric)
                    } else {
                        letters_end
                    },
                    word_start,
                    ends_word: !b.get(letters_end).is_some_and(u8::is_ascii_digit),
                });
            }
        }
        out
    }

    #[test]
    fn runs_are_letters_within_words() {
        let hay = "Mozilla/5.0 (X11; Linux x86_64) é Zz09@[`{ 360Spider";
        assert_eq!(runs(hay), runs_slowly(hay));
        let starts: Vec<&str> = runs(hay)
            .iter()
            .map(|r| &hay[r.start..r.word_end])
            .collect();
        assert_eq!(starts, ["Mozilla", "X11", "Linux", "x86", "Zz09", "Spider"]);
        assert!(runs("").is_empty());
        assert!(runs(" /;() 123").is_empty());
    }

    #[test]
    fn runs_cross_block_boundaries() {
        for len in [1usize, 7, 8, 9, 63, 64, 65, 127, 128, 129, 200] {
            for pad in 0..10usize {
                let hay = format!(
                    "{}{} x{}1b{}",
                    " ".repeat(pad),
                    "a".repeat(len),
                    "7".repeat(len),
                    "c".repeat(len)
                );
                assert_eq!(runs(&hay), runs_slowly(&hay), "len {len} pad {pad}");
            }
        }
    }

    #[test]
    fn classes_of_every_byte() {
        for b in 0..=255u8 {
            let x = u64::from(b) << 16;
            let word = if b.is_ascii_alphanumeric() { 1 << 2 } else { 0 };
            let letter = if b.is_ascii_alphabetic() { 1 << 2 } else { 0 };
            assert_eq!(class_bits(x), (word, letter), "byte {b:#x}");
        }
    }

    /// Both block classifiers agree on every byte value at every position and length.
    fn assert_block_paths_agree(block: &[u8], trigger: u8) {
        let fast = classify_block(block, splat(trigger));
        let portable = classify_block_swar(block, splat(trigger));
        assert_eq!(fast.words, portable.words, "words of {block:?}");
        assert_eq!(fast.letters, portable.letters, "letters of {block:?}");
        assert_eq!(
            fast.seen != 0,
            portable.seen != 0,
            "trigger {trigger} in {block:?}"
        );
        assert_eq!(
            fast.seen != 0,
            block.contains(&trigger),
            "trigger {trigger} in {block:?}"
        );
    }

    #[test]
    fn block_classifiers_agree_on_every_byte_and_length() {
        for b in 0..=255u8 {
            for len in 0..=64usize {
                let mut block = vec![b'.'; len];
                if let Some(last) = block.last_mut() {
                    *last = b;
                }
                assert_block_paths_agree(&block, b'$');
                assert_block_paths_agree(&block, b);
                assert_block_paths_agree(&block, 0);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn block_classifiers_agree_on_arbitrary_blocks(
            block in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..=64),
            trigger in proptest::prelude::any::<u8>(),
        ) {
            assert_block_paths_agree(&block, trigger);
        }
    }

    #[test]
    fn no_first_word_starts_with_a_digit_and_suffix_words_are_letters() {
        for rule in AGENT_RULES {
            if let Some((start, len)) = first_word(rule.pattern.as_bytes()) {
                let word = &rule.pattern.as_bytes()[start..start + len];
                assert!(word[0].is_ascii_alphabetic(), "{}", rule.pattern);
                if !rule.left_boundary {
                    assert!(word.iter().all(u8::is_ascii_alphabetic), "{}", rule.pattern);
                }
            }
        }
    }

    #[test]
    fn word_keys_ignore_case_and_neighbours() {
        let a = b"x/GoogleBot/2";
        let b = b"googlebot";
        assert_eq!(word_key(a, 2, 11), word_key(b, 0, 9));
        assert_ne!(word_key(b"curl", 0, 4), word_key(b"curls", 0, 5));
        assert_eq!(word_key(b"ab", 0, 2), word_key(b"AB;", 0, 2));
    }

    #[test]
    fn bare_rules_share_a_trigger_byte() {
        assert!(!AGENT_INDEX.bare.is_empty());
        assert!(AGENT_INDEX.bare_trigger.is_some());
    }

    #[test]
    fn every_rule_is_indexed_once() {
        let with_words = AGENT_RULES
            .iter()
            .filter(|r| first_word(r.pattern.as_bytes()).is_some())
            .count();
        let suffix: usize = AGENT_INDEX.suffixes.iter().map(|s| s.rules.len()).sum();
        assert_eq!(with_words, suffix + AGENT_INDEX.keyed.value_count());
        assert_eq!(AGENT_RULES.len(), with_words + AGENT_INDEX.bare.len());
    }
}
