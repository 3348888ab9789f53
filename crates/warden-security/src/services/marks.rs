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

/// Sixteen bytes of `bytes` from `at` (`at < bytes.len()`) as a vector, and how far its
/// per-byte mask must be shifted right so that bit 0 stands for byte `at`. Never reads past
/// the input and never copies it through a buffer (a vector load over a fresh `memcpy`
/// stalls on store forwarding): the last lane of an input of at least 16 bytes is its last
/// 16 bytes, overlapping the lane before; a shorter input is assembled in two zero-padded
/// words, whose padding bits the caller masks off.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
pub(crate) fn lane16(bytes: &[u8], at: usize) -> (safe_arch::m128i, u32) {
    use safe_arch::{load_unaligned_m128i, m128i};
    let n = bytes.len();
    let at16 = |from: usize| {
        bytes
            .get(from..from.saturating_add(16))
            .and_then(|c| <&[u8; 16]>::try_from(c).ok())
    };
    if let Some(c) = at16(at) {
        return (load_unaligned_m128i(c), 0);
    }
    if let Some(c) = n.checked_sub(16).and_then(at16) {
        return (load_unaligned_m128i(c), (at + 16 - n) as u32);
    }
    let (lo, hi) = words16(bytes.get(at..).unwrap_or(&[]));
    (m128i::from([lo as i64, hi as i64]), 0)
}

/// The first (up to) sixteen bytes of `b` as two zero-padded little-endian words, with
/// overlapping word loads rather than a byte loop or a buffer.
#[cfg_attr(
    not(all(target_arch = "x86_64", target_feature = "sse2")),
    allow(dead_code)
)]
#[inline(always)]
pub(crate) fn words16(b: &[u8]) -> (u64, u64) {
    let n = b.len().min(16);
    let word = |at: usize| {
        b.get(at..at + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let half = |at: usize| {
        b.get(at..at + 4)
            .and_then(|c| <[u8; 4]>::try_from(c).ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    if n >= 8 {
        // Bytes 8..n: the last eight, shifted down past the ones the first word holds.
        (
            word(0),
            word(n - 8).checked_shr(8 * (16 - n) as u32).unwrap_or(0),
        )
    } else if n >= 4 {
        (half(0) | (half(n - 4) << (8 * (n - 4))), 0)
    } else {
        let lo = b
            .iter()
            .take(n)
            .enumerate()
            .fold(0u64, |w, (j, &x)| w | (u64::from(x) << (8 * j)));
        (lo, 0)
    }
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

    #[test]
    fn words16_pads_with_zeros() {
        let bytes: Vec<u8> = (1..=16).collect();
        for n in 0..=16 {
            let mut expect = [0u8; 16];
            expect[..n].copy_from_slice(&bytes[..n]);
            let lo = u64::from_le_bytes(expect[..8].try_into().unwrap_or_default());
            let hi = u64::from_le_bytes(expect[8..].try_into().unwrap_or_default());
            assert_eq!(words16(&bytes[..n]), (lo, hi), "length {n}");
        }
    }

    proptest! {
        #[test]
        fn simd_and_byte_loop_agree(bytes in proptest::collection::vec(any::<u8>(), 0..=MAX_LEN)) {
            prop_assert_eq!(PathMarks::of(&bytes), Some(PathMarks::of_bytes(&bytes)));
        }
    }
}
