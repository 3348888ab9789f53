//! Revoked token ids.
//!
//! The check sits on the token-validation hot path, so the trait is synchronous: persistent
//! implementations keep an in-memory mirror and write through to their database.

use std::collections::HashMap;

use parking_lot::RwLock;

/// A set of revoked `jti`s, each remembered until the token would have expired anyway.
pub trait RevocationStore: Send + Sync {
    /// True when `jti` was revoked.
    fn is_revoked(&self, jti: &str) -> bool;
    /// Revokes `jti`; `expires_at` (unix seconds) is when the entry may be forgotten.
    fn revoke(&self, jti: &str, expires_at: i64);
    /// Forgets entries whose token expired before `now` (unix seconds).
    fn prune(&self, now: i64);
}

/// In-process [`RevocationStore`].
#[derive(Debug, Default)]
pub struct InMemoryRevocationStore {
    revoked: RwLock<HashMap<String, i64>>,
}

impl InMemoryRevocationStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.revoked.read().len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl RevocationStore for InMemoryRevocationStore {
    fn is_revoked(&self, jti: &str) -> bool {
        self.revoked.read().contains_key(jti)
    }

    fn revoke(&self, jti: &str, expires_at: i64) {
        self.revoked.write().insert(jti.to_owned(), expires_at);
    }

    fn prune(&self, now: i64) {
        self.revoked.write().retain(|_, exp| *exp >= now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoke_then_prune_after_expiry() {
        let s = InMemoryRevocationStore::new();
        s.revoke("j1", 100);
        assert!(s.is_revoked("j1"));
        assert!(!s.is_revoked("j2"));
        s.prune(100);
        assert!(s.is_revoked("j1"));
        s.prune(101);
        assert!(!s.is_revoked("j1"));
    }
}
