//! The `Vault` service: sealed secrets over a [`SecretStore`], rotation, retirement and the
//! leak index.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::{Mutex, RwLock};

use super::envelope::{self, envelope_kid, SecretBytes, VaultError};
use super::keyring::{Kek, KeyRing};
use super::leak::{fingerprints, LeakIndex};
use super::store::{SecretMeta, SecretStore, StoredSecret};
use crate::store_error::StoreError;

/// What [`Vault::rotate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    /// The new active key id.
    pub active_kid: String,
    /// Envelopes moved to the new KEK.
    pub rewrapped: usize,
    /// Envelopes already under it.
    pub unchanged: usize,
    /// Envelopes that could not be opened to re-wrap (`namespace/name: reason`): they stay
    /// under their old KEK, which therefore cannot be retired.
    pub failed: Vec<String>,
}

/// Sealed secrets over a store. Values go in through [`Vault::put`] and come out only through
/// [`Vault::get`]; listing returns metadata.
pub struct Vault {
    store: Arc<dyn SecretStore>,
    ring: RwLock<KeyRing>,
    leaks: RwLock<Arc<LeakIndex>>,
    /// Incremental index updates so far (changed under the `leaks` write lock): a rebuild
    /// from a store snapshot taken before one of them must not replace the index.
    index_updates: std::sync::atomic::AtomicU64,
    clock: fn() -> i64,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("active_kid", &self.ring.read().active().kid().as_str())
            .finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Vault {
    /// A vault over `store` with `ring`. Call [`Vault::load_leak_index`] to index secrets that
    /// are already stored.
    pub fn new(store: Arc<dyn SecretStore>, ring: KeyRing) -> Self {
        let leaks = RwLock::new(Arc::new(LeakIndex::new(&ring)));
        Self {
            store,
            ring: RwLock::new(ring),
            leaks,
            index_updates: std::sync::atomic::AtomicU64::new(0),
            clock: now_ms,
        }
    }

    /// A snapshot of the key ring (e.g. to persist it after [`Vault::rotate`]).
    pub fn key_ring(&self) -> KeyRing {
        self.ring.read().clone()
    }

    /// Replaces the key ring (when `master.keys` changed under a running server: `warden vault
    /// rotate` / `retire`) and rebuilds the leak index under it; returns the secrets indexed.
    pub async fn replace_key_ring(&self, ring: KeyRing) -> Result<usize, VaultError> {
        *self.ring.write() = ring;
        self.load_leak_index().await
    }

    /// Rebuilds the leak index from every stored secret. A rebuild that raced a `put`,
    /// `delete` or re-wrap of this vault (its snapshot may predate them) is taken again, up
    /// to three times; after that the incrementally updated index stays.
    pub async fn load_leak_index(&self) -> Result<usize, VaultError> {
        use std::sync::atomic::Ordering;
        for _ in 0..3 {
            let before = self.index_updates.load(Ordering::Acquire);
            let all = self.store.all().await?;
            let index = LeakIndex::build(&self.ring.read(), &all);
            let n = index.len();
            let mut guard = self.leaks.write();
            if self.index_updates.load(Ordering::Acquire) == before {
                *guard = Arc::new(index);
                return Ok(n);
            }
        }
        Ok(self.leaks.read().len())
    }

    /// The current leak index (a cheap snapshot for the secret scanner).
    pub fn leak_index(&self) -> Arc<LeakIndex> {
        self.leaks.read().clone()
    }

    fn update_index(&self, f: impl FnOnce(&mut LeakIndex)) {
        let mut guard = self.leaks.write();
        let mut next = (**guard).clone();
        f(&mut next);
        *guard = Arc::new(next);
        self.index_updates
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Seals and stores `value` as `namespace`/`name` (replacing any previous value).
    pub async fn put(
        &self,
        namespace: &str,
        name: &str,
        value: &[u8],
    ) -> Result<SecretMeta, VaultError> {
        let (envelope, fps, kid) = {
            let ring = self.ring.read();
            let envelope = envelope::seal(&ring, namespace, name, value)?;
            (
                envelope,
                fingerprints(ring.active(), value),
                ring.active().kid().as_str().to_owned(),
            )
        };
        let now = (self.clock)();
        let meta = SecretMeta {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            kek_id: kid,
            created_at_ms: now,
            updated_at_ms: now,
        };
        let secret = StoredSecret {
            meta: meta.clone(),
            envelope,
            fingerprints: fps,
        };
        self.store.put(secret.clone()).await?;
        self.update_index(|ix| {
            ix.remove(namespace, name);
            ix.insert(&secret.meta, &secret.fingerprints);
        });
        Ok(meta)
    }

    /// Opens the stored secret `namespace`/`name`; `Ok(None)` when absent.
    pub async fn get(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<SecretBytes>, VaultError> {
        let Some(stored) = self.store.get(namespace, name).await? else {
            return Ok(None);
        };
        let ring = self.ring.read();
        envelope::open(&ring, namespace, name, &stored.envelope).map(Some)
    }

    /// Metadata of the stored secret `namespace`/`name` (never its value; nothing is
    /// decrypted); `Ok(None)` when absent.
    pub async fn meta(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<SecretMeta>, VaultError> {
        Ok(self.store.get(namespace, name).await?.map(|s| s.meta))
    }

    /// Metadata of stored secrets (never values), optionally for one namespace.
    pub async fn list(&self, namespace: Option<&str>) -> Result<Vec<SecretMeta>, VaultError> {
        Ok(self.store.list(namespace).await?)
    }

    /// Deletes a secret; true when it existed.
    pub async fn delete(&self, namespace: &str, name: &str) -> Result<bool, VaultError> {
        let existed = self.store.delete(namespace, name).await?;
        self.update_index(|ix| ix.remove(namespace, name));
        Ok(existed)
    }

    /// Adds `kek` to the ring, makes it active and re-wraps every stored envelope under it
    /// (refreshing fingerprints). Persist [`Vault::key_ring`] **before** calling this if the
    /// key is new, so that a crash mid-rotation leaves every envelope openable.
    /// Idempotent for a KEK already in the ring: it is activated and rewrapping resumes.
    pub async fn rotate(&self, kek: Kek) -> Result<RotationReport, VaultError> {
        {
            let mut ring = self.ring.write();
            if ring.get(kek.kid().as_str()).is_none() {
                ring.add(kek.clone())?;
            }
            ring.set_active(kek.kid().as_str())?;
        }
        self.rewrap_all().await
    }

    /// Re-wraps every stored envelope that is not under the active KEK.
    pub async fn rewrap_all(&self) -> Result<RotationReport, VaultError> {
        let all = self.store.all().await?;
        let active_kid = self.ring.read().active().kid().as_str().to_owned();
        let mut report = RotationReport {
            active_kid: active_kid.clone(),
            rewrapped: 0,
            unchanged: 0,
            failed: Vec::new(),
        };
        for secret in all {
            let (ns, name) = (&secret.meta.namespace, &secret.meta.name);
            // One envelope that does not open must not stop the others from moving; it is
            // reported by name and left as it is.
            let rewrapped = envelope_kid(&secret.envelope).and_then(|kid| {
                if kid == active_kid {
                    return Ok(None);
                }
                let ring = self.ring.read();
                let (envelope, plaintext) = envelope::rewrap(&ring, ns, name, &secret.envelope)?;
                Ok(Some((
                    envelope,
                    fingerprints(ring.active(), plaintext.expose()),
                )))
            });
            let (envelope, fps) = match rewrapped {
                Ok(Some(done)) => done,
                Ok(None) => {
                    report.unchanged += 1;
                    continue;
                }
                Err(e) => {
                    report.failed.push(format!("{ns}/{name}: {e}"));
                    continue;
                }
            };
            let updated = StoredSecret {
                meta: SecretMeta {
                    kek_id: active_kid.clone(),
                    updated_at_ms: (self.clock)(),
                    ..secret.meta.clone()
                },
                envelope,
                fingerprints: fps,
            };
            self.store.put(updated.clone()).await?;
            self.update_index(|ix| {
                ix.remove(ns, name);
                ix.insert(&updated.meta, &updated.fingerprints);
            });
            report.rewrapped += 1;
        }
        Ok(report)
    }

    /// How many stored envelopes use KEK `kid`.
    pub async fn usage(&self, kid: &str) -> Result<usize, VaultError> {
        let all = self.store.all().await?;
        let mut n = 0;
        for s in &all {
            if envelope_kid(&s.envelope)? == kid {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Removes KEK `kid` from the ring, refusing with [`VaultError::KekInUse`] (and the count)
    /// while any envelope uses it, and refusing the active key. Persist [`Vault::key_ring`]
    /// afterwards.
    pub async fn retire(&self, kid: &str) -> Result<(), VaultError> {
        if self.ring.read().get(kid).is_none() {
            return Err(VaultError::UnknownKid(kid.to_owned()));
        }
        let count = self.usage(kid).await?;
        if count > 0 {
            return Err(VaultError::KekInUse {
                kid: kid.to_owned(),
                count,
            });
        }
        self.ring.write().remove(kid)?;
        Ok(())
    }
}

/// An in-memory [`SecretStore`] (tests, embedding, and the reference for real stores).
#[derive(Debug, Default)]
pub struct InMemorySecretStore {
    rows: Mutex<BTreeMap<(String, String), StoredSecret>>,
}

impl InMemorySecretStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl SecretStore for InMemorySecretStore {
    async fn put(&self, mut secret: StoredSecret) -> Result<(), StoreError> {
        let key = (secret.meta.namespace.clone(), secret.meta.name.clone());
        let mut rows = self.rows.lock();
        if let Some(existing) = rows.get(&key) {
            secret.meta.created_at_ms = existing.meta.created_at_ms;
        }
        rows.insert(key, secret);
        Ok(())
    }

    async fn get(&self, namespace: &str, name: &str) -> Result<Option<StoredSecret>, StoreError> {
        Ok(self
            .rows
            .lock()
            .get(&(namespace.to_owned(), name.to_owned()))
            .cloned())
    }

    async fn list(&self, namespace: Option<&str>) -> Result<Vec<SecretMeta>, StoreError> {
        Ok(self
            .rows
            .lock()
            .values()
            .filter(|s| namespace.is_none_or(|ns| s.meta.namespace == ns))
            .map(|s| s.meta.clone())
            .collect())
    }

    async fn delete(&self, namespace: &str, name: &str) -> Result<bool, StoreError> {
        Ok(self
            .rows
            .lock()
            .remove(&(namespace.to_owned(), name.to_owned()))
            .is_some())
    }

    async fn all(&self) -> Result<Vec<StoredSecret>, StoreError> {
        Ok(self.rows.lock().values().cloned().collect())
    }
}

/// The vault as the secret scanner's exact-match leak detector: spans of stored secrets (or
/// their common encodings) in a text, from the current fingerprint index (no plaintext).
impl crate::governance::secret_scan::LeakMatcher for Vault {
    fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let index = self.leak_index();
        if index.is_empty() {
            return Vec::new();
        }
        index
            .find_in(text.as_bytes())
            .into_iter()
            .map(|h| (h.start, h.end))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::keyring::Kid;

    fn kek(kid: &str, b: u8) -> Kek {
        Kek::new([b; 32], Some(Kid::new(kid).unwrap()), 0)
    }

    fn vault() -> (Vault, Arc<InMemorySecretStore>) {
        let store = Arc::new(InMemorySecretStore::new());
        (
            Vault::new(store.clone(), KeyRing::single(kek("k1", 1))),
            store,
        )
    }

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn vault_futures_are_send() {
        let (v, _) = vault();
        assert_send(&v.put("a", "b", b"c"));
        assert_send(&v.get("a", "b"));
        assert_send(&v.rotate(kek("k2", 2)));
        assert_send(&v.retire("k1"));
        assert_send(&v.load_leak_index());
    }

    #[tokio::test]
    async fn put_then_get_returns_value() {
        let (v, _) = vault();
        v.put("ns", "db", b"pw-123").await.unwrap();
        assert_eq!(
            v.get("ns", "db").await.unwrap().unwrap().expose(),
            b"pw-123"
        );
    }

    #[tokio::test]
    async fn meta_reads_one_secret_without_its_value() {
        let (v, _) = vault();
        assert_eq!(v.meta("ns", "db").await.unwrap(), None);
        let put = v.put("ns", "db", b"pw-123").await.unwrap();
        let meta = v.meta("ns", "db").await.unwrap().unwrap();
        assert_eq!(
            (meta.name.as_str(), meta.created_at_ms),
            ("db", put.created_at_ms)
        );
        assert!(!format!("{meta:?}").contains("pw-123"));
    }

    #[tokio::test]
    async fn store_holds_only_envelopes() {
        let (v, store) = vault();
        v.put("ns", "db", b"plaintext-value").await.unwrap();
        let row = store.get("ns", "db").await.unwrap().unwrap();
        assert_eq!(&row.envelope[..4], b"WSV1");
        assert!(!row.envelope.windows(15).any(|w| w == b"plaintext-value"));
    }

    #[tokio::test]
    async fn rotation_moves_every_envelope_it_can_and_names_the_others() {
        let (v, store) = vault();
        v.put("ns", "good", b"one").await.unwrap();
        v.put("ns", "bad", b"two").await.unwrap();
        let mut bad = store.get("ns", "bad").await.unwrap().unwrap();
        let last = bad.envelope.len() - 1;
        bad.envelope[last] ^= 1; // the tag no longer verifies
        store.put(bad).await.unwrap();
        let report = v.rotate(kek("k2", 2)).await.unwrap();
        assert_eq!((report.rewrapped, report.unchanged), (1, 0));
        assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
        assert!(
            report.failed[0].starts_with("ns/bad: "),
            "{:?}",
            report.failed
        );
        assert!(!report.failed[0].contains("two"));
        assert_eq!(v.get("ns", "good").await.unwrap().unwrap().expose(), b"one");
        // The damaged envelope still holds the old key, which cannot be retired.
        assert!(matches!(
            v.retire("k1").await,
            Err(VaultError::KekInUse { .. })
        ));
    }

    /// A store whose first `all()` answers a snapshot taken before a `put` that lands while
    /// the snapshot is in flight.
    struct RacingStore {
        inner: InMemorySecretStore,
        vault: std::sync::OnceLock<std::sync::Weak<Vault>>,
        fired: std::sync::atomic::AtomicBool,
    }

    #[async_trait::async_trait]
    impl SecretStore for RacingStore {
        async fn put(&self, secret: StoredSecret) -> Result<(), StoreError> {
            self.inner.put(secret).await
        }
        async fn get(&self, ns: &str, name: &str) -> Result<Option<StoredSecret>, StoreError> {
            self.inner.get(ns, name).await
        }
        async fn list(&self, ns: Option<&str>) -> Result<Vec<SecretMeta>, StoreError> {
            self.inner.list(ns).await
        }
        async fn delete(&self, ns: &str, name: &str) -> Result<bool, StoreError> {
            self.inner.delete(ns, name).await
        }
        async fn all(&self) -> Result<Vec<StoredSecret>, StoreError> {
            let snapshot = self.inner.all().await?;
            if !self.fired.swap(true, std::sync::atomic::Ordering::SeqCst) {
                if let Some(v) = self.vault.get().and_then(std::sync::Weak::upgrade) {
                    v.put("ns", "late", b"late-secret-value-9f8e7d")
                        .await
                        .unwrap();
                }
            }
            Ok(snapshot)
        }
    }

    #[tokio::test]
    async fn a_rebuild_racing_a_put_does_not_drop_its_fingerprint() {
        let store = Arc::new(RacingStore {
            inner: InMemorySecretStore::new(),
            vault: std::sync::OnceLock::new(),
            fired: std::sync::atomic::AtomicBool::new(false),
        });
        let v = Arc::new(Vault::new(store.clone(), KeyRing::single(kek("k1", 1))));
        let _ = store.vault.set(Arc::downgrade(&v));
        v.load_leak_index().await.unwrap();
        let hits = v.leak_index().find_in(b"echo late-secret-value-9f8e7d");
        assert_eq!(hits.len(), 1, "the put during the rebuild is indexed");
    }

    #[tokio::test]
    async fn get_missing_is_none() {
        let (v, _) = vault();
        assert!(v.get("ns", "nope").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn list_returns_metadata_sorted() {
        let (v, _) = vault();
        v.put("b", "x", b"1").await.unwrap();
        v.put("a", "y", b"2").await.unwrap();
        let names: Vec<_> = v
            .list(None)
            .await
            .unwrap()
            .into_iter()
            .map(|m| format!("{}/{}:{}", m.namespace, m.name, m.kek_id))
            .collect();
        assert_eq!(names, ["a/y:k1", "b/x:k1"]);
        assert_eq!(v.list(Some("a")).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn delete_removes_secret_and_fingerprints() {
        let (v, _) = vault();
        v.put("ns", "db", b"pw-1234567890").await.unwrap();
        assert!(v.delete("ns", "db").await.unwrap());
        assert!(!v.delete("ns", "db").await.unwrap());
        assert!(v.leak_index().find_in(b"pw-1234567890").is_empty());
    }

    #[tokio::test]
    async fn envelope_moved_to_another_name_fails_auth() {
        let (v, store) = vault();
        v.put("ns", "a", b"value-a").await.unwrap();
        let mut row = store.get("ns", "a").await.unwrap().unwrap();
        row.meta.name = "b".into();
        store.put(row).await.unwrap();
        assert_eq!(v.get("ns", "b").await.unwrap_err(), VaultError::AuthFailed);
    }

    #[tokio::test]
    async fn old_envelopes_open_after_rotate() {
        let (v, store) = vault();
        v.put("ns", "db", b"before").await.unwrap();
        let report = v.rotate(kek("k2", 2)).await.unwrap();
        assert_eq!(report.rewrapped, 1);
        assert_eq!(
            v.get("ns", "db").await.unwrap().unwrap().expose(),
            b"before"
        );
        let row = store.get("ns", "db").await.unwrap().unwrap();
        assert_eq!(row.meta.kek_id, "k2");
        assert_eq!(envelope_kid(&row.envelope).unwrap(), "k2");
    }

    #[tokio::test]
    async fn retire_refuses_while_in_use_and_reports_count() {
        let (v, _) = vault();
        v.put("ns", "a", b"1").await.unwrap();
        v.put("ns", "b", b"2").await.unwrap();
        {
            let mut ring = v.ring.write();
            ring.add(kek("k2", 2)).unwrap();
            ring.set_active("k2").unwrap();
        }
        assert_eq!(
            v.retire("k1").await.unwrap_err(),
            VaultError::KekInUse {
                kid: "k1".into(),
                count: 2
            }
        );
    }

    #[tokio::test]
    async fn retire_succeeds_after_rotate() {
        let (v, _) = vault();
        v.put("ns", "a", b"1").await.unwrap();
        v.rotate(kek("k2", 2)).await.unwrap();
        v.retire("k1").await.unwrap();
        assert!(v.key_ring().get("k1").is_none());
        assert_eq!(v.get("ns", "a").await.unwrap().unwrap().expose(), b"1");
    }

    #[tokio::test]
    async fn retire_refuses_active_key() {
        let (v, _) = vault();
        assert!(matches!(
            v.retire("k1").await.unwrap_err(),
            VaultError::KeyRing(crate::vault::KeyRingError::RetireActive(_))
        ));
    }

    #[tokio::test]
    async fn leak_index_finds_stored_secret_after_put_and_rotate() {
        let (v, _) = vault();
        v.put("ns", "api", b"sk-live-abcdef123456").await.unwrap();
        assert_eq!(v.leak_index().find_in(b"x sk-live-abcdef123456 y").len(), 1);
        v.rotate(kek("k2", 2)).await.unwrap();
        v.retire("k1").await.unwrap();
        assert_eq!(v.load_leak_index().await.unwrap(), v.leak_index().len());
        assert_eq!(v.leak_index().find_in(b"x sk-live-abcdef123456 y").len(), 1);
    }

    #[tokio::test]
    async fn put_keeps_created_at_on_replace() {
        let (v, store) = vault();
        v.put("ns", "a", b"1").await.unwrap();
        let created = store
            .get("ns", "a")
            .await
            .unwrap()
            .unwrap()
            .meta
            .created_at_ms;
        v.put("ns", "a", b"2").await.unwrap();
        assert_eq!(
            store
                .get("ns", "a")
                .await
                .unwrap()
                .unwrap()
                .meta
                .created_at_ms,
            created
        );
    }
}
