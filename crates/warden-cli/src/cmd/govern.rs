//! `warden govern`: evaluate tool calls and validate policy files (SPEC §8).
//!
//! `check` reads `{"tool","arguments","user_id","session_id","scopes","call_id"?}` and prints
//! the decision JSON. Without `--jsonl`: one object on stdin; exit 0 when allowed, 1 when
//! denied or when a person must confirm (`ask`: the call must not run unattended), 2 on bad
//! input or configuration. With `--jsonl`: one answer line per input line (a malformed line
//! answers an error object), rate-limit state shared by the lines, exit 0.
//! `check` evaluates only: it writes no audit record.
//!
//! `validate FILE` prints `{"ok":true}` (exit 0) or the first problem as
//! `{"error":{"code":"config_invalid","message":"governance.…: …"}}` (exit 2).

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand};
use serde::Deserialize;
use serde_json::Value;
use warden_security::counters::InMemoryCounterStore;
use warden_security::governance::config::FILE_LEVEL;
use warden_security::governance::{
    Decision, GovernanceConfig, GovernanceEngine, PolicyContext, Principal,
};
use warden_server::config::WardenConfig;
use warden_types::{AgentName, Scopes, TraceId};

use crate::output::{print_json, CliError, CmdResult, EXIT_BAD_INPUT, EXIT_OK};

/// `warden govern` subcommands.
#[derive(Debug, Subcommand)]
pub enum GovernCommand {
    /// Evaluate tool calls read from stdin.
    Check(CheckArgs),
    /// Validate a configuration file.
    Validate(ValidateArgs),
}

/// Arguments of `warden govern check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Read one call per line and answer one JSON line each (exit 0).
    #[arg(long)]
    pub jsonl: bool,
}

/// Arguments of `warden govern validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The `warden.toml` to check.
    pub file: PathBuf,
}

/// Largest stdin document accepted without `--jsonl` (and largest line with it).
const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Runs `warden govern`; `config` is the global `--config` (or `$WARDEN_CONFIG`).
pub fn run(cmd: &GovernCommand, config: Option<&Path>) -> CmdResult {
    match cmd {
        GovernCommand::Check(a) => check(a, config),
        GovernCommand::Validate(a) => validate(&a.file),
    }
}

fn config_invalid(message: impl Into<String>) -> CliError {
    CliError::failure("config_invalid", message)
}

/// Loads a whole `warden.toml`: the governance section with its precise key-path errors
/// first, then the rest of the file through [`WardenConfig`].
fn load_file(path: &Path) -> Result<GovernanceConfig, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| config_invalid(format!("cannot read config file {}: {e}", path.display())))?;
    let governance = GovernanceConfig::from_warden_toml(&text).map_err(|e| {
        if e.path == FILE_LEVEL {
            config_invalid(format!("{}: {}", path.display(), e.message))
        } else {
            config_invalid(format!("{}: {e}", path.display()))
        }
    })?;
    WardenConfig::from_toml_str(&text, path)
        .map_err(|e| config_invalid(one_line(&e.to_string())))?;
    Ok(governance)
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn validate(file: &Path) -> CmdResult {
    load_file(file)?;
    print_json(&serde_json::json!({"ok": true}))?;
    Ok(EXIT_OK)
}

/// One `govern check` input.
#[derive(Debug, Deserialize)]
struct CheckInput {
    #[serde(default)]
    tool: Option<String>,
    /// A prompt instead of a tool call (UserPromptSubmit).
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default = "empty_object")]
    arguments: Value,
    #[serde(default = "anonymous")]
    user_id: String,
    #[serde(default = "anonymous")]
    session_id: String,
    #[serde(default)]
    scopes: ScopesInput,
    #[serde(default)]
    call_id: Option<String>,
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    trace_id: Option<String>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

fn anonymous() -> String {
    "anonymous".to_owned()
}

/// `"scopes": ["a","b"]` or `"scopes": "a b"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ScopesInput {
    List(Vec<String>),
    Words(String),
}

impl Default for ScopesInput {
    fn default() -> Self {
        ScopesInput::List(Vec::new())
    }
}

impl ScopesInput {
    fn into_scopes(self) -> Scopes {
        match self {
            ScopesInput::List(v) => Scopes::from_words(v),
            ScopesInput::Words(s) => Scopes::parse(&s),
        }
    }
}

fn invalid_input(message: impl Into<String>) -> CliError {
    CliError::failure("invalid_input", message)
}

fn parse_input(text: &str) -> Result<PolicyContext, CliError> {
    let input: CheckInput = serde_json::from_str(text)
        .map_err(|e| invalid_input(format!("input is not a valid govern request: {e}")))?;
    let principal = Principal::new(input.user_id, input.session_id, input.scopes.into_scopes());
    let principal = match input.agent_id {
        Some(a) => principal.with_agent_id(AgentName::new(a)),
        None => principal,
    };
    let ctx = match (input.tool, input.prompt) {
        (Some(tool), None) if !tool.is_empty() => {
            PolicyContext::tool_call(tool, input.arguments, principal)
        }
        (None, Some(prompt)) => PolicyContext::prompt(prompt, principal),
        (Some(t), None) if t.is_empty() => return Err(invalid_input("\"tool\" must not be empty")),
        (Some(_), Some(_)) => {
            return Err(invalid_input(
                "give either \"tool\" or \"prompt\", not both",
            ))
        }
        _ => return Err(invalid_input("missing field \"tool\"")),
    };
    let ctx = ctx.with_call_id(input.call_id);
    Ok(match input.trace_id {
        Some(t) if !t.is_empty() => ctx.with_trace_id(TraceId::new(t)),
        _ => ctx,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| CliError::failure("internal", format!("cannot start runtime: {e}")))
}

fn check(args: &CheckArgs, config: Option<&Path>) -> CmdResult {
    let config = config.filter(|p| !p.as_os_str().is_empty());
    let governance = match WardenConfig::locate(config) {
        Some(path) => load_file(&path)?,
        None => GovernanceConfig::default(),
    };
    let engine = GovernanceEngine::new(&governance, Arc::new(InMemoryCounterStore::default()))
        .map_err(|e| config_invalid(e.to_string()))?;
    let rt = runtime()?;
    if args.jsonl {
        check_lines(&engine, &rt)
    } else {
        let mut text = String::new();
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| invalid_input(format!("cannot read stdin: {e}")))?;
        if text.len() as u64 > MAX_INPUT_BYTES {
            return Err(invalid_input(format!(
                "input larger than {MAX_INPUT_BYTES} bytes"
            )));
        }
        let ctx = parse_input(&text)?;
        let eval = rt.block_on(engine.evaluate(&ctx));
        print_json(&eval.to_wire())?;
        Ok(match eval.decision {
            Decision::Allow => EXIT_OK,
            Decision::Deny | Decision::Ask => EXIT_BAD_INPUT,
        })
    }
}

fn check_lines(engine: &GovernanceEngine, rt: &tokio::runtime::Runtime) -> CmdResult {
    let stdin = std::io::stdin();
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, stdin.lock());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut buf = Vec::new();
    let write_err =
        |e: std::io::Error| CliError::failure("io", format!("cannot write to stdout: {e}"));
    loop {
        buf.clear();
        // Answers go out before a read that may wait: a co-process sees each answer at
        // once, a batch run writes in blocks.
        if reader.buffer().is_empty() {
            out.flush().map_err(write_err)?;
        }
        let n = (&mut reader)
            .take(MAX_INPUT_BYTES + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| invalid_input(format!("cannot read stdin: {e}")))?;
        if n == 0 {
            break;
        }
        let answer = if buf.len() as u64 > MAX_INPUT_BYTES {
            // Drain the rest of the oversized line.
            if buf.last() != Some(&b'\n') {
                let mut sink = Vec::new();
                let _ = reader.read_until(b'\n', &mut sink);
            }
            invalid_input(format!("line larger than {MAX_INPUT_BYTES} bytes"))
                .to_json()
                .to_string()
        } else {
            let line = String::from_utf8_lossy(&buf);
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match parse_input(line) {
                Ok(ctx) => {
                    let eval = rt.block_on(engine.evaluate(&ctx));
                    serde_json::to_string(&eval.to_wire()).map_err(|e| {
                        CliError::failure("internal", format!("cannot encode output: {e}"))
                    })?
                }
                Err(e) => e.to_json().to_string(),
            }
        };
        writeln!(out, "{answer}").map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    Ok(EXIT_OK)
}
