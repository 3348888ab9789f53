//! A small Aho–Corasick DFA flattened for a tight, overlapping, ASCII-case-insensitive scan.
//!
//! Built once from `aho_corasick::dfa::DFA` (over the lowercased patterns): the byte classes
//! fold ASCII case, state numbers are premultiplied by the class count, and match states
//! come first, so one scan step is a class lookup, a table load and a compare.

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

/// The matches of one match state: `(pattern, pattern length)`.
type StateMatches = Box<[(u16, u16)]>;

/// The flattened automaton.
#[derive(Debug)]
pub(crate) struct FlatDfa {
    /// Byte → equivalence class (`A` and `a` share one).
    classes: [u8; 256],
    /// `trans[state + class]` = next state; states are premultiplied by the class count.
    trans: Box<[u32]>,
    /// States below this are match states.
    match_limit: u32,
    /// The start state.
    start: u32,
    /// Class count.
    stride: u32,
    /// Per match state (state / stride): `(pattern, pattern length)` of every match there.
    matches: Box<[StateMatches]>,
}

impl FlatDfa {
    /// Builds the automaton over `patterns` (any case; matched ignoring ASCII case).
    /// `None` when `aho_corasick` cannot build them (not for the built-in, tested sets).
    pub(crate) fn new(patterns: &[&str]) -> Option<Self> {
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(patterns.iter().map(|p| p.to_ascii_lowercase()))
            .ok()?;
        let start = dfa.start_state(Anchored::No).ok()?;
        // Reachable states, breadth-first over the lowercase bytes.
        let mut order = vec![start];
        let mut seen: HashMap<_, ()> = HashMap::from([(start, ())]);
        let mut i = 0;
        while let Some(&sid) = order.get(i) {
            for b in 0..=255u8 {
                let next = dfa.next_state(Anchored::No, sid, b.to_ascii_lowercase());
                if seen.insert(next, ()).is_none() {
                    order.push(next);
                }
            }
            i += 1;
        }
        // Byte classes: bytes that every state sends to the same place.
        let mut classes = [0u8; 256];
        let mut signatures: Vec<Vec<_>> = Vec::new();
        for b in 0..=255u8 {
            let sig: Vec<_> = order
                .iter()
                .map(|&s| dfa.next_state(Anchored::No, s, b.to_ascii_lowercase()))
                .collect();
            let class = match signatures.iter().position(|s| *s == sig) {
                Some(c) => c,
                None => {
                    signatures.push(sig);
                    signatures.len() - 1
                }
            };
            classes[usize::from(b)] = u8::try_from(class).ok()?;
        }
        let stride = u32::try_from(signatures.len()).ok()?;
        // Match states first.
        order.sort_by_key(|&s| !dfa.is_match(s));
        let n_match = order.iter().filter(|&&s| dfa.is_match(s)).count();
        let number: HashMap<_, u32> = order
            .iter()
            .enumerate()
            .map(|(i, &s)| Some((s, u32::try_from(i).ok()? * stride)))
            .collect::<Option<_>>()?;
        let mut trans = Vec::with_capacity(order.len() * signatures.len());
        for &sid in &order {
            for sig in &signatures {
                // The signature's bytes behave alike: use the first that maps to it.
                let b = classes
                    .iter()
                    .position(|&c| signatures.get(usize::from(c)) == Some(sig))?;
                let next = dfa.next_state(
                    Anchored::No,
                    sid,
                    u8::try_from(b).ok()?.to_ascii_lowercase(),
                );
                trans.push(*number.get(&next)?);
            }
        }
        let matches = order
            .iter()
            .take(n_match)
            .map(|&sid| {
                (0..dfa.match_len(sid))
                    .map(|k| {
                        let pid = dfa.match_pattern(sid, k);
                        let len = u16::try_from(dfa.pattern_len(pid)).unwrap_or(u16::MAX);
                        (u16::try_from(pid.as_usize()).unwrap_or(u16::MAX), len)
                    })
                    .collect()
            })
            .collect();
        Some(Self {
            classes,
            trans: trans.into_boxed_slice(),
            match_limit: u32::try_from(n_match).ok()? * stride,
            start: *number.get(&start)?,
            stride,
            matches,
        })
    }

    /// Calls `f(pattern, start, end)` for every occurrence of every pattern in `hay`
    /// (overlapping), in order of end, ignoring ASCII case.
    #[inline]
    pub(crate) fn for_each_match(&self, hay: &[u8], mut f: impl FnMut(u16, usize, usize)) {
        let mut s = self.start;
        for (i, &b) in hay.iter().enumerate() {
            let class = u32::from(self.classes[usize::from(b)]);
            s = self
                .trans
                .get((s + class) as usize)
                .copied()
                .unwrap_or(self.start);
            if s < self.match_limit {
                self.report(s, i + 1, &mut f);
            }
        }
    }

    #[inline(never)]
    fn report(&self, s: u32, end: usize, f: &mut impl FnMut(u16, usize, usize)) {
        let here = self
            .matches
            .get((s / self.stride.max(1)) as usize)
            .map_or(&[][..], |m| &m[..]);
        for &(pattern, len) in here {
            f(pattern, end.saturating_sub(usize::from(len)), end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_overlapping_matches_ignoring_case() {
        let dfa = FlatDfa::new(&["${jndi:", "${${", "Union Select", "/bin/sh", "/bin/bash"])
            .expect("builds");
        let mut found = Vec::new();
        dfa.for_each_match(b"x${${JNDI:/BIN/SH UNION select/bin/bash", |p, s, e| {
            found.push((p, s, e))
        });
        assert_eq!(
            found,
            [(1, 1, 5), (0, 3, 10), (3, 10, 17), (2, 18, 30), (4, 30, 39)]
        );
    }
}
