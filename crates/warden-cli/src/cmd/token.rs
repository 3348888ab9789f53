//! `warden token`: mint, verify and inspect JWTs.

use clap::Subcommand;

use crate::output::{CliError, CmdResult};

/// `warden token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint a token.
    Mint,
    /// Verify a token and print its claims.
    Verify,
    /// Decode a token without verifying it.
    Inspect,
}

/// Runs `warden token`.
pub fn run(_cmd: &TokenCommand) -> CmdResult {
    Err(CliError::not_implemented("token"))
}
