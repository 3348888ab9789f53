//! Windowed counters shared by the rate-limit layer and the bot velocity tracker.
//!
//! [`CounterStore`] is the seam: [`InMemoryCounterStore`] serves one process; `warden-store`
//! provides a Redis implementation (atomic server-side scripts) so that several Warden
//! instances enforce one global limit.
//!
//! Semantics are a **sliding-window log**: a hit at time `t` counts against a window of
//! length `w` for every instant in `(t, t + w]`. This is exact (no boundary bursts), and
//! `retry_after_ms` is the time until the oldest counted hit leaves the window.

use std::collections::{HashMap, VecDeque};

use async_trait::async_trait;
use parking_lot::Mutex;

use crate::store_error::StoreError;

/// One window to check and count in [`CounterStore::acquire`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSpec<'a> {
    /// Counter key (already namespaced by the caller, e.g. `rl:principal:u1:s1`).
    pub key: &'a str,
    /// Most hits allowed inside the window.
    pub limit: u64,
    /// Window length in milliseconds (at least 1).
    pub window_ms: u64,
}

/// The answer of [`CounterStore::acquire`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AcquireOutcome {
    /// True when every window had room and one hit was counted in each.
    pub allowed: bool,
    /// Index into the `windows` slice of the first window that was full (when denied).
    pub denied_index: Option<usize>,
    /// Milliseconds until the denying window has room again (0 when allowed).
    pub retry_after_ms: u64,
    /// Hits inside each window after this call, in the order of `windows`.
    pub counts: Vec<u64>,
    /// True when the idempotency key had been seen: the stored outcome was returned and
    /// nothing was counted.
    pub replayed: bool,
}

/// Atomic windowed counters.
#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Atomically checks every window and, only when all have room, counts one hit in each.
    /// A denied call counts nothing. When `idempotency_key` is given and was seen before
    /// (within the longest window), the earlier outcome is returned with `replayed = true`
    /// and nothing is counted.
    async fn acquire(
        &self,
        windows: &[WindowSpec<'_>],
        idempotency_key: Option<&str>,
        now_ms: u64,
    ) -> Result<AcquireOutcome, StoreError>;

    /// Counts one hit for `key` and returns the hits inside the window, this one included
    /// (used for request-velocity tracking; never denies).
    async fn hit(&self, key: &str, window_ms: u64, now_ms: u64) -> Result<u64, StoreError>;
}

/// Bound on the hits held per key by [`InMemoryCounterStore::hit_now`]: far more than any
/// velocity threshold, so counts below it are exact.
const MAX_HITS_PER_KEY: usize = 65_536;

/// Default bound on distinct keys held by [`InMemoryCounterStore`].
pub const DEFAULT_MAX_KEYS: usize = 100_000;

#[derive(Default)]
struct Log {
    hits: VecDeque<u64>,
    last_touch_ms: u64,
}

impl Log {
    fn prune(&mut self, window_ms: u64, now_ms: u64) {
        while self
            .hits
            .front()
            .is_some_and(|&t| t.saturating_add(window_ms) <= now_ms)
        {
            self.hits.pop_front();
        }
    }
}

#[derive(Default)]
struct State {
    logs: HashMap<String, Log>,
    seen: HashMap<String, (AcquireOutcome, u64)>,
}

/// In-process [`CounterStore`] with bounded memory: when more than `max_keys` keys are held,
/// idle keys are evicted (least recently touched first).
pub struct InMemoryCounterStore {
    state: Mutex<State>,
    max_keys: usize,
}

impl Default for InMemoryCounterStore {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_KEYS)
    }
}

impl std::fmt::Debug for InMemoryCounterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryCounterStore")
            .field("max_keys", &self.max_keys)
            .finish()
    }
}

impl InMemoryCounterStore {
    /// A store holding at most `max_keys` keys (at least 1).
    pub fn new(max_keys: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            max_keys: max_keys.max(1),
        }
    }

    /// Number of keys currently held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.state.lock().logs.len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Synchronous form of [`CounterStore::acquire`].
    pub fn acquire_now(
        &self,
        windows: &[WindowSpec<'_>],
        idempotency_key: Option<&str>,
        now_ms: u64,
    ) -> AcquireOutcome {
        let mut st = self.state.lock();
        let longest = windows.iter().map(|w| w.window_ms).max().unwrap_or(0);
        if let Some(k) = idempotency_key {
            if let Some((outcome, at)) = st.seen.get(k) {
                if now_ms.saturating_sub(*at) < longest.max(1) {
                    let mut o = outcome.clone();
                    o.replayed = true;
                    return o;
                }
            }
        }
        let mut counts = Vec::with_capacity(windows.len());
        let mut denied: Option<(usize, u64)> = None;
        for (i, w) in windows.iter().enumerate() {
            let window_ms = w.window_ms.max(1);
            let n = match st.logs.get_mut(w.key) {
                Some(log) => {
                    log.prune(window_ms, now_ms);
                    log.hits.len() as u64
                }
                None => 0,
            };
            if denied.is_none() && n >= w.limit {
                let retry = st
                    .logs
                    .get(w.key)
                    .and_then(|log| {
                        // The hit that must leave for a slot to open.
                        let excess = (n + 1).saturating_sub(w.limit.max(1));
                        let idx = usize::try_from(excess.saturating_sub(1)).ok()?;
                        log.hits.get(idx).copied()
                    })
                    .map_or(window_ms, |t| (t + window_ms).saturating_sub(now_ms).max(1));
                denied = Some((i, retry));
            }
            counts.push(n);
        }
        let outcome = if let Some((i, retry)) = denied {
            AcquireOutcome {
                allowed: false,
                denied_index: Some(i),
                retry_after_ms: retry,
                counts,
                replayed: false,
            }
        } else {
            for (w, c) in windows.iter().zip(counts.iter_mut()) {
                let log = st.logs.entry(w.key.to_owned()).or_default();
                log.hits.push_back(now_ms);
                log.last_touch_ms = now_ms;
                *c += 1;
            }
            AcquireOutcome {
                allowed: true,
                denied_index: None,
                retry_after_ms: 0,
                counts,
                replayed: false,
            }
        };
        if let Some(k) = idempotency_key {
            st.seen.insert(k.to_owned(), (outcome.clone(), now_ms));
        }
        self.evict_if_needed(&mut st, now_ms, longest);
        outcome
    }

    /// Synchronous form of [`CounterStore::hit`].
    pub fn hit_now(&self, key: &str, window_ms: u64, now_ms: u64) -> u64 {
        let mut st = self.state.lock();
        let window_ms = window_ms.max(1);
        let n = {
            let log = st.logs.entry(key.to_owned()).or_default();
            log.prune(window_ms, now_ms);
            // Kept in time order even when times arrive out of order (a log replayed
            // newest first, shuffled lines): the hits less than a window away from now, on
            // either side, count — a burst counts as a burst in any order, and hits an hour
            // later do not count against now.
            let at = log.hits.partition_point(|&t| t <= now_ms);
            log.hits.insert(at, now_ms);
            if log.hits.len() > MAX_HITS_PER_KEY {
                // Bounded memory: drop the hit farthest from now.
                let oldest_gap = now_ms.saturating_sub(log.hits.front().copied().unwrap_or(now_ms));
                let newest_gap = log
                    .hits
                    .back()
                    .copied()
                    .unwrap_or(now_ms)
                    .saturating_sub(now_ms);
                if newest_gap > oldest_gap {
                    log.hits.pop_back();
                } else {
                    log.hits.pop_front();
                }
            }
            log.last_touch_ms = log.last_touch_ms.max(now_ms);
            // Every held hit at or before now is inside the window (the pruning above).
            let upto = log
                .hits
                .partition_point(|&t| t < now_ms.saturating_add(window_ms));
            upto as u64
        };
        self.evict_if_needed(&mut st, now_ms, window_ms);
        n
    }

    fn evict_if_needed(&self, st: &mut State, now_ms: u64, window_ms: u64) {
        if st.seen.len() > self.max_keys {
            st.seen
                .retain(|_, (_, at)| at.saturating_add(window_ms) > now_ms);
            if st.seen.len() > self.max_keys {
                evict_oldest(&mut st.seen, self.max_keys, |(_, at)| *at);
            }
        }
        if st.logs.len() > self.max_keys {
            evict_oldest(&mut st.logs, self.max_keys, |l| l.last_touch_ms);
        }
    }
}

/// Drops entries until at most `keep * 3 / 4` remain, oldest first. Amortized: a flood of
/// new keys costs O(1) per insert on average.
fn evict_oldest<V>(map: &mut HashMap<String, V>, keep: usize, touched: impl Fn(&V) -> u64) {
    let target = (keep * 3 / 4).max(1);
    let mut ages: Vec<u64> = map.values().map(&touched).collect();
    let drop = ages.len().saturating_sub(target);
    if drop == 0 {
        return;
    }
    ages.select_nth_unstable(drop - 1);
    let threshold = ages[drop - 1];
    let mut to_drop = drop;
    map.retain(|_, v| {
        if to_drop > 0 && touched(v) <= threshold {
            to_drop -= 1;
            false
        } else {
            true
        }
    });
}

#[async_trait]
impl CounterStore for InMemoryCounterStore {
    async fn acquire(
        &self,
        windows: &[WindowSpec<'_>],
        idempotency_key: Option<&str>,
        now_ms: u64,
    ) -> Result<AcquireOutcome, StoreError> {
        Ok(self.acquire_now(windows, idempotency_key, now_ms))
    }

    async fn hit(&self, key: &str, window_ms: u64, now_ms: u64) -> Result<u64, StoreError> {
        Ok(self.hit_now(key, window_ms, now_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(key: &str, limit: u64, window_ms: u64) -> WindowSpec<'_> {
        WindowSpec {
            key,
            limit,
            window_ms,
        }
    }

    #[test]
    fn allows_up_to_limit_then_denies_with_retry_after() {
        let s = InMemoryCounterStore::default();
        for i in 0..3 {
            assert!(s.acquire_now(&[w("k", 3, 1000)], None, 100 + i).allowed);
        }
        let o = s.acquire_now(&[w("k", 3, 1000)], None, 500);
        assert!(!o.allowed);
        assert_eq!(o.denied_index, Some(0));
        // The first hit (t=100) leaves the window at 1100.
        assert_eq!(o.retry_after_ms, 600);
        assert!(s.acquire_now(&[w("k", 3, 1000)], None, 1100).allowed);
    }

    #[test]
    fn denied_calls_consume_nothing_in_any_window() {
        let s = InMemoryCounterStore::default();
        assert!(
            s.acquire_now(&[w("a", 10, 1000), w("b", 1, 1000)], None, 0)
                .allowed
        );
        let o = s.acquire_now(&[w("a", 10, 1000), w("b", 1, 1000)], None, 1);
        assert!(!o.allowed);
        assert_eq!(o.denied_index, Some(1));
        assert_eq!(o.counts, vec![1, 1]);
        let o = s.acquire_now(&[w("a", 10, 1000)], None, 2);
        assert_eq!(o.counts, vec![2]);
    }

    #[test]
    fn idempotent_per_call_id() {
        let s = InMemoryCounterStore::default();
        let a = s.acquire_now(&[w("k", 1, 1000)], Some("c1"), 0);
        let b = s.acquire_now(&[w("k", 1, 1000)], Some("c1"), 10);
        assert!(a.allowed && b.allowed && b.replayed);
        assert!(!s.acquire_now(&[w("k", 1, 1000)], Some("c2"), 20).allowed);
    }

    #[test]
    fn hit_counts_within_window() {
        let s = InMemoryCounterStore::default();
        assert_eq!(s.hit_now("ip", 60_000, 0), 1);
        assert_eq!(s.hit_now("ip", 60_000, 30_000), 2);
        assert_eq!(s.hit_now("ip", 60_000, 60_001), 2);
    }

    #[test]
    fn memory_is_bounded_under_a_flood_of_keys() {
        let s = InMemoryCounterStore::new(1000);
        for i in 0..20_000u64 {
            s.hit_now(&format!("k{i}"), 60_000, i);
        }
        assert!(s.len() <= 1000);
        // The most recent key survived.
        assert_eq!(s.hit_now("k19999", 60_000, 20_000), 2);
    }
}
