//! A small open-addressing table from a 64-bit key to a list of rule numbers, built once from
//! the compile-time knowledge. Keys may collide (several words can share one key): callers
//! verify every rule they get back, so a collision costs a comparison, never a wrong answer.
//! Lookups do not allocate.

/// Multiplier of the slot hash (the golden-ratio constant of Fibonacci hashing).
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// Key → rule numbers.
#[derive(Debug)]
pub(crate) struct KeyTable {
    /// Entry number + 1 per slot (0 = empty); the length is a power of two at least four times
    /// the number of entries, so a probe sequence always ends on an empty slot.
    slots: Box<[u16]>,
    /// `(key, start, end)`: the values of `key` are `values[start..end]`.
    entries: Box<[(u64, u16, u16)]>,
    /// Rule numbers, grouped by key, in the order they were given.
    values: Box<[u16]>,
    /// `64 - log2(slots.len())`.
    shift: u32,
}

impl KeyTable {
    /// Builds the table from `(key, value)` pairs. At most `u16::MAX - 1` distinct keys and
    /// values (the built-in knowledge has a few hundred); pairs past that are dropped.
    pub(crate) fn new(mut pairs: Vec<(u64, u16)>) -> Self {
        pairs.truncate(usize::from(u16::MAX - 1));
        pairs.sort_by_key(|&(k, _)| k); // stable: values keep their order within a key
        let mut entries: Vec<(u64, u16, u16)> = Vec::new();
        let mut values = Vec::with_capacity(pairs.len());
        for (i, &(key, value)) in pairs.iter().enumerate() {
            let i = u16::try_from(i).unwrap_or(u16::MAX - 1);
            match entries.last_mut() {
                Some(last) if last.0 == key => last.2 = i + 1,
                _ => entries.push((key, i, i + 1)),
            }
            values.push(value);
        }
        let size = (entries.len() * 4).next_power_of_two().max(16);
        let mut slots = vec![0u16; size].into_boxed_slice();
        let shift = 64 - size.trailing_zeros();
        for (i, &(key, _, _)) in entries.iter().enumerate() {
            let mut s = slot_of(key, shift);
            while slots.get(s).is_some_and(|&e| e != 0) {
                s = (s + 1) & (size - 1);
            }
            if let Some(slot) = slots.get_mut(s) {
                *slot = u16::try_from(i + 1).unwrap_or(0);
            }
        }
        Self {
            slots,
            entries: entries.into_boxed_slice(),
            values: values.into_boxed_slice(),
            shift,
        }
    }

    /// The rule numbers stored under `key` (empty when none).
    #[inline]
    pub(crate) fn get(&self, key: u64) -> &[u16] {
        let mask = self.slots.len() - 1;
        let mut s = slot_of(key, self.shift);
        // At most a quarter of the slots are used: the probe meets an empty slot.
        while let Some(&e) = self.slots.get(s) {
            if e == 0 {
                break;
            }
            if let Some(&(k, start, end)) = self.entries.get(usize::from(e - 1)) {
                if k == key {
                    return self
                        .values
                        .get(usize::from(start)..usize::from(end))
                        .unwrap_or(&[]);
                }
            }
            s = (s + 1) & mask;
        }
        &[]
    }

    /// Number of values (rule numbers) stored.
    #[cfg(test)]
    pub(crate) fn value_count(&self) -> usize {
        self.values.len()
    }

    /// Number of distinct keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[inline]
fn slot_of(key: u64, shift: u32) -> usize {
    (key.wrapping_mul(MIX) >> shift) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_grouped_by_key_in_order() {
        let t = KeyTable::new(vec![(7, 1), (3, 2), (7, 3), (u64::MAX, 4)]);
        assert_eq!(t.get(7), &[1, 3]);
        assert_eq!(t.get(3), &[2]);
        assert_eq!(t.get(u64::MAX), &[4]);
        assert_eq!(t.get(0), &[] as &[u16]);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn colliding_slots_are_probed() {
        let pairs: Vec<(u64, u16)> = (0..500u16).map(|i| (u64::from(i) << 40, i)).collect();
        let t = KeyTable::new(pairs);
        for i in 0..500u16 {
            assert_eq!(t.get(u64::from(i) << 40), &[i]);
        }
        assert!(t.get(1).is_empty());
    }
}
