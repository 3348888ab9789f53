//! Windowed counters in the SQL store: the same sliding-window-log semantics as
//! `warden_security::InMemoryCounterStore`, persisted so that state survives processes. Used by
//! the in-process Claude Code hook (one short-lived process per tool call) when no Redis is
//! configured. Each call is one transaction; on PostgreSQL a transaction-scoped advisory lock
//! serializes them, on SQLite the first statement (a write) takes the database write lock.

use async_trait::async_trait;
use warden_security::counters::{AcquireOutcome, CounterStore, WindowSpec};
use warden_security::StoreError;

use crate::backend::{with_pool, Backend};
use crate::error;

/// Idempotency records older than this are deleted (a replay is only honoured within the
/// longest window of the call that asks, as in the in-memory store).
const CALL_RETENTION_MS: i64 = 7 * 24 * 3600 * 1000;

/// Advisory lock id of the counter tables (PostgreSQL).
const COUNTER_LOCK_ID: i64 = 0x5741_5244_454e_4331; // "WARDENC1"

/// [`CounterStore`] over the `counter_hits` / `counter_calls` tables.
#[derive(Debug, Clone)]
pub struct SqlCounterStore {
    backend: Backend,
}

impl SqlCounterStore {
    pub(crate) fn new(backend: Backend) -> Self {
        Self { backend }
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn encode(o: &AcquireOutcome) -> String {
    let counts: Vec<String> = o.counts.iter().map(u64::to_string).collect();
    format!(
        "{}|{}|{}|{}",
        u8::from(o.allowed),
        o.denied_index.map_or_else(String::new, |i| i.to_string()),
        o.retry_after_ms,
        counts.join(",")
    )
}

fn decode(s: &str) -> Option<AcquireOutcome> {
    let mut parts = s.split('|');
    let allowed = parts.next()? == "1";
    let denied = parts.next()?;
    let retry_after_ms = parts.next()?.parse().ok()?;
    let counts = parts.next()?;
    Some(AcquireOutcome {
        allowed,
        denied_index: if denied.is_empty() {
            None
        } else {
            Some(denied.parse().ok()?)
        },
        retry_after_ms,
        counts: if counts.is_empty() {
            Vec::new()
        } else {
            counts
                .split(',')
                .map(|c| c.parse().ok())
                .collect::<Option<Vec<u64>>>()?
        },
        replayed: true,
    })
}

#[async_trait]
impl CounterStore for SqlCounterStore {
    async fn acquire(
        &self,
        windows: &[WindowSpec<'_>],
        idempotency_key: Option<&str>,
        now_ms: u64,
    ) -> Result<AcquireOutcome, StoreError> {
        let now = to_i64(now_ms);
        let longest = windows
            .iter()
            .map(|w| w.window_ms.max(1))
            .max()
            .unwrap_or(1);
        with_pool!(&self.backend, pool => {
            let mut tx = pool.begin().await.map_err(error::sql)?;
            if matches!(self.backend, Backend::Postgres(_)) {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(COUNTER_LOCK_ID).execute(&mut *tx).await.map_err(error::sql)?;
            }
            sqlx::query("DELETE FROM counter_calls WHERE at_ms + $1 <= $2")
                .bind(CALL_RETENTION_MS)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(error::sql)?;
            if let Some(k) = idempotency_key {
                let prior: Option<(String,)> =
                    sqlx::query_as("SELECT outcome FROM counter_calls WHERE call_key = $1 AND $2 - at_ms < $3")
                    .bind(k)
                    .bind(now)
                    .bind(to_i64(longest))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(error::sql)?;
                if let Some((text,)) = prior {
                    tx.commit().await.map_err(error::sql)?;
                    return decode(&text).ok_or_else(|| StoreError::Corrupt(format!("counter outcome {text:?}")));
                }
            }
            let mut counts = Vec::with_capacity(windows.len());
            let mut denied: Option<(usize, u64)> = None;
            for (i, w) in windows.iter().enumerate() {
                let window = to_i64(w.window_ms.max(1));
                sqlx::query("DELETE FROM counter_hits WHERE key = $1 AND at_ms + $2 <= $3")
                    .bind(w.key)
                    .bind(window)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(error::sql)?;
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM counter_hits WHERE key = $1")
                    .bind(w.key)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(error::sql)?;
                let n = u64::try_from(n).unwrap_or(0);
                if denied.is_none() && n >= w.limit {
                    // The hit that must leave the window before one more fits.
                    let offset = to_i64(n.saturating_sub(w.limit.max(1)));
                    let oldest: Option<(i64,)> = sqlx::query_as(
                        "SELECT at_ms FROM counter_hits WHERE key = $1 ORDER BY at_ms LIMIT 1 OFFSET $2",
                    )
                    .bind(w.key)
                    .bind(offset)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(error::sql)?;
                    let retry = oldest.map_or(w.window_ms.max(1), |(t,)| {
                        u64::try_from((t + window - now).max(1)).unwrap_or(1)
                    });
                    denied = Some((i, retry));
                }
                counts.push(n);
            }
            let outcome = if let Some((i, retry)) = denied {
                AcquireOutcome { allowed: false, denied_index: Some(i), retry_after_ms: retry, counts, replayed: false }
            } else {
                for w in windows {
                    sqlx::query("INSERT INTO counter_hits (key, at_ms) VALUES ($1, $2)")
                        .bind(w.key)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(error::sql)?;
                }
                AcquireOutcome {
                    allowed: true,
                    denied_index: None,
                    retry_after_ms: 0,
                    counts: counts.iter().map(|c| c + 1).collect(),
                    replayed: false,
                }
            };
            if let Some(k) = idempotency_key {
                sqlx::query(
                    "INSERT INTO counter_calls (call_key, outcome, at_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (call_key) DO UPDATE SET outcome = excluded.outcome, at_ms = excluded.at_ms",
                )
                    .bind(k)
                    .bind(encode(&outcome))
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(error::sql)?;
            }
            tx.commit().await.map_err(error::sql)?;
            Ok(outcome)
        })
    }

    async fn hit(&self, key: &str, window_ms: u64, now_ms: u64) -> Result<u64, StoreError> {
        let now = to_i64(now_ms);
        let window = to_i64(window_ms.max(1));
        with_pool!(&self.backend, pool => {
            let mut tx = pool.begin().await.map_err(error::sql)?;
            sqlx::query("DELETE FROM counter_hits WHERE key = $1 AND at_ms + $2 <= $3")
                .bind(key)
                .bind(window)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(error::sql)?;
            sqlx::query("INSERT INTO counter_hits (key, at_ms) VALUES ($1, $2)")
                .bind(key)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(error::sql)?;
            // Hits less than a window away from now, on either side (times may arrive out
            // of order); older ones were deleted above.
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM counter_hits WHERE key = $1 AND at_ms < $2",
            )
            .bind(key)
            .bind(now.saturating_add(window))
            .fetch_one(&mut *tx)
                .await
                .map_err(error::sql)?;
            tx.commit().await.map_err(error::sql)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_through_their_text_form() {
        let o = AcquireOutcome {
            allowed: false,
            denied_index: Some(1),
            retry_after_ms: 250,
            counts: vec![3, 5],
            replayed: false,
        };
        let back = decode(&encode(&o)).unwrap();
        assert_eq!(
            back,
            AcquireOutcome {
                replayed: true,
                ..o
            }
        );
        let a = AcquireOutcome {
            allowed: true,
            denied_index: None,
            retry_after_ms: 0,
            counts: vec![],
            replayed: false,
        };
        assert!(decode(&encode(&a)).unwrap().allowed);
        assert!(decode("garbage").is_none());
    }
}
