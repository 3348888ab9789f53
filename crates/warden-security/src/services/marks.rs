//! One pass over a short path (at most 64 bytes) that marks, one bit per byte, where its
//! slashes, semicolons, query/fragment starts and the bytes that need normalizing are:
//! segment boundaries then come from bit scans instead of a byte loop per segment.
//!
//! On x86-64 the pass is SSE2 (sixteen bytes per compare, one `pmovmskb` per class, through
//! `safe_arch`'s safe wrappers); elsewhere a byte loop computes the same masks.

/// Longest input [`PathMarks::of`] takes.
pub(crate) const MAX_LEN: usize = 64;

/// Bit `i` of each mask describes byte `i` of the input; bits at or past its length are 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PathMarks {
    /// `/`.
    pub slash: u64,
    /// `;` (matrix parameters).
    pub semi: u64,
    /// `?` or `#`.
    pub cut: u64,
    /// `%`, `\`, NUL or a non-ASCII byte: the bytes the plain fast path cannot take.
    pub special: u64,
}

impl PathMarks {
    /// The marks of `bytes`; `None` when it is longer than [`MAX_LEN`].
    #[inline]
    pub(crate) fn of(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > MAX_LEN {
            return None;
        }
        let marks = Self::of_short(bytes);
        // The zero padding is not part of the input.
        let real = if bytes.len() == MAX_LEN {
            u64::MAX
        } else {
            (1u64 << bytes.len()) - 1
        };
        Some(Self {
            slash: marks.slash & real,
            semi: marks.semi & real,
            cut: marks.cut & real,
            special: marks.special & real,
        })
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[inline(always)]
    fn of_short(bytes: &[u8]) -> Self {
        use crate::lanes::lane16;
        use safe_arch::{
            bitor_m128i, cmp_eq_mask_i8_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
        };
        let splat = |b: u8| set_splat_i8_m128i(b as i8);
        let (slash, semi, question, hash) = (splat(b'/'), splat(b';'), splat(b'?'), splat(b'#'));
        let (percent, backslash, nul) = (splat(b'%'), splat(b'\\'), splat(0));
        let mut out = Self::default();
        let mut at = 0;
        while at < bytes.len() {
            let (x, drop) = lane16(bytes, at);
            let eq = |v| cmp_eq_mask_i8_m128i(x, v);
            let mask = |v| (u64::from(move_mask_i8_m128i(v) as u16) >> drop) << at;
            out.slash |= mask(eq(slash));
            out.semi |= mask(eq(semi));
            out.cut |= mask(bitor_m128i(eq(question), eq(hash)));
            // A non-ASCII byte has its high bit set already.
            out.special |= mask(bitor_m128i(
                bitor_m128i(eq(percent), eq(backslash)),
                bitor_m128i(eq(nul), x),
            ));
            at += 16;
        }
        out
    }

    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    #[inline(always)]
    fn of_short(bytes: &[u8]) -> Self {
        Self::of_bytes(bytes)
    }

    /// The byte loop: the portable path, and the reference the SSE2 path is tested against.
    #[cfg_attr(
        all(not(test), target_arch = "x86_64", target_feature = "sse2"),
        allow(dead_code)
    )]
    fn of_bytes(bytes: &[u8]) -> Self {
        let mut out = Self::default();
        for (i, &b) in bytes.iter().enumerate().take(MAX_LEN) {
            let bit = 1u64 << i;
            match b {
                b'/' => out.slash |= bit,
                b';' => out.semi |= bit,
                b'?' | b'#' => out.cut |= bit,
                b'%' | b'\\' | 0 | 0x80..=0xff => out.special |= bit,
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn marks_every_byte_at_every_position() {
        for b in 0..=255u8 {
            for len in 1..=MAX_LEN {
                let mut bytes = vec![b'a'; len];
                bytes[len - 1] = b;
                assert_eq!(
                    PathMarks::of(&bytes),
                    Some(PathMarks::of_bytes(&bytes)),
                    "{b:#x} at {len}"
                );
            }
        }
        assert_eq!(PathMarks::of(&[]), Some(PathMarks::default()));
        assert_eq!(PathMarks::of(&[b'/'; MAX_LEN + 1]), None);
    }

    #[test]
    fn marks_a_path() {
        let m = PathMarks::of(b"/a;b/%2e?q#f\\").unwrap_or_default();
        assert_eq!(m.slash, 0b1_0001);
        assert_eq!(m.semi, 0b100);
        assert_eq!(m.cut, (1 << 8) | (1 << 10));
        assert_eq!(m.special, (1 << 5) | (1 << 12));
    }

    proptest! {
        #[test]
        fn simd_and_byte_loop_agree(bytes in proptest::collection::vec(any::<u8>(), 0..=MAX_LEN)) {
            prop_assert_eq!(PathMarks::of(&bytes), Some(PathMarks::of_bytes(&bytes)));
        }
    }
}
