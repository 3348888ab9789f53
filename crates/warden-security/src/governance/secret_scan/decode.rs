//! Decoders applied to JSON string leaves: base64 (standard and URL-safe, only when the
//! result is mostly printable UTF-8), percent-encoding, and JSON inside a string.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// Shortest string tried as base64.
pub(crate) const MIN_BASE64: usize = 16;

/// Decodes `s` as base64 when it looks like base64 and decodes to mostly printable UTF-8.
pub(crate) fn base64(s: &str, max: usize) -> Option<String> {
    let t = s.trim();
    if t.len() < MIN_BASE64 || t.len() > max {
        return None;
    }
    let body = t.trim_end_matches('=');
    if t.len() - body.len() > 2 {
        return None;
    }
    let (mut std_chars, mut url_chars) = (false, false);
    for b in body.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => {}
            b'+' | b'/' => std_chars = true,
            b'-' | b'_' => url_chars = true,
            _ => return None,
        }
    }
    if std_chars && url_chars {
        return None;
    }
    // Hex strings and plain words are valid base64 but never meant as such.
    if body.bytes().all(|b| b.is_ascii_hexdigit()) || body.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let padded = t.len() != body.len();
    let engine = match (url_chars, padded) {
        (false, true) => &STANDARD,
        (false, false) => &STANDARD_NO_PAD,
        (true, true) => &URL_SAFE,
        (true, false) => &URL_SAFE_NO_PAD,
    };
    let bytes = engine.decode(t).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    mostly_printable(&text).then_some(text)
}

/// At least 90 % of the characters are printable or common whitespace.
pub(crate) fn mostly_printable(s: &str) -> bool {
    let (mut total, mut ok) = (0usize, 0usize);
    for c in s.chars() {
        total += 1;
        if !c.is_control() || matches!(c, '\n' | '\r' | '\t') {
            ok += 1;
        }
    }
    total > 0 && ok * 10 >= total * 9
}

/// Percent-decodes `s` when it contains at least one `%XX` escape.
pub(crate) fn percent(s: &str, max: usize) -> Option<String> {
    if s.len() > max {
        return None;
    }
    let b = s.as_bytes();
    let first = memchr::memchr_iter(b'%', b).find(|&i| {
        i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()
    })?;
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..first]);
    let mut i = first;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            out.push(hex(b[i + 1]) << 4 | hex(b[i + 2]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn hex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Parses `s` as a JSON object or array.
pub(crate) fn json(s: &str, max: usize) -> Option<serde_json::Value> {
    let t = s.trim();
    if t.len() < 2 || t.len() > max {
        return None;
    }
    let (first, last) = (t.as_bytes()[0], t.as_bytes()[t.len() - 1]);
    if !matches!((first, last), (b'{', b'}') | (b'[', b']')) {
        return None;
    }
    serde_json::from_str(t).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_printable_base64() {
        let enc = STANDARD.encode("password=hunter22 and more");
        assert_eq!(
            base64(&enc, 1 << 16).as_deref(),
            Some("password=hunter22 and more")
        );
    }

    #[test]
    fn decodes_url_safe_base64_without_padding() {
        let enc = URL_SAFE_NO_PAD.encode("a secret >>> ??? value");
        assert_eq!(
            base64(&enc, 1 << 16).as_deref(),
            Some("a secret >>> ??? value")
        );
    }

    #[test]
    fn rejects_binary_base64() {
        let enc = STANDARD.encode([0u8, 1, 2, 3, 255, 254, 0, 0, 9, 8, 7, 6, 5, 4, 3, 2]);
        assert_eq!(base64(&enc, 1 << 16), None);
    }

    #[test]
    fn rejects_invalid_utf8_after_decoding() {
        let enc = STANDARD.encode([
            b'a', b'b', 0xff, 0xfe, b'c', b'd', b'e', b'f', b'g', b'h', b'i', b'j',
        ]);
        assert_eq!(base64(&enc, 1 << 16), None);
    }

    #[test]
    fn leaves_plain_words_alone() {
        assert_eq!(base64("thisisjustalongword", 1 << 16), None);
        assert_eq!(base64("hello world this is text", 1 << 16), None);
    }

    #[test]
    fn percent_decodes_escapes() {
        assert_eq!(percent("a%3Db%20c", 100).as_deref(), Some("a=b c"));
        assert_eq!(percent("100%", 100), None);
        assert_eq!(percent("plain", 100), None);
    }

    #[test]
    fn parses_json_in_string() {
        assert!(json(r#"{"a":"b"}"#, 100).is_some());
        assert!(json("{not json}", 100).is_none());
        assert!(json("plain", 100).is_none());
    }
}
