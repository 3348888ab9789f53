//! Secret encryption with XChaCha20-Poly1305 envelopes (SPEC §4) and the secret store seam.
//!
//! * [`keyring`]: KEKs (one active) from `WARDEN_MASTER_KEY` or `master.keys`.
//! * [`envelope`]: the v1 byte format — [`seal`], [`open`], [`rewrap`].
//! * [`Vault`]: secrets over a [`SecretStore`] with rotation and retirement.
//! * [`leak`]: keyed fingerprints and the [`LeakIndex`] for the secret scanner.
//! * [`aead`]: the crypto backend (the only module naming crypto crates).
//!
//! Byte layout and key ring file: `docs/VAULT_FORMAT.md`.

pub mod aead;
pub mod envelope;
pub mod keyring;
pub mod leak;
mod service;
mod store;

pub use envelope::{
    envelope_kid, open, rewrap, seal, EnvelopeRef, Malformed, SecretBytes, VaultError,
};
pub use keyring::{Kek, KeyRing, KeyRingError, Kid, KEYRING_FILE_NAME, MASTER_KEY_ENV};
pub use leak::{LeakHit, LeakIndex, SecretRef};
pub use service::{InMemorySecretStore, RotationReport, Vault};
pub use store::{SecretMeta, SecretStore, StoredSecret};
