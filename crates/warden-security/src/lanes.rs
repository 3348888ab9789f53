//! Loading a byte slice sixteen bytes at a time into SSE2 registers without reading past
//! its end or copying it through a buffer, for the byte-class scans of bot detection and
//! the secret-scan prefilter.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
