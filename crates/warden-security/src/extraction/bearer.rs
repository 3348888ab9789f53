//! The one parser for `Bearer <token>` credentials (RFC 6750 §2.1, RFC 7235 §2.1).
//!
//! The scheme is matched case-insensitively (RFC 7235: auth-scheme is case-insensitive; the seed
//! crate was case-sensitive). One or more spaces separate scheme and token; the token is
//! trimmed and must be a non-empty `b64token`:
//! `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.

/// Returns the token of a `Bearer` credential, or `None` when `value` is not one.
pub(crate) fn parse_bearer(value: &[u8]) -> Option<&str> {
    const SCHEME: &[u8] = b"bearer";
    if value.len() <= SCHEME.len() || !value[..SCHEME.len()].eq_ignore_ascii_case(SCHEME) {
        return None;
    }
    let rest = &value[SCHEME.len()..];
    // At least one space between scheme and token.
    if rest.first() != Some(&b' ') {
        return None;
    }
    let token = trim_ascii(rest);
    if is_b64token(token) {
        std::str::from_utf8(token).ok()
    } else {
        None
    }
}

/// True when `s` is a non-empty RFC 6750 `b64token`.
pub(crate) fn is_b64token(s: &[u8]) -> bool {
    let body_len = s.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    body_len > 0
        && s.iter()
            .take(body_len)
            .all(|&b| B64TOKEN_BYTES[usize::from(b)])
}

/// The bytes of a `b64token` before its `=` padding, as a lookup table (a bearer token is
/// checked on every request; the table is one load per byte instead of a chain of ranges).
static B64TOKEN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] =
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        i += 1;
    }
    table
};

/// Trims spaces and horizontal tabs from both ends.
pub(crate) fn trim_ascii(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_exactly_the_b64token_bytes() {
        for b in 0..=255u8 {
            let expected =
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
            assert_eq!(is_b64token(&[b]), expected, "byte {b:#04x}");
            // Before the padding `=` counts as padding too.
            assert_eq!(
                is_b64token(&[b'a', b, b'=']),
                expected || b == b'=',
                "byte {b:#04x}"
            );
        }
        assert!(!is_b64token(b"==="), "padding alone is no token");
        assert!(!is_b64token(b"a=b"), "padding only at the end");
    }

    #[test]
    fn accepts_bearer_in_any_case_with_spaces() {
        assert_eq!(parse_bearer(b"Bearer abc.def-ghi"), Some("abc.def-ghi"));
        assert_eq!(parse_bearer(b"bearer abc"), Some("abc"));
        assert_eq!(parse_bearer(b"BEARER   abc  "), Some("abc"));
        assert_eq!(parse_bearer(b"Bearer abc=="), Some("abc=="));
    }

    #[test]
    fn rejects_other_schemes_and_bad_tokens() {
        assert_eq!(parse_bearer(b"Basic abc"), None);
        assert_eq!(parse_bearer(b"Bearer"), None);
        assert_eq!(parse_bearer(b"Bearer "), None);
        assert_eq!(parse_bearer(b"Bearer    "), None);
        assert_eq!(parse_bearer(b"Bearerabc"), None);
        assert_eq!(parse_bearer(b"Bearer a b"), None);
        assert_eq!(parse_bearer(b"Bearer ==="), None);
        assert_eq!(parse_bearer(b"Bearer a=b"), None);
        assert_eq!(parse_bearer(b"Bearer \xff"), None);
        assert_eq!(parse_bearer(b"Bearer\tabc"), None);
    }
}
