//! The `warden` command. Thin by design: it parses arguments, calls the libraries and prints.
#![forbid(unsafe_code)]

mod cmd;
mod global;
#[allow(dead_code)] // helpers used by subcommands as they land
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::CliError;

/// mimalloc instead of the system allocator: the server allocates per request on several
/// threads, where glibc's arenas contend (see docs/PERFORMANCE.md, "HTTP service"). Built
/// with `no_thp`: mimalloc otherwise asks for transparent huge pages on its arenas, and the
/// kernel's compaction and 2 MiB zeroing on those faults showed up as multi-millisecond
/// stalls in the p99 of every path.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Security infrastructure for AI agents.
#[derive(Debug, Parser)]
#[command(name = "warden", version, about, long_about = None)]
struct Cli {
    /// Configuration file (else $WARDEN_CONFIG when set and not empty, else ./warden.toml, else
    /// defaults).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a data directory (keys, vault key ring, audit key, database, admin token).
    Init(cmd::init::InitArgs),
    /// Run the HTTP service.
    Serve(cmd::serve::ServeArgs),
    /// Manage the signing key set.
    #[command(subcommand)]
    Keys(cmd::keys::KeysCommand),
    /// Mint, verify and inspect tokens.
    #[command(subcommand)]
    Token(cmd::token::TokenCommand),
    /// Encrypt, decrypt and store secrets.
    #[command(subcommand)]
    Vault(cmd::vault::VaultCommand),
    /// Scan text for secrets.
    Scan(cmd::scan::ScanArgs),
    /// Classify requests as human, crawler, AI agent, script or scanner.
    Detect(cmd::detect::DetectArgs),
    /// Evaluate tool calls against the governance pipeline.
    #[command(subcommand)]
    Govern(cmd::govern::GovernCommand),
    /// Coding-agent hooks.
    #[command(subcommand)]
    Hook(cmd::hook::HookCommand),
    /// Read and verify the audit log.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are successes; everything else is a usage error (exit 2).
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let _ = e.print();
            return CliError::failure("usage", e.kind().to_string()).report();
        }
    };
    global::set_config_path(cli.config.clone());
    let result = match &cli.command {
        Command::Init(a) => cmd::init::run(a, cli.config.as_deref()),
        Command::Serve(a) => cmd::serve::run(a, cli.config.as_deref()),
        Command::Keys(c) => cmd::keys::run(c),
        Command::Token(c) => cmd::token::run(c),
        Command::Vault(c) => cmd::vault::run(c),
        Command::Scan(a) => cmd::scan::run(a, cli.config.as_deref()),
        Command::Detect(a) => cmd::detect::run(a, cli.config.as_deref()),
        Command::Govern(c) => cmd::govern::run(c, cli.config.as_deref()),
        Command::Hook(c) => cmd::hook::run(c),
        Command::Audit(c) => cmd::audit::run(c, cli.config.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => e.report(),
    }
}
