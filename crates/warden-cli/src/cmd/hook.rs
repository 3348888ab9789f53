//! `warden hook`: coding-agent hooks.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::output::{print_json, CliError, CmdResult, EXIT_OK};

/// `warden hook` subcommands.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Claude Code hook: hook JSON on stdin, hook output on stdout.
    ClaudeCode(ClaudeCodeArgs),
    /// Print (or write, with --write) the `.claude/settings.json` snippet that wires Warden in.
    Install(InstallArgs),
}

/// Arguments of `warden hook claude-code`.
#[derive(Debug, Args)]
pub struct ClaudeCodeArgs {
    /// Ask a running Warden server instead of evaluating in process.
    #[arg(long)]
    pub server: Option<String>,
    /// Data directory for in-process state (rate-limit counters, audit log).
    #[arg(long, default_value = "./warden-data")]
    pub data_dir: PathBuf,
    /// Bearer token for `--server` (else `$WARDEN_TOKEN`, else `<data-dir>/admin.token`).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Seconds to wait for the server.
    #[arg(long, default_value_t = 10)]
    pub timeout_secs: u64,
}

/// Arguments of `warden hook install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Merge the hooks into the settings file instead of printing them.
    #[arg(long)]
    pub write: bool,
    /// Settings file to write (default `.claude/settings.json` in the current directory).
    #[arg(long, default_value = ".claude/settings.json")]
    pub settings: PathBuf,
    /// Pass `--server URL` to the hook command (govern through a running server).
    #[arg(long)]
    pub server: Option<String>,
    /// The command Claude Code runs (default: this executable's path).
    #[arg(long)]
    pub command: Option<String>,
    /// Data directory the hook keeps its state in, pinned into the command as an absolute
    /// path (default `./warden-data`, resolved now).
    #[arg(long, default_value = "./warden-data")]
    pub data_dir: PathBuf,
    /// Token file for `--server`, pinned into the command as an absolute path.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

/// Runs `warden hook`.
pub fn run(cmd: &HookCommand) -> CmdResult {
    match cmd {
        HookCommand::ClaudeCode(args) => claude_code(args),
        HookCommand::Install(args) => install(args),
    }
}

/// Every failure of the hook exits 2 with the reason on stderr: Claude Code treats exit 2 as a
/// block, so the hook fails closed. (Exit 1 would let the call go ahead.)
fn hook_failure(message: impl Into<String>) -> CliError {
    CliError::failure("hook_failed", message)
}

fn claude_code(args: &ClaudeCodeArgs) -> CmdResult {
    let mut input = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut input)
        .map_err(|e| hook_failure(format!("cannot read hook input: {e}")))?;
    // Validate the input locally in both modes, so a malformed payload never reaches a server.
    let parsed = warden_security::hooks::claude_code::HookInput::parse(&input)
        .map_err(|e| hook_failure(e.to_string()))?;
    // Loaded in both modes: a bad or missing configuration is a failure (exit 2) either way.
    let config = warden_server::config::WardenConfig::load(crate::global::config_path())
        .map_err(|e| hook_failure(e.to_string()))?;
    let output = match &args.server {
        Some(server) => ask_server(server, args, input)?,
        None => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| hook_failure(format!("cannot start runtime: {e}")))?
            .block_on(warden_server::hook::run_in_process(
                &config,
                &args.data_dir,
                &parsed,
            ))
            .map_err(hook_failure)?,
    };
    print_json(&output)?;
    Ok(EXIT_OK)
}

fn server_token(args: &ClaudeCodeArgs) -> Result<String, CliError> {
    if let Some(path) = &args.token_file {
        return read_token(path);
    }
    if let Some(t) = std::env::var("WARDEN_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        return Ok(t.trim().to_owned());
    }
    // Said on stderr (Claude Code shows it in verbose mode; the answer on stdout is unchanged):
    // an admin token skips the scope and blocklist layers while `admin_bypass` is on.
    eprintln!(
        "warden hook: using {}: an admin token skips the scope and blocklist layers \
         (admin_bypass); give the hook a session token in $WARDEN_TOKEN or --token-file",
        args.data_dir.join("admin.token").display()
    );
    read_token(&args.data_dir.join("admin.token"))
}

fn read_token(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map(|t| t.trim().to_owned())
        .map_err(|e| hook_failure(format!("cannot read token file {}: {e}", path.display())))
}

fn ask_server(server: &str, args: &ClaudeCodeArgs, input: Vec<u8>) -> Result<Value, CliError> {
    let token = server_token(args)?;
    let url = format!("{}/v1/hooks/claude-code", server.trim_end_matches('/'));
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(args.timeout_secs))
        .build()
        .map_err(|e| hook_failure(format!("cannot build HTTP client: {e}")))?;
    let resp = client
        .post(&url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header(
            "user-agent",
            concat!("warden-hook/", env!("CARGO_PKG_VERSION")),
        )
        .body(input)
        .send()
        .map_err(|e| hook_failure(format!("Warden server {server} unreachable: {e}")))?;
    let status = resp.status();
    let body: Value = resp.json().map_err(|e| {
        hook_failure(format!(
            "Warden server answered {status} with a body that is not JSON: {e}"
        ))
    })?;
    if !status.is_success() {
        let msg = body["error"]["message"].as_str().unwrap_or("no message");
        return Err(hook_failure(format!(
            "Warden server answered {status}: {msg}"
        )));
    }
    check_hook_output(&body).map_err(|why| {
        hook_failure(format!(
            "Warden server {server} answered something that is not hook output: {why}"
        ))
    })?;
    Ok(body)
}

/// The shape of what the hook endpoint answers (and nothing else is passed on to Claude
/// Code): an object whose members are hook output fields, a decision among the documented
/// values.
fn check_hook_output(v: &Value) -> Result<(), String> {
    let Some(obj) = v.as_object() else {
        return Err("not a JSON object".into());
    };
    const KNOWN: &[&str] = &[
        "hookSpecificOutput",
        "decision",
        "reason",
        "continue",
        "stopReason",
        "suppressOutput",
        "systemMessage",
    ];
    if let Some(k) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!("unknown member {k:?}"));
    }
    if let Some(d) = obj.get("decision") {
        if d.as_str() != Some("block") {
            return Err("`decision` is not \"block\"".into());
        }
    }
    if let Some(h) = obj.get("hookSpecificOutput") {
        let h = h
            .as_object()
            .ok_or("`hookSpecificOutput` is not an object")?;
        if !h.get("hookEventName").is_some_and(Value::is_string) {
            return Err("`hookSpecificOutput` has no `hookEventName`".into());
        }
        if let Some(p) = h.get("permissionDecision") {
            if !matches!(p.as_str(), Some("allow" | "deny" | "ask")) {
                return Err("`permissionDecision` is not allow, deny or ask".into());
            }
        }
    }
    Ok(())
}

/// The matcher for PreToolUse: the built-in tools that read or touch files (`Grep` reads
/// file contents too), the shell and the web,
/// and every MCP tool.
const PRE_TOOL_MATCHER: &str =
    "Bash|Write|Edit|MultiEdit|NotebookEdit|Read|Grep|Glob|LS|WebFetch|WebSearch|mcp__.*";

/// The command Claude Code runs. Every path is pinned absolute — the configuration (the one
/// `warden hook install` itself was given or found), the data dir and the token file — so
/// the hook never depends on the directory Claude Code runs it in: a `warden.toml` or a
/// `warden-data/` the agent writes into the project cannot change or reset the policy.
fn hook_command(args: &InstallArgs, token_file: Option<&Path>) -> Result<String, CliError> {
    let exe = args.command.clone().unwrap_or_else(|| {
        std::env::current_exe().map_or_else(|_| "warden".to_owned(), |p| p.display().to_string())
    });
    let mut cmd = shell_quote(&exe);
    let local = Path::new("warden.toml");
    let config = crate::global::config_path().or_else(|| local.is_file().then_some(local));
    if let Some(config) = config {
        cmd.push_str(&format!(" --config {}", shell_quote(&absolute(config)?)));
    }
    cmd.push_str(" hook claude-code");
    cmd.push_str(&format!(
        " --data-dir {}",
        shell_quote(&absolute(&args.data_dir)?)
    ));
    if let Some(server) = &args.server {
        cmd.push_str(&format!(" --server {}", shell_quote(server)));
    }
    if let Some(token) = token_file.or(args.token_file.as_deref()) {
        cmd.push_str(&format!(" --token-file {}", shell_quote(&absolute(token)?)));
    }
    Ok(cmd)
}

/// Lifetime of the session token `hook install --write --server` mints (the longest the
/// server grants); re-run the install to renew it.
const HOOK_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;

/// With `--server` and no token source (`--token-file`, `$WARDEN_TOKEN`), mints a session
/// token (scope `user`) for the hook through the server with the data dir's admin token and
/// writes it to `<data-dir>/hook.token` (0600): left to itself the hook would fall back to the
/// admin token, which skips the scope and blocklist layers. `Err` carries a warning for the
/// person installing.
fn provision_hook_token(args: &InstallArgs) -> Result<Option<PathBuf>, String> {
    let Some(server) = &args.server else {
        return Ok(None);
    };
    if args.token_file.is_some()
        || std::env::var("WARDEN_TOKEN").is_ok_and(|t| !t.trim().is_empty())
    {
        return Ok(None);
    }
    let admin_path = args.data_dir.join("admin.token");
    let admin = std::fs::read_to_string(&admin_path).map_err(|e| {
        format!(
            "no session token for the hook: cannot read {} ({e}); the hook will fall back to \
             an admin token, which skips the scope and blocklist layers — pass --token-file \
             with a session token",
            admin_path.display()
        )
    })?;
    let user = warden_server::hook::os_user().unwrap_or_else(|| "claude-code".to_owned());
    let body = json!({"kind": "session", "user_id": user, "scope": "user", "ttl_secs": HOOK_TOKEN_TTL_SECS});
    let url = format!("{}/v1/tokens", server.trim_end_matches('/'));
    let minted: Value = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .and_then(|c| c.post(&url).bearer_auth(admin.trim()).json(&body).send())
        .and_then(reqwest::blocking::Response::error_for_status)
        .and_then(|r| r.json())
        .map_err(|e| {
            format!(
                "no session token for the hook: minting one at {url} failed ({e}); the hook \
                 will fall back to an admin token — pass --token-file with a session token"
            )
        })?;
    let token = minted["access_token"]
        .as_str()
        .ok_or_else(|| format!("no session token for the hook: {url} answered no access_token"))?;
    let path = args.data_dir.join("hook.token");
    super::keys::replace_private_file(&path, format!("{token}\n").as_bytes())
        .map_err(|e| format!("no session token for the hook: {}", e.message))?;
    Ok(Some(path))
}

/// `path` made absolute against the current directory (not resolved further: it may not
/// exist yet).
fn absolute(path: &Path) -> Result<String, CliError> {
    std::path::absolute(path)
        .map(|p| p.display().to_string())
        .map_err(|e| CliError::failure("usage", format!("cannot resolve {}: {e}", path.display())))
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:=@+,".contains(&b))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The hooks section Warden installs.
fn snippet(command: &str) -> Value {
    let entry = |matcher: Option<&str>| {
        let mut e = json!({"hooks": [{"type": "command", "command": command, "timeout": 30}]});
        if let (Some(m), Some(map)) = (matcher, e.as_object_mut()) {
            map.insert("matcher".to_owned(), json!(m));
        }
        e
    };
    json!({"hooks": {
        "PreToolUse": [entry(Some(PRE_TOOL_MATCHER))],
        "PostToolUse": [entry(Some("*"))],
        "UserPromptSubmit": [entry(None)],
    }})
}

fn install(args: &InstallArgs) -> CmdResult {
    if !args.write {
        print_json(&snippet(&hook_command(args, None)?))?;
        return Ok(EXIT_OK);
    }
    let (token_file, warning) = match provision_hook_token(args) {
        Ok(path) => (path, None),
        Err(w) => {
            eprintln!("warden hook install: {w}");
            (None, Some(w))
        }
    };
    let command = hook_command(args, token_file.as_deref())?;
    let merged = merge_into_settings(&args.settings, &snippet(&command))?;
    write_settings(&args.settings, &merged)?;
    let mut out = json!({"written": args.settings.display().to_string(), "command": command});
    if let Some(path) = &token_file {
        out["token_file"] = json!(path.display().to_string());
    }
    if let Some(w) = warning {
        out["warning"] = json!(w);
    }
    print_json(&out)?;
    Ok(EXIT_OK)
}

/// Adds each event's Warden entry to the existing settings, replacing an earlier Warden entry
/// (one whose command runs `hook claude-code`) and keeping everything else.
fn merge_into_settings(path: &Path, wanted: &Value) -> Result<Value, CliError> {
    let mut settings = match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes).map_err(|e| {
            CliError::failure(
                "settings_invalid",
                format!("{} is not valid JSON: {e}", path.display()),
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => json!({}),
        Err(e) => {
            return Err(CliError::failure(
                "io",
                format!("cannot read {}: {e}", path.display()),
            ))
        }
    };
    let Some(root) = settings.as_object_mut() else {
        return Err(CliError::failure(
            "settings_invalid",
            format!("{} is not a JSON object", path.display()),
        ));
    };
    let hooks = root.entry("hooks").or_insert_with(|| json!({}));
    let Some(hooks) = hooks.as_object_mut() else {
        return Err(CliError::failure(
            "settings_invalid",
            "`hooks` is not a JSON object",
        ));
    };
    if let Some(events) = wanted["hooks"].as_object() {
        for (event, entries) in events {
            let list = hooks.entry(event.clone()).or_insert_with(|| json!([]));
            let Some(list) = list.as_array_mut() else {
                return Err(CliError::failure(
                    "settings_invalid",
                    format!("`hooks.{event}` is not an array"),
                ));
            };
            remove_warden_hooks(list);
            if let Some(new) = entries.as_array() {
                list.extend(new.iter().cloned());
            }
        }
    }
    Ok(settings)
}

/// Removes Warden's hook commands (ones running `hook claude-code`) from every matcher group,
/// keeping the other hooks of a group; a group left with no hook is dropped.
fn remove_warden_hooks(groups: &mut Vec<Value>) {
    let is_warden = |h: &Value| {
        h["command"]
            .as_str()
            .is_some_and(|c| c.contains("hook claude-code"))
    };
    groups.retain_mut(|group| {
        let Some(hooks) = group.get_mut("hooks").and_then(Value::as_array_mut) else {
            return true;
        };
        if !hooks.iter().any(is_warden) {
            return true;
        }
        hooks.retain(|h| !is_warden(h));
        !hooks.is_empty()
    });
}

fn write_settings(path: &Path, value: &Value) -> Result<(), CliError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::failure("io", format!("cannot create {}: {e}", parent.display()))
        })?;
    }
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::failure("internal", format!("cannot encode settings: {e}")))?;
    std::fs::write(path, format!("{text}\n"))
        .map_err(|e| CliError::failure("io", format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_other_hooks_and_replaces_old_warden_entries() {
        let dir = std::env::temp_dir().join(format!("warden-hook-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("settings.json");
        std::fs::write(
            &path,
            r#"{"model":"x","hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"other"}]},
                {"matcher":"*","hooks":[{"type":"command","command":"/old/warden hook claude-code"}]}]}}"#,
        )
        .unwrap();
        let merged = merge_into_settings(&path, &snippet("warden hook claude-code")).unwrap();
        assert_eq!(merged["model"], "x");
        let pre = merged["hooks"]["PreToolUse"].as_array().unwrap();
        assert_eq!(pre.len(), 2);
        assert_eq!(pre[0]["hooks"][0]["command"], "other");
        assert_eq!(pre[1]["hooks"][0]["command"], "warden hook claude-code");
        assert_eq!(
            merged["hooks"]["UserPromptSubmit"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn merge_keeps_another_hook_that_shares_a_group_with_warden() {
        let dir = std::env::temp_dir().join(format!("warden-hook-shared-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("settings.json");
        std::fs::write(
            &path,
            r#"{"hooks":{"PostToolUse":[{"matcher":"*","hooks":[{"type":"command","command":"lint.sh"},{"type":"command","command":"/old/warden hook claude-code"}]}]}}"#,
        )
        .unwrap();
        let merged = merge_into_settings(&path, &snippet("warden hook claude-code")).unwrap();
        let post = merged["hooks"]["PostToolUse"].as_array().unwrap();
        assert_eq!(post.len(), 2, "{post:?}");
        assert_eq!(post[0]["hooks"].as_array().unwrap().len(), 1);
        assert_eq!(post[0]["hooks"][0]["command"], "lint.sh");
        assert_eq!(post[1]["hooks"][0]["command"], "warden hook claude-code");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn quoting_protects_spaces() {
        assert_eq!(shell_quote("/usr/bin/warden"), "/usr/bin/warden");
        assert_eq!(shell_quote("/my dir/warden"), "'/my dir/warden'");
    }
}
