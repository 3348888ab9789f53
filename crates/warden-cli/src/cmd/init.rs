//! `warden init`: create a data directory.

use std::path::PathBuf;

use clap::Args;

use crate::output::{CliError, CmdResult};

/// Arguments of `warden init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Data directory to create.
    #[arg(long, default_value = "./warden-data")]
    pub data_dir: PathBuf,
}

/// Runs `warden init`.
pub fn run(_args: &InitArgs) -> CmdResult {
    Err(CliError::not_implemented("init"))
}
