//! Process-wide settings from global flags (set once in `main`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static CONFIG_PATH: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Records the global `--config` (or `$WARDEN_CONFIG`) value.
pub fn set_config_path(path: Option<PathBuf>) {
    let _ = CONFIG_PATH.set(path);
}

/// The global `--config` value, if any.
pub fn config_path() -> Option<&'static Path> {
    CONFIG_PATH.get().and_then(|p| p.as_deref())
}
