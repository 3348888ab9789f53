//! Warden's security library.
//!
//! The seed API (token extraction, context headers, JWT minting and validation, sessions,
//! `AuthValidationService`, scanner detection) is exported at the crate root with the names of
//! the seed crate. On top: key sets, the vault, the governance pipeline and the audit record.
//!
//! This crate does no network or disk I/O of its own: persistence and counters are traits
//! ([`CounterStore`], [`AuditSink`], [`RevocationStore`], [`vault::SecretStore`]) with in-memory
//! implementations here and real ones in `warden-store`.
//!
//! # Token extraction (seed usage)
//!
//! ```
//! use http::{HeaderMap, HeaderValue};
//! use warden_security::{ExtractionMethod, TokenExtractor};
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("cookie", HeaderValue::from_static("session_token=abc.def.ghi"));
//!
//! let extractor = TokenExtractor::standard();
//! assert!(extractor.extract(&headers).is_err());
//!
//! let browser_extractor = TokenExtractor::browser_only().with_cookie_name("session_token");
//! assert_eq!(browser_extractor.extract(&headers).unwrap(), "abc.def.ghi");
//! assert_eq!(browser_extractor.chain(), &[ExtractionMethod::AuthorizationHeader, ExtractionMethod::Cookie]);
//! ```
#![forbid(unsafe_code)]

pub mod audit;
pub mod auth;
pub mod counters;
pub mod extraction;
pub mod governance;
pub mod hooks;
pub mod jwt;
pub mod keys;
mod lanes;
pub mod revocation;
pub mod scope;
pub mod services;
pub mod session;
pub mod store_error;
pub mod time;
pub mod vault;

pub use audit::{AuditRecord, AuditSink};
pub use auth::{AuthContext, AuthError, AuthLayer, AuthMode, AuthValidationService};
pub use counters::{CounterStore, InMemoryCounterStore};
pub use extraction::{
    CookieExtractionError, CookieExtractor, ExtractionMethod, HeaderExtractor,
    HeaderInjectionError, HeaderInjector, TokenExtractionError, TokenExtractor,
};
pub use jwt::{
    AdminTokenParams, JwtError, JwtService, MintError, TokenValidator, ValidationOptions,
};
pub use keys::{Algorithm, Key, KeyError, KeyInfo, KeySet};
pub use revocation::{InMemoryRevocationStore, RevocationStore};
pub use scope::{ScopeError, ScopeRules};
pub use services::{
    BotClass, BotClassifier, BotDetectionLayer, ClassifierConfig, DetectConfig, DetectMode, Reason,
    RequestFacts, ScannerDetector, Velocity, VelocityTracker, Verdict,
};
pub use session::{SessionGenerator, SessionParams, ValidatedSessionClaims};
pub use store_error::StoreError;
