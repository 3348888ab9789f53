//! ASCII-case-insensitive comparison against a fixed pattern, eight bytes at a time.
//!
//! A pattern is stored lowercase in 64-bit words with, for each word, a mask holding `0x20`
//! at the pattern's letters: `(hay_word | mask) == pattern_word` then holds exactly when the
//! bytes are equal ignoring ASCII case (`| 0x20` turns only `A`–`Z` into `a`–`z`; it cannot
//! turn any other byte into a lowercase letter).

/// A pattern compiled for [`Folded::eq`].
#[derive(Debug, Clone)]
pub(crate) struct Folded {
    /// `(lowercase bytes, 0x20 at letters)` per eight bytes, zero-padded.
    words: Box<[(u64, u64)]>,
    /// Pattern length in bytes.
    len: usize,
}

/// The first (up to) eight bytes of `bytes`, zero-padded, little-endian (a byte loop rather
/// than a variable-length copy, which would call `memcpy`).
#[inline(always)]
pub(crate) fn load_short(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .enumerate()
        .fold(0u64, |w, (j, &b)| w | (u64::from(b) << (8 * j)))
}

impl Folded {
    /// Compiles `pattern`.
    pub(crate) fn new(pattern: &[u8]) -> Self {
        let words = pattern
            .chunks(8)
            .map(|c| {
                let lower = load_short(&c.to_ascii_lowercase());
                let fold = c.iter().enumerate().fold(0u64, |m, (j, b)| {
                    m | (u64::from(b.is_ascii_alphabetic()) << (8 * j + 5))
                });
                (lower, fold)
            })
            .collect();
        Self {
            words,
            len: pattern.len(),
        }
    }

    /// Pattern length in bytes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether `hay` (of any length) equals the pattern, ignoring ASCII case.
    #[inline]
    pub(crate) fn eq(&self, hay: &[u8]) -> bool {
        if hay.len() != self.len {
            return false;
        }
        let mut chunks = hay.chunks(8);
        self.words.iter().all(|&(lower, fold)| {
            let x = match chunks.next() {
                Some(c) if c.len() == 8 => {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(c);
                    u64::from_le_bytes(w)
                }
                Some(c) => load_short(c),
                None => return false,
            };
            x | fold == lower
        })
    }

    /// Whether the pattern occurs at `start` in `hay`, ignoring ASCII case.
    #[inline]
    pub(crate) fn at(&self, hay: &[u8], start: usize) -> bool {
        start
            .checked_add(self.len)
            .and_then(|end| hay.get(start..end))
            .is_some_and(|h| self.eq(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_ignoring_ascii_case_only() {
        let f = Folded::new(b"Googlebot-Image/1");
        assert!(f.eq(b"googlebot-image/1"));
        assert!(f.eq(b"GOOGLEBOT-IMAGE/1"));
        assert!(!f.eq(b"googlebot-image/2"));
        assert!(!f.eq(b"googlebot\rimage/1"));
        assert!(!f.eq(b"googlebot-image/"));
        assert!(!f.eq(b"googlebot-image/1x"));
        let punct = Folded::new(b"${jndi:");
        assert!(punct.eq(b"${JNDI:"));
        assert!(!punct.eq(b"\x04[jndi:"));
    }

    #[test]
    fn agrees_with_eq_ignore_ascii_case_on_every_byte_pair() {
        for p in 0..=255u8 {
            let f = Folded::new(&[b'a', p, b'z']);
            for h in 0..=255u8 {
                let hay = [b'A', h, b'Z'];
                assert_eq!(
                    f.eq(&hay),
                    hay.eq_ignore_ascii_case(&[b'a', p, b'z']),
                    "{p} {h}"
                );
            }
        }
    }

    #[test]
    fn occurrence_at_a_position() {
        let f = Folded::new(b"bot/");
        assert!(f.at(b"GoogleBot/2.1", 6));
        assert!(!f.at(b"GoogleBot/2.1", 5));
        assert!(!f.at(b"Bot", 0));
        assert!(!f.at(b"x", usize::MAX));
    }
}
