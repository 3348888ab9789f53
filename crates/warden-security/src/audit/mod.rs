//! Audit records, the hash chain that makes edits detectable, and the sink trait (SPEC §6).

mod chain;
mod query;
mod record;
mod sink;

pub use chain::{chain_hash, verify_chain, ChainBreak, ChainLink, ChainReport, GENESIS_HASH};
pub use query::{
    AuditEntry, AuditLog, AuditOrder, AuditPage, AuditQuery, DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT,
};
pub use record::{AuditRecord, FindingRecord};
pub use sink::{AuditSink, InMemoryAuditSink};
