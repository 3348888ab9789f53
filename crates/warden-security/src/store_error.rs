//! The error every persistence trait returns.

/// A persistence backend failed. Callers on a decision path treat every variant as "deny"
/// (fail closed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached or did not answer in time.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The backend answered with data that does not parse.
    #[error("store data is corrupt: {0}")]
    Corrupt(String),
    /// A bounded queue or buffer is full; the caller must not drop the item.
    #[error("store is overloaded: {0}")]
    Overloaded(String),
    /// The schema in the database is newer than this build understands.
    #[error("database schema version {found} is newer than supported version {supported}")]
    SchemaTooNew {
        /// Version found in the database.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// Any other backend error.
    #[error("store error: {0}")]
    Other(String),
}
