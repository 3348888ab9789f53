//! The hash-chained audit log on SQL: the group-commit writer ([`AuditWriter`]) and the
//! reader ([`SqlAuditLog`]: queries, verification, export).
//!
//! Table `audit_log`: `seq` (1, 2, …), `id`, `time_ms`, `user_id`, `target`, `decision`
//! (indexed copies of the record's fields), `record` (the canonical JSON bytes that the chain
//! hashes), `prev_hash` and `chain_hash = HMAC-SHA256(audit_key, prev_hash ‖ record)`.
//! Rows are only ever inserted. On SQLite the query columns are indexed behind the log, in a
//! second file ([`index`]); on PostgreSQL by indexes on `audit_log`.

mod background;
mod checkpoint;
mod direct;
mod index;
mod log;
mod writer;

pub use index::AuditIndexer;
pub(crate) use index::{attach as attach_index, prepare as prepare_index, INDEX_PERIOD};
pub use log::{export_jsonl, tail, SqlAuditLog};
pub use writer::{AuditWriter, AuditWriterOptions, AuditWriterStats};

/// Advisory lock id that serializes appends on PostgreSQL, derived from the schema name so
/// that separate schemas (separate logs) never wait for each other.
pub(crate) fn pg_append_lock_id(schema: &str) -> i64 {
    // FNV-1a, 64 bit: stable across builds and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in b"warden.audit_log:".iter().chain(schema.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}
