//! The secret store trait: values are only ever stored as sealed envelopes.

use async_trait::async_trait;

use crate::store_error::StoreError;

/// Listing information about a stored secret (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMeta {
    /// Namespace.
    pub namespace: String,
    /// Name within the namespace.
    pub name: String,
    /// Id of the KEK that wraps the secret's data key.
    pub kek_id: String,
    /// Creation time, unix milliseconds.
    pub created_at_ms: i64,
    /// Last update time, unix milliseconds.
    pub updated_at_ms: i64,
}

/// A stored secret: its metadata, its envelope (SPEC §4 v1 bytes), and keyed fingerprints of
/// its value and common encodings for exact-match leak detection (no plaintext).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSecret {
    /// Metadata.
    pub meta: SecretMeta,
    /// The sealed envelope.
    pub envelope: Vec<u8>,
    /// Keyed hashes of the value and its encodings (see `vault` leak detection).
    pub fingerprints: Vec<Vec<u8>>,
}

impl std::fmt::Debug for StoredSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSecret")
            .field("meta", &self.meta)
            .field("envelope_len", &self.envelope.len())
            .field("fingerprints", &self.fingerprints.len())
            .finish()
    }
}

/// Persistence for sealed secrets. Implementations never see plaintext.
#[async_trait]
pub trait SecretStore: Send + Sync {
    /// Inserts or replaces a secret. On replace, `created_at_ms` of the existing row is kept.
    async fn put(&self, secret: StoredSecret) -> Result<(), StoreError>;
    /// Fetches one secret.
    async fn get(&self, namespace: &str, name: &str) -> Result<Option<StoredSecret>, StoreError>;
    /// Lists metadata, optionally for one namespace, ordered by namespace then name.
    async fn list(&self, namespace: Option<&str>) -> Result<Vec<SecretMeta>, StoreError>;
    /// Deletes a secret; true when it existed.
    async fn delete(&self, namespace: &str, name: &str) -> Result<bool, StoreError>;
    /// Every stored secret (used by rotation and to load leak fingerprints at start-up).
    async fn all(&self) -> Result<Vec<StoredSecret>, StoreError>;
}
