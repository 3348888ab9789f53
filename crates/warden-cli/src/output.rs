//! How the CLI reports: JSON on stdout, errors as `{"error":{"code","message"}}`, and the
//! exit codes of SPEC §8 (0 = success/allowed/valid, 1 = input judged bad, 2 = usage,
//! configuration or internal error).
//!
//! An error object is printed on stdout (machine output) and, for people, on stderr. When
//! stdout is a terminal it goes to stderr only, so nobody reads it twice.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use serde::Serialize;

/// Exit code 0: success, allowed, valid.
pub const EXIT_OK: u8 = 0;
/// Exit code 1: the input was judged bad (invalid token, denied call, secret found, bot).
pub const EXIT_BAD_INPUT: u8 = 1;
/// Exit code 2: usage, configuration or internal error.
pub const EXIT_ERROR: u8 = 2;

/// A failed command: a stable `code`, a message for people, and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// Stable machine-readable code (e.g. `expired`, `auth_failed`, `config_invalid`).
    pub code: String,
    /// Human-readable explanation (never contains secret material).
    pub message: String,
    /// Process exit code.
    pub exit: u8,
}

impl CliError {
    /// An error judged on the input (exit 1).
    pub fn rejected(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            exit: EXIT_BAD_INPUT,
        }
    }

    /// A usage, configuration or internal error (exit 2).
    pub fn failure(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            exit: EXIT_ERROR,
        }
    }

    /// The command exists in the contract but its issue has not landed yet.
    pub fn not_implemented(command: &str) -> Self {
        Self::failure(
            "not_implemented",
            format!("`warden {command}` is not implemented yet"),
        )
    }

    /// The JSON error object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"error": {"code": self.code, "message": self.message}})
    }

    /// Prints the error (see the module docs) and returns the exit code.
    pub fn report(&self) -> ExitCode {
        let line = self.to_json().to_string();
        let stdout = std::io::stdout();
        if !stdout.is_terminal() {
            let mut out = stdout.lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        let _ = writeln!(std::io::stderr(), "{line}");
        ExitCode::from(self.exit)
    }
}

/// Result of a subcommand: the exit code to use on success paths (0 or 1).
pub type CmdResult = Result<u8, CliError>;

/// Prints one JSON value on its own line on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CliError::failure("internal", format!("cannot encode output: {e}")))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .map_err(|e| CliError::failure("io", format!("cannot write to stdout: {e}")))
}
