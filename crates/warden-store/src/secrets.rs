//! Sealed secrets on SQL: envelopes, metadata and leak-detection fingerprints.
//!
//! Table `secrets (namespace, name, kek_id, envelope, fingerprints, created_at_ms,
//! updated_at_ms)`; `fingerprints` is a JSON array of hex strings. No plaintext ever reaches
//! this module.

use async_trait::async_trait;
use warden_security::vault::{SecretMeta, SecretStore, StoredSecret};
use warden_security::StoreError;

use crate::backend::{with_pool, Backend};
use crate::error;

/// [`SecretStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlSecretStore {
    backend: Backend,
}

type SecretRow = (String, String, String, Vec<u8>, String, i64, i64);

const SELECT: &str = "SELECT namespace, name, kek_id, envelope, fingerprints, created_at_ms, updated_at_ms FROM secrets";

impl SqlSecretStore {
    pub(crate) fn new(backend: Backend) -> Self {
        Self { backend }
    }
}

fn encode_fingerprints(fps: &[Vec<u8>]) -> String {
    let hex: Vec<String> = fps
        .iter()
        .map(|fp| fp.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    serde_json::Value::from(hex).to_string()
}

fn decode_fingerprints(text: &str) -> Option<Vec<Vec<u8>>> {
    let items: Vec<String> = serde_json::from_str(text).ok()?;
    items
        .iter()
        .map(|h| {
            if h.len() % 2 != 0 {
                return None;
            }
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .collect()
}

fn to_secret(row: SecretRow) -> Result<StoredSecret, StoreError> {
    let (namespace, name, kek_id, envelope, fps, created_at_ms, updated_at_ms) = row;
    let fingerprints = decode_fingerprints(&fps).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "fingerprints of secret {namespace}/{name} do not decode"
        ))
    })?;
    Ok(StoredSecret {
        meta: SecretMeta {
            namespace,
            name,
            kek_id,
            created_at_ms,
            updated_at_ms,
        },
        envelope,
        fingerprints,
    })
}

#[async_trait]
impl SecretStore for SqlSecretStore {
    async fn put(&self, s: StoredSecret) -> Result<(), StoreError> {
        let fps = encode_fingerprints(&s.fingerprints);
        with_pool!(&self.backend, pool => {
            sqlx::query(
                "INSERT INTO secrets (namespace, name, kek_id, envelope, fingerprints, created_at_ms, updated_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (namespace, name) DO UPDATE SET kek_id = excluded.kek_id, \
                 envelope = excluded.envelope, fingerprints = excluded.fingerprints, \
                 updated_at_ms = excluded.updated_at_ms",
            )
            .bind(&s.meta.namespace)
            .bind(&s.meta.name)
            .bind(&s.meta.kek_id)
            .bind(&s.envelope)
            .bind(&fps)
            .bind(s.meta.created_at_ms)
            .bind(s.meta.updated_at_ms)
            .execute(pool)
            .await
            .map_err(error::sql)?;
        });
        Ok(())
    }

    async fn get(&self, namespace: &str, name: &str) -> Result<Option<StoredSecret>, StoreError> {
        let sql = format!("{SELECT} WHERE namespace = $1 AND name = $2");
        let row: Option<SecretRow> = with_pool!(&self.backend, pool => {
            sqlx::query_as(&sql)
                .bind(namespace)
                .bind(name)
                .fetch_optional(pool)
                .await
                .map_err(error::sql)?
        });
        row.map(to_secret).transpose()
    }

    async fn list(&self, namespace: Option<&str>) -> Result<Vec<SecretMeta>, StoreError> {
        type MetaRow = (String, String, String, i64, i64);
        let rows: Vec<MetaRow> = with_pool!(&self.backend, pool => {
            match namespace {
                Some(ns) => sqlx::query_as(
                    "SELECT namespace, name, kek_id, created_at_ms, updated_at_ms FROM secrets \
                     WHERE namespace = $1 ORDER BY namespace, name",
                )
                .bind(ns)
                .fetch_all(pool)
                .await,
                None => sqlx::query_as(
                    "SELECT namespace, name, kek_id, created_at_ms, updated_at_ms FROM secrets \
                     ORDER BY namespace, name",
                )
                .fetch_all(pool)
                .await,
            }
            .map_err(error::sql)?
        });
        Ok(rows
            .into_iter()
            .map(
                |(namespace, name, kek_id, created_at_ms, updated_at_ms)| SecretMeta {
                    namespace,
                    name,
                    kek_id,
                    created_at_ms,
                    updated_at_ms,
                },
            )
            .collect())
    }

    async fn delete(&self, namespace: &str, name: &str) -> Result<bool, StoreError> {
        let n = with_pool!(&self.backend, pool => {
            sqlx::query("DELETE FROM secrets WHERE namespace = $1 AND name = $2")
                .bind(namespace)
                .bind(name)
                .execute(pool)
                .await
                .map_err(error::sql)?
                .rows_affected()
        });
        Ok(n > 0)
    }

    async fn all(&self) -> Result<Vec<StoredSecret>, StoreError> {
        let sql = format!("{SELECT} ORDER BY namespace, name");
        let rows: Vec<SecretRow> = with_pool!(&self.backend, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await.map_err(error::sql)?
        });
        rows.into_iter().map(to_secret).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_round_trip_through_text() {
        let fps = vec![vec![0u8, 255, 16], vec![], vec![1]];
        assert_eq!(decode_fingerprints(&encode_fingerprints(&fps)), Some(fps));
    }

    proptest::proptest! {
        #[test]
        fn fingerprint_decoding_never_panics(text in ".{0,64}") {
            let _ = decode_fingerprints(&text);
        }

        #[test]
        fn any_fingerprints_round_trip(fps in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..40), 0..5)) {
            proptest::prop_assert_eq!(decode_fingerprints(&encode_fingerprints(&fps)), Some(fps));
        }
    }

    #[test]
    fn malformed_fingerprints_do_not_decode() {
        assert_eq!(decode_fingerprints("[\"abc\"]"), None);
        assert_eq!(decode_fingerprints("[\"zz\"]"), None);
        assert_eq!(decode_fingerprints("{"), None);
    }
}
