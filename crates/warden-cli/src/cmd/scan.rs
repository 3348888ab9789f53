//! `warden scan`: secret scanning of files or stdin (SPEC §8).
//!
//! - Plain mode (`warden scan [FILE...|-]`): each input is scanned as text; every finding is
//!   printed as one JSON line `{"file","rule_id","start","end","line","preview","action"}`
//!   (`start`/`end` are byte offsets into the file, `line` is 1-based, `file` is `-` for
//!   stdin). Exit 1 when anything was found, 0 when nothing was, 2 when an input could not be
//!   read (an error object is printed for it and the other inputs are still scanned).
//! - `--jsonl`: each input line `{"id":..,"text":..}` gives one output line
//!   `{"id":..,"findings":[{"rule_id","start","end","preview"}]}` with byte offsets into
//!   `text`; a malformed line gives `{"id":..|null,"line":N,"error":{"code","message"}}`.
//!   Always exit 0 (unless stdout itself fails).
//! - `--list-rules`: one JSON line `{"id","description"}` per built-in rule.
//!
//! Configuration: `[governance.secret_scan]` of the config file (allowlist, entropy, per-rule
//! actions, disabled rules). The layer's `enabled` switch does not apply: running
//! `warden scan` is an explicit request to scan.

use std::io::{BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{json, Value};
use warden_security::governance::secret_scan::{SecretScanConfig, SecretScanner};
use warden_server::config::WardenConfig;

use crate::output::{CliError, CmdResult, EXIT_BAD_INPUT, EXIT_ERROR, EXIT_OK};

/// Arguments of `warden scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files to scan (`-` or none = stdin).
    pub files: Vec<PathBuf>,
    /// Read `{"id","text"}` lines and answer one JSON line each.
    #[arg(long)]
    pub jsonl: bool,
    /// Print every built-in rule (`{"id","description"}` per line) and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// Loads `[governance.secret_scan]` from the configuration (defaults when absent).
pub fn load_scan_config(explicit: Option<&Path>) -> Result<SecretScanConfig, CliError> {
    let cfg = WardenConfig::load(explicit)
        .map_err(|e| CliError::failure("config_invalid", e.to_string()))?;
    Ok(cfg.governance.secret_scan)
}

/// Runs `warden scan`.
pub fn run(args: &ScanArgs, config: Option<&Path>) -> CmdResult {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.list_rules {
        for r in SecretScanner::builtin_rules() {
            write_line(&mut out, &json!({"id": r.id, "description": r.description}))?;
        }
        flush(&mut out)?;
        return Ok(EXIT_OK);
    }
    let cfg = load_scan_config(config)?;
    let scanner =
        SecretScanner::new(&cfg).map_err(|e| CliError::failure("config_invalid", e.to_string()))?;
    let inputs: Vec<Option<&Path>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files
            .iter()
            .map(|p| (p.as_os_str() != "-").then_some(p.as_path()))
            .collect()
    };
    let code = if args.jsonl {
        for input in inputs {
            jsonl(&scanner, input, &mut out)?;
        }
        EXIT_OK
    } else {
        plain(&scanner, &inputs, &mut out)?
    };
    flush(&mut out)?;
    Ok(code)
}

fn write_line(out: &mut impl Write, v: &Value) -> Result<(), CliError> {
    writeln!(out, "{v}")
        .map_err(|e| CliError::failure("io", format!("cannot write to stdout: {e}")))
}

fn flush(out: &mut impl Write) -> Result<(), CliError> {
    out.flush()
        .map_err(|e| CliError::failure("io", format!("cannot write to stdout: {e}")))
}

fn name(input: Option<&Path>) -> String {
    input.map_or_else(|| "-".to_string(), |p| p.display().to_string())
}

fn read_all(input: Option<&Path>) -> std::io::Result<Vec<u8>> {
    match input {
        Some(p) => std::fs::read(p),
        None => {
            let mut buf = Vec::new();
            std::io::stdin().lock().read_to_end(&mut buf)?;
            Ok(buf)
        }
    }
}

fn plain(scanner: &SecretScanner, inputs: &[Option<&Path>], out: &mut impl Write) -> CmdResult {
    let (mut found, mut unreadable) = (false, false);
    for &input in inputs {
        let file = name(input);
        let data = match read_all(input) {
            Ok(d) => d,
            Err(e) => {
                unreadable = true;
                let err = CliError::failure("unreadable", format!("cannot read {file}: {e}"));
                let _ = writeln!(std::io::stderr(), "{}", err.to_json());
                write_line(out, &err.to_json())?;
                continue;
            }
        };
        for f in scanner.scan_bytes(&data) {
            found = true;
            let line = 1 + memchr_count(&data[..f.start]);
            write_line(
                out,
                &json!({
                    "file": file,
                    "rule_id": f.rule_id,
                    "start": f.start,
                    "end": f.end,
                    "line": line,
                    "preview": f.preview,
                    "action": f.action,
                }),
            )?;
        }
    }
    Ok(if unreadable {
        EXIT_ERROR
    } else if found {
        EXIT_BAD_INPUT
    } else {
        EXIT_OK
    })
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

fn jsonl(
    scanner: &SecretScanner,
    input: Option<&Path>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let reader: Box<dyn BufRead> = match input {
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                let msg = format!("cannot read {}: {e}", p.display());
                return write_line(
                    out,
                    &json!({"id": Value::Null, "line": 0, "error": {"code": "unreadable", "message": msg}}),
                );
            }
        },
        None => Box::new(std::io::stdin().lock()),
    };
    for (n, line) in reader.split(b'\n').enumerate() {
        let lineno = n + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                let msg = format!("cannot read input: {e}");
                write_line(
                    out,
                    &json!({"id": Value::Null, "line": lineno, "error": {"code": "unreadable", "message": msg}}),
                )?;
                break;
            }
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        write_line(out, &jsonl_line(scanner, &line, lineno))?;
    }
    Ok(())
}

/// The answer to one `--jsonl` input line.
fn jsonl_line(scanner: &SecretScanner, line: &[u8], lineno: usize) -> Value {
    let bad = |id: Value, msg: String| json!({"id": id, "line": lineno, "error": {"code": "bad_input", "message": msg}});
    let v: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => return bad(Value::Null, format!("line is not JSON: {e}")),
    };
    let Value::Object(obj) = v else {
        return bad(Value::Null, "line is not a JSON object".into());
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    let Some(text) = obj.get("text").and_then(Value::as_str) else {
        return bad(id, "missing string field `text`".into());
    };
    let findings: Vec<Value> = scanner
        .scan_text(text)
        .into_iter()
        .map(
            |f| json!({"rule_id": f.rule_id, "start": f.start, "end": f.end, "preview": f.preview}),
        )
        .collect();
    json!({"id": id, "findings": findings})
}
