//! `warden keys`: signing key set management.

use clap::Subcommand;

use crate::output::{CliError, CmdResult};

/// `warden keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key set with one active signing key.
    Generate,
    /// Add a new active key; old keys keep verifying until retired.
    Rotate,
    /// List the keys (never their material).
    List,
    /// Print the public JWKS.
    Jwks,
}

/// Runs `warden keys`.
pub fn run(_cmd: &KeysCommand) -> CmdResult {
    Err(CliError::not_implemented("keys"))
}
