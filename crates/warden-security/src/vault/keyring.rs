//! The key ring: several key-encryption keys (KEKs), one active.
//!
//! Sources (SPEC §4), in order: `WARDEN_MASTER_KEY` — one 32-byte key as base64url without
//! padding (43 chars) or 64 hex chars, with the default key id — or the key ring file
//! `<data_dir>/master.keys`, a JSON document (see `docs/VAULT_FORMAT.md`):
//!
//! ```json
//! {"version":1,"active":"k2","keys":[
//!   {"kid":"k1","key":"<43 chars base64url, no padding>","created_at_ms":1700000000000},
//!   {"kid":"k2","key":"...","created_at_ms":1700000100000}]}
//! ```
//!
//! Keys are zeroized on drop and never appear in `Debug` output or error messages.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::aead::{self, KEY_LEN};

/// Name of the key ring file inside a data directory.
pub const KEYRING_FILE_NAME: &str = "master.keys";
/// Environment variable holding a single master key.
pub const MASTER_KEY_ENV: &str = "WARDEN_MASTER_KEY";
/// Longest key id, characters.
pub const MAX_KID_LEN: usize = 64;

/// Why a key ring or key could not be built or loaded. Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRingError {
    /// A key id is empty, longer than 64 chars, or has a char outside `[A-Za-z0-9._-]`.
    #[error("invalid key id: must be 1-64 characters of [A-Za-z0-9._-]")]
    InvalidKid,
    /// A master key is not 32 bytes as base64url (no padding) or 64 hex chars.
    #[error("invalid master key: expected 32 bytes as base64url without padding (43 chars) or 64 hex chars")]
    InvalidKey,
    /// Two keys share an id.
    #[error("duplicate key id `{0}` in the key ring")]
    DuplicateKid(String),
    /// The named key is not in the ring.
    #[error("key id `{0}` is not in the key ring")]
    UnknownKid(String),
    /// The active key cannot be removed.
    #[error("key `{0}` is the active key and cannot be retired")]
    RetireActive(String),
    /// The ring has no key.
    #[error("the key ring is empty")]
    Empty,
    /// The key ring file does not parse.
    #[error("key ring file is invalid: {0}")]
    Format(String),
    /// The key ring file could not be read or written.
    #[error("key ring file {path}: {reason}")]
    Io {
        /// File path.
        path: String,
        /// What failed.
        reason: String,
    },
    /// The key ring file already exists (creation refuses to overwrite).
    #[error("key ring file {0} already exists")]
    AlreadyExists(String),
    /// The system random source failed.
    #[error("the system random number generator failed")]
    Random,
}

/// A validated key id: 1–64 chars of `[A-Za-z0-9._-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid(String);

impl Kid {
    /// Validates `s` as a key id.
    pub fn new(s: &str) -> Result<Self, KeyRingError> {
        if Self::is_valid(s.as_bytes()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(KeyRingError::InvalidKid)
        }
    }

    /// True when `b` is a syntactically valid key id.
    pub fn is_valid(b: &[u8]) -> bool {
        !b.is_empty()
            && b.len() <= MAX_KID_LEN
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
    }

    /// The default id of a key: the first 16 hex chars of SHA-256 of the key bytes.
    pub fn default_for(key: &[u8; KEY_LEN]) -> Self {
        let digest = aead::sha256(key);
        Self(hex_lower(&digest[..8]))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

fn hex_nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A key-encryption key: 32 secret bytes and their id. Zeroized on drop; `Debug` shows the
/// id only.
#[derive(Clone)]
pub struct Kek {
    kid: Kid,
    key: Zeroizing<[u8; KEY_LEN]>,
    created_at_ms: i64,
}

impl Kek {
    /// A KEK from raw bytes; `kid` defaults to [`Kid::default_for`].
    pub fn new(key: [u8; KEY_LEN], kid: Option<Kid>, created_at_ms: i64) -> Self {
        let key = Zeroizing::new(key);
        let kid = kid.unwrap_or_else(|| Kid::default_for(&key));
        Self {
            kid,
            key,
            created_at_ms,
        }
    }

    /// A fresh random KEK from the system CSPRNG.
    pub fn generate(kid: Option<Kid>, created_at_ms: i64) -> Result<Self, KeyRingError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        aead::fill_random(key.as_mut()).map_err(|_| KeyRingError::Random)?;
        Ok(Self::new(*key, kid, created_at_ms))
    }

    /// Parses a master key string: base64url without padding (43 chars) or 64 hex chars.
    /// Surrounding whitespace is ignored.
    pub fn parse_master_key(text: &str, kid: Option<Kid>) -> Result<Self, KeyRingError> {
        let text = text.trim();
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if text.len() == 2 * KEY_LEN {
            for (i, pair) in text.as_bytes().chunks_exact(2).enumerate() {
                let hi = hex_nibble(pair[0]).ok_or(KeyRingError::InvalidKey)?;
                let lo = hex_nibble(pair[1]).ok_or(KeyRingError::InvalidKey)?;
                key[i] = (hi << 4) | lo;
            }
        } else {
            let mut decoded = Zeroizing::new(
                URL_SAFE_NO_PAD
                    .decode(text.as_bytes())
                    .map_err(|_| KeyRingError::InvalidKey)?,
            );
            if decoded.len() != KEY_LEN {
                decoded.zeroize();
                return Err(KeyRingError::InvalidKey);
            }
            key.copy_from_slice(&decoded);
        }
        Ok(Self::new(*key, kid, 0))
    }

    /// The key id.
    pub fn kid(&self) -> &Kid {
        &self.kid
    }

    /// Creation time, unix milliseconds (0 when unknown, e.g. from the environment).
    pub fn created_at_ms(&self) -> i64 {
        self.created_at_ms
    }

    /// The key bytes as base64url without padding (for writing a key ring file).
    pub fn to_base64url(&self) -> Zeroizing<String> {
        Zeroizing::new(URL_SAFE_NO_PAD.encode(self.key.as_ref()))
    }

    pub(crate) fn key(&self) -> &[u8; KEY_LEN] {
        &self.key
    }
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kek")
            .field("kid", &self.kid.as_str())
            .field("key", &"<redacted>")
            .field("created_at_ms", &self.created_at_ms)
            .finish()
    }
}

/// Several KEKs, one of them active (new envelopes and re-wraps use it).
#[derive(Clone, Debug)]
pub struct KeyRing {
    keys: Vec<Kek>,
    active: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileKey {
    kid: String,
    key: String,
    #[serde(default)]
    created_at_ms: i64,
}

impl Drop for FileKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRing {
    version: u32,
    active: String,
    keys: Vec<FileKey>,
}

impl KeyRing {
    /// A ring holding one key, which is active.
    pub fn single(kek: Kek) -> Self {
        Self {
            keys: vec![kek],
            active: 0,
        }
    }

    /// A ring from keys and the id of the active one.
    pub fn new(keys: Vec<Kek>, active: &str) -> Result<Self, KeyRingError> {
        if keys.is_empty() {
            return Err(KeyRingError::Empty);
        }
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].iter().any(|o| o.kid == k.kid) {
                return Err(KeyRingError::DuplicateKid(k.kid.0.clone()));
            }
        }
        let active = keys
            .iter()
            .position(|k| k.kid.as_str() == active)
            .ok_or_else(|| KeyRingError::UnknownKid(active.to_owned()))?;
        Ok(Self { keys, active })
    }

    /// A one-key ring from a `WARDEN_MASTER_KEY` value.
    pub fn from_master_key(text: &str) -> Result<Self, KeyRingError> {
        Ok(Self::single(Kek::parse_master_key(text, None)?))
    }

    /// Parses a key ring file (format in the module docs).
    pub fn from_json(bytes: &[u8]) -> Result<Self, KeyRingError> {
        let file: FileRing = serde_json::from_slice(bytes).map_err(|e| {
            // serde_json messages quote input only for type mismatches of scalars; report
            // position and category, never content.
            KeyRingError::Format(format!(
                "{:?} error at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        if file.version != 1 {
            return Err(KeyRingError::Format(format!(
                "unsupported version {}",
                file.version
            )));
        }
        let mut keys = Vec::with_capacity(file.keys.len());
        for k in &file.keys {
            let kid = Kid::new(&k.kid)?;
            let mut kek = Kek::parse_master_key(&k.key, Some(kid))?;
            kek.created_at_ms = k.created_at_ms;
            keys.push(kek);
        }
        Self::new(keys, &file.active)
    }

    /// Serializes the ring as a key ring file (pretty JSON). The result holds key material.
    pub fn to_json(&self) -> Zeroizing<String> {
        let file = FileRing {
            version: 1,
            active: self.active().kid.0.clone(),
            keys: self
                .keys
                .iter()
                .map(|k| FileKey {
                    kid: k.kid.0.clone(),
                    key: k.to_base64url().to_string(),
                    created_at_ms: k.created_at_ms,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        Zeroizing::new(text)
    }

    /// The active KEK.
    pub fn active(&self) -> &Kek {
        &self.keys[self.active]
    }

    /// The KEK with id `kid`, if present.
    pub fn get(&self, kid: &str) -> Option<&Kek> {
        self.keys.iter().find(|k| k.kid.as_str() == kid)
    }

    /// All KEKs, in insertion order.
    pub fn keys(&self) -> &[Kek] {
        &self.keys
    }

    /// Adds a KEK (not active).
    pub fn add(&mut self, kek: Kek) -> Result<(), KeyRingError> {
        if self.get(kek.kid.as_str()).is_some() {
            return Err(KeyRingError::DuplicateKid(kek.kid.0.clone()));
        }
        self.keys.push(kek);
        Ok(())
    }

    /// Makes `kid` the active KEK.
    pub fn set_active(&mut self, kid: &str) -> Result<(), KeyRingError> {
        self.active = self
            .keys
            .iter()
            .position(|k| k.kid.as_str() == kid)
            .ok_or_else(|| KeyRingError::UnknownKid(kid.to_owned()))?;
        Ok(())
    }

    /// Removes a non-active KEK from the ring (callers check it is unused first: see
    /// [`super::Vault::retire`]).
    pub fn remove(&mut self, kid: &str) -> Result<Kek, KeyRingError> {
        let idx = self
            .keys
            .iter()
            .position(|k| k.kid.as_str() == kid)
            .ok_or_else(|| KeyRingError::UnknownKid(kid.to_owned()))?;
        if idx == self.active {
            return Err(KeyRingError::RetireActive(kid.to_owned()));
        }
        let kek = self.keys.remove(idx);
        if idx < self.active {
            self.active -= 1;
        }
        Ok(kek)
    }
}

/// Loading and creating the key ring file (feature `keyring-file`: the crate's only disk I/O).
#[cfg(feature = "keyring-file")]
pub mod file {
    use std::io::Write as _;
    use std::path::Path;

    use super::{KeyRing, KeyRingError, MASTER_KEY_ENV};

    fn io_err(path: &Path, e: std::io::Error) -> KeyRingError {
        KeyRingError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }

    /// Reads a key ring file.
    pub fn load(path: &Path) -> Result<KeyRing, KeyRingError> {
        let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| io_err(path, e))?);
        KeyRing::from_json(&bytes)
    }

    /// Writes `ring` to `path`, mode 0600, refusing to overwrite an existing file.
    pub fn create(path: &Path, ring: &KeyRing) -> Result<(), KeyRingError> {
        write(path, ring)
    }

    /// Replaces the key ring file atomically (temp file, mode 0600, then rename).
    pub fn replace(path: &Path, ring: &KeyRing) -> Result<(), KeyRingError> {
        let tmp = path.with_extension("keys.tmp");
        let _ = std::fs::remove_file(&tmp);
        write(&tmp, ring)?;
        std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))
    }

    fn write(path: &Path, ring: &KeyRing) -> Result<(), KeyRingError> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyRingError::AlreadyExists(path.display().to_string())
            } else {
                io_err(path, e)
            }
        })?;
        let text = ring.to_json();
        f.write_all(text.as_bytes()).map_err(|e| io_err(path, e))?;
        f.sync_all().map_err(|e| io_err(path, e))
    }

    /// The key ring from `$WARDEN_MASTER_KEY` when set (non-empty), else from
    /// `<data_dir>/master.keys`. `Ok(None)` when neither exists.
    pub fn from_env_or_dir(data_dir: &Path) -> Result<Option<KeyRing>, KeyRingError> {
        if let Ok(value) = std::env::var(MASTER_KEY_ENV) {
            let value = zeroize::Zeroizing::new(value);
            if !value.trim().is_empty() {
                return KeyRing::from_master_key(&value).map(Some);
            }
        }
        let path = data_dir.join(super::KEYRING_FILE_NAME);
        match std::fs::metadata(&path) {
            Ok(_) => load(&path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path, e)),
        }
    }
}

#[cfg(all(test, feature = "keyring-file", unix))]
#[allow(clippy::unwrap_used)]
mod file_tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "warden-keyring-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn create_writes_mode_0600_and_loads_back() {
        let dir = temp_dir("create");
        let path = dir.join(KEYRING_FILE_NAME);
        let ring = KeyRing::single(Kek::generate(None, 1).unwrap());
        file::create(&path, &ring).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = file::load(&path).unwrap();
        assert_eq!(back.active().key(), ring.active().key());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let dir = temp_dir("overwrite");
        let path = dir.join(KEYRING_FILE_NAME);
        let ring = KeyRing::single(Kek::generate(None, 1).unwrap());
        file::create(&path, &ring).unwrap();
        assert!(matches!(
            file::create(&path, &ring).unwrap_err(),
            KeyRingError::AlreadyExists(_)
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn replace_swaps_contents_and_keeps_mode() {
        let dir = temp_dir("replace");
        let path = dir.join(KEYRING_FILE_NAME);
        let mut ring = KeyRing::single(Kek::generate(Some(Kid::new("a").unwrap()), 1).unwrap());
        file::create(&path, &ring).unwrap();
        ring.add(Kek::generate(Some(Kid::new("b").unwrap()), 2).unwrap())
            .unwrap();
        ring.set_active("b").unwrap();
        file::replace(&path, &ring).unwrap();
        assert_eq!(file::load(&path).unwrap().active().kid().as_str(), "b");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn parses_hex_master_key() {
        let k = Kek::parse_master_key(HEX_KEY, None).unwrap();
        assert_eq!(k.key()[31], 0x1f);
    }

    #[test]
    fn parses_base64url_master_key_equal_to_hex() {
        let hex = Kek::parse_master_key(HEX_KEY, None).unwrap();
        let b64 = Kek::parse_master_key(&hex.to_base64url(), None).unwrap();
        assert_eq!(hex.key(), b64.key());
        assert_eq!(hex.kid(), b64.kid());
    }

    #[test]
    fn rejects_padded_or_short_master_keys() {
        let b64 = Kek::parse_master_key(HEX_KEY, None).unwrap().to_base64url();
        assert_eq!(
            Kek::parse_master_key(&format!("{}=", b64.as_str()), None).unwrap_err(),
            KeyRingError::InvalidKey
        );
        assert_eq!(
            Kek::parse_master_key(&HEX_KEY[..62], None).unwrap_err(),
            KeyRingError::InvalidKey
        );
        assert_eq!(
            Kek::parse_master_key(&HEX_KEY.replace('0', "g"), None).unwrap_err(),
            KeyRingError::InvalidKey
        );
    }

    #[test]
    fn default_kid_is_first_16_hex_of_sha256() {
        let k = Kek::parse_master_key(HEX_KEY, None).unwrap();
        // sha256(00..1f) = 630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd
        assert_eq!(k.kid().as_str(), "630dcd2966c43366");
    }

    #[test]
    fn kid_validation_rejects_bad_chars_and_lengths() {
        assert!(Kid::new("a.b_c-D9").is_ok());
        assert!(Kid::new(&"x".repeat(64)).is_ok());
        assert_eq!(Kid::new("").unwrap_err(), KeyRingError::InvalidKid);
        assert_eq!(
            Kid::new(&"x".repeat(65)).unwrap_err(),
            KeyRingError::InvalidKid
        );
        assert_eq!(Kid::new("a/b").unwrap_err(), KeyRingError::InvalidKid);
        assert_eq!(Kid::new("é").unwrap_err(), KeyRingError::InvalidKid);
    }

    #[test]
    fn kek_debug_redacts_key() {
        let k = Kek::parse_master_key(HEX_KEY, None).unwrap();
        let dbg = format!("{k:?}");
        assert!(dbg.contains("<redacted>"));
        assert!(!dbg.contains(k.to_base64url().as_str()));
        let ring = KeyRing::single(k);
        assert!(!format!("{ring:?}").contains("AAECAwQF"));
    }

    #[test]
    fn json_round_trip_keeps_keys_and_active() {
        let mut ring = KeyRing::single(Kek::generate(Some(Kid::new("a").unwrap()), 5).unwrap());
        ring.add(Kek::generate(Some(Kid::new("b").unwrap()), 6).unwrap())
            .unwrap();
        ring.set_active("b").unwrap();
        let back = KeyRing::from_json(ring.to_json().as_bytes()).unwrap();
        assert_eq!(back.active().kid().as_str(), "b");
        assert_eq!(back.keys().len(), 2);
        assert_eq!(back.get("a").unwrap().key(), ring.get("a").unwrap().key());
        assert_eq!(back.get("a").unwrap().created_at_ms(), 5);
    }

    #[test]
    fn json_rejects_unknown_active_duplicates_and_version() {
        let k = Kek::parse_master_key(HEX_KEY, None).unwrap().to_base64url();
        let doc = |active: &str, kids: [&str; 2], v: u32| {
            format!(
                r#"{{"version":{v},"active":"{active}","keys":[{{"kid":"{}","key":"{}"}},{{"kid":"{}","key":"{}"}}]}}"#,
                kids[0],
                k.as_str(),
                kids[1],
                k.as_str()
            )
        };
        assert!(KeyRing::from_json(doc("a", ["a", "b"], 1).as_bytes()).is_ok());
        assert_eq!(
            KeyRing::from_json(doc("c", ["a", "b"], 1).as_bytes()).unwrap_err(),
            KeyRingError::UnknownKid("c".into())
        );
        assert_eq!(
            KeyRing::from_json(doc("a", ["a", "a"], 1).as_bytes()).unwrap_err(),
            KeyRingError::DuplicateKid("a".into())
        );
        assert!(matches!(
            KeyRing::from_json(doc("a", ["a", "b"], 2).as_bytes()).unwrap_err(),
            KeyRingError::Format(_)
        ));
    }

    #[test]
    fn json_error_does_not_echo_key_material() {
        let err = KeyRing::from_json(
            br#"{"version":1,"active":"a","keys":[{"kid":"a","key":12345678}]}"#,
        )
        .unwrap_err();
        assert!(!err.to_string().contains("12345678"));
    }

    #[test]
    fn remove_refuses_active_key() {
        let mut ring = KeyRing::single(Kek::generate(Some(Kid::new("a").unwrap()), 0).unwrap());
        assert_eq!(
            ring.remove("a").unwrap_err(),
            KeyRingError::RetireActive("a".into())
        );
    }

    #[test]
    fn remove_keeps_active_index_consistent() {
        let mut ring = KeyRing::single(Kek::generate(Some(Kid::new("a").unwrap()), 0).unwrap());
        ring.add(Kek::generate(Some(Kid::new("b").unwrap()), 0).unwrap())
            .unwrap();
        ring.set_active("b").unwrap();
        ring.remove("a").unwrap();
        assert_eq!(ring.active().kid().as_str(), "b");
    }
}
