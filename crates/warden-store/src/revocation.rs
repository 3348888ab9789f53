//! The revocation list on SQL, behind the synchronous [`RevocationStore`] trait.
//!
//! Token validation checks revocation on every request, so reads never touch the database:
//! [`PersistentRevocationStore`] keeps an in-memory mirror, loaded at start-up. Writes update
//! the mirror at once and are written through by a background task (retried until the
//! database takes them); [`PersistentRevocationStore::revoke_durable`] waits for the write.
//! With several instances on one database, [`PersistentRevocationStore::refresh`] (called
//! periodically) merges revocations made elsewhere into the mirror.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use tokio::sync::{mpsc, oneshot};
use warden_security::{RevocationStore, StoreError};

use crate::backend::{with_pool, Backend};
use crate::error;

enum Op {
    Revoke(String, i64),
    Prune(i64),
    Flush(oneshot::Sender<()>),
}

/// A [`RevocationStore`] persisted in the SQL store, with an in-memory mirror.
pub struct PersistentRevocationStore {
    backend: Backend,
    mirror: Arc<RwLock<HashMap<String, i64>>>,
    ops: mpsc::UnboundedSender<Op>,
}

impl std::fmt::Debug for PersistentRevocationStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersistentRevocationStore")
            .field("entries", &self.mirror.read().len())
            .finish_non_exhaustive()
    }
}

impl PersistentRevocationStore {
    /// Loads the list (expired entries are pruned first) and starts the write-through task.
    /// Must be called inside a Tokio runtime.
    pub(crate) async fn load(backend: Backend) -> Result<Self, StoreError> {
        let now = warden_security::time::now_secs();
        delete_expired(&backend, now).await?;
        let rows = fetch_all(&backend).await?;
        let mirror = Arc::new(RwLock::new(rows.into_iter().collect::<HashMap<_, _>>()));
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_through(backend.clone(), rx));
        Ok(Self {
            backend,
            mirror,
            ops: tx,
        })
    }

    /// Revokes `jti` and returns once the database holds it.
    pub async fn revoke_durable(&self, jti: &str, expires_at: i64) -> Result<(), StoreError> {
        self.mirror.write().insert(jti.to_owned(), expires_at);
        upsert(&self.backend, jti, expires_at).await
    }

    /// Merges entries written by other instances into the mirror and forgets expired ones.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let rows = fetch_all(&self.backend).await?;
        let now = warden_security::time::now_secs();
        let mut m = self.mirror.write();
        for (jti, exp) in rows {
            m.insert(jti, exp);
        }
        m.retain(|_, exp| *exp >= now);
        Ok(())
    }

    /// Waits until every write queued so far has reached the database.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.ops
            .send(Op::Flush(tx))
            .map_err(|_| StoreError::Unavailable("revocation writer stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("revocation writer stopped".into()))
    }

    /// Number of entries in the mirror.
    pub fn len(&self) -> usize {
        self.mirror.read().len()
    }

    /// True when the mirror is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl RevocationStore for PersistentRevocationStore {
    fn is_revoked(&self, jti: &str) -> bool {
        self.mirror.read().contains_key(jti)
    }

    fn revoke(&self, jti: &str, expires_at: i64) {
        self.mirror.write().insert(jti.to_owned(), expires_at);
        if self
            .ops
            .send(Op::Revoke(jti.to_owned(), expires_at))
            .is_err()
        {
            tracing::error!("revocation writer stopped; revocation kept in memory only");
        }
    }

    fn prune(&self, now: i64) {
        self.mirror.write().retain(|_, exp| *exp >= now);
        let _ = self.ops.send(Op::Prune(now));
    }
}

async fn write_through(backend: Backend, mut rx: mpsc::UnboundedReceiver<Op>) {
    while let Some(op) = rx.recv().await {
        let mut backoff = Duration::from_millis(50);
        loop {
            let res = match &op {
                Op::Revoke(jti, exp) => upsert(&backend, jti, *exp).await,
                Op::Prune(now) => delete_expired(&backend, *now).await,
                Op::Flush(_) => Ok(()),
            };
            match res {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "revocation write failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
        if let Op::Flush(done) = op {
            let _ = done.send(());
        }
    }
}

async fn upsert(backend: &Backend, jti: &str, expires_at: i64) -> Result<(), StoreError> {
    with_pool!(backend, pool => {
        sqlx::query(
            "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) \
             ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at",
        )
        .bind(jti)
        .bind(expires_at)
        .execute(pool)
        .await
        .map_err(error::sql)?;
    });
    Ok(())
}

async fn delete_expired(backend: &Backend, now: i64) -> Result<(), StoreError> {
    with_pool!(backend, pool => {
        sqlx::query("DELETE FROM revoked_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(pool)
            .await
            .map_err(error::sql)?;
    });
    Ok(())
}

async fn fetch_all(backend: &Backend) -> Result<Vec<(String, i64)>, StoreError> {
    with_pool!(backend, pool => {
        sqlx::query_as("SELECT jti, expires_at FROM revoked_tokens")
            .fetch_all(pool)
            .await
            .map_err(error::sql)
    })
}
