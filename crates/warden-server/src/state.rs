//! What every handler shares.

use std::sync::Arc;

use warden_security::audit::{AuditLog, AuditSink};
use warden_security::governance::secret_scan::SecretScanner;
use warden_security::governance::GovernanceEngine;
use warden_security::hooks::claude_code::OnAllow;
use warden_security::vault::Vault;
use zeroize::Zeroizing;

use crate::auth::Authenticate;
use crate::metrics::Metrics;
use crate::tokens::TokenAuthority;

/// Readiness of a dependency (`/readyz`).
#[async_trait::async_trait]
pub trait ReadinessCheck: Send + Sync {
    /// `Ok` when the dependency answers; `Err` names what is wrong.
    async fn check(&self) -> Result<(), String>;
}

/// Shared state of the HTTP service: one pointer, so the per-request clone that axum's `State`
/// extractor makes is a single reference-count increment. Derefs to [`Services`].
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    /// Wraps the services every handler shares.
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What every handler shares (behind [`AppState`]).
pub struct Services {
    /// Validates bearer tokens.
    pub auth: Arc<dyn Authenticate>,
    /// Mints, introspects and revokes tokens; publishes the JWKS.
    pub tokens: Arc<dyn TokenAuthority>,
    /// The governance pipeline.
    pub engine: Arc<GovernanceEngine>,
    /// Scanner for content outside the pipeline (tool results).
    pub scanner: Arc<SecretScanner>,
    /// Where decisions are appended.
    pub audit_sink: Arc<dyn AuditSink>,
    /// The audit writer behind `audit_sink`, when it is the store's group-commit writer
    /// (its queue depth and counters feed `/metrics`).
    pub audit_writer: Option<Arc<warden_store::AuditWriter>>,
    /// Where decisions are read back.
    pub audit_log: Arc<dyn AuditLog>,
    /// The audit chain key.
    pub audit_key: Arc<Zeroizing<Vec<u8>>>,
    /// Secrets.
    pub vault: Arc<Vault>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// `[hook] on_allow`.
    pub hook_on_allow: OnAllow,
    /// `[server] max_json_depth`: the deepest JSON nesting a request body may have.
    pub max_json_depth: usize,
    /// How long a request body may take to arrive (a little under `[server]
    /// request_timeout_ms`, so that a client that never sends its body gets 408, not 504).
    pub body_read_timeout: std::time::Duration,
    /// Dependencies checked by `/readyz`.
    pub readiness: Vec<(String, Arc<dyn ReadinessCheck>)>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}
