//! `warden detect`: bot and scanner detection.

use clap::Args;

use crate::output::{CliError, CmdResult};

/// Arguments of `warden detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Read one request per line and answer one JSON line each.
    #[arg(long)]
    pub jsonl: bool,
}

/// Runs `warden detect`.
pub fn run(_args: &DetectArgs) -> CmdResult {
    Err(CliError::not_implemented("detect"))
}
