//! `warden vault`: secret encryption and the secret store.

use clap::Subcommand;

use crate::output::{CliError, CmdResult};

/// `warden vault` subcommands.
#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Encrypt stdin into an envelope on stdout.
    Seal,
    /// Decrypt an envelope on stdin to stdout.
    Open,
    /// Store a secret.
    Put,
    /// Print a stored secret.
    Get,
    /// List stored secret names.
    List,
    /// Delete a stored secret.
    Rm,
    /// Rotate the master key.
    Rotate,
}

/// Runs `warden vault`.
pub fn run(_cmd: &VaultCommand) -> CmdResult {
    Err(CliError::not_implemented("vault"))
}
