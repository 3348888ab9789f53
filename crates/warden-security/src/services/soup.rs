//! Test inputs built from the knowledge itself: whole patterns, their halves and a few
//! separators, concatenated at random, so that property tests hit many rules, partial
//! matches and boundaries at once.

use proptest::prelude::*;

/// Strings of up to `max_pieces` pieces drawn from every pattern, its two halves, and
/// `extra`.
pub(crate) fn soup<'a>(
    patterns: impl Iterator<Item = &'a str>,
    extra: &[&str],
    max_pieces: usize,
) -> impl Strategy<Value = String> {
    let pieces: Vec<String> = patterns
        .flat_map(|p| {
            let cut = p.len() / 2;
            [
                p.to_owned(),
                p.get(..cut).unwrap_or(p).to_owned(),
                p.get(cut..).unwrap_or(p).to_owned(),
            ]
        })
        .chain(extra.iter().map(|&s| s.to_owned()))
        .collect();
    proptest::collection::vec(proptest::sample::select(pieces), 0..max_pieces)
        .prop_map(|v| v.concat())
}
