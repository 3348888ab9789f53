//! `warden serve`: run the HTTP service.

use std::path::PathBuf;

use clap::Args;

use crate::output::{CliError, CmdResult};

/// Arguments of `warden serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Data directory (initialized on first start).
    #[arg(long, default_value = "./warden-data")]
    pub data_dir: PathBuf,
}

/// Runs `warden serve`.
pub fn run(_args: &ServeArgs) -> CmdResult {
    Err(CliError::not_implemented("serve"))
}
