//! The audit key: 32 random bytes in `<data_dir>/audit.key` (mode 0600) that key the
//! HMAC-SHA256 hash chain of the audit log.
//!
//! The file holds the raw 32 bytes. For operators who provision it by hand, 64 hex characters
//! (optionally followed by a newline) are accepted too.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

/// File name of the audit key inside the data directory.
pub const AUDIT_KEY_FILE: &str = "audit.key";

/// Length of the key in bytes.
pub const AUDIT_KEY_LEN: usize = 32;

/// The audit chain key. Zeroized on drop; `Debug` never shows it.
#[derive(Clone)]
pub struct AuditKey([u8; AUDIT_KEY_LEN]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

impl Drop for AuditKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl AuditKey {
    /// A fresh key from the operating system's random generator.
    pub fn generate() -> Self {
        let mut k = [0u8; AUDIT_KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut k);
        Self(k)
    }

    /// A key from its bytes.
    pub fn from_bytes(bytes: [u8; AUDIT_KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The audit key file could not be created or used.
#[derive(Debug, thiserror::Error)]
pub enum AuditKeyError {
    /// The file exists and creating it would overwrite it.
    #[error("audit key {0} already exists; refusing to overwrite it")]
    Exists(PathBuf),
    /// The file does not exist.
    #[error("audit key {0} not found (run `warden init`)")]
    Missing(PathBuf),
    /// The file does not hold 32 bytes (raw) or 64 hex characters.
    #[error("audit key {0} is malformed: expected 32 raw bytes or 64 hex characters")]
    Malformed(PathBuf),
    /// Reading or writing failed.
    #[error("audit key {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// `<data_dir>/audit.key`.
pub fn audit_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(AUDIT_KEY_FILE)
}

/// Creates `<data_dir>/audit.key` with a fresh key, mode 0600; refuses to overwrite.
pub fn create(data_dir: &Path) -> Result<AuditKey, AuditKeyError> {
    let path = audit_key_path(data_dir);
    let key = AuditKey::generate();
    write_new(&path, key.as_bytes())?;
    Ok(key)
}

/// Loads `<data_dir>/audit.key`.
pub fn load(data_dir: &Path) -> Result<AuditKey, AuditKeyError> {
    load_file(&audit_key_path(data_dir))
}

/// Loads `<data_dir>/audit.key`, creating it first when it does not exist.
pub fn load_or_create(data_dir: &Path) -> Result<AuditKey, AuditKeyError> {
    match create(data_dir) {
        Ok(k) => Ok(k),
        Err(AuditKeyError::Exists(_)) => load(data_dir),
        Err(e) => Err(e),
    }
}

/// Loads a key file (raw 32 bytes, or 64 hex characters with optional trailing whitespace).
pub fn load_file(path: &Path) -> Result<AuditKey, AuditKeyError> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            AuditKeyError::Missing(path.to_path_buf())
        } else {
            AuditKeyError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?);
    let mut key = [0u8; AUDIT_KEY_LEN];
    if bytes.len() == AUDIT_KEY_LEN {
        key.copy_from_slice(&bytes);
        return Ok(AuditKey(key));
    }
    let text = bytes.trim_ascii_end();
    if text.len() == 2 * AUDIT_KEY_LEN {
        for (i, pair) in text.chunks_exact(2).enumerate() {
            match (hex_val(pair[0]), hex_val(pair[1])) {
                (Some(h), Some(l)) => key[i] = (h << 4) | l,
                _ => {
                    key.zeroize();
                    return Err(AuditKeyError::Malformed(path.to_path_buf()));
                }
            }
        }
        return Ok(AuditKey(key));
    }
    Err(AuditKeyError::Malformed(path.to_path_buf()))
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), AuditKeyError> {
    let io = |source| AuditKeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            AuditKeyError::Exists(path.to_path_buf())
        } else {
            io(source)
        }
    })?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_then_load_round_trips_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let k = create(dir.path()).unwrap();
        assert_eq!(load(dir.path()).unwrap().as_bytes(), k.as_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(audit_key_path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path()).unwrap();
        assert!(matches!(create(dir.path()), Err(AuditKeyError::Exists(_))));
    }

    #[test]
    fn missing_and_malformed_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(dir.path()), Err(AuditKeyError::Missing(_))));
        std::fs::write(audit_key_path(dir.path()), b"short").unwrap();
        assert!(matches!(load(dir.path()), Err(AuditKeyError::Malformed(_))));
    }

    #[test]
    fn hex_key_files_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let hex = "00".repeat(31) + "ff\n";
        std::fs::write(audit_key_path(dir.path()), hex).unwrap();
        let k = load(dir.path()).unwrap();
        assert_eq!(k.as_bytes()[31], 0xff);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn key_files_of_any_content_load_or_fail_cleanly(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(audit_key_path(dir.path()), &bytes).unwrap();
            match load(dir.path()) {
                Ok(_) => proptest::prop_assert!(bytes.len() == 32 || bytes.trim_ascii_end().len() == 64),
                Err(e) => proptest::prop_assert!(matches!(e, AuditKeyError::Malformed(_))),
            }
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let k = AuditKey::from_bytes([7u8; 32]);
        assert_eq!(format!("{k:?}"), "AuditKey(<redacted>)");
    }
}
