//! Where audit records go.

use async_trait::async_trait;
use parking_lot::Mutex;

use super::chain::{chain_hash, ChainLink, GENESIS_HASH};
use super::record::AuditRecord;
use crate::store_error::StoreError;

/// Appends audit records to a hash-chained log.
///
/// In `strict` durability an implementation returns only after the record is committed; in
/// `async` durability after it is queued. A full queue is an error
/// ([`StoreError::Overloaded`]), never a silent drop: callers deny the call.
#[async_trait]
pub trait AuditSink: Send + Sync {
    /// Appends one record and returns its sequence number.
    async fn append(&self, record: AuditRecord) -> Result<i64, StoreError>;
}

/// A chained in-memory log, for tests and for the library used on its own.
pub struct InMemoryAuditSink {
    key: Vec<u8>,
    links: Mutex<Vec<ChainLink>>,
}

impl std::fmt::Debug for InMemoryAuditSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryAuditSink")
            .field("records", &self.links.lock().len())
            .finish_non_exhaustive()
    }
}

impl InMemoryAuditSink {
    /// An empty log chained under `audit_key`.
    pub fn new(audit_key: &[u8]) -> Self {
        Self {
            key: audit_key.to_vec(),
            links: Mutex::new(Vec::new()),
        }
    }

    /// A copy of every link, in order.
    pub fn links(&self) -> Vec<ChainLink> {
        self.links.lock().clone()
    }

    /// A copy of every record, in order.
    pub fn records(&self) -> Vec<AuditRecord> {
        self.links.lock().iter().map(|l| l.record.clone()).collect()
    }
}

#[async_trait]
impl AuditSink for InMemoryAuditSink {
    async fn append(&self, record: AuditRecord) -> Result<i64, StoreError> {
        let mut links = self.links.lock();
        let prev = links
            .last()
            .map_or_else(|| GENESIS_HASH.to_vec(), |l| l.chain_hash.clone());
        let hash = chain_hash(&self.key, &prev, &record).to_vec();
        let seq = i64::try_from(links.len()).unwrap_or(i64::MAX - 1) + 1;
        links.push(ChainLink {
            seq,
            record,
            prev_hash: prev,
            chain_hash: hash,
        });
        Ok(seq)
    }
}
