//! Warden's security library.
//!
//! The seed API (token extraction, context headers, JWT minting and validation, sessions,
//! `AuthValidationService`, scanner detection) is exported at the crate root with the names of
//! the seed crate. On top: key sets, the vault, the governance pipeline and the audit record.
//!
//! This crate does no network or disk I/O of its own: persistence and counters are traits
//! ([`CounterStore`], [`AuditSink`], [`RevocationStore`], [`vault::SecretStore`]) with in-memory
//! implementations here and real ones in `warden-store`.
#![forbid(unsafe_code)]

pub mod audit;
pub mod counters;
pub mod extraction;
pub mod governance;
pub mod revocation;
pub mod services;
pub mod store_error;
pub mod time;
pub mod vault;

pub use audit::{AuditRecord, AuditSink};
pub use counters::{CounterStore, InMemoryCounterStore};
pub use revocation::{InMemoryRevocationStore, RevocationStore};
pub use services::{
    BotClass, BotClassifier, BotDetectionLayer, ClassifierConfig, DetectConfig, DetectMode, Reason,
    RequestFacts, ScannerDetector, Velocity, VelocityTracker, Verdict,
};
pub use store_error::StoreError;
