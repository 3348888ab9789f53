//! A budget of log lines per second for the bot layer: during a scanner flood every request
//! is a scanner verdict, and one INFO line each would flood the log (and cost the server more
//! than the classification). Lines past the budget are counted, and the next line written
//! reports how many were left out.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Scanner verdict lines written per second at most.
pub(crate) const SCANNER_LINES_PER_SECOND: u32 = 10;

/// The per-second line budget. Approximate under races (a line more or less at a second's
/// boundary), never blocking.
#[derive(Debug)]
pub(crate) struct LogBudget {
    per_second: u32,
    /// The second (since the epoch) the count is for.
    second: AtomicU64,
    /// Lines asked for in that second.
    used: AtomicU32,
    /// Lines left out since the last one written.
    suppressed: AtomicU64,
}

impl LogBudget {
    /// A budget of `per_second` lines.
    pub(crate) const fn new(per_second: u32) -> Self {
        Self {
            per_second,
            second: AtomicU64::new(0),
            used: AtomicU32::new(0),
            suppressed: AtomicU64::new(0),
        }
    }

    /// Whether a line may be written at `now_ms`: `Some(left_out)` (the lines left out since
    /// the last one written) or `None` (counted as left out).
    pub(crate) fn take(&self, now_ms: u64) -> Option<u64> {
        let now = now_ms / 1000;
        let second = self.second.load(Ordering::Relaxed);
        if second != now
            && self
                .second
                .compare_exchange(second, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.used.store(0, Ordering::Relaxed);
        }
        if self.used.fetch_add(1, Ordering::Relaxed) < self.per_second {
            Some(self.suppressed.swap(0, Ordering::Relaxed))
        } else {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_past_the_budget_are_counted_and_reported_with_the_next_one() {
        let budget = LogBudget::new(3);
        let t = 5_000;
        assert_eq!(budget.take(t), Some(0));
        assert_eq!(budget.take(t + 10), Some(0));
        assert_eq!(budget.take(t + 20), Some(0));
        for i in 0..100 {
            assert_eq!(budget.take(t + 30 + i), None);
        }
        // The next second: a fresh budget, and the first line says what was left out.
        assert_eq!(budget.take(t + 1_000), Some(100));
        assert_eq!(budget.take(t + 1_001), Some(0));
    }

    #[test]
    fn a_quiet_client_is_never_limited() {
        let budget = LogBudget::new(SCANNER_LINES_PER_SECOND);
        for s in 0..50u64 {
            assert_eq!(budget.take(s * 1_000 + 7), Some(0));
        }
    }
}
