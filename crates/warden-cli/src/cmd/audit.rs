//! `warden audit`: read and verify the audit log.
//!
//! The store comes from `[store] url` in the configuration, else
//! `sqlite://<data_dir>/warden.db`; the chain key from `<data_dir>/audit.key`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use warden_security::audit::{AuditLog, AuditOrder, AuditQuery};
use warden_security::governance::Decision;
use warden_security::StoreError;
use warden_server::config::WardenConfig;
use warden_store::{audit_key, Store};

use crate::output::{print_json, CliError, CmdResult, EXIT_BAD_INPUT, EXIT_OK};

/// `warden audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the newest records as JSONL, oldest first.
    Tail(TailArgs),
    /// Query records: prints `{"records":[...],"next":cursor|null}`.
    Query(QueryArgs),
    /// Verify the hash chain: exit 0 when intact, 1 naming the first bad record.
    Verify(DataDirArg),
    /// Export records as JSONL on stdout.
    Export(ExportArgs),
}

/// `--data-dir`.
#[derive(Debug, Args)]
pub struct DataDirArg {
    /// Data directory (holds audit.key and, by default, warden.db).
    #[arg(long, default_value = "./warden-data")]
    pub data_dir: PathBuf,
}

/// Arguments of `warden audit tail`.
#[derive(Debug, Args)]
pub struct TailArgs {
    #[command(flatten)]
    dir: DataDirArg,
    /// How many records.
    #[arg(short = 'n', long = "lines", default_value_t = 10)]
    lines: usize,
}

/// Filters shared by `query` and `export`.
#[derive(Debug, Args)]
pub struct Filters {
    /// Records at or after this time: unix milliseconds, RFC 3339 (`2026-01-02T03:04:05Z`),
    /// or a duration ago (`90s`, `15m`, `2h`, `7d`).
    #[arg(long)]
    since: Option<String>,
    /// Records at or before this time (same forms as --since).
    #[arg(long)]
    until: Option<String>,
    /// Records of this user id.
    #[arg(long)]
    user_id: Option<String>,
    /// Records whose target (tool name) is exactly this.
    #[arg(long)]
    tool: Option<String>,
    /// Records with this decision.
    #[arg(long, value_enum)]
    decision: Option<DecisionArg>,
}

/// Arguments of `warden audit query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    dir: DataDirArg,
    #[command(flatten)]
    filters: Filters,
    /// Page size (at most 1000).
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// Continue after this cursor (the `next` of the previous page).
    #[arg(long)]
    cursor: Option<i64>,
    /// Oldest first (`asc`, default) or newest first (`desc`).
    #[arg(long, value_enum, default_value = "asc")]
    order: OrderArg,
}

/// Arguments of `warden audit export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    dir: DataDirArg,
    #[command(flatten)]
    filters: Filters,
}

/// `--decision`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    /// Allowed calls.
    Allow,
    /// Denied calls.
    Deny,
    /// Calls that asked for confirmation.
    Ask,
}

/// `--order`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrderArg {
    /// Oldest first.
    Asc,
    /// Newest first.
    Desc,
}

/// Runs `warden audit`.
pub fn run(cmd: &AuditCommand, config: Option<&Path>) -> CmdResult {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure("internal", format!("cannot start runtime: {e}")))?;
    rt.block_on(run_async(cmd, config))
}

async fn run_async(cmd: &AuditCommand, config: Option<&Path>) -> CmdResult {
    match cmd {
        AuditCommand::Verify(a) => {
            let key = audit_key::load(&a.data_dir)
                .map_err(|e| CliError::failure("audit_key", e.to_string()))?;
            let store = open(&a.data_dir, config).await?;
            let report = store
                .audit_log()
                .verify(key.as_bytes())
                .await
                .map_err(store_error)?;
            store.close().await;
            print_json(&report)?;
            Ok(if report.ok { EXIT_OK } else { EXIT_BAD_INPUT })
        }
        AuditCommand::Query(a) => {
            let mut q = a.filters.to_query()?;
            // 0 is the default page, as over HTTP (`AuditQuery::effective_limit`).
            q.limit = a.limit;
            q.cursor = a.cursor;
            q.order = match a.order {
                OrderArg::Asc => AuditOrder::Asc,
                OrderArg::Desc => AuditOrder::Desc,
            };
            let store = open(&a.dir.data_dir, config).await?;
            let page = store.audit_log().query(&q).await.map_err(store_error)?;
            store.close().await;
            print_json(&page)?;
            Ok(EXIT_OK)
        }
        AuditCommand::Tail(a) => {
            let store = open(&a.dir.data_dir, config).await?;
            let entries = warden_store::tail(&store.audit_log(), a.lines)
                .await
                .map_err(store_error)?;
            store.close().await;
            for e in &entries {
                print_json(e)?;
            }
            Ok(EXIT_OK)
        }
        AuditCommand::Export(a) => {
            let q = a.filters.to_query()?;
            let store = open(&a.dir.data_dir, config).await?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            warden_store::export_jsonl(&store.audit_log(), &q, &mut out)
                .await
                .map_err(store_error)?;
            out.flush()
                .map_err(|e| CliError::failure("io", format!("cannot write to stdout: {e}")))?;
            store.close().await;
            Ok(EXIT_OK)
        }
    }
}

impl Filters {
    fn to_query(&self) -> Result<AuditQuery, CliError> {
        let now = i64::try_from(warden_security::time::now_millis()).unwrap_or(i64::MAX);
        let time = |flag: &str, v: &Option<String>| -> Result<Option<i64>, CliError> {
            v.as_deref()
                .map(|s| {
                    parse_time(s, now).ok_or_else(|| {
                        CliError::failure(
                            "usage",
                            format!(
                                "--{flag} {s:?}: expected unix milliseconds, RFC 3339 or a duration such as 15m"
                            ),
                        )
                    })
                })
                .transpose()
        };
        Ok(AuditQuery {
            since_ms: time("since", &self.since)?,
            until_ms: time("until", &self.until)?,
            user_id: self.user_id.clone(),
            tool: self.tool.clone(),
            decision: self.decision.map(|d| match d {
                DecisionArg::Allow => Decision::Allow,
                DecisionArg::Deny => Decision::Deny,
                DecisionArg::Ask => Decision::Ask,
            }),
            ..AuditQuery::default()
        })
    }
}

/// Opens the configured store; the default SQLite file must already exist (no side effects
/// from reading commands).
async fn open(data_dir: &Path, config: Option<&Path>) -> Result<Store, CliError> {
    let cfg = WardenConfig::load(config)
        .map_err(|e| CliError::failure("config_invalid", e.to_string()))?;
    cfg.store
        .validate()
        .map_err(|e| CliError::failure("config_invalid", e.to_string()))?;
    // The configured SQLite file as well as the default: a mistyped path would verify an
    // empty new log as ok.
    if let Some(db) = cfg
        .store
        .sqlite_file_in(data_dir)
        .filter(|db| !db.is_file())
    {
        return Err(CliError::failure(
            "not_found",
            format!("no audit log at {} (run `warden init`)", db.display()),
        ));
    }
    Store::open_in_data_dir(data_dir, &cfg.store)
        .await
        .map_err(store_error)
}

fn store_error(e: StoreError) -> CliError {
    let code = match &e {
        StoreError::Unavailable(_) => "store_unavailable",
        StoreError::Corrupt(_) => "store_corrupt",
        StoreError::SchemaTooNew { .. } => "schema_too_new",
        StoreError::Overloaded(_) | StoreError::Other(_) => "store_error",
    };
    CliError::failure(code, e.to_string())
}

/// Unix milliseconds from `1700000000000`, `2026-01-02T03:04:05Z` (optional fraction and
/// `±HH:MM` offset) or a duration before `now_ms` (`90s`, `15m`, `2h`, `7d`).
fn parse_time(s: &str, now_ms: i64) -> Option<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    if let Some(unit) = s.chars().last().filter(|c| "smhd".contains(*c)) {
        if let Ok(n) = s[..s.len() - 1].parse::<i64>() {
            let mult = match unit {
                's' => 1_000,
                'm' => 60_000,
                'h' => 3_600_000,
                _ => 86_400_000,
            };
            return now_ms.checked_sub(n.checked_mul(mult)?);
        }
    }
    warden_security::time::parse_rfc3339_ms(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn time_parsing_never_panics(s in "\\PC{0,40}", now in proptest::num::i64::ANY) {
            let _ = parse_time(&s, now);
        }

        #[test]
        fn rfc3339_like_inputs_never_panic(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\\.[0-9]{0,12})?(Z|[+-][0-9]{2}:[0-9]{2}|.{0,3})") {
            let _ = parse_time(&s, 0);
        }
    }

    #[test]
    fn times_parse_in_every_accepted_form() {
        assert_eq!(parse_time("1700000000123", 0), Some(1_700_000_000_123));
        assert_eq!(parse_time("2h", 10_000_000), Some(10_000_000 - 7_200_000));
        assert_eq!(parse_time("1970-01-01T00:00:01Z", 0), Some(1000));
        assert_eq!(
            parse_time("2024-02-29T12:00:00.5+01:00", 0),
            Some(1_709_204_400_500)
        );
        assert_eq!(parse_time("2024-13-01T00:00:00Z", 0), None);
        assert_eq!(parse_time("yesterday", 0), None);
        assert_eq!(parse_time("", 0), None);
        assert_eq!(parse_time("é", 0), None);
    }
}
