//! `warden detect`: bot and scanner detection (SPEC §8).
//!
//! Input: one JSON object `{"path":..,"user_agent":..|null,"ip"?:..,"ts"?:..}` (`ts` in unix
//! seconds). Output: `{"bot":bool,"class":"human|crawler|ai_agent|script|scanner","reasons":[..]}`.
//!
//! - Without `--jsonl`: reads one object from stdin, prints the verdict, exits 1 when it is a
//!   bot (any class but `human`), 0 otherwise; unreadable input exits 2 with an error object.
//! - With `--jsonl`: one verdict line per input line, in order; velocity is tracked per `ip`
//!   across the stream on a sliding window (request time = `ts`, or the wall clock when `ts`
//!   is absent); a malformed line is answered with `{"error":{"code":"invalid_input",..}}` and
//!   the run goes on; blank lines are skipped; always exits 0.

use std::io::{BufRead, Write};
use std::sync::Arc;

use clap::Args;
use serde::Serialize;
use serde_json::Value;
use warden_security::services::{ClassifierConfig, DetectConfig, Reasons};
use warden_security::{
    BotClass, BotClassifier, InMemoryCounterStore, RequestFacts, VelocityTracker,
};

use crate::output::{print_json, CliError, CmdResult, EXIT_BAD_INPUT, EXIT_OK};

/// Arguments of `warden detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Read one request per line and answer one JSON line each.
    #[arg(long)]
    pub jsonl: bool,
    /// More than this many requests per minute from one `ip` is high velocity (default:
    /// `[detect] max_requests_per_minute` of the configuration, else 30).
    #[arg(long)]
    pub max_per_minute: Option<u64>,
    /// Sliding-window length for velocity, in seconds (default: `[detect]
    /// velocity_window_secs`, else 60).
    #[arg(long)]
    pub window_secs: Option<u64>,
}

/// One verdict line.
#[derive(Debug, Serialize)]
struct Output {
    bot: bool,
    class: BotClass,
    reasons: Reasons,
}

/// One parsed input object.
struct Input {
    path: Option<String>,
    user_agent: Option<String>,
    ip: Option<String>,
    ts_ms: Option<u64>,
}

fn parse_input(text: &str) -> Result<Input, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(obj) = value else {
        return Err("expected a JSON object".into());
    };
    let string_field = |name: &str| -> Result<Option<String>, String> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{name}` must be a string or null")),
        }
    };
    let path = string_field("path")?;
    let user_agent = string_field("user_agent")?;
    // One client, one key: `::ffff:192.0.2.7`, `192.0.2.7 ` and `2001:0db8::1` spelled
    // another way count together (anything that is not an address is kept as written).
    let ip = string_field("ip")?.map(|raw| {
        raw.trim()
            .parse::<std::net::IpAddr>()
            .map_or(raw.clone(), |a| a.to_canonical().to_string())
    });
    let ts_ms = match obj.get("ts") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => {
            let secs = n
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e15)
                .ok_or("`ts` must be a non-negative number of unix seconds")?;
            // Bounded above, so the conversion cannot overflow.
            Some((secs * 1000.0) as u64)
        }
        Some(_) => return Err("`ts` must be a number (unix seconds)".into()),
    };
    Ok(Input {
        path,
        user_agent,
        ip,
        ts_ms,
    })
}

/// The classifier, the velocity tracker and the runtime driving it.
struct Detector {
    classifier: BotClassifier,
    velocity: VelocityTracker,
    runtime: tokio::runtime::Runtime,
}

impl Detector {
    /// The `[detect]` section of `config` (the classifier's settings), with the flags on top.
    fn new(args: &DetectArgs, config: &DetectConfig) -> Result<Self, CliError> {
        let window_secs = args.window_secs.unwrap_or(config.velocity_window_secs);
        if window_secs == 0 {
            return Err(CliError::failure(
                "usage",
                "--window-secs must be at least 1",
            ));
        }
        let max_per_minute = args
            .max_per_minute
            .unwrap_or(config.max_requests_per_minute);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| CliError::failure("internal", format!("cannot start runtime: {e}")))?;
        Ok(Self {
            classifier: BotClassifier::new(ClassifierConfig {
                max_requests_per_minute: max_per_minute,
                ..config.classifier_config()
            }),
            velocity: VelocityTracker::new(Arc::new(InMemoryCounterStore::default()))
                .with_window_secs(window_secs)
                .with_max_per_minute(max_per_minute),
            runtime,
        })
    }

    fn judge(&self, input: &Input) -> Result<Output, CliError> {
        let velocity = match &input.ip {
            Some(ip) => {
                let now = input
                    .ts_ms
                    .unwrap_or_else(warden_security::time::now_millis);
                let v = self
                    .runtime
                    .block_on(self.velocity.observe(ip, now))
                    .map_err(|e| CliError::failure("internal", format!("velocity store: {e}")))?;
                Some(v)
            }
            None => None,
        };
        let verdict = self.classifier.classify(&RequestFacts {
            path: input.path.as_deref(),
            user_agent: input.user_agent.as_deref(),
            velocity,
        });
        Ok(Output {
            bot: verdict.is_bot(),
            class: verdict.class,
            reasons: verdict.reasons,
        })
    }
}

/// Runs `warden detect` with the `[detect]` section of the configuration (`config`, else
/// `$WARDEN_CONFIG`, else `./warden.toml`, else defaults).
pub fn run(args: &DetectArgs, config: Option<&std::path::Path>) -> CmdResult {
    let cfg = super::init::load_config(config)?;
    let detector = Detector::new(args, &cfg.detect)?;
    if args.jsonl {
        run_jsonl(&detector)
    } else {
        run_single(&detector)
    }
}

fn run_single(detector: &Detector) -> CmdResult {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
        .map_err(|e| CliError::failure("invalid_input", format!("cannot read stdin: {e}")))?;
    let input = parse_input(text.trim()).map_err(|m| CliError::failure("invalid_input", m))?;
    let out = detector.judge(&input)?;
    print_json(&out)?;
    Ok(if out.bot { EXIT_BAD_INPUT } else { EXIT_OK })
}

fn run_jsonl(detector: &Detector) -> CmdResult {
    let stdin = std::io::stdin();
    let mut reader = std::io::BufReader::with_capacity(INPUT_BUFFER, stdin.lock());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut line = Vec::new();
    let write_err =
        |e: std::io::Error| CliError::failure("io", format!("cannot write to stdout: {e}"));
    loop {
        line.clear();
        // Answers go out before a read that may wait: a co-process sees each answer at
        // once, a batch run writes in blocks.
        if reader.buffer().is_empty() {
            out.flush().map_err(write_err)?;
        }
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| CliError::failure("io", format!("cannot read stdin: {e}")))?;
        if n == 0 {
            break;
        }
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t.trim(),
            Err(_) => {
                write_line(&mut out, &error_value("line is not UTF-8")).map_err(write_err)?;
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        let value = match parse_input(text) {
            Ok(input) => match detector.judge(&input) {
                Ok(o) => serde_json::to_value(&o)
                    .unwrap_or_else(|e| error_value(&format!("cannot encode output: {e}"))),
                Err(e) => e.to_json(),
            },
            Err(message) => error_value(&message),
        };
        write_line(&mut out, &value).map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    Ok(EXIT_OK)
}

fn error_value(message: &str) -> Value {
    serde_json::json!({"error": {"code": "invalid_input", "message": message}})
}

fn write_line(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Read-ahead for `--jsonl` input.
const INPUT_BUFFER: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_fields() {
        let i = parse_input(r#"{"path":"/a","user_agent":"x","ip":"1.2.3.4","ts":1700000000}"#)
            .unwrap();
        assert_eq!(i.path.as_deref(), Some("/a"));
        assert_eq!(i.ts_ms, Some(1_700_000_000_000));
    }

    #[test]
    fn null_user_agent_is_absent() {
        assert!(parse_input(r#"{"path":"/","user_agent":null}"#)
            .unwrap()
            .user_agent
            .is_none());
    }

    #[test]
    fn rejects_wrong_types() {
        assert!(parse_input(r#"{"path":1}"#).is_err());
        assert!(parse_input(r#"{"path":"/","ts":"now"}"#).is_err());
        assert!(parse_input(r#"{"path":"/","ts":-1}"#).is_err());
        assert!(parse_input(r#"[1]"#).is_err());
    }
}
