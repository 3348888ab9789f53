//! Reading the audit log back: filters with cursor pagination, and chain verification.
//!
//! [`AuditLog`] is the read side of the log (the write side is [`super::AuditSink`]).
//! `warden-store` implements it for SQLite and PostgreSQL; [`super::InMemoryAuditSink`]
//! implements it here so that HTTP handlers and tests can run without a database.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::chain::{verify_chain, ChainReport};
use super::record::AuditRecord;
use super::sink::InMemoryAuditSink;
use crate::governance::Decision;
use crate::store_error::StoreError;

/// Default page size of [`AuditQuery::limit`].
pub const DEFAULT_QUERY_LIMIT: u32 = 100;
/// Largest page size; larger limits are clamped to it.
pub const MAX_QUERY_LIMIT: u32 = 1000;

/// Order of the records in a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOrder {
    /// Oldest first (ascending `seq`); the cursor moves forward.
    #[default]
    Asc,
    /// Newest first (descending `seq`); the cursor moves backward.
    Desc,
}

/// A filter over the audit log. Every set field must match; unset fields match everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditQuery {
    /// Records at or after this time (unix milliseconds, inclusive).
    pub since_ms: Option<i64>,
    /// Records at or before this time (unix milliseconds, inclusive).
    pub until_ms: Option<i64>,
    /// Records of this principal.
    pub user_id: Option<String>,
    /// Records whose target (tool name, or `prompt`) is exactly this.
    pub tool: Option<String>,
    /// Records with this decision.
    pub decision: Option<Decision>,
    /// Page size (0 means [`DEFAULT_QUERY_LIMIT`]; clamped to [`MAX_QUERY_LIMIT`]).
    pub limit: u32,
    /// Continue after this sequence number (the `next` of the previous page).
    pub cursor: Option<i64>,
    /// Page order.
    pub order: AuditOrder,
}

impl AuditQuery {
    /// The page size actually used.
    pub fn effective_limit(&self) -> u32 {
        match self.limit {
            0 => DEFAULT_QUERY_LIMIT,
            n => n.min(MAX_QUERY_LIMIT),
        }
    }

    /// True when `seq`/`record` pass every filter, the cursor included.
    pub fn matches(&self, seq: i64, record: &AuditRecord) -> bool {
        let after_cursor = match (self.cursor, self.order) {
            (None, _) => true,
            (Some(c), AuditOrder::Asc) => seq > c,
            (Some(c), AuditOrder::Desc) => seq < c,
        };
        after_cursor
            && self.since_ms.is_none_or(|t| record.time_ms >= t)
            && self.until_ms.is_none_or(|t| record.time_ms <= t)
            && self.user_id.as_deref().is_none_or(|u| record.user_id == u)
            && self.tool.as_deref().is_none_or(|t| record.target == t)
            && self.decision.is_none_or(|d| record.decision == d)
    }
}

/// One record with its position in the log. Serializes as the record's fields plus `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, starting at 1.
    pub seq: i64,
    /// The record.
    #[serde(flatten)]
    pub record: AuditRecord,
}

/// One page of a query: `{"records":[...],"next":cursor|null}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuditPage {
    /// The matching records, in the requested order.
    pub records: Vec<AuditEntry>,
    /// Cursor for the next page (`None` when this page is the last).
    pub next: Option<i64>,
}

/// The read side of a hash-chained audit log.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// One page of records matching `query`.
    async fn query(&self, query: &AuditQuery) -> Result<AuditPage, StoreError>;

    /// Walks the whole chain in `seq` order and names the first bad record.
    async fn verify(&self, audit_key: &[u8]) -> Result<ChainReport, StoreError>;
}

#[async_trait]
impl AuditLog for InMemoryAuditSink {
    async fn query(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        let limit = query.effective_limit() as usize;
        let links = self.links();
        let mut matching: Box<dyn Iterator<Item = _>> = match query.order {
            AuditOrder::Asc => Box::new(links.into_iter()),
            AuditOrder::Desc => Box::new(links.into_iter().rev()),
        };
        let mut records = Vec::new();
        let mut more = false;
        for link in matching.by_ref() {
            if !query.matches(link.seq, &link.record) {
                continue;
            }
            if records.len() == limit {
                more = true;
                break;
            }
            records.push(AuditEntry {
                seq: link.seq,
                record: link.record,
            });
        }
        let next = if more {
            records.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(AuditPage { records, next })
    }

    async fn verify(&self, audit_key: &[u8]) -> Result<ChainReport, StoreError> {
        Ok(verify_chain(audit_key, self.links()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditSink;

    fn rec(user: &str, target: &str, decision: Decision, t: i64) -> AuditRecord {
        AuditRecord {
            id: AuditRecord::new_id(),
            time_ms: t,
            call_id: None,
            trace_id: "t".into(),
            user_id: user.into(),
            session_id: "s".into(),
            agent_id: None,
            target: target.into(),
            decision,
            policy: None,
            reason: "r".into(),
            chain: vec![],
            findings: vec![],
            source: "test".into(),
        }
    }

    async fn sample() -> InMemoryAuditSink {
        let s = InMemoryAuditSink::new(b"k");
        for i in 0..10 {
            let user = if i % 2 == 0 { "alice" } else { "bob" };
            let d = if i % 3 == 0 {
                Decision::Deny
            } else {
                Decision::Allow
            };
            s.append(rec(user, "Bash", d, i)).await.unwrap();
        }
        s
    }

    #[tokio::test]
    async fn pages_follow_the_cursor_until_exhausted() {
        let s = sample().await;
        let mut q = AuditQuery {
            limit: 4,
            ..AuditQuery::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = s.query(&q).await.unwrap();
            seen.extend(page.records.iter().map(|e| e.seq));
            match page.next {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, (1..=10).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn filters_combine() {
        let s = sample().await;
        let q = AuditQuery {
            user_id: Some("alice".into()),
            decision: Some(Decision::Deny),
            since_ms: Some(1),
            ..AuditQuery::default()
        };
        let page = s.query(&q).await.unwrap();
        let seqs: Vec<i64> = page.records.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![7]);
        assert_eq!(page.next, None);
    }

    #[test]
    fn entry_serializes_with_seq_beside_record_fields() {
        let e = AuditEntry {
            seq: 3,
            record: rec("u", "Bash", Decision::Allow, 1),
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["seq"], 3);
        assert_eq!(v["decision"], "allow");
        assert_eq!(v["user_id"], "u");
    }
}
