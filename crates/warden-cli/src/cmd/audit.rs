//! `warden audit`: read and verify the audit log.

use clap::Subcommand;

use crate::output::{CliError, CmdResult};

/// `warden audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the newest records.
    Tail,
    /// Query records.
    Query,
    /// Verify the hash chain.
    Verify,
    /// Export records as JSONL.
    Export,
}

/// Runs `warden audit`.
pub fn run(_cmd: &AuditCommand) -> CmdResult {
    Err(CliError::not_implemented("audit"))
}
