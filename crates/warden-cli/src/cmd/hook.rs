//! `warden hook`: coding-agent hooks.

use clap::Subcommand;

use crate::output::{CliError, CmdResult};

/// `warden hook` subcommands.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Claude Code hook: hook JSON on stdin, hook output on stdout.
    ClaudeCode,
    /// Print the `.claude/settings.json` snippet that wires Warden in.
    Install,
}

/// Runs `warden hook`.
pub fn run(_cmd: &HookCommand) -> CmdResult {
    Err(CliError::not_implemented("hook"))
}
