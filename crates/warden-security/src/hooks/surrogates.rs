//! JSON text with lone UTF-16 surrogate escapes made parseable.
//!
//! JavaScript strings may hold a lone surrogate (half of an emoji cut by a truncation), and
//! `JSON.stringify` writes it as an escape (`"\ud83d"`). Strict JSON parsers — serde_json
//! among them — reject such text, which would make a hook fail (and so block the agent's
//! call) over a half character. Each lone surrogate escape becomes `\ufffd`, the
//! replacement character; valid pairs and everything else are left as they are.

use std::borrow::Cow;

/// The four hex digits after `\u` at `at`, as a number.
fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u16::from_str_radix(text, 16).ok()
}

fn is_high(u: u16) -> bool {
    (0xD800..=0xDBFF).contains(&u)
}

fn is_low(u: u16) -> bool {
    (0xDC00..=0xDFFF).contains(&u)
}

/// `json` with every lone surrogate escape replaced by `\ufffd` (borrowed when there is none).
pub fn replace_lone_surrogates(json: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memmem::find(json, b"\\u").is_none() {
        return Cow::Borrowed(json);
    }
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    let mut copied = 0;
    while let Some(off) = memchr::memchr(b'\\', json.get(i..).unwrap_or_default()) {
        let at = i + off;
        match json.get(at + 1) {
            Some(b'u') => {
                let Some(u) = hex4(json, at + 2) else {
                    i = at + 2;
                    continue;
                };
                let paired = is_high(u)
                    && json.get(at + 6) == Some(&b'\\')
                    && json.get(at + 7) == Some(&b'u')
                    && hex4(json, at + 8).is_some_and(is_low);
                if paired {
                    i = at + 12;
                } else if is_high(u) || is_low(u) {
                    let buf = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
                    buf.extend_from_slice(&json[copied..at]);
                    buf.extend_from_slice(b"\\ufffd");
                    copied = at + 6;
                    i = at + 6;
                } else {
                    i = at + 6;
                }
            }
            // Any other escape (`\\`, `\"`, `\n`, …): skip the escaped byte too.
            Some(_) => i = at + 2,
            None => break,
        }
    }
    match out {
        Some(mut buf) => {
            buf.extend_from_slice(&json[copied..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(s: &str) -> String {
        String::from_utf8(replace_lone_surrogates(s.as_bytes()).into_owned()).unwrap_or_default()
    }

    #[test]
    fn lone_surrogates_become_the_replacement_character() {
        assert_eq!(fixed(r#"{"a":"x\ud83d"}"#), r#"{"a":"x\ufffd"}"#);
        assert_eq!(fixed(r#"{"a":"\udc00y"}"#), r#"{"a":"\ufffdy"}"#);
        assert_eq!(fixed(r#"{"a":"\ud83d\ud83d"}"#), r#"{"a":"\ufffd\ufffd"}"#);
        let v: serde_json::Value =
            serde_json::from_slice(&replace_lone_surrogates(br#"{"a":"x\ud83d"}"#))
                .unwrap_or_default();
        assert_eq!(v["a"], "x\u{fffd}");
    }

    #[test]
    fn pairs_escaped_backslashes_and_plain_text_are_kept() {
        for s in [
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":"\\ud83d"}"#,
            r#"{"a":"\u00e9 \n \""}"#,
            r#"{"a":"no escapes"}"#,
            r#"{"a":"\u12"}"#,
            "\\",
        ] {
            assert_eq!(fixed(s), s, "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_only_replaces_escapes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let out = replace_lone_surrogates(&bytes);
            proptest::prop_assert!(out.len() >= bytes.len());
        }
    }
}
