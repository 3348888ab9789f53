//! The data directory: where keys, the vault key ring, the audit key, the database and the
//! first admin token live. Every file is created with mode 0600 (the directory 0700) and is
//! never overwritten.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Default data directory.
pub const DEFAULT_DATA_DIR: &str = "./warden-data";

/// The files of a data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

/// A data-directory operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// The file already exists (Warden never overwrites key material).
    #[error("{0} already exists; refusing to overwrite it")]
    Exists(PathBuf),
    /// The store already holds an audit log, and the audit key it is chained under is not in
    /// the data directory (initializing would chain new records under a new key).
    #[error(
        "the store already holds an audit log chained under an audit key that is not in {0} \
         (put its audit.key there, or use another store); refusing to start a new chain"
    )]
    ForeignAuditLog(PathBuf),
    /// The data directory was initialized, with its audit log in its own database, and that
    /// database is gone (starting would begin a new chain and hide the loss).
    #[error(
        "{0} is missing from an initialized data directory; refusing to start a new audit \
         chain (restore it from a backup, or initialize another data directory)"
    )]
    MissingAuditLog(PathBuf),
    /// An I/O error.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl DataDir {
    /// A data directory rooted at `root` (not created).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `keys.json`: the signing key set (JWKS with private keys).
    pub fn keys(&self) -> PathBuf {
        self.root.join("keys.json")
    }

    /// `master.keys`: the vault key ring.
    pub fn master_keys(&self) -> PathBuf {
        self.root.join("master.keys")
    }

    /// `audit.key`: the audit chain HMAC key.
    pub fn audit_key(&self) -> PathBuf {
        self.root.join("audit.key")
    }

    /// `warden.db`: the SQLite database.
    pub fn database(&self) -> PathBuf {
        self.root.join("warden.db")
    }

    /// `admin.token`: the first admin token.
    pub fn admin_token(&self) -> PathBuf {
        self.root.join("admin.token")
    }

    /// True when the directory holds an initialized data set (its key set exists).
    pub fn is_initialized(&self) -> bool {
        self.keys().is_file()
    }

    /// Creates the directory (mode 0700 on Unix) if it does not exist.
    pub fn create_dir(&self) -> Result<(), DataDirError> {
        fs::create_dir_all(&self.root).map_err(|source| DataDirError::Io {
            path: self.root.clone(),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700)).map_err(
                |source| DataDirError::Io {
                    path: self.root.clone(),
                    source,
                },
            )?;
        }
        Ok(())
    }
}

/// Writes `bytes` to a new file with mode 0600; fails with [`DataDirError::Exists`] when the
/// file exists (created with `O_EXCL`, so two processes cannot both win).
pub fn write_new_private_file(path: &Path, bytes: &[u8]) -> Result<(), DataDirError> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            DataDirError::Exists(path.to_path_buf())
        } else {
            DataDirError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|source| DataDirError::Io {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_files_are_0600_and_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("warden-dd-{}", uuid::Uuid::new_v4()));
        let dd = DataDir::new(&dir);
        dd.create_dir().unwrap();
        write_new_private_file(&dd.audit_key(), b"k").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dd.audit_key()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(matches!(
            write_new_private_file(&dd.audit_key(), b"x"),
            Err(DataDirError::Exists(_))
        ));
        assert_eq!(fs::read(dd.audit_key()).unwrap(), b"k");
        let _ = fs::remove_dir_all(dir);
    }
}
