//! `warden token`: mint, verify and inspect JWTs (SPEC §8).
//!
//! - `mint admin|session` signs with the active key of the key set (`--keys`/`--data-dir`),
//!   issuer `warden` and audiences `web api a2a mcp` unless `--issuer`/`--audience` say
//!   otherwise, and prints the token.
//! - `verify` checks a token against `--jwks FILE` (public or private keys) or the key set; it
//!   pins the issuer and audiences only when `--issuer`/`--audience` are given. Exit 0 with the
//!   claims JSON, exit 1 with `{"error":{"code",..}}`.
//! - `inspect` decodes without verifying and says so (`"verified": false`).

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use warden_security::auth::user_type_within;
use warden_security::jwt::{decode_unverified, TokenValidator, DEFAULT_LEEWAY_SECS};
use warden_security::{AdminTokenParams, JwtService, SessionGenerator, SessionParams};
use warden_security::{RevocationStore, StoreError};
use warden_server::config::WardenConfig;
use warden_store::{Store, DEFAULT_DB_FILE};
use warden_types::{JwtAudience, Scopes, SessionId, UserId, UserType};

use super::keys::{load_key_file_with, KeyFileArgs, DEFAULT_DATA_DIR};
use crate::output::{print_json, CliError, CmdResult, EXIT_OK};
use warden_security::keys::KeySet;

/// `warden token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint a token.
    #[command(subcommand)]
    Mint(Box<MintCommand>),
    /// Verify a token and print its claims.
    Verify(Box<VerifyArgs>),
    /// Decode a token without verifying it.
    Inspect {
        /// The token (`-` reads it from stdin).
        token: String,
    },
}

/// `warden token mint` kinds.
#[derive(Debug, Subcommand)]
pub enum MintCommand {
    /// An admin token (scope `admin`).
    Admin(MintArgs),
    /// A session token with the given scopes.
    Session {
        #[command(flatten)]
        common: MintArgs,
        /// Space-separated scopes, e.g. "user mcp".
        #[arg(long, default_value = "user")]
        scope: String,
        /// User type (default: derived from the highest permission in --scope).
        #[arg(long)]
        user_type: Option<String>,
        /// Role (repeatable).
        #[arg(long = "role")]
        roles: Vec<String>,
    },
}

/// Flags shared by both mint kinds.
#[derive(Debug, Args)]
pub struct MintArgs {
    /// User id (`sub`).
    #[arg(long)]
    user_id: String,
    /// Session id (default: a fresh one).
    #[arg(long)]
    session_id: Option<String>,
    /// E-mail address.
    #[arg(long, default_value = "")]
    email: String,
    /// Display name (default: the e-mail address).
    #[arg(long)]
    username: Option<String>,
    /// Lifetime: `90s`, `15m`, `1h`, `7d` or bare seconds.
    #[arg(long, default_value = "1h")]
    ttl: String,
    /// Issuer (default `warden`).
    #[arg(long)]
    issuer: Option<String>,
    /// Audience (repeatable; default web, api, a2a, mcp).
    #[arg(long = "audience")]
    audiences: Vec<String>,
    #[command(flatten)]
    file: KeyFileArgs,
}

/// `warden token verify` flags.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token (`-` reads it from stdin).
    token: String,
    /// JWKS file with public or private keys (default: the key set of --keys/--data-dir).
    #[arg(long, value_name = "FILE")]
    jwks: Option<PathBuf>,
    /// Required issuer (not checked when absent).
    #[arg(long)]
    issuer: Option<String>,
    /// Accepted audience (repeatable; not checked when absent).
    #[arg(long = "audience")]
    audiences: Vec<String>,
    /// Leeway for nbf/iat in seconds.
    #[arg(long, default_value_t = DEFAULT_LEEWAY_SECS)]
    leeway: i64,
    #[command(flatten)]
    file: KeyFileArgs,
}

/// Parses `90s`, `15m`, `1h`, `7d` or bare seconds; zero is refused.
pub fn parse_ttl(s: &str) -> Result<Duration, CliError> {
    let bad = || {
        CliError::failure(
            "usage",
            format!("invalid --ttl {s:?} (e.g. 90s, 15m, 1h, 7d)"),
        )
    };
    let s = s.trim();
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let secs = n.checked_mul(mult).ok_or_else(bad)?;
    if secs == 0 {
        return Err(CliError::failure("usage", "--ttl must be positive"));
    }
    Ok(Duration::from_secs(secs))
}

fn read_token(arg: &str) -> Result<String, CliError> {
    if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut s)
            .map_err(|e| CliError::failure("io", format!("cannot read stdin: {e}")))?;
        return Ok(s.trim().to_owned());
    }
    Ok(arg.trim().to_owned())
}

fn service(args: &MintArgs) -> Result<JwtService, CliError> {
    let keys = args.file.load()?;
    if keys.active_key().is_none() {
        return Err(CliError::failure(
            "keys_invalid",
            "the key set has no active signing key",
        ));
    }
    let mut svc = JwtService::new(Arc::new(keys));
    if let Some(i) = &args.issuer {
        svc = svc.with_issuer(i.clone());
    }
    if !args.audiences.is_empty() {
        svc = svc.with_audiences(
            args.audiences
                .iter()
                .map(|a| JwtAudience::from_wire(a))
                .collect(),
        );
    }
    Ok(svc)
}

fn user_id(s: &str) -> Result<UserId, CliError> {
    UserId::parse(s).map_err(|e| CliError::failure("usage", format!("invalid --user-id: {e}")))
}

fn session_id(s: Option<&str>) -> Result<SessionId, CliError> {
    match s {
        Some(s) => SessionId::parse(s)
            .map_err(|e| CliError::failure("usage", format!("invalid --session-id: {e}"))),
        None => Ok(SessionId::generate()),
    }
}

fn print_token(token: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{token}").map_err(|e| CliError::failure("io", format!("cannot write: {e}")))
}

fn mint(cmd: &MintCommand) -> CmdResult {
    let token = match cmd {
        MintCommand::Admin(a) => {
            let svc = service(a)?;
            svc.generate_admin_token(&AdminTokenParams {
                user_id: user_id(&a.user_id)?,
                session_id: session_id(a.session_id.as_deref())?,
                email: a.email.clone(),
                username: a.username.clone(),
                duration: parse_ttl(&a.ttl)?,
            })
        }
        MintCommand::Session {
            common: a,
            scope,
            user_type,
            roles,
        } => {
            let svc = service(a)?;
            let mut p = SessionParams::new(
                user_id(&a.user_id)?,
                session_id(a.session_id.as_deref())?,
                a.email.clone(),
                Scopes::parse(scope),
            );
            p.username = a.username.clone();
            p.duration = parse_ttl(&a.ttl)?;
            p.user_type = user_type
                .as_deref()
                .map(|u| {
                    u.parse::<UserType>()
                        .map_err(|e| CliError::failure("usage", e.to_string()))
                })
                .transpose()?;
            if let Some(claimed) = p.user_type {
                // Warden refuses a token whose user type exceeds its scopes
                // (`user_type_not_granted`): do not mint one.
                user_type_within(&p.scopes, claimed).map_err(|e| {
                    CliError::failure("usage", format!("{e}; Warden would refuse the token"))
                })?;
            }
            if !roles.is_empty() {
                p.roles = Some(roles.clone());
            }
            SessionGenerator::new(svc).generate(&p)
        }
    }
    .map_err(|e| CliError::failure("mint_failed", e.to_string()))?;
    print_token(&token)?;
    Ok(EXIT_OK)
}

fn verify(a: &VerifyArgs) -> CmdResult {
    let keys = match &a.jwks {
        Some(path) => load_key_file_with(path, KeySet::for_verification)?,
        None => a.file.load()?,
    };
    let mut v = TokenValidator::new(Arc::new(keys)).with_leeway(a.leeway);
    if let Some(revoked) = revocation_list(a)? {
        v = v.with_revocation(revoked);
    }
    if let Some(i) = &a.issuer {
        v = v.with_issuer(i.clone());
    }
    if !a.audiences.is_empty() {
        v = v.with_audiences(a.audiences.iter().cloned());
    }
    let token = read_token(&a.token)?;
    match v.validate(&token) {
        Ok(_) => {
            // Print the claims exactly as the (now verified) token carries them.
            let u = decode_unverified(&token)
                .map_err(|e| CliError::rejected(e.code(), e.to_string()))?;
            print_json(&u.claims)?;
            Ok(EXIT_OK)
        }
        Err(e) => Err(CliError::rejected(e.code(), e.to_string())),
    }
}

/// The revocation list a token is checked against: that of the configured store (`[store]
/// url`), else of the data directory's database when it exists (`--data-dir`, default
/// `./warden-data`). `None` when there is no store at all (a bare `--jwks` check on a
/// machine without Warden's data). A store that is configured but cannot be read is an
/// error (exit 2), never a silent skip.
fn revocation_list(a: &VerifyArgs) -> Result<Option<Arc<dyn RevocationStore>>, CliError> {
    let cfg = WardenConfig::load(crate::global::config_path())
        .map_err(|e| CliError::failure("config_invalid", e.to_string()))?;
    let data_dir = a
        .file
        .data_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    if cfg.store.url.is_none() && !data_dir.join(DEFAULT_DB_FILE).is_file() {
        return Ok(None);
    }
    let unavailable = |e: StoreError| {
        CliError::failure(
            "store_unavailable",
            format!("cannot read the revocation list: {e}"),
        )
    };
    // A mistyped path would check the token against a new, empty revocation list.
    if let Some(db) = cfg
        .store
        .sqlite_file_in(&data_dir)
        .filter(|db| !db.is_file())
    {
        return Err(CliError::failure(
            "store_unavailable",
            format!(
                "cannot read the revocation list: the configured store {} does not exist",
                db.display()
            ),
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure("internal", format!("cannot start runtime: {e}")))?;
    runtime.block_on(async {
        let store = Store::open_in_data_dir(&data_dir, &cfg.store)
            .await
            .map_err(unavailable)?;
        let revoked: Arc<dyn RevocationStore> = store.revocations().await.map_err(unavailable)?;
        Ok(Some(revoked))
    })
}

fn inspect(token: &str) -> CmdResult {
    let token = read_token(token)?;
    let u = decode_unverified(&token).map_err(|e| CliError::rejected(e.code(), e.to_string()))?;
    print_json(&serde_json::json!({
        "verified": false,
        "warning": "decoded without verifying the signature or any claim; do not trust",
        "header": u.header,
        "claims": u.claims,
    }))?;
    Ok(EXIT_OK)
}

/// Runs `warden token`.
pub fn run(cmd: &TokenCommand) -> CmdResult {
    match cmd {
        TokenCommand::Mint(m) => mint(m),
        TokenCommand::Verify(a) => verify(a),
        TokenCommand::Inspect { token } => inspect(token),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("90s").ok(), Some(Duration::from_secs(90)));
        assert_eq!(parse_ttl("15m").ok(), Some(Duration::from_secs(900)));
        assert_eq!(parse_ttl("1h").ok(), Some(Duration::from_secs(3600)));
        assert_eq!(parse_ttl("2d").ok(), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_ttl("3600").ok(), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn ttl_rejects_zero_negative_and_garbage() {
        assert!(parse_ttl("0").is_err());
        assert!(parse_ttl("-1h").is_err());
        assert!(parse_ttl("1y").is_err());
        assert!(parse_ttl("").is_err());
    }
}
