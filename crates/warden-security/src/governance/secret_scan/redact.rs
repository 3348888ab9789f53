//! Previews that reveal at most four characters, and in-place redaction of strings.

/// Largest number of characters of a secret a preview may reveal.
pub const MAX_REVEALED: usize = 4;

/// A preview of `secret`: `prefixed` secrets (public vendor prefix such as `AKIA`) show their
/// first 4 characters, others at most a quarter of their length (never more than 4), followed
/// by `****`.
pub fn preview(secret: &str, prefixed: bool) -> String {
    let n = secret.chars().count();
    let reveal = if prefixed {
        MAX_REVEALED
    } else {
        (n / 4).min(MAX_REVEALED)
    };
    let reveal = reveal.min(n.saturating_sub(1));
    let mut out: String = secret.chars().take(reveal).collect();
    out.push_str("****");
    out
}

/// The replacement text of a redacted secret.
pub fn marker(rule_id: &str) -> String {
    format!("[REDACTED:{rule_id}]")
}

/// Replaces the byte spans of `spans` (sorted by start; overlapping spans merged) in `text`
/// with their markers. Spans off char boundaries are widened to the enclosing characters.
pub(crate) fn redact_spans(text: &str, spans: &[(usize, usize, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut i = 0;
    while i < spans.len() {
        let (mut s, mut e, id) = spans[i];
        // Merge following overlapping spans into this one.
        let mut j = i + 1;
        while j < spans.len() && spans[j].0 < e {
            e = e.max(spans[j].1);
            j += 1;
        }
        s = s.max(pos).min(text.len());
        e = e.min(text.len());
        while s > 0 && !text.is_char_boundary(s) {
            s -= 1;
        }
        while e < text.len() && !text.is_char_boundary(e) {
            e += 1;
        }
        if s >= pos && e > s {
            out.push_str(&text[pos..s]);
            out.push_str(&marker(id));
            pos = e;
        }
        i = j;
    }
    out.push_str(&text[pos.min(text.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_preview_reveals_four() {
        assert_eq!(preview("AKIAABCDEFGHIJKLMNOP", true), "AKIA****");
    }

    #[test]
    fn unprefixed_preview_reveals_a_quarter_at_most() {
        assert_eq!(preview("hunter22", false), "hu****");
        assert_eq!(preview("abc", false), "****");
        assert_eq!(preview("0123456789abcdefghijklmnop", false), "0123****");
    }

    #[test]
    fn short_prefixed_secret_never_fully_revealed() {
        assert_eq!(preview("abcd", true), "abc****");
    }

    #[test]
    fn redacts_spans_and_keeps_the_rest() {
        let t = "key=SECRET1 and SECRET2!";
        let r = redact_spans(t, &[(4, 11, "a"), (16, 23, "b")]);
        assert_eq!(r, "key=[REDACTED:a] and [REDACTED:b]!");
    }

    #[test]
    fn merges_overlapping_spans() {
        let r = redact_spans("xxSECRETyy", &[(2, 6, "a"), (4, 8, "b")]);
        assert_eq!(r, "xx[REDACTED:a]yy");
    }
}
