//! Secret encryption with XChaCha20-Poly1305 envelopes (SPEC §4) and the secret store seam.

mod store;

pub use store::{SecretMeta, SecretStore, StoredSecret};
