//! Test data for the rule table: synthetic, non-real key material in each rule's format.

/// `(rule id, texts that must yield this rule, texts that must not)`.
pub(crate) type Sample = (&'static str, Vec<String>, Vec<String>);

pub(crate) const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const HEX: &str = "0123456789abcdef";
pub(crate) const UPNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub(crate) const LOWNUM: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub(crate) const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub(crate) const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
pub(crate) const ALPHA: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` pseudo-random characters of `set` (deterministic per `seed`).
pub(crate) fn fill(set: &str, n: usize, seed: u64) -> String {
    let chars: Vec<char> = set.chars().collect();
    let mut x = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0xD1B5_4A32_D192_ED03);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chars[(x % chars.len() as u64) as usize]
        })
        .collect()
}

/// A UUID-shaped hex string.
pub(crate) fn uuid(seed: u64) -> String {
    let h = fill(HEX, 32, seed);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A GitHub/npm-style token with a valid base62 CRC32 checksum.
pub(crate) fn crc_token(prefix: &str, seed: u64) -> String {
    let body = fill(ALNUM, 30, seed);
    let sum = super::super::validate::base62_6(crc32fast::hash(body.as_bytes()));
    format!("{prefix}{body}{}", String::from_utf8_lossy(&sum))
}

/// Every family's samples.
pub(crate) fn all() -> Vec<Sample> {
    let mut v = Vec::new();
    v.extend(super::cloud::samples());
    v.extend(super::vcs::samples());
    v.extend(super::chat::samples());
    v.extend(super::payments::samples());
    v.extend(super::ai::samples());
    v.extend(super::devtools::samples());
    v.extend(super::observability::samples());
    v.extend(super::saas::samples());
    v.extend(super::database::samples());
    v.extend(super::keys::samples());
    v.extend(super::generic::samples());
    v
}

/// Shorthand for a sample row.
pub(crate) fn s(id: &'static str, pos: Vec<String>, neg: Vec<String>) -> Sample {
    (id, pos, neg)
}
