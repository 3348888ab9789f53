//! A bounded cache of validated tokens.
//!
//! Keyed by a seeded 64-bit XXH3 hash of the token; a hit is confirmed by comparing the whole
//! token in constant time, so a hash collision can never return another token's claims.
//! Entries expire at the token's `exp`; revocation evicts (and the validator still consults the
//! revocation store on every hit, so a revocation made elsewhere is seen immediately).
//! The cache is sharded to keep lock contention low; each shard holds at most
//! `capacity / shards` entries and evicts expired entries first, then an arbitrary one.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use parking_lot::RwLock;
use warden_types::JwtClaims;

use super::backend;

const SHARDS: usize = 16;

/// The keys are already uniformly distributed hashes: use them as-is.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

struct Entry {
    token: Box<[u8]>,
    claims: Arc<JwtClaims>,
}

type Shard = HashMap<u64, Entry, BuildHasherDefault<IdentityHasher>>;

/// Bounded validated-token cache.
pub struct TokenCache {
    shards: Box<[RwLock<Shard>]>,
    per_shard: usize,
    seed: u64,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("capacity", &(self.per_shard * SHARDS))
            .field("len", &self.len())
            .finish()
    }
}

impl TokenCache {
    /// A cache holding at most about `capacity` tokens (rounded up to a multiple of 16).
    pub fn new(capacity: usize) -> TokenCache {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        let shards = (0..SHARDS)
            .map(|_| RwLock::new(Shard::default()))
            .collect::<Vec<_>>()
            .into_boxed_slice();
        // A failing system RNG leaves the seed fixed; the full-token comparison keeps the cache
        // correct either way, only collision resistance against chosen tokens is weakened.
        let seed = backend::random_u64().unwrap_or(0x5157_4152_4445_4e21);
        TokenCache {
            shards,
            per_shard,
            seed,
        }
    }

    #[inline]
    fn hash(&self, token: &[u8]) -> u64 {
        xxhash_rust::xxh3::xxh3_64_with_seed(token, self.seed)
    }

    #[inline]
    fn shard(&self, h: u64) -> &RwLock<Shard> {
        // The top bits pick the shard; the map uses the whole hash.
        &self.shards[(h >> 60) as usize % SHARDS]
    }

    /// The cached claims of `token` when present and not expired at `now`.
    #[inline]
    pub fn get(&self, token: &[u8], now: i64) -> Option<Arc<JwtClaims>> {
        let h = self.hash(token);
        let shard = self.shard(h).read();
        let e = shard.get(&h)?;
        if !backend::ct_eq(&e.token, token) || now >= e.claims.exp {
            return None;
        }
        Some(Arc::clone(&e.claims))
    }

    /// Caches `claims` for `token`.
    pub fn insert(&self, token: &[u8], claims: Arc<JwtClaims>, now: i64) {
        let h = self.hash(token);
        let mut shard = self.shard(h).write();
        if shard.len() >= self.per_shard && !shard.contains_key(&h) {
            shard.retain(|_, e| e.claims.exp > now);
            if shard.len() >= self.per_shard {
                if let Some(k) = shard.keys().next().copied() {
                    shard.remove(&k);
                }
            }
        }
        shard.insert(
            h,
            Entry {
                token: token.into(),
                claims,
            },
        );
    }

    /// Removes every entry whose `jti` is `jti`.
    pub fn evict_jti(&self, jti: &str) {
        for s in self.shards.iter() {
            s.write().retain(|_, e| e.claims.jti != jti);
        }
    }

    /// Removes every entry.
    pub fn clear(&self) {
        for s in self.shards.iter() {
            s.write().clear();
        }
    }

    /// Number of cached tokens.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len()).sum()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(jti: &str, exp: i64) -> Arc<JwtClaims> {
        let mut c: JwtClaims =
            serde_json::from_str(r#"{"sub":"u","exp":0}"#).unwrap_or_else(|e| panic!("{e}"));
        c.exp = exp;
        c.jti = jti.to_owned();
        Arc::new(c)
    }

    #[test]
    fn hit_returns_claims_until_exp() {
        let c = TokenCache::new(32);
        c.insert(b"tok", claims("j", 100), 0);
        assert!(c.get(b"tok", 99).is_some());
        assert!(c.get(b"tok", 100).is_none());
        assert!(c.get(b"other", 1).is_none());
    }

    #[test]
    fn evict_jti_removes_entry() {
        let c = TokenCache::new(32);
        c.insert(b"tok", claims("j", 100), 0);
        c.evict_jti("j");
        assert!(c.get(b"tok", 1).is_none());
    }

    #[test]
    fn stays_bounded() {
        let c = TokenCache::new(16);
        for i in 0..1000 {
            c.insert(format!("t{i}").as_bytes(), claims("j", 100), 0);
        }
        assert!(c.len() <= 16);
    }
}
