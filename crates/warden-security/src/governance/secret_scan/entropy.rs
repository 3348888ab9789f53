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
        && [&b"sha1-"[..], b"sha256-", b"sha384-", b"sha512-"]
            .iter()
            .any(|p| trimmed.starts_with(p))
    {
        return true;
    }
    // Documentation examples (`…EXAMPLEKEY`, AWS's published sample credentials).
    if memchr::memmem::find(trimmed, b"EXAMPLE").is_some() {
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

/// Labels after which a high-entropy token is a digest or public key material, not a
/// secret: Go module sums (`h1:`), subresource integrity and npm/yarn hashes, key
/// fingerprints, `data:` URIs, and OpenSSH public keys (`authorized_keys`, `known_hosts`).
const PUBLIC_LABELS: &[&[u8]] = &[
    b"h1:",
    b"sha1-",
    b"sha256-",
    b"sha384-",
    b"sha512-",
    b"SHA256:",
    b"SHA1:",
    b";base64,",
    b"ssh-rsa ",
    b"ssh-dss ",
    b"ssh-ed25519 ",
    b"ssh-ed448 ",
    b"ecdsa-sha2-nistp256 ",
    b"ecdsa-sha2-nistp384 ",
    b"ecdsa-sha2-nistp521 ",
    b"sk-ssh-ed25519@openssh.com ",
    b"sk-ecdsa-sha2-nistp256@openssh.com ",
];

/// PEM blocks whose body is public: a token on their lines is not a secret.
const PUBLIC_PEM: &[&[u8]] = &[
    b"CERTIFICATE-----",
    b"PUBLIC KEY-----",
    b"RSA PUBLIC KEY-----",
    b"CERTIFICATE REQUEST-----",
    b"X509 CRL-----",
    b"PGP PUBLIC KEY BLOCK-----",
    b"PGP SIGNATURE-----",
    b"SSH2 PUBLIC KEY ----",
];

/// How far back a token's PEM `BEGIN` line is looked for.
const PEM_LOOKBACK: usize = 64 * 1024;

/// Whether the token starting at `start` follows a [`PUBLIC_LABELS`] label or lies inside a
/// public PEM block (a certificate, a public key), whose lines look random but are not
/// secrets. Only tokens the backstop would flag pay for the check, and it walks back line by
/// line only while the lines look like a PEM body: for an ordinary token it stops at once.
fn is_public_material(text: &[u8], start: usize) -> bool {
    let before = &text[..start.min(text.len())];
    if PUBLIC_LABELS.iter().any(|l| before.ends_with(l)) {
        return true;
    }
    in_public_pem_body(before)
}

/// `before` ends where a token starts: is that token a line of a public PEM block's body?
fn in_public_pem_body(before: &[u8]) -> bool {
    let pem_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    let line_start = |end: usize| memchr::memrchr(b'\n', &before[..end]).map_or(0, |i| i + 1);
    // The token must begin its line (PEM body lines hold nothing else).
    let mut start = line_start(before.len());
    if !before[start..].iter().all(u8::is_ascii_whitespace) {
        return false;
    }
    while start > 0 && before.len() - start <= PEM_LOOKBACK {
        let end = start - 1; // the newline ending the previous line
        let prev = line_start(end);
        let line = before[prev..end].trim_ascii();
        if let Some(label) = line.strip_prefix(b"-----BEGIN ") {
            return PUBLIC_PEM.iter().any(|l| label.starts_with(l));
        }
        if line.is_empty() || !line.iter().all(pem_byte) {
            return false;
        }
        start = prev;
    }
    false
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
                if tok.len() >= min
                    && !safe_shape(tok, cfg)
                    && normalized(tok) >= cfg.threshold
                    && !(cfg.skip_hex_digests && is_public_material(text, from + a))
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
    fn public_key_material_and_digests_are_not_flagged() {
        let body = "q7Zk2Lr9VbN4xT8mWp3Hs6Yc1Df5Gj0AqK8nR2";
        assert_eq!(flagged(body).len(), 1, "the body alone is flagged");
        for text in [
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host".to_string(),
            "github.com ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEAq2A7hRGmdnm9tUDbO9IDSwBK6TbQa+PXYPCPy6rbTrTtw7PHkccKrpp0yVhp5HdEIcKr6pLlVDBfOLX9QUsyCOV0wzfjIJNlGEYsdlLJizHhbn2mUjvSAHQqZETYP81eFzLQNnPHt4EVVUh7VfDESU84KezmD5QlWpXLmvU31/yMf+Se8xhHTvKSCZIFImWwoG6mbUoWf9nzpIoaSjB+weqqUUmpaaasXVal72J+UX2B+2RPW3RcT0eOzQgqlJL3RKrTJvdsjE3JEAvGq3lGHSZXy28G3skua2SmVi/w4yCE6gbODqnTWlg7+wC604ydGXA8VJiS5ap43JXiUFFAaQ== github".to_string(),
            "golang.org/x/net v0.17.0 h1:oNpNa4HVYpJZiJVolTvnVq7q7QfbR/2bq7IpstxT9oo=".to_string(),
            "\"integrity\": \"sha1-Aq9wQ3hZm6k2vLr8Ty1Np4Xc7Be5Df0Gh=\"".to_string(),
            "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\">".to_string(),
            format!("-----BEGIN CERTIFICATE-----\n{body}\n{body}\n-----END CERTIFICATE-----"),
        ] {
            assert_eq!(flagged(&text), vec![], "{text}");
        }
        // The same token after the block ends, or inside a private key block, still counts.
        let after =
            format!("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\ntoken {body}");
        assert_eq!(flagged(&after).len(), 1);
        let private = format!("-----BEGIN ENCRYPTED PRIVATE KEY-----\n{body}\n");
        assert_eq!(flagged(&private).len(), 1);
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
