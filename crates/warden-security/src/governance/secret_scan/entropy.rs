//! The entropy backstop: high-entropy tokens that no vendor rule recognised.
//!
//! Tokens are maximal runs of `[A-Za-z0-9+/=_-]` at least `min_len` long, found with the same
//! skip search as the prefilter (one probe per `min_len` bytes on clean text). A token is
//! flagged when its normalized Shannon entropy — bits per character divided by
//! `log2(min(len, alphabet))`, the alphabet being 16 for hex and 64 otherwise — reaches the
//! threshold, unless it has a known-safe shape: UUIDs, hex digests of 40 or 64 characters
//! (git SHAs, SHA-256, configurable), file-path-like tokens, word-like identifiers, tokens
//! without digits or without letters, and alphabet sequences.

use super::EntropyConfig;

/// Shannon entropy of `bytes` in bits per byte.
pub(crate) fn shannon_bits(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

const fn token_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || c == b'+'
            || c == b'/'
            || c == b'='
            || c == b'_'
            || c == b'-';
        b += 1;
    }
    t
}

static TOKEN: [bool; 256] = token_table();

/// Normalized entropy (0..=1) of a token.
pub(crate) fn normalized(token: &[u8]) -> f64 {
    let hex = token.iter().all(u8::is_ascii_hexdigit);
    let alphabet: f64 = if hex { 16.0 } else { 64.0 };
    let max = alphabet.min(token.len() as f64).log2();
    if max <= 0.0 {
        return 0.0;
    }
    shannon_bits(token) / max
}

fn is_uuid(t: &[u8]) -> bool {
    t.len() == 36
        && t.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn safe_shape(t: &[u8], cfg: &EntropyConfig) -> bool {
    let trimmed: &[u8] = {
        let mut e = t.len();
        while e > 0 && t[e - 1] == b'=' {
            e -= 1;
        }
        &t[..e]
    };
    if is_uuid(trimmed) {
        return true;
    }
    let hex = trimmed.iter().all(u8::is_ascii_hexdigit);
    // SHA-1, SHA-256, SHA-384 and SHA-512 in hex (git objects, checksums, ETags). 32 hex
    // characters are left to the backstop: MD5 or a 128-bit API key look the same.
    if hex && cfg.skip_hex_digests && matches!(trimmed.len(), 40 | 64 | 96 | 128) {
        return true;
    }
    // Subresource-integrity hashes (`sha512-…` in package-lock.json, `integrity=` in HTML).
    if cfg.skip_hex_digests
        && [&b"sha256-"[..], b"sha384-", b"sha512-"]
            .iter()
            .any(|p| trimmed.starts_with(p))
    {
        return true;
    }
    let digits = trimmed.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = trimmed.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if digits == 0 || letters == 0 {
        return true;
    }
    // Word-like: a run of 8+ lowercase letters (identifiers, paths, prose glued by `_`/`-`).
    let mut run = 0;
    for &b in trimmed {
        if b.is_ascii_lowercase() {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    // Paths: every `/`-separated segment is lowercase/digits/punctuation.
    if trimmed.contains(&b'/')
        && trimmed
            .split(|&b| b == b'/')
            .all(|seg| !seg.iter().any(u8::is_ascii_uppercase))
    {
        return true;
    }
    // Alphabet tables (`ABCDEFGHIJ…234567`).
    let ascending = trimmed
        .windows(2)
        .filter(|w| w[1] == w[0].wrapping_add(1))
        .count();
    ascending * 2 >= trimmed.len()
}

/// Calls `f(start, end)` for every high-entropy token of `text[from..to]` (offsets are
/// into `text`).
pub(crate) fn for_each_token_in(
    text: &[u8],
    from: usize,
    to: usize,
    cfg: &EntropyConfig,
    mut f: impl FnMut(usize, usize),
) {
    let min = cfg.min_len.max(8);
    let Some(part) = text.get(from..to) else {
        return;
    };
    super::prefilter::for_each_run_in(part, min, &TOKEN, |s, e| {
        // `=` is padding only at the end of a token: `name=value` splits into its parts.
        let mut a = s;
        for i in s..e {
            let inner_eq = part[i] == b'=' && i + 1 < e && part[i + 1] != b'=';
            if inner_eq || i + 1 == e {
                let b = if inner_eq { i } else { e };
                let tok = &part[a..b];
                // Go module checksums (`h1:<base64 SHA-256>` in go.sum).
                let go_sum = cfg.skip_hex_digests && a >= 3 && &part[a - 3..a] == b"h1:";
                if tok.len() >= min
                    && !go_sum
                    && !safe_shape(tok, cfg)
                    && normalized(tok) >= cfg.threshold
                {
                    f(from + a, from + b);
                }
                a = i + 1;
            }
        }
        true
    });
}

/// Calls `f(start, end)` for every high-entropy token of `text`.
#[cfg(test)]
pub(crate) fn for_each_token(text: &[u8], cfg: &EntropyConfig, f: impl FnMut(usize, usize)) {
    for_each_token_in(text, 0, text.len(), cfg, f);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(text: &str) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for_each_token(text.as_bytes(), &EntropyConfig::default(), |s, e| {
            v.push((s, e))
        });
        v
    }

    #[test]
    fn flags_random_base64_token() {
        let t = "value: q7Zk2Lr9VbN4xT8mWp3Hs6Yc1Df5Gj0A";
        assert_eq!(flagged(t), vec![(7, t.len())]);
    }

    #[test]
    fn assignment_is_split_at_equals() {
        let t = "token=q7Zk2Lr9VbN4xT8mWp3Hs6Yc1Df5Gj0AzRw";
        assert_eq!(flagged(t), vec![(6, t.len())]);
    }

    #[test]
    fn skips_uuid() {
        assert!(flagged("id 3f2b8c1e-4d5a-4f6b-9c7d-8e9f0a1b2c3d end").is_empty());
    }

    #[test]
    fn skips_long_hex_digests_integrity_hashes_and_go_sums() {
        let cfg = EntropyConfig::default();
        let sha512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
        let sri = "sha512-7qyWmZyC+2eQf6bF3kPzNhQ9Lr1wXv8TgYbUc0dJeRmA5sKiO4lVnHt6uBw2Zy7xQp9mE1fG3hJ5kL8oN0rS4tV6==";
        let go =
            "github.com/stretchr/testify v1.8.4 h1:CcVxjf3Q8PM0mHUKJCdn+eZZtm5yQwehR5yeSVQQcUk=";
        for text in [sha512, sri, go] {
            let mut hits = Vec::new();
            for_each_token(text.as_bytes(), &cfg, |s, e| hits.push((s, e)));
            assert!(hits.is_empty(), "{text}: {hits:?}");
        }
        // The same random base64 without the `h1:` prefix is still flagged.
        let bare = "token CcVxjf3Q8PM0mHUKJCdn+eZZtm5yQwehR5yeSVQQcUk=";
        let mut hits = Vec::new();
        for_each_token(bare.as_bytes(), &cfg, |s, e| hits.push((s, e)));
        assert_eq!(hits.len(), 1, "{bare}");
    }

    #[test]
    fn skips_git_sha() {
        assert!(flagged("commit 9fceb02d0ae598e95dc970b74767f19372d61af8").is_empty());
    }

    #[test]
    fn skips_identifiers_and_paths() {
        assert!(flagged("AbstractSingletonProxyFactoryBean2Impl").is_empty());
        assert!(flagged("/usr/local/lib/python3/site-packages/x2").is_empty());
    }

    #[test]
    fn skips_low_entropy_repetition() {
        assert!(flagged("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1").is_empty());
    }

    #[test]
    fn entropy_of_uniform_bytes_is_log2() {
        assert!((shannon_bits(b"abcd") - 2.0).abs() < 1e-9);
        assert_eq!(shannon_bits(b""), 0.0);
    }
}
