//! Post-regex validators: checksums, entropy minimums and placeholder filtering.

use super::entropy::shannon_bits;
use super::rules::Validator;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Whether the candidate `text[start..end]` passes `v`.
pub(crate) fn check(v: Validator, text: &[u8], start: usize, end: usize) -> bool {
    let Some(secret) = text.get(start..end) else {
        return false;
    };
    match v {
        Validator::Base62Crc32 => base62_crc32_ok(secret),
        Validator::MinEntropy(min) => shannon_bits(secret) >= min,
        Validator::HasDigit => secret.iter().any(u8::is_ascii_digit),
        Validator::NotPlaceholder => {
            let quoted = start > 0 && matches!(text[start - 1], b'"' | b'\'' | b'`');
            !is_placeholder(secret, quoted)
        }
        // Treated as quoted: the code-reference test applies to unquoted values only.
        Validator::NotPlaceholderText => !is_placeholder(secret, true),
    }
}

/// The base62 encoding of `n`, left-padded with `0` to 6 characters.
pub(crate) fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// `<4-byte prefix><body><6-char base62 CRC32 of body>` (GitHub and npm token formats).
pub(crate) fn base62_crc32_ok(token: &[u8]) -> bool {
    if token.len() < 4 + 6 + 1 {
        return false;
    }
    let body = &token[4..token.len() - 6];
    let sum = &token[token.len() - 6..];
    base62_6(crc32fast::hash(body)) == *sum
}

/// Values that merely stand for a secret: template variables, code references, documentation
/// examples and masks.
pub(crate) fn is_placeholder(secret: &[u8], quoted: bool) -> bool {
    let Ok(s) = std::str::from_utf8(secret) else {
        return false;
    };
    if s.is_empty() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        "${",
        "$(",
        "{{",
        "{%",
        "<",
        "%(",
        "%s",
        "os.environ",
        "os.getenv",
        "process.env",
        "env.",
        "env[",
        "config.",
        "settings.",
        "self.",
        "this.",
        "params.",
        "args.",
        "request.",
        "options.",
        "opts.",
        "secrets.",
        "vars.",
        "getenv",
        "\\",
    ];
    if PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // `{password}` format placeholders.
    if s.len() > 2 && s.starts_with('{') && s.ends_with('}') {
        return true;
    }
    // `$NAME` shell/env references.
    if let Some(rest) = s.strip_prefix('$') {
        if rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'{' || b == b'}')
        {
            return true;
        }
    }
    const CONTAINS: &[&str] = &[
        "example",
        "changeme",
        "change_me",
        "change-me",
        "placeholder",
        "your_",
        "your-",
        "yourpass",
        "yoursecret",
        "yourtoken",
        "dummy",
        "sample",
        "redacted",
        "xxxx",
        "****",
        "...",
        "<",
        ">",
        "(",
        "fake",
        "insert",
        "replace",
        "notreal",
        "not_real",
        "todo",
        "fixme",
        "lorem",
        "<>",
        "$$",
    ];
    if CONTAINS.iter().any(|c| lower.contains(c)) {
        return true;
    }
    const EXACT: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "none",
        "null",
        "nil",
        "true",
        "false",
        "undefined",
        "empty",
        "string",
        "required",
        "optional",
        "default",
        "value",
        "hidden",
        "masked",
        "unset",
        "pass",
        "test",
        "testing",
        "secret123",
        "password123",
        "abc123",
        "123456",
        "12345678",
        "qwerty",
    ];
    if EXACT.contains(&lower.as_str()) {
        return true;
    }
    let first = secret[0];
    if secret.iter().all(|&b| b == first) {
        return true;
    }
    if !quoted {
        // Unquoted `password = new_password` / `PASSWORD=DB_PASSWORD`: a code reference.
        let ident = s
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'.' || b == b'-');
        let single_case = s.bytes().all(|b| !b.is_ascii_uppercase())
            || s.bytes().all(|b| !b.is_ascii_lowercase());
        if ident && single_case {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_pads_to_six() {
        assert_eq!(&base62_6(0), b"000000");
        assert_eq!(&base62_6(61), b"00000z");
        assert_eq!(&base62_6(62), b"000010");
    }

    #[test]
    fn crc_rejects_wrong_checksum() {
        let body = "abcdefghijklmnopqrstuvwxyz0123";
        let good = format!(
            "ghp_{body}{}",
            String::from_utf8_lossy(&base62_6(crc32fast::hash(body.as_bytes())))
        );
        assert!(base62_crc32_ok(good.as_bytes()));
        let mut bad = good.into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(!base62_crc32_ok(&bad));
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "${DB_PASSWORD}",
            "{{ secret }}",
            "<password>",
            "changeme",
            "xxxxxxxx",
            "********",
            "example-password",
            "$PASSWORD",
            "os.environ['X']",
            "getpass()",
            "your_password_here",
        ] {
            assert!(is_placeholder(p.as_bytes(), true), "{p}");
        }
    }

    #[test]
    fn real_looking_values_are_not_placeholders() {
        for p in ["hunter2!x", "S3cr3t-Pa55", "q8Zr!kd0Lw"] {
            assert!(!is_placeholder(p.as_bytes(), true), "{p}");
        }
    }

    #[test]
    fn unquoted_identifier_is_a_code_reference() {
        assert!(is_placeholder(b"new_password", false));
        assert!(!is_placeholder(b"new_password", true));
        assert!(!is_placeholder(b"hunter22", false));
    }
}
