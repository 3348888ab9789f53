//! One behavioural suite for the windowed counters, run against the in-process reference
//! (`InMemoryCounterStore`) and Redis (`WARDEN_TEST_REDIS_URL`, a unique key prefix per test;
//! skipped when unset unless `WARDEN_REQUIRE_SERVICES=1`). Redis must give the same answer as
//! the reference for every call, and two clients must enforce one global limit.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use warden_security::counters::{CounterStore, InMemoryCounterStore, WindowSpec};
use warden_store::RedisCounterStore;

fn w(key: &str, limit: u64, window_ms: u64) -> WindowSpec<'_> {
    WindowSpec {
        key,
        limit,
        window_ms,
    }
}

/// A Redis client with a fresh prefix; `None` (skip) when no Redis is configured.
fn redis_store(prefix: &str) -> Option<RedisCounterStore> {
    let url = common::service_url("WARDEN_TEST_REDIS_URL")?;
    Some(RedisCounterStore::new(&url, prefix, Duration::from_secs(2)).unwrap())
}

async fn cleanup(prefix: &str) {
    let Ok(url) = std::env::var("WARDEN_TEST_REDIS_URL") else {
        return;
    };
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
}

async fn sqlite_store() -> (warden_store::Store, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(common::unique("warden-sqlcounters-"));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("w.db").display());
    (warden_store::Store::connect(&url).await.unwrap(), dir)
}

#[tokio::test]
async fn sqlite_counters_match_the_in_memory_reference_call_for_call() {
    let (store, dir) = sqlite_store().await;
    matches_reference_call_for_call(store.counters().as_ref(), 11, 300).await;
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&super::InMemoryCounterStore::default()).await;
                }
            )*
        }
        mod sqlite_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, dir) = super::sqlite_store().await;
                    super::$name(store.counters().as_ref()).await;
                    store.close().await;
                    let _ = std::fs::remove_dir_all(dir);
                }
            )*
        }
        mod redis_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let prefix = super::common::unique("warden-test:");
                    let Some(s) = super::redis_store(&format!("{prefix}:")) else { return };
                    super::$name(&s).await;
                    super::cleanup(&prefix).await;
                }
            )*
        }
    };
}

suite!(
    allows_up_to_limit_then_denies_with_retry_after,
    denied_calls_consume_nothing_in_any_window,
    idempotency_key_replays_the_first_outcome,
    idempotency_key_expires_after_the_longest_window,
    window_slides_hits_out,
    hit_counts_within_window,
    hits_later_than_now_are_outside_the_window,
);

async fn allows_up_to_limit_then_denies_with_retry_after(s: &dyn CounterStore) {
    for i in 0..3 {
        assert!(
            s.acquire(&[w("k", 3, 1000)], None, 100 + i)
                .await
                .unwrap()
                .allowed
        );
    }
    let o = s.acquire(&[w("k", 3, 1000)], None, 500).await.unwrap();
    assert!(!o.allowed);
    assert_eq!(o.denied_index, Some(0));
    assert_eq!(o.retry_after_ms, 600);
    assert_eq!(o.counts, vec![3]);
}

async fn denied_calls_consume_nothing_in_any_window(s: &dyn CounterStore) {
    let both = [w("a", 10, 1000), w("b", 1, 1000)];
    assert!(s.acquire(&both, None, 0).await.unwrap().allowed);
    let o = s.acquire(&both, None, 1).await.unwrap();
    assert!(!o.allowed);
    assert_eq!(o.denied_index, Some(1));
    assert_eq!(o.counts, vec![1, 1]);
    assert_eq!(
        s.acquire(&[w("a", 10, 1000)], None, 2)
            .await
            .unwrap()
            .counts,
        vec![2]
    );
}

async fn idempotency_key_replays_the_first_outcome(s: &dyn CounterStore) {
    let a = s.acquire(&[w("k", 1, 1000)], Some("c1"), 0).await.unwrap();
    let b = s.acquire(&[w("k", 1, 1000)], Some("c1"), 10).await.unwrap();
    assert!(a.allowed && !a.replayed);
    assert!(b.allowed && b.replayed);
    assert_eq!(b.counts, a.counts);
    assert!(
        !s.acquire(&[w("k", 1, 1000)], Some("c2"), 20)
            .await
            .unwrap()
            .allowed
    );
}

async fn idempotency_key_expires_after_the_longest_window(s: &dyn CounterStore) {
    s.acquire(&[w("k", 5, 1000)], Some("c1"), 0).await.unwrap();
    let again = s
        .acquire(&[w("k", 5, 1000)], Some("c1"), 1000)
        .await
        .unwrap();
    assert!(!again.replayed);
    assert_eq!(again.counts, vec![1]);
}

async fn window_slides_hits_out(s: &dyn CounterStore) {
    assert!(
        s.acquire(&[w("k", 1, 1000)], None, 0)
            .await
            .unwrap()
            .allowed
    );
    assert!(
        !s.acquire(&[w("k", 1, 1000)], None, 999)
            .await
            .unwrap()
            .allowed
    );
    assert!(
        s.acquire(&[w("k", 1, 1000)], None, 1000)
            .await
            .unwrap()
            .allowed
    );
}

async fn hit_counts_within_window(s: &dyn CounterStore) {
    assert_eq!(s.hit("ip", 60_000, 0).await.unwrap(), 1);
    assert_eq!(s.hit("ip", 60_000, 30_000).await.unwrap(), 2);
    assert_eq!(s.hit("ip", 60_000, 60_001).await.unwrap(), 2);
}

/// A log replayed newest first: each hit is an hour before the previous one, so every
/// window holds one hit, whatever order the times arrive in; a shuffled burst still counts
/// as one.
async fn hits_later_than_now_are_outside_the_window(s: &dyn CounterStore) {
    let start = 1_700_100_000_000u64;
    for i in 0..40u64 {
        assert_eq!(
            s.hit("rev", 60_000, start - i * 3_600_000).await.unwrap(),
            1,
            "hit {i}"
        );
    }
    // A burst counts as a burst in any order: hits less than a window away on either side.
    assert_eq!(s.hit("mix", 60_000, 10_000).await.unwrap(), 1);
    assert_eq!(s.hit("mix", 60_000, 5_000).await.unwrap(), 2);
    assert_eq!(s.hit("mix", 60_000, 20_000).await.unwrap(), 3);
    assert_eq!(s.hit("mix", 60_000, 200_000).await.unwrap(), 1);
}

/// A small deterministic generator (no dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Drives `store` and the in-memory reference with the same pseudo-random calls and asserts
/// identical answers, call for call.
async fn matches_reference_call_for_call(store: &dyn CounterStore, seed: u64, steps: u32) {
    let reference = InMemoryCounterStore::default();
    let keys = ["a", "b", "c"];
    let mut rng = Lcg(seed);
    let mut now = 1_000_000u64;
    for step in 0..steps {
        now += rng.next(400);
        if rng.next(5) == 0 {
            let k = keys[rng.next(3) as usize];
            let win = 1000 + rng.next(3) * 1000;
            let b = store.hit(&format!("h{k}"), win, now).await.unwrap();
            let c = reference.hit(&format!("h{k}"), win, now).await.unwrap();
            assert_eq!(b, c, "hit step {step}");
            continue;
        }
        let n = 1 + rng.next(3) as usize;
        let specs: Vec<WindowSpec<'_>> = (0..n)
            .map(|i| {
                w(
                    keys[(i + rng.next(3) as usize) % 3],
                    1 + rng.next(6),
                    1000 + rng.next(4) * 1000,
                )
            })
            .collect();
        let idem = (rng.next(4) == 0).then(|| format!("call-{}", rng.next(20)));
        let expected = reference
            .acquire(&specs, idem.as_deref(), now)
            .await
            .unwrap();
        let got = store.acquire(&specs, idem.as_deref(), now).await.unwrap();
        assert_eq!(
            got, expected,
            "acquire step {step}: {specs:?} idem {idem:?}"
        );
    }
}

#[tokio::test]
async fn redis_matches_the_in_memory_reference_call_for_call() {
    let prefix = common::unique("warden-test:");
    let Some(redis) = redis_store(&format!("{prefix}:")) else {
        return;
    };
    matches_reference_call_for_call(&redis, 7, 400).await;
    cleanup(&prefix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_redis_clients_enforce_one_global_limit_exactly() {
    let prefix = common::unique("warden-test:");
    let (Some(a), Some(b)) = (
        redis_store(&format!("{prefix}:")),
        redis_store(&format!("{prefix}:")),
    ) else {
        return;
    };
    let (a, b) = (Arc::new(a), Arc::new(b));
    let now = warden_security::time::now_millis();
    let mut tasks = Vec::new();
    for i in 0..200u64 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            s.acquire(&[w("global", 37, 60_000)], None, now + i % 5)
                .await
                .unwrap()
                .allowed
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        allowed += u32::from(t.await.unwrap());
    }
    assert_eq!(allowed, 37);
    cleanup(&prefix).await;
}
