//! The audit hash chain: `chain_hash = HMAC-SHA256(audit_key, prev_hash ‖ canonical_record)`.
//!
//! The first record's `prev_hash` is [`GENESIS_HASH`] (32 zero bytes). Any edit, deletion,
//! insertion or reorder of records breaks the link at the first affected record.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::record::AuditRecord;

type HmacSha256 = Hmac<Sha256>;

/// `prev_hash` of the first record.
pub const GENESIS_HASH: [u8; 32] = [0u8; 32];

/// Computes the chain hash of `record` following `prev_hash`.
pub fn chain_hash(audit_key: &[u8], prev_hash: &[u8], record: &AuditRecord) -> [u8; 32] {
    chain_hash_bytes(audit_key, prev_hash, &record.canonical_bytes())
}

fn chain_hash_bytes(audit_key: &[u8], prev_hash: &[u8], canonical: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let Ok(mut mac) = HmacSha256::new_from_slice(audit_key) else {
        return [0u8; 32];
    };
    mac.update(prev_hash);
    mac.update(canonical);
    mac.finalize().into_bytes().into()
}

/// A stored record with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    /// Position in the log, starting at 1.
    pub seq: i64,
    /// The record as stored.
    pub record: AuditRecord,
    /// The `chain_hash` of the previous record (as stored with this one).
    pub prev_hash: Vec<u8>,
    /// This record's stored `chain_hash`.
    pub chain_hash: Vec<u8>,
}

/// Where and why a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    /// Id of the first bad record.
    pub id: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The answer of [`verify_chain`]: `{"ok":true,"records":N}` or with `first_bad`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// True when every link verified.
    pub ok: bool,
    /// Number of records examined.
    pub records: u64,
    /// The first bad record, when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad: Option<ChainBreak>,
}

/// Walks links in `seq` order and checks each against the previous one.
pub fn verify_chain<I>(audit_key: &[u8], links: I) -> ChainReport
where
    I: IntoIterator<Item = ChainLink>,
{
    let mut expected_prev: Vec<u8> = GENESIS_HASH.to_vec();
    let mut records: u64 = 0;
    for (expected_seq, link) in (1_i64..).zip(links) {
        records += 1;
        let bad = |reason: String| ChainReport {
            ok: false,
            records,
            first_bad: Some(ChainBreak {
                id: link.record.id.clone(),
                reason,
            }),
        };
        if link.seq != expected_seq {
            return bad(format!(
                "sequence gap: expected record {expected_seq}, found {} (a record was deleted, inserted or reordered)",
                link.seq
            ));
        }
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            link.prev_hash.as_slice(),
            expected_prev.as_slice(),
        )) {
            return bad(format!(
                "record {expected_seq}: prev_hash does not match the previous record's chain_hash"
            ));
        }
        let computed = chain_hash(audit_key, &expected_prev, &link.record);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            link.chain_hash.as_slice(),
            &computed[..],
        )) {
            return bad(format!(
                "record {expected_seq}: chain_hash does not match the record's contents (edited)"
            ));
        }
        expected_prev = link.chain_hash;
    }
    ChainReport {
        ok: true,
        records,
        first_bad: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::Decision;

    fn rec(id: &str) -> AuditRecord {
        AuditRecord {
            id: id.to_owned(),
            time_ms: 1,
            call_id: None,
            trace_id: "t".into(),
            user_id: "u".into(),
            session_id: "s".into(),
            agent_id: None,
            target: "Bash".into(),
            decision: Decision::Allow,
            policy: None,
            reason: "ok".into(),
            chain: vec![],
            findings: vec![],
            source: "test".into(),
        }
    }

    fn build(key: &[u8], ids: &[&str]) -> Vec<ChainLink> {
        let mut prev = GENESIS_HASH.to_vec();
        let mut out = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let r = rec(id);
            let h = chain_hash(key, &prev, &r).to_vec();
            out.push(ChainLink {
                seq: i as i64 + 1,
                record: r,
                prev_hash: prev.clone(),
                chain_hash: h.clone(),
            });
            prev = h;
        }
        out
    }

    #[test]
    fn intact_chain_verifies() {
        let r = verify_chain(b"k", build(b"k", &["a", "b", "c"]));
        assert!(r.ok);
        assert_eq!(r.records, 3);
    }

    #[test]
    fn edit_is_detected_at_the_edited_record() {
        let mut links = build(b"k", &["a", "b", "c"]);
        links[1].record.reason = "changed".into();
        let r = verify_chain(b"k", links);
        assert!(!r.ok);
        assert_eq!(r.first_bad.map(|b| b.id), Some("b".into()));
    }

    #[test]
    fn deletion_and_reorder_are_detected() {
        let mut links = build(b"k", &["a", "b", "c"]);
        links.remove(1);
        assert_eq!(
            verify_chain(b"k", links).first_bad.map(|b| b.id),
            Some("c".into())
        );
        let mut links = build(b"k", &["a", "b", "c"]);
        links.swap(1, 2);
        assert!(!verify_chain(b"k", links).ok);
    }

    #[test]
    fn wrong_key_fails() {
        assert!(!verify_chain(b"other", build(b"k", &["a"])).ok);
    }
}
