//! Request velocity per client key (IP address, session or token) over a sliding window,
//! counted in a [`CounterStore`] — in process ([`crate::InMemoryCounterStore`], which bounds
//! its memory by evicting idle keys) or shared between instances (Redis, in `warden-store`).

use std::sync::Arc;

use crate::counters::CounterStore;
use crate::store_error::StoreError;

use super::classifier::{velocity_exceeds, Velocity};

/// Default sliding window: one minute.
pub const DEFAULT_VELOCITY_WINDOW_SECS: u64 = 60;

/// Counts requests per client key and says when a client goes too fast.
#[derive(Clone)]
pub struct VelocityTracker {
    store: Arc<dyn CounterStore>,
    window_secs: u64,
    max_per_minute: u64,
    prefix: &'static str,
}

impl std::fmt::Debug for VelocityTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VelocityTracker")
            .field("window_secs", &self.window_secs)
            .field("max_per_minute", &self.max_per_minute)
            .finish_non_exhaustive()
    }
}

impl VelocityTracker {
    /// A tracker over `store` with a one-minute window and the 30-per-minute threshold.
    pub fn new(store: Arc<dyn CounterStore>) -> Self {
        Self {
            store,
            window_secs: DEFAULT_VELOCITY_WINDOW_SECS,
            max_per_minute: super::MAX_REQUESTS_PER_MINUTE,
            prefix: "bot:vel:",
        }
    }

    /// Sets the sliding-window length in seconds (at least 1).
    pub fn with_window_secs(mut self, window_secs: u64) -> Self {
        self.window_secs = window_secs.max(1);
        self
    }

    /// Sets the threshold in requests per minute.
    pub fn with_max_per_minute(mut self, max_per_minute: u64) -> Self {
        self.max_per_minute = max_per_minute;
        self
    }

    /// The window length in seconds.
    pub fn window_secs(&self) -> u64 {
        self.window_secs
    }

    /// The threshold in requests per minute.
    pub fn max_per_minute(&self) -> u64 {
        self.max_per_minute
    }

    /// Counts one request from `client` at `now_ms` and returns the requests inside the
    /// window ending now, this one included.
    pub async fn observe(&self, client: &str, now_ms: u64) -> Result<Velocity, StoreError> {
        let mut key = String::with_capacity(self.prefix.len() + client.len());
        key.push_str(self.prefix);
        key.push_str(client);
        let count = self
            .store
            .hit(&key, self.window_secs.saturating_mul(1000), now_ms)
            .await?;
        Ok(Velocity {
            count,
            window_secs: self.window_secs,
        })
    }

    /// True when `velocity` exceeds this tracker's threshold.
    pub fn is_high(&self, velocity: Velocity) -> bool {
        velocity_exceeds(velocity.count, velocity.window_secs, self.max_per_minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::InMemoryCounterStore;

    #[tokio::test]
    async fn the_thirty_first_request_in_a_minute_is_high_velocity() {
        let t = VelocityTracker::new(Arc::new(InMemoryCounterStore::default()));
        for i in 0..30u64 {
            let v = t.observe("203.0.113.7", i * 100).await.unwrap();
            assert!(!t.is_high(v), "request {} flagged", i + 1);
        }
        let v = t.observe("203.0.113.7", 3_100).await.unwrap();
        assert_eq!(v.count, 31);
        assert!(t.is_high(v));
    }

    #[tokio::test]
    async fn requests_leave_the_sliding_window() {
        let t = VelocityTracker::new(Arc::new(InMemoryCounterStore::default()));
        for i in 0..31u64 {
            t.observe("c", i).await.unwrap();
        }
        let v = t.observe("c", 60_000 + 31).await.unwrap();
        assert_eq!(v.count, 1);
        assert!(!t.is_high(v));
    }

    #[tokio::test]
    async fn clients_are_counted_apart() {
        let t = VelocityTracker::new(Arc::new(InMemoryCounterStore::default()));
        for i in 0..40u64 {
            t.observe("a", i).await.unwrap();
        }
        assert_eq!(t.observe("b", 41).await.unwrap().count, 1);
    }

    #[tokio::test]
    async fn threshold_is_configurable() {
        let t =
            VelocityTracker::new(Arc::new(InMemoryCounterStore::default())).with_max_per_minute(5);
        for i in 0..5u64 {
            assert!(!t.is_high(t.observe("k", i).await.unwrap()));
        }
        assert!(t.is_high(t.observe("k", 6).await.unwrap()));
    }

    #[tokio::test]
    async fn memory_stays_bounded_under_a_flood_of_distinct_clients() {
        let store = Arc::new(InMemoryCounterStore::new(1_000));
        let t = VelocityTracker::new(store.clone());
        for i in 0..50_000u64 {
            t.observe(&format!("198.51.{}.{}", i / 256, i % 256), i)
                .await
                .unwrap();
        }
        assert!(store.len() <= 1_000, "held {} keys", store.len());
    }
}
