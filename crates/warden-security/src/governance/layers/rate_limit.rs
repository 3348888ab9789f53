//! Layer 4: sliding-window limits per principal, per tool and per principal × tool, counted
//! in a [`CounterStore`] (in process, or Redis shared by every instance).
//!
//! One atomic `acquire` checks every applicable limit: a call that does not fit in all of
//! them counts in none. A repeated `call_id` (same principal) replays the first outcome and
//! counts nothing; the same `call_id` on a different tool or arguments is a new call. A store error denies (fail closed). Prompts are not rate limited.

use std::sync::Arc;

use async_trait::async_trait;

use super::RATE_LIMIT;
use crate::counters::{CounterStore, WindowSpec};
use crate::governance::config::{ConfigError, RateLimitConfig, MAX_LIMIT, MAX_WINDOW_SECS};
use crate::governance::context::{PolicyContext, Subject};
use crate::governance::glob::NameSet;
use crate::governance::policy::{GovernancePolicy, LayerVerdict};
use crate::governance::reason::{DenyReason, LimitKey};

#[derive(Debug, Clone)]
struct Limit {
    index: usize,
    key: LimitKey,
    limit: u64,
    window_secs: u64,
    tools: Option<NameSet>,
}

/// The `rate_limit` layer.
pub struct RateLimit {
    limits: Vec<Limit>,
    store: Arc<dyn CounterStore>,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl RateLimit {
    /// Validates `[governance.rate_limit]` and binds it to a counter store.
    pub fn from_config(
        config: &RateLimitConfig,
        store: Arc<dyn CounterStore>,
    ) -> Result<Self, ConfigError> {
        // An enabled layer with nothing to count would allow every call while the file reads
        // as if calls were limited: say so instead (fail closed on config).
        if config.enabled && config.limits.is_empty() {
            return Err(ConfigError::new(
                "governance.rate_limit.limits",
                "is empty, so nothing would be limited: list at least one limit, or set \
                 `enabled = false` to turn rate limiting off",
            ));
        }
        let mut limits = Vec::with_capacity(config.limits.len());
        for (i, l) in config.limits.iter().enumerate() {
            let base = format!("governance.rate_limit.limits[{i}]");
            if !(1..=MAX_LIMIT).contains(&l.limit) {
                return Err(ConfigError::new(
                    format!("{base}.limit"),
                    format!("must be between 1 and {MAX_LIMIT}, got {}", l.limit),
                ));
            }
            if !(1..=MAX_WINDOW_SECS).contains(&l.window_secs) {
                return Err(ConfigError::new(
                    format!("{base}.window_secs"),
                    format!(
                        "must be between 1 and {MAX_WINDOW_SECS}, got {}",
                        l.window_secs
                    ),
                ));
            }
            let tools = match &l.tools {
                None => None,
                Some(t) if t.is_empty() => {
                    return Err(ConfigError::new(
                        format!("{base}.tools"),
                        "must list at least one tool pattern (omit the key for every tool)",
                    ))
                }
                Some(t) => Some(
                    NameSet::new(t)
                        .map_err(|(j, e)| ConfigError::new(format!("{base}.tools[{j}]"), e))?,
                ),
            };
            limits.push(Limit {
                index: i,
                key: l.key,
                limit: l.limit,
                window_secs: l.window_secs,
                tools,
            });
        }
        Ok(Self { limits, store })
    }
}

/// Counter key for one limit. Ids are length-prefixed so that no choice of user id, session
/// id or tool name can collide with another combination.
fn counter_key(l: &Limit, ctx: &PolicyContext, tool: &str) -> String {
    let u = ctx.principal.user_id.as_str();
    let s = ctx.principal.session_id.as_str();
    match l.key {
        LimitKey::Principal => format!("rl:{}:p:{}:{u}:{}:{s}", l.index, u.len(), s.len()),
        LimitKey::Tool => format!("rl:{}:t:{tool}", l.index),
        LimitKey::PrincipalTool => {
            format!("rl:{}:pt:{}:{u}:{}:{s}:{tool}", l.index, u.len(), s.len())
        }
    }
}

/// SHA-256 (first 16 bytes, hex) of the tool name and its arguments: a repeated `call_id`
/// replays the first outcome only for the same call, so a client cannot reuse one id to
/// make any number of different calls uncounted.
fn call_fingerprint(tool: &str, ctx: &PolicyContext) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update((tool.len() as u64).to_le_bytes());
    h.update(tool.as_bytes());
    if let Subject::ToolCall { arguments, .. } = &ctx.subject {
        // The serialization of a parsed value is deterministic for the same input.
        if let Ok(bytes) = serde_json::to_vec(arguments) {
            h.update(&bytes);
        }
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[async_trait]
impl GovernancePolicy for RateLimit {
    fn id(&self) -> &str {
        RATE_LIMIT
    }

    async fn evaluate(&self, ctx: &PolicyContext, now_ms: u64) -> LayerVerdict {
        let Some(tool) = ctx.tool() else {
            return LayerVerdict::allow("not a tool call");
        };
        let applicable: Vec<&Limit> = self
            .limits
            .iter()
            .filter(|l| l.tools.as_ref().is_none_or(|t| t.is_match(tool)))
            .collect();
        if applicable.is_empty() {
            return LayerVerdict::allow("no limit applies");
        }
        let keys: Vec<String> = applicable
            .iter()
            .map(|l| counter_key(l, ctx, tool))
            .collect();
        let windows: Vec<WindowSpec<'_>> = applicable
            .iter()
            .zip(&keys)
            .map(|(l, k)| WindowSpec {
                key: k,
                limit: l.limit,
                window_ms: l.window_secs.saturating_mul(1000),
            })
            .collect();
        let idem = ctx.call_id.as_ref().map(|c| {
            let u = ctx.principal.user_id.as_str();
            let s = ctx.principal.session_id.as_str();
            let call = call_fingerprint(tool, ctx);
            format!("rl:call:{}:{u}:{}:{s}:{call}:{c}", u.len(), s.len())
        });
        match self.store.acquire(&windows, idem.as_deref(), now_ms).await {
            Err(e) => LayerVerdict::deny(DenyReason::CountersUnavailable {
                message: e.to_string(),
            }),
            Ok(o) if o.allowed => {
                let (l, n) = (applicable[0], o.counts.first().copied().unwrap_or(0));
                let mut detail = format!("{n}/{} calls in {} s {}", l.limit, l.window_secs, l.key);
                if applicable.len() > 1 {
                    detail.push_str(&format!(" (+{} more limit(s))", applicable.len() - 1));
                }
                if o.replayed {
                    detail.push_str("; repeated call_id, not counted again");
                }
                LayerVerdict::allow(detail)
            }
            Ok(o) => {
                let l = o
                    .denied_index
                    .and_then(|i| applicable.get(i))
                    .unwrap_or(&applicable[0]);
                let mut v = LayerVerdict::deny(DenyReason::RateLimited {
                    key: l.key,
                    limit: l.limit,
                    window_secs: l.window_secs,
                    retry_after_ms: o.retry_after_ms,
                });
                v.retry_after_ms = Some(o.retry_after_ms);
                v
            }
        }
    }
}
