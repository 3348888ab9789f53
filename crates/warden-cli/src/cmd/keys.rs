//! `warden keys`: signing key set management (SPEC §3, §8).
//!
//! The key set is a JWKS file with private keys (mode 0600). `generate` prints a new set (or
//! writes it with `--out`, never overwriting); `rotate`, `retire`, `list` and `jwks` work on
//! the file named by `--keys FILE`, else `--data-dir D` (`D/keys.json`), else
//! `./warden-data/keys.json`.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use warden_security::keys::{Algorithm, KeySet};

use crate::output::{print_json, CliError, CmdResult, EXIT_OK};

/// Default data directory.
pub use warden_server::datadir::DEFAULT_DATA_DIR;

/// Where the key set file is.
#[derive(Debug, Clone, Args)]
pub struct KeyFileArgs {
    /// The key set file (JWKS with private keys).
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
    /// Data directory holding `keys.json` (default ./warden-data).
    #[arg(long, value_name = "D")]
    pub data_dir: Option<PathBuf>,
}

impl KeyFileArgs {
    /// The key file path: `--keys`, else `<data-dir>/keys.json`.
    pub fn path(&self) -> PathBuf {
        match (&self.keys, &self.data_dir) {
            (Some(k), _) => k.clone(),
            (None, Some(d)) => d.join("keys.json"),
            (None, None) => Path::new(DEFAULT_DATA_DIR).join("keys.json"),
        }
    }

    /// Loads the key set.
    pub fn load(&self) -> Result<KeySet, CliError> {
        load_key_file(&self.path())
    }
}

/// Reads and parses a JWKS file (strict).
pub fn load_key_file(path: &Path) -> Result<KeySet, CliError> {
    load_key_file_with(path, KeySet::from_json)
}

/// Reads a JWKS file and parses it with `parse` (`KeySet::from_json`, or
/// `KeySet::for_verification` for someone else's keys).
pub fn load_key_file_with(
    path: &Path,
    parse: impl FnOnce(&str) -> Result<KeySet, warden_security::keys::KeyError>,
) -> Result<KeySet, CliError> {
    let text = zeroize::Zeroizing::new(fs::read_to_string(path).map_err(|e| {
        CliError::failure(
            "keys_unavailable",
            format!("cannot read key set {}: {e}", path.display()),
        )
    })?);
    parse(&text).map_err(|e| {
        CliError::failure(
            "keys_invalid",
            format!("key set {} is invalid: {e}", path.display()),
        )
    })
}

/// `warden keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key set with one active signing key; prints it, or writes it to --out (0600).
    Generate {
        /// Algorithm: HS256, HS384, HS512, EdDSA, ES256, RS256, PS256.
        #[arg(long, default_value = "EdDSA")]
        alg: String,
        /// Write the key set to this new file (mode 0600; never overwritten).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Add a new active key; old keys keep verifying until retired.
    Rotate {
        /// Algorithm of the new key (default: the current active key's).
        #[arg(long)]
        alg: Option<String>,
        #[command(flatten)]
        file: KeyFileArgs,
    },
    /// Remove a (non-active) key; tokens it signed stop verifying.
    Retire {
        /// The key id to remove.
        kid: String,
        #[command(flatten)]
        file: KeyFileArgs,
    },
    /// List the keys (never their material).
    List {
        #[command(flatten)]
        file: KeyFileArgs,
    },
    /// Print the public JWKS (asymmetric keys only, public members only).
    Jwks {
        #[command(flatten)]
        file: KeyFileArgs,
    },
}

fn parse_alg(s: &str) -> Result<Algorithm, CliError> {
    s.parse::<Algorithm>()
        .map_err(|e| CliError::failure("usage", e.to_string()))
}

/// Writes `bytes` to a new file with mode 0600, refusing to overwrite.
pub fn write_new_private_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::failure(
                "exists",
                format!(
                    "{} already exists; refusing to overwrite it",
                    path.display()
                ),
            )
        } else {
            CliError::failure("io", format!("cannot create {}: {e}", path.display()))
        }
    })?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| CliError::failure("io", format!("cannot write {}: {e}", path.display())))
}

/// Atomically writes a private file, replacing any there: a new 0600 file beside it, then a
/// rename.
pub fn replace_private_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let name = path
        .file_name()
        .map_or_else(|| "private".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    write_new_private_file(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        CliError::failure("io", format!("cannot replace {}: {e}", path.display()))
    })
}

fn listing(set: &KeySet) -> serde_json::Value {
    serde_json::json!({
        "active": set.active_key().map(|k| k.kid()),
        "keys": set.list(),
    })
}

/// Runs `warden keys`.
pub fn run(cmd: &KeysCommand) -> CmdResult {
    match cmd {
        KeysCommand::Generate { alg, out } => {
            let alg = parse_alg(alg)?;
            let set =
                KeySet::generate(alg).map_err(|e| CliError::failure("internal", e.to_string()))?;
            let doc = set.to_private_json();
            match out {
                Some(path) => {
                    write_new_private_file(path, doc.as_bytes())?;
                    print_json(&serde_json::json!({
                        "written": path.display().to_string(),
                        "active": set.active_key().map(|k| k.kid()),
                        "alg": alg.as_str(),
                    }))?;
                }
                None => {
                    let v: serde_json::Value = serde_json::from_str(&doc)
                        .map_err(|e| CliError::failure("internal", e.to_string()))?;
                    print_json(&v)?;
                }
            }
            Ok(EXIT_OK)
        }
        KeysCommand::Rotate { alg, file } => {
            let path = file.path();
            let mut set = load_key_file(&path)?;
            let alg = alg.as_deref().map(parse_alg).transpose()?;
            set.rotate(alg)
                .map_err(|e| CliError::failure("keys_invalid", e.to_string()))?;
            replace_private_file(&path, set.to_private_json().as_bytes())?;
            print_json(&listing(&set))?;
            Ok(EXIT_OK)
        }
        KeysCommand::Retire { kid, file } => {
            let path = file.path();
            let mut set = load_key_file(&path)?;
            set.retire(kid)
                .map_err(|e| CliError::failure("usage", e.to_string()))?;
            replace_private_file(&path, set.to_private_json().as_bytes())?;
            print_json(&listing(&set))?;
            Ok(EXIT_OK)
        }
        KeysCommand::List { file } => {
            print_json(&listing(&file.load()?))?;
            Ok(EXIT_OK)
        }
        KeysCommand::Jwks { file } => {
            print_json(&file.load()?.public_jwks())?;
            Ok(EXIT_OK)
        }
    }
}
