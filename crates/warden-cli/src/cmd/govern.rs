//! `warden govern`: evaluate tool calls and validate policy files.

use clap::Subcommand;

use crate::output::{CliError, CmdResult};

/// `warden govern` subcommands.
#[derive(Debug, Subcommand)]
pub enum GovernCommand {
    /// Evaluate tool calls read from stdin.
    Check,
    /// Validate a configuration file.
    Validate,
}

/// Runs `warden govern`.
pub fn run(_cmd: &GovernCommand) -> CmdResult {
    Err(CliError::not_implemented("govern"))
}
