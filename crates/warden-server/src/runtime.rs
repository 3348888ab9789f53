//! Assembling a running Warden from a configuration and a data directory: `warden init`
//! creates the data directory; [`Runtime::open`] loads it, connects the store, starts the
//! audit writer and builds the application state.

use std::sync::Arc;
use std::time::Duration;

use warden_security::audit::{AuditLog, AuditSink};
use warden_security::auth::{AuthMode, AuthValidationService};
use warden_security::governance::secret_scan::{LeakMatcher, SecretScanner};
use warden_security::governance::GovernanceEngine;
use warden_security::keys::{Algorithm, KeySet};
use warden_security::services::{BotDetectionLayer, VelocityTracker};
use warden_security::vault::{keyring, Kek, KeyRing, Vault};
use warden_security::{AdminTokenParams, JwtService, RevocationStore as _, TokenValidator};
use warden_store::{audit_key, AuditIndexer, AuditWriter, AuditWriterOptions, Store};
use warden_types::{SessionId, UserId};
use zeroize::Zeroizing;

use crate::authority::{ServiceAuthenticator, WardenTokenAuthority};
use crate::config::WardenConfig;
use crate::datadir::{write_new_private_file, DataDir, DataDirError};
use crate::metrics::Metrics;
use crate::state::{AppState, ReadinessCheck, Services};

/// Lifetime of the admin token written by `warden init` (30 days).
pub const ADMIN_TOKEN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// Capacity of the validated-token cache.
pub const TOKEN_CACHE_CAPACITY: usize = 10_000;

/// Why Warden could not start (every variant means: refuse to start, fail closed).
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// Data directory problem.
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    /// Configuration problem.
    #[error("configuration: {0}")]
    Config(String),
    /// Key material problem.
    #[error("keys: {0}")]
    Keys(String),
    /// Store problem.
    #[error("store: {0}")]
    Store(#[from] warden_security::StoreError),
}

/// What `warden init` created.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InitReport {
    /// The data directory.
    pub data_dir: String,
    /// Files created.
    pub created: Vec<String>,
    /// Where the admin token is.
    pub admin_token_file: String,
    /// The signing algorithm of the key set.
    pub signing_alg: String,
}

fn keys_err(e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Keys(e.to_string())
}

/// Creates a data directory: `keys.json`, `master.keys`, `audit.key`, the database and
/// `admin.token`, all 0600. Refuses when any of them exists.
pub async fn init_data_dir(
    dd: &DataDir,
    config: &WardenConfig,
) -> Result<InitReport, RuntimeError> {
    // The audit key and the audit log belong together: an audit key already there (a data
    // dir that `warden hook` used before) is kept with its log; a log without its key (one
    // chained under another audit key) is refused, never adopted under a new key.
    for f in [dd.keys(), dd.master_keys(), dd.admin_token()] {
        if f.exists() {
            return Err(DataDirError::Exists(f).into());
        }
    }
    let adopt_audit = dd.audit_key().exists();
    let default_db = config.store.url.is_none().then(|| dd.database());
    let db_existed = default_db.as_ref().is_some_and(|db| db.exists());
    dd.create_dir()?;
    // The store first: it is what most often cannot be opened (a PostgreSQL server that is
    // down, a file that is not a database), and failing before any key is written leaves
    // the directory as it was.
    let store = Store::open_in_data_dir(dd.root(), &config.store).await?;
    let records = store.audit_log().count().await;
    store.close().await;
    if !adopt_audit && records? > 0 {
        return Err(DataDirError::ForeignAuditLog(dd.root().to_path_buf()).into());
    }
    let alg = Algorithm::EdDSA;
    let keys = KeySet::generate(alg).map_err(keys_err)?;
    write_new_private_file(&dd.keys(), keys.to_private_json().as_bytes())?;
    let now_ms = i64::try_from(warden_security::time::now_millis()).unwrap_or(i64::MAX);
    let ring = KeyRing::single(Kek::generate(None, now_ms).map_err(keys_err)?);
    keyring::file::create(&dd.master_keys(), &ring).map_err(keys_err)?;
    if adopt_audit {
        audit_key::load(dd.root()).map_err(keys_err)?;
    } else {
        audit_key::create(dd.root()).map_err(keys_err)?;
    }
    let jwt = JwtService::new(Arc::new(keys));
    let token = jwt
        .generate_admin_token(&AdminTokenParams {
            user_id: UserId::new("admin"),
            session_id: SessionId::generate(),
            email: "admin@localhost".to_owned(),
            username: Some("admin".to_owned()),
            duration: ADMIN_TOKEN_TTL,
        })
        .map_err(keys_err)?;
    write_new_private_file(&dd.admin_token(), format!("{token}\n").as_bytes())?;
    let mut created = vec![
        dd.keys().display().to_string(),
        dd.master_keys().display().to_string(),
    ];
    if !adopt_audit {
        created.push(dd.audit_key().display().to_string());
    }
    if let Some(db) = default_db.filter(|_| !db_existed) {
        created.push(db.display().to_string());
    }
    created.push(dd.admin_token().display().to_string());
    Ok(InitReport {
        data_dir: dd.root().display().to_string(),
        created,
        admin_token_file: dd.admin_token().display().to_string(),
        signing_alg: alg.to_string(),
    })
}

/// Loads the signing key set of a data directory.
pub fn load_keys(dd: &DataDir) -> Result<KeySet, RuntimeError> {
    let text = std::fs::read_to_string(dd.keys())
        .map_err(|e| RuntimeError::Keys(format!("cannot read {}: {e}", dd.keys().display())))?;
    KeySet::from_json(&text)
        .map_err(|e| RuntimeError::Keys(format!("{}: {e}", dd.keys().display())))
}

/// Loads the vault key ring (`$WARDEN_MASTER_KEY`, else `master.keys`).
pub fn load_key_ring(dd: &DataDir) -> Result<KeyRing, RuntimeError> {
    keyring::file::from_env_or_dir(dd.root())
        .map_err(keys_err)?
        .ok_or_else(|| {
            RuntimeError::Keys(format!(
                "no master key: set WARDEN_MASTER_KEY or create {}",
                dd.master_keys().display()
            ))
        })
}

struct StoreReady(Arc<dyn AuditLog>, Store);

#[async_trait::async_trait]
impl ReadinessCheck for StoreReady {
    async fn check(&self) -> Result<(), String> {
        self.1.check_files().map_err(|e| e.to_string())?;
        let q = warden_security::audit::AuditQuery {
            limit: 1,
            ..Default::default()
        };
        tokio::time::timeout(Duration::from_secs(2), self.0.query(&q))
            .await
            .map_err(|_| "store did not answer within 2 s".to_owned())?
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

struct KeysReady(Arc<TokenValidator>);

#[async_trait::async_trait]
impl ReadinessCheck for KeysReady {
    async fn check(&self) -> Result<(), String> {
        self.0
            .keys()
            .active_key()
            .map(|_| ())
            .ok_or_else(|| "no active signing key".to_owned())
    }
}

/// Counters for the in-process hook: Redis when `[counters] url` is set, else the store's
/// own counter tables (so rate limits hold across hook processes).
pub fn hook_counters(
    config: &WardenConfig,
    store: &Store,
) -> Result<Arc<dyn warden_security::CounterStore>, warden_security::StoreError> {
    if config.counters.url.is_some() {
        return warden_store::counters_from_config(&config.counters);
    }
    Ok(store.counters())
}

/// `governance` with the rules that keep agents out of the data directory `data_dir`
/// ([`warden_security::governance::GovernanceConfig::protect_data_dir`]), named by its
/// absolute path as given and with symlinks resolved, and relative to `cwd` (the agent's
/// working directory) when it is inside it.
pub(crate) fn governance_for(
    governance: &warden_security::governance::GovernanceConfig,
    data_dir: &std::path::Path,
    cwd: Option<&std::path::Path>,
) -> warden_security::governance::GovernanceConfig {
    let mut governance = governance.clone();
    let given = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let resolved = std::fs::canonicalize(data_dir).unwrap_or_else(|_| given.clone());
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    governance.protect_data_dir(&[given.as_path(), resolved.as_path()], home.as_deref(), cwd);
    governance
}

/// How often each instance reloads the shared revocation list (other instances' revocations).
pub const REVOCATION_REFRESH: Duration = Duration::from_secs(5);

fn spawn_revocation_refresh(revocations: Arc<warden_store::PersistentRevocationStore>) {
    let weak = Arc::downgrade(&revocations);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(REVOCATION_REFRESH);
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(r) = weak.upgrade() else { break };
            if let Err(e) = r.refresh().await {
                tracing::warn!(error = %e, "cannot refresh the revocation list");
            }
            r.prune(warden_security::time::now_secs());
        }
    });
}

/// What tells a changed file from the one read last: its modification time and length
/// (`None` while it is missing).
fn file_stamp(path: &std::path::Path) -> Option<(Option<std::time::SystemTime>, u64)> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.modified().ok(), m.len()))
}

/// How often a running server looks at `keys.json` for a rotation or retirement.
pub const KEY_RELOAD_PERIOD: Duration = Duration::from_secs(1);

/// Reloads the signing and verification keys when `keys.json` changes (`warden keys rotate`
/// / `retire` against the data dir of a running server): the new active key signs from then
/// on, a retired key stops verifying at once (the validation cache is cleared) and the JWKS
/// follows. A file that does not load keeps the keys in force and is reported once per
/// change.
fn spawn_key_reload(path: std::path::PathBuf, validator: Arc<TokenValidator>) {
    let weak = Arc::downgrade(&validator);
    drop(validator);
    tokio::spawn(async move {
        let mut seen = file_stamp(&path);
        let mut tick = tokio::time::interval(KEY_RELOAD_PERIOD);
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(validator) = weak.upgrade() else {
                break;
            };
            let now = file_stamp(&path);
            if now == seen {
                continue;
            }
            seen = now;
            let loaded = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| KeySet::from_json(&text).map_err(|e| e.to_string()));
            match loaded {
                Ok(keys) if keys.active_key().is_some() => {
                    let active = keys.active_key().map(|k| k.kid().to_owned());
                    validator.replace_keys(Arc::new(keys));
                    tracing::info!(path = %path.display(), active = ?active, "reloaded the signing keys");
                }
                Ok(_) => {
                    tracing::error!(path = %path.display(), "the changed key file has no active key; keeping the keys in force")
                }
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "cannot load the changed key file; keeping the keys in force")
                }
            }
        }
    });
}

/// How often a running server re-reads the stored secrets' fingerprints for the leak index
/// (secrets stored or removed by `warden vault` beside it).
pub const LEAK_INDEX_REFRESH: Duration = Duration::from_secs(5);

/// Keeps the vault in step with changes made beside the server: the key ring is reloaded
/// within a second of `master.keys` changing (`warden vault rotate` / `retire`; not when
/// `$WARDEN_MASTER_KEY` supplies the ring), so secrets are sealed under the active KEK and
/// open under the new one; the leak index is rebuilt every [`LEAK_INDEX_REFRESH`], so the
/// secret scan flags a secret stored by `warden vault put`. A ring file that does not load
/// keeps the ring in force.
fn spawn_vault_refresh(dd: &DataDir, vault: Arc<Vault>) {
    let weak = Arc::downgrade(&vault);
    drop(vault);
    let ring_file = std::env::var_os(keyring::MASTER_KEY_ENV)
        .filter(|v| !v.is_empty())
        .is_none()
        .then(|| dd.master_keys());
    let dd = dd.clone();
    tokio::spawn(async move {
        let mut seen = ring_file.as_deref().and_then(file_stamp);
        let mut tick = tokio::time::interval(KEY_RELOAD_PERIOD);
        tick.tick().await;
        let mut since_index = Duration::ZERO;
        loop {
            tick.tick().await;
            let Some(vault) = weak.upgrade() else { break };
            since_index += KEY_RELOAD_PERIOD;
            if let Some(path) = &ring_file {
                let now = file_stamp(path);
                if now != seen {
                    seen = now;
                    match load_key_ring(&dd) {
                        Ok(ring) => match vault.replace_key_ring(ring).await {
                            Ok(_) => {
                                since_index = Duration::ZERO;
                                tracing::info!(path = %path.display(), "reloaded the vault key ring");
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "reloaded the vault key ring; cannot rebuild the leak index")
                            }
                        },
                        Err(e) => {
                            tracing::error!(path = %path.display(), error = %e, "cannot load the changed key ring; keeping the ring in force")
                        }
                    }
                }
            }
            if since_index >= LEAK_INDEX_REFRESH {
                since_index = Duration::ZERO;
                if let Err(e) = vault.load_leak_index().await {
                    tracing::debug!(error = %e, "cannot refresh the leak index");
                }
            }
        }
    });
}

/// A running Warden: the application state plus the handles to shut it down.
pub struct Runtime {
    /// The configuration.
    pub config: WardenConfig,
    /// The data directory.
    pub data_dir: DataDir,
    /// The state handlers share.
    pub state: AppState,
    /// The store.
    pub store: Store,
    /// The audit writer (drained on shutdown).
    pub writer: Arc<AuditWriter>,
    /// The background catch-up of the SQLite audit index (`None` on PostgreSQL).
    pub indexer: Option<AuditIndexer>,
    /// The bot-detection layer.
    pub bots: BotDetectionLayer,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Opens an initialized data directory with `config`. Every failure refuses to start.
    /// The audit writer runs on the current Tokio runtime.
    pub async fn open(config: WardenConfig, dd: DataDir) -> Result<Runtime, RuntimeError> {
        Self::open_with_writer_on(config, dd, &tokio::runtime::Handle::current()).await
    }

    /// Like [`Runtime::open`], with the audit writer on `writer_runtime` (`warden serve`:
    /// [`crate::connection_threads::ConnectionThreads::writer_runtime`]).
    pub async fn open_with_writer_on(
        config: WardenConfig,
        dd: DataDir,
        writer_runtime: &tokio::runtime::Handle,
    ) -> Result<Runtime, RuntimeError> {
        // `init` creates the data dir's database with its keys; opening the store would
        // create an empty one in its place.
        if config.store.url.is_none() && dd.is_initialized() && !dd.database().exists() {
            return Err(DataDirError::MissingAuditLog(dd.database()).into());
        }
        let keys = Arc::new(load_keys(&dd)?);
        let ring = load_key_ring(&dd)?;
        let audit_key = audit_key::load(dd.root()).map_err(keys_err)?;
        let store = Store::open_in_data_dir(dd.root(), &config.store).await?;
        let writer = Arc::new(store.audit_writer_in(
            &audit_key,
            AuditWriterOptions::from(&config.audit),
            writer_runtime,
        ));
        let indexer = store.audit_indexer();
        let revocations = store.revocations().await?;
        spawn_revocation_refresh(revocations.clone());
        let counters = warden_store::counters_from_config(&config.counters)?;
        let metrics = Arc::new(Metrics::new());
        let bots = BotDetectionLayer::from_config(&config.detect)
            .map_err(|e| RuntimeError::Config(e.to_string()))?
            .with_velocity(VelocityTracker::new(counters.clone()))
            .with_observer({
                let metrics = metrics.clone();
                move |class| metrics.record_bot_verdict(class)
            });
        let vault = Arc::new(Vault::new(store.secrets(), ring));
        vault
            .load_leak_index()
            .await
            .map_err(|e| RuntimeError::Keys(e.to_string()))?;
        spawn_vault_refresh(&dd, vault.clone());
        let leak: Arc<dyn LeakMatcher> = vault.clone();
        let engine = GovernanceEngine::with_leak_matcher(
            &governance_for(&config.governance, dd.root(), None),
            counters,
            leak.clone(),
        )
        .map_err(|e| RuntimeError::Config(e.to_string()))?;
        // The engine's scanner already carries the leak matcher; the rules compile once.
        let scanner = match engine.secret_scanner() {
            Some(s) => s.clone(),
            None => SecretScanner::new(&config.governance.secret_scan)
                .map_err(|e| RuntimeError::Config(e.to_string()))?
                .with_leak_matcher(leak),
        };
        // Rule regexes compile on first use; a server compiles them before serving.
        scanner
            .compile_all()
            .map_err(|e| RuntimeError::Config(e.to_string()))?;
        let issuer = JwtService::new(keys.clone()).issuer().to_owned();
        let validator = Arc::new(
            TokenValidator::new(keys.clone())
                .with_issuer(issuer)
                .with_audiences(config.server.audiences.iter().cloned())
                .with_leeway(
                    i64::try_from(config.server.leeway_secs)
                        .unwrap_or(warden_security::jwt::DEFAULT_LEEWAY_SECS),
                )
                .with_revocation(revocations.clone())
                .with_cache(TOKEN_CACHE_CAPACITY),
        );
        spawn_key_reload(dd.keys(), validator.clone());
        let auth = AuthValidationService::new(validator.clone(), AuthMode::Required);
        let audit_log: Arc<dyn AuditLog> = Arc::new(store.audit_log());
        let state = AppState::new(Services {
            auth: Arc::new(ServiceAuthenticator(Arc::new(auth))),
            tokens: Arc::new(WardenTokenAuthority {
                validator: validator.clone(),
                revocations,
            }),
            engine: Arc::new(engine),
            scanner: Arc::new(scanner),
            audit_sink: writer.clone() as Arc<dyn AuditSink>,
            audit_writer: Some(writer.clone()),
            audit_log: audit_log.clone(),
            audit_key: Arc::new(Zeroizing::new(audit_key.as_bytes().to_vec())),
            vault,
            metrics,
            hook_on_allow: config.hook.on_allow,
            max_json_depth: config.server.max_json_depth,
            body_read_timeout: std::time::Duration::from_millis(
                config.server.request_timeout_ms.saturating_mul(9) / 10,
            ),
            readiness: vec![
                (
                    "store".to_owned(),
                    Arc::new(StoreReady(audit_log, store.clone())) as Arc<dyn ReadinessCheck>,
                ),
                (
                    "keys".to_owned(),
                    Arc::new(KeysReady(validator.clone())) as Arc<dyn ReadinessCheck>,
                ),
            ],
        });
        Ok(Runtime {
            config,
            data_dir: dd,
            state,
            store,
            writer,
            indexer,
            bots,
        })
    }

    /// Drains the audit queue and closes the store.
    pub async fn shutdown(&self) -> Result<(), warden_security::StoreError> {
        let r = self.writer.shutdown().await;
        self.store.close().await;
        r
    }
}
