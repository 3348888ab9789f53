//! `warden vault`: secret encryption (stateless `seal`/`open`) and the secret store
//! (`put`/`get`/`list`/`rm`/`rotate`/`retire`).
//!
//! The key ring comes from `$WARDEN_MASTER_KEY` (one key, base64url without padding or 64 hex
//! chars), else from `<data-dir>/master.keys`; with neither, commands needing a key exit 2
//! with code `no_master_key`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand};
use serde::Serialize;
use warden_security::vault::keyring::file as keyring_file;
use warden_security::vault::{
    self, Kek, KeyRing, KeyRingError, Kid, SecretStore, Vault, VaultError, KEYRING_FILE_NAME,
    MASTER_KEY_ENV,
};
use zeroize::Zeroizing;

use crate::output::{print_json, CliError, CmdResult, EXIT_OK};

/// Where the key ring and the store live.
#[derive(Debug, Args)]
pub struct DataDirArg {
    /// Data directory holding `master.keys` and the secret store (ignored for the key when
    /// $WARDEN_MASTER_KEY is set).
    #[arg(long, default_value = "./warden-data")]
    pub data_dir: PathBuf,
}

/// The secret's binding for `seal`/`open`.
#[derive(Debug, Args)]
pub struct BindingArgs {
    /// Namespace the envelope is bound to.
    #[arg(long)]
    pub namespace: String,
    /// Name the envelope is bound to.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    pub dir: DataDirArg,
}

/// A stored secret addressed as `NS/NAME`.
#[derive(Debug, Args)]
pub struct SecretPathArgs {
    /// `NAMESPACE/NAME` (split at the first `/`).
    pub path: String,
    #[command(flatten)]
    pub dir: DataDirArg,
}

/// `warden vault` subcommands.
#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Encrypt stdin into an envelope on stdout.
    Seal(BindingArgs),
    /// Decrypt an envelope on stdin to stdout.
    Open(BindingArgs),
    /// Store a secret: the value is read from stdin (raw bytes).
    Put(SecretPathArgs),
    /// Print a stored secret's raw bytes.
    Get(SecretPathArgs),
    /// List stored secrets as JSON (names and metadata, never values).
    List {
        /// Only this namespace.
        #[arg(long)]
        namespace: Option<String>,
        #[command(flatten)]
        dir: DataDirArg,
    },
    /// Delete a stored secret.
    Rm(SecretPathArgs),
    /// Add a new master key, make it active and re-wrap every stored secret under it.
    Rotate {
        /// Id of the new key (default: first 16 hex chars of its SHA-256).
        #[arg(long)]
        kid: Option<String>,
        #[command(flatten)]
        dir: DataDirArg,
    },
    /// Remove a master key from the key ring; refused while any stored secret uses it.
    Retire {
        /// Id of the key to retire.
        kid: String,
        #[command(flatten)]
        dir: DataDirArg,
    },
}

/// Runs `warden vault`.
pub fn run(cmd: &VaultCommand) -> CmdResult {
    match cmd {
        VaultCommand::Seal(a) => seal(a),
        VaultCommand::Open(a) => open(a),
        VaultCommand::Put(a) => block_on(put(a)),
        VaultCommand::Get(a) => block_on(get(a)),
        VaultCommand::List { namespace, dir } => block_on(list(namespace.as_deref(), dir)),
        VaultCommand::Rm(a) => block_on(rm(a)),
        VaultCommand::Rotate { kid, dir } => block_on(rotate(kid.as_deref(), dir)),
        VaultCommand::Retire { kid, dir } => block_on(retire(kid, dir)),
    }
}

/// The secret store: `[store] url` of the configuration (`--config`, `$WARDEN_CONFIG`,
/// `./warden.toml`), else the SQLite database of `data_dir`.
pub async fn open_store(data_dir: &Path) -> Result<Arc<dyn SecretStore>, CliError> {
    let cfg = warden_server::config::WardenConfig::load(crate::global::config_path())
        .map_err(|e| CliError::failure("config_invalid", e.to_string()))?;
    let store = warden_store::Store::open_in_data_dir(data_dir, &cfg.store)
        .await
        .map_err(|e| CliError::failure("store_unavailable", e.to_string()))?;
    Ok(store.secrets())
}

fn block_on(fut: impl std::future::Future<Output = CmdResult>) -> CmdResult {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure("internal", format!("cannot start runtime: {e}")))?
        .block_on(fut)
}

fn keyring_error(e: KeyRingError) -> CliError {
    match e {
        KeyRingError::InvalidKey => CliError::failure(
            "invalid_master_key",
            format!("{MASTER_KEY_ENV} or key ring: {e}"),
        ),
        other => CliError::failure("keyring_invalid", other.to_string()),
    }
}

/// The key ring from `$WARDEN_MASTER_KEY`, else `<data_dir>/master.keys`.
pub fn load_key_ring(data_dir: &Path) -> Result<KeyRing, CliError> {
    keyring_file::from_env_or_dir(data_dir)
        .map_err(keyring_error)?
        .ok_or_else(|| {
            CliError::failure(
                "no_master_key",
                format!(
                    "no vault key: set {MASTER_KEY_ENV} or create {} (warden init)",
                    data_dir.join(KEYRING_FILE_NAME).display()
                ),
            )
        })
}

/// Maps a vault error to the CLI's codes and exit statuses.
pub fn vault_error(e: VaultError) -> CliError {
    match &e {
        VaultError::AuthFailed => CliError::rejected("auth_failed", e.to_string()),
        VaultError::UnknownKid(_) => CliError::rejected("unknown_kid", e.to_string()),
        VaultError::Malformed(_) => CliError::rejected("malformed", e.to_string()),
        VaultError::KekInUse { .. } => CliError::rejected("kek_in_use", e.to_string()),
        VaultError::InvalidName(_) => CliError::failure("usage", e.to_string()),
        VaultError::TooLarge => CliError::failure("too_large", e.to_string()),
        VaultError::Random => CliError::failure("internal", e.to_string()),
        VaultError::KeyRing(k) => keyring_error(k.clone()),
        VaultError::Store(s) => CliError::failure("store_error", s.to_string()),
    }
}

fn read_stdin() -> Result<Zeroizing<Vec<u8>>, CliError> {
    let mut buf = Zeroizing::new(Vec::new());
    std::io::stdin()
        .lock()
        .read_to_end(&mut buf)
        .map_err(|e| CliError::failure("io", format!("cannot read stdin: {e}")))?;
    Ok(buf)
}

fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| CliError::failure("io", format!("cannot write to stdout: {e}")))
}

fn split_path(path: &str) -> Result<(&str, &str), CliError> {
    match path.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() => Ok((ns, name)),
        _ => Err(CliError::failure(
            "usage",
            format!("expected NAMESPACE/NAME, got `{path}`"),
        )),
    }
}

fn seal(a: &BindingArgs) -> CmdResult {
    let ring = load_key_ring(&a.dir.data_dir)?;
    let plaintext = read_stdin()?;
    let envelope = vault::seal(&ring, &a.namespace, &a.name, &plaintext).map_err(vault_error)?;
    write_stdout(&envelope)?;
    Ok(EXIT_OK)
}

fn open(a: &BindingArgs) -> CmdResult {
    let ring = load_key_ring(&a.dir.data_dir)?;
    let envelope = read_stdin()?;
    let plaintext = vault::open(&ring, &a.namespace, &a.name, &envelope).map_err(open_error)?;
    write_stdout(plaintext.expose())?;
    Ok(EXIT_OK)
}

/// `vault open`'s error: bytes that do not parse as an envelope — a changed magic, algorithm
/// byte, key id length or length, a truncation, or input that never was an envelope — cannot
/// be authenticated, so they are `auth_failed` like any other tampering (SPEC §8: "any
/// tampering"); the reason is in the message.
fn open_error(e: VaultError) -> CliError {
    match e {
        VaultError::Malformed(m) => CliError::rejected(
            "auth_failed",
            format!("authentication failed: not an intact envelope ({m})"),
        ),
        e => vault_error(e),
    }
}

async fn put(a: &SecretPathArgs) -> CmdResult {
    let (ns, name) = split_path(&a.path)?;
    let store = open_store(&a.dir.data_dir).await?;
    let ring = load_key_ring(&a.dir.data_dir)?;
    let value = read_stdin()?;
    let meta = Vault::new(store, ring)
        .put(ns, name, &value)
        .await
        .map_err(vault_error)?;
    print_json(&MetaJson::from(&meta))?;
    Ok(EXIT_OK)
}

async fn get(a: &SecretPathArgs) -> CmdResult {
    let (ns, name) = split_path(&a.path)?;
    let store = open_store(&a.dir.data_dir).await?;
    let ring = load_key_ring(&a.dir.data_dir)?;
    match Vault::new(store, ring)
        .get(ns, name)
        .await
        .map_err(vault_error)?
    {
        Some(value) => {
            write_stdout(value.expose())?;
            Ok(EXIT_OK)
        }
        None => Err(CliError::rejected(
            "not_found",
            format!("no secret {ns}/{name}"),
        )),
    }
}

/// Listing entry: names and metadata only.
#[derive(Serialize)]
struct MetaJson<'a> {
    namespace: &'a str,
    name: &'a str,
    kek_id: &'a str,
    created_at_ms: i64,
    updated_at_ms: i64,
}

impl<'a> From<&'a vault::SecretMeta> for MetaJson<'a> {
    fn from(m: &'a vault::SecretMeta) -> Self {
        Self {
            namespace: &m.namespace,
            name: &m.name,
            kek_id: &m.kek_id,
            created_at_ms: m.created_at_ms,
            updated_at_ms: m.updated_at_ms,
        }
    }
}

async fn list(namespace: Option<&str>, dir: &DataDirArg) -> CmdResult {
    let store = open_store(&dir.data_dir).await?;
    let metas = store
        .list(namespace)
        .await
        .map_err(|e| vault_error(e.into()))?;
    let secrets: Vec<MetaJson<'_>> = metas.iter().map(MetaJson::from).collect();
    print_json(&serde_json::json!({ "secrets": secrets }))?;
    Ok(EXIT_OK)
}

async fn rm(a: &SecretPathArgs) -> CmdResult {
    let (ns, name) = split_path(&a.path)?;
    let store = open_store(&a.dir.data_dir).await?;
    let existed = store
        .delete(ns, name)
        .await
        .map_err(|e| vault_error(e.into()))?;
    if !existed {
        return Err(CliError::rejected(
            "not_found",
            format!("no secret {ns}/{name}"),
        ));
    }
    print_json(&serde_json::json!({"deleted": {"namespace": ns, "name": name}}))?;
    Ok(EXIT_OK)
}

fn keyring_path_for_update(dir: &DataDirArg) -> Result<PathBuf, CliError> {
    if std::env::var(MASTER_KEY_ENV).is_ok_and(|v| !v.trim().is_empty()) {
        return Err(CliError::failure(
            "unsupported",
            format!("{MASTER_KEY_ENV} holds a single key; rotation needs the key ring file (unset it and use --data-dir)"),
        ));
    }
    Ok(dir.data_dir.join(KEYRING_FILE_NAME))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

async fn rotate(kid: Option<&str>, dir: &DataDirArg) -> CmdResult {
    let path = keyring_path_for_update(dir)?;
    let store = open_store(&dir.data_dir).await?;
    let mut ring = load_key_ring(&dir.data_dir)?;
    let kid = kid.map(Kid::new).transpose().map_err(keyring_error)?;
    match kid.as_ref().filter(|k| ring.get(k.as_str()).is_some()) {
        // A key already in the ring: activate it and resume re-wrapping (after a rotation
        // that stopped part way), without adding another key.
        Some(existing) => ring.set_active(existing.as_str()).map_err(keyring_error)?,
        None => {
            let kek = Kek::generate(kid, now_ms()).map_err(keyring_error)?;
            ring.add(kek.clone()).map_err(keyring_error)?;
            ring.set_active(kek.kid().as_str()).map_err(keyring_error)?;
        }
    }
    // Persist the new key first: a crash mid-rotation leaves every envelope openable.
    keyring_file::replace(&path, &ring).map_err(keyring_error)?;
    let vault = Vault::new(store, ring);
    let report = vault.rewrap_all().await.map_err(vault_error)?;
    if !report.failed.is_empty() {
        return Err(CliError::rejected(
            "rewrap_incomplete",
            format!(
                "{} re-wrapped, {} could not be opened and stay under their old key ({}); fix \
                 or remove them, then resume with `warden vault rotate --kid {}`",
                report.rewrapped,
                report.failed.len(),
                report.failed.join("; "),
                report.active_kid
            ),
        ));
    }
    print_json(&serde_json::json!({
        "active_kid": report.active_kid,
        "rewrapped": report.rewrapped,
        "unchanged": report.unchanged,
    }))?;
    Ok(EXIT_OK)
}

async fn retire(kid: &str, dir: &DataDirArg) -> CmdResult {
    let path = keyring_path_for_update(dir)?;
    let store = open_store(&dir.data_dir).await?;
    let ring = load_key_ring(&dir.data_dir)?;
    let vault = Vault::new(store, ring);
    vault.retire(kid).await.map_err(vault_error)?;
    keyring_file::replace(&path, &vault.key_ring()).map_err(keyring_error)?;
    print_json(&serde_json::json!({"retired": kid}))?;
    Ok(EXIT_OK)
}
