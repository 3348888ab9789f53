//! `warden scan`: secret scanning of files or stdin.

use std::path::PathBuf;

use clap::Args;

use crate::output::{CliError, CmdResult};

/// Arguments of `warden scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files to scan (`-` or none = stdin).
    pub files: Vec<PathBuf>,
    /// Read `{"id","text"}` lines and answer one JSON line each.
    #[arg(long)]
    pub jsonl: bool,
}

/// Runs `warden scan`.
pub fn run(_args: &ScanArgs) -> CmdResult {
    Err(CliError::not_implemented("scan"))
}
