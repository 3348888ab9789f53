//! `warden init`: create a data directory.

use std::path::{Path, PathBuf};

use clap::Args;
use warden_server::config::WardenConfig;
use warden_server::datadir::{DataDir, DataDirError};
use warden_server::runtime::{init_data_dir, RuntimeError};

use crate::output::{print_json, CliError, CmdResult, EXIT_OK};

/// Arguments of `warden init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Data directory to create.
    #[arg(long, default_value = "./warden-data")]
    pub data_dir: PathBuf,
}

/// Loads the configuration or fails with `config_invalid` (exit 2).
pub fn load_config(config: Option<&Path>) -> Result<WardenConfig, CliError> {
    WardenConfig::load(config).map_err(|e| CliError::failure("config_invalid", e.to_string()))
}

/// Maps a runtime error to the CLI's error codes (all exit 2).
pub fn runtime_error(e: RuntimeError) -> CliError {
    let code = match &e {
        RuntimeError::DataDir(DataDirError::Exists(_) | DataDirError::ForeignAuditLog(_)) => {
            "exists"
        }
        RuntimeError::DataDir(DataDirError::MissingAuditLog(_)) => "store_unavailable",
        RuntimeError::DataDir(_) => "io",
        RuntimeError::Config(_) => "config_invalid",
        RuntimeError::Keys(_) => "keys",
        RuntimeError::Store(_) => "store_unavailable",
    };
    CliError::failure(code, e.to_string())
}

/// A multi-threaded Tokio runtime for commands that need one.
pub fn tokio_runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure("internal", format!("cannot start runtime: {e}")))
}

/// Runs `warden init`: prints `{"data_dir","created":[…],"admin_token_file","signing_alg"}`.
pub fn run(args: &InitArgs, config: Option<&Path>) -> CmdResult {
    let cfg = load_config(config)?;
    let dd = DataDir::new(&args.data_dir);
    let report = tokio_runtime()?
        .block_on(init_data_dir(&dd, &cfg))
        .map_err(runtime_error)?;
    print_json(&report)?;
    Ok(EXIT_OK)
}
