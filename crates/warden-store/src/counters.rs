//! Windowed counters in Redis, so that N Warden instances enforce one global limit.
//!
//! Each counter key is a sorted set holding one member per counted hit, scored by its time
//! (a sliding-window log, the semantics of
//! [`warden_security::counters::InMemoryCounterStore`], which this matches call for call).
//! [`CounterStore::acquire`] runs as one Lua script, so checking every window and counting in
//! all of them is atomic across instances: a denied call counts nothing. The idempotency key
//! stores the outcome with a TTL of the longest window; `retry_after_ms` is computed from the
//! hit that must leave the window. Keys expire on their own after their window.
//!
//! All keys of one `acquire` are touched by one script, so on Redis Cluster they must share a
//! hash slot (use a key prefix with a hash tag such as `{warden}:`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use warden_security::counters::{AcquireOutcome, CounterStore, InMemoryCounterStore, WindowSpec};
use warden_security::StoreError;

use crate::config::CountersConfig;
use crate::error;

/// Extra lifetime given to Redis keys beyond their window, so that clock skew between
/// instances never expires a hit that another instance still counts.
const KEY_TTL_SLACK_MS: u64 = 5_000;

/// KEYS: 1 = idempotency key (or a dummy), 2 = member sequence, 3.. = window keys.
/// ARGV: 1 = now, 2 = has idempotency key (0/1), 3 = longest window, 4 = key TTL slack,
/// then (limit, window_ms) per window.
/// Returns {replayed (0/1), "allowed,denied_index,retry_after_ms,count..."}.
const ACQUIRE_LUA: &str = r#"
local now = tonumber(ARGV[1])
local has_idem = ARGV[2] == '1'
local longest = math.max(tonumber(ARGV[3]), 1)
local slack = tonumber(ARGV[4])
local n = #KEYS - 2
if has_idem then
  local v = redis.call('GET', KEYS[1])
  if v then
    local at, rest = string.match(v, '^(%-?%d+)|(.*)$')
    if at and (now - tonumber(at)) < longest then
      return {1, rest}
    end
  end
end
local counts = {}
local denied = -1
local retry = 0
for i = 1, n do
  local key = KEYS[i + 2]
  local limit = tonumber(ARGV[3 + 2 * i])
  local w = math.max(tonumber(ARGV[4 + 2 * i]), 1)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
  local c = redis.call('ZCARD', key)
  if denied < 0 and c >= limit then
    local excess = math.max((c + 1) - math.max(limit, 1), 0)
    local idx = math.max(excess - 1, 0)
    local e = redis.call('ZRANGE', key, idx, idx, 'WITHSCORES')
    if e[2] then
      retry = math.max(tonumber(e[2]) + w - now, 1)
    else
      retry = w
    end
    denied = i - 1
  end
  counts[i] = c
end
local allowed = 0
if denied < 0 then
  allowed = 1
  local seq = redis.call('INCR', KEYS[2])
  for i = 1, n do
    local key = KEYS[i + 2]
    local w = math.max(tonumber(ARGV[4 + 2 * i]), 1)
    redis.call('ZADD', key, now, seq .. ':' .. i)
    if redis.call('PTTL', key) < w + slack then
      redis.call('PEXPIRE', key, w + slack)
    end
    counts[i] = counts[i] + 1
  end
end
local parts = {allowed, denied, retry}
for i = 1, n do parts[#parts + 1] = counts[i] end
local out = table.concat(parts, ',')
if has_idem then
  redis.call('SET', KEYS[1], now .. '|' .. out, 'PX', longest + slack)
end
return {0, out}
"#;

/// KEYS: 1 = counter key, 2 = member sequence. ARGV: 1 = now, 2 = window, 3 = TTL slack.
const HIT_LUA: &str = r#"
local now = tonumber(ARGV[1])
local w = math.max(tonumber(ARGV[2]), 1)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - w)
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], now, seq)
if redis.call('PTTL', KEYS[1]) < w + tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], w + tonumber(ARGV[3]))
end
-- Hits less than a window away from now, on either side (times may arrive out of order).
return redis.call('ZCOUNT', KEYS[1], string.format('(%d', now - w), string.format('(%d', now + w))
"#;

/// [`CounterStore`] on Redis.
pub struct RedisCounterStore {
    conn: ConnectionManager,
    prefix: String,
    timeout: Duration,
    acquire: Script,
    hit: Script,
}

impl std::fmt::Debug for RedisCounterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCounterStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisCounterStore {
    /// A client for `url` whose keys all start with `prefix`. Connects lazily: an unreachable
    /// server makes each operation fail with `Unavailable` after `timeout`, and operations
    /// succeed again once it is back.
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|_| {
            StoreError::Other(format!("invalid Redis URL {}", error::redact_url(url)))
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(timeout);
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| error::redis(&e))?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            timeout,
            acquire: Script::new(ACQUIRE_LUA),
            hit: Script::new(HIT_LUA),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, kind: &str, k: &str) -> String {
        format!("{}{kind}:{k}", self.prefix)
    }

    async fn bounded<T>(
        &self,
        fut: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        // The connection and response timeouts bound each attempt; this bounds the whole
        // call, reconnect attempts included.
        match tokio::time::timeout(self.timeout * 3, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(error::redis(&e)),
            Err(_) => Err(StoreError::Unavailable(
                "redis did not answer in time".into(),
            )),
        }
    }
}

/// Parses the script's answer. A replayed outcome carries the counts of the call that stored
/// it, which may have had a different number of windows.
fn parse_outcome(text: &str, n: usize, replayed: bool) -> Result<AcquireOutcome, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("unexpected counter script answer {text:?}"));
    let nums: Vec<i64> = text
        .split(',')
        .map(|p| p.parse::<i64>().map_err(|_| corrupt()))
        .collect::<Result<_, _>>()?;
    if nums.len() < 3 || (!replayed && nums.len() != 3 + n) {
        return Err(corrupt());
    }
    let to_u64 = |v: i64| u64::try_from(v).map_err(|_| corrupt());
    Ok(AcquireOutcome {
        allowed: nums[0] == 1,
        denied_index: usize::try_from(nums[1]).ok(),
        retry_after_ms: to_u64(nums[2])?,
        counts: nums[3..]
            .iter()
            .map(|&c| to_u64(c))
            .collect::<Result<_, _>>()?,
        replayed,
    })
}

#[async_trait]
impl CounterStore for RedisCounterStore {
    async fn acquire(
        &self,
        windows: &[WindowSpec<'_>],
        idempotency_key: Option<&str>,
        now_ms: u64,
    ) -> Result<AcquireOutcome, StoreError> {
        let longest = windows.iter().map(|w| w.window_ms).max().unwrap_or(0);
        let mut inv = self.acquire.prepare_invoke();
        inv.key(self.key("idem", idempotency_key.unwrap_or("")))
            .key(self.key("seq", "members"));
        for w in windows {
            inv.key(self.key("c", w.key));
        }
        inv.arg(now_ms)
            .arg(u8::from(idempotency_key.is_some()))
            .arg(longest)
            .arg(KEY_TTL_SLACK_MS);
        for w in windows {
            inv.arg(w.limit).arg(w.window_ms);
        }
        let mut conn = self.conn.clone();
        let (replayed, text): (i64, String) = self.bounded(inv.invoke_async(&mut conn)).await?;
        parse_outcome(&text, windows.len(), replayed == 1)
    }

    async fn hit(&self, key: &str, window_ms: u64, now_ms: u64) -> Result<u64, StoreError> {
        let mut inv = self.hit.prepare_invoke();
        inv.key(self.key("c", key))
            .key(self.key("seq", "members"))
            .arg(now_ms)
            .arg(window_ms)
            .arg(KEY_TTL_SLACK_MS);
        let mut conn = self.conn.clone();
        self.bounded(inv.invoke_async(&mut conn)).await
    }
}

/// Counters for `url`: in process when `None`, else Redis with the default key prefix
/// (`warden:`) and a 1 s timeout.
pub fn counters_from_url(url: Option<&str>) -> Result<Arc<dyn CounterStore>, StoreError> {
    counters_from_config(&CountersConfig {
        url: url.map(str::to_owned),
        ..CountersConfig::default()
    })
}

/// Counters as configured by `[counters]`.
pub fn counters_from_config(cfg: &CountersConfig) -> Result<Arc<dyn CounterStore>, StoreError> {
    cfg.validate()
        .map_err(|e| StoreError::Other(e.to_string()))?;
    match &cfg.url {
        None => Ok(Arc::new(InMemoryCounterStore::default())),
        Some(url) => Ok(Arc::new(RedisCounterStore::new(
            url,
            &cfg.key_prefix,
            Duration::from_millis(cfg.timeout_ms),
        )?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_answers_parse_into_outcomes() {
        let o = parse_outcome("0,1,600,3,1", 2, false).unwrap();
        assert!(!o.allowed);
        assert_eq!(o.denied_index, Some(1));
        assert_eq!(o.retry_after_ms, 600);
        assert_eq!(o.counts, vec![3, 1]);
        let o = parse_outcome("1,-1,0,4", 1, true).unwrap();
        assert!(o.allowed && o.replayed);
        assert_eq!(o.denied_index, None);
    }

    #[test]
    fn malformed_script_answers_are_corrupt() {
        assert!(matches!(
            parse_outcome("1,-1,0", 1, false),
            Err(StoreError::Corrupt(_))
        ));
        assert_eq!(
            parse_outcome("1,-1,0,1,2", 1, true).unwrap().counts,
            vec![1, 2]
        );
        assert!(matches!(
            parse_outcome("x", 0, false),
            Err(StoreError::Corrupt(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn script_answer_parsing_never_panics(text in "[-0-9,x]{0,40}", n in 0usize..5, replayed: bool) {
            let _ = parse_outcome(&text, n, replayed);
        }
    }

    #[test]
    fn bad_urls_are_rejected_without_echoing_passwords() {
        let e = RedisCounterStore::new("http://u:pw@h", "p:", Duration::from_secs(1))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("pw"), "{e}");
    }
}
