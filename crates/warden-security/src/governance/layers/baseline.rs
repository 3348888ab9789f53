//! The baseline pack for coding agents: argument rules that apply unless
//! `tool_blocklist.baseline = false`. Documented in the README (`### Policy and engine`).
//!
//! The rules aim at commands nobody wants an agent to run unattended, with few false
//! positives: `rm -rf ./build`, `rm -rf /tmp/x`, `cat README.md`, `ssh -i ~/.ssh/id_ed25519`,
//! `curl … | jq` and `git push --force origin feature` all pass.

use crate::governance::config::RuleAction;

/// One rule of the baseline pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaselineRule {
    /// Rule id (`baseline.…`).
    pub id: &'static str,
    /// Glob on the tool name.
    pub tool: &'static str,
    /// Dotted path into the arguments.
    pub path: &'static str,
    /// Regex matched against the value.
    pub pattern: &'static str,
    /// Deny or ask.
    pub action: RuleAction,
    /// What it guards against.
    pub description: &'static str,
}

/// Shell-like tools (Claude Code `Bash`, and common names in other agents).
const SHELL_TOOLS: &str = "{Bash,bash,Shell,shell,run_shell_command,run_terminal_cmd,execute_command,exec_command,terminal,mcp__*__run_command,mcp__*__execute_command,mcp__*__shell}";
/// File-reading tools taking `file_path`.
const READ_FILE_PATH_TOOLS: &str = "{Read,View,view}";
/// File-reading tools taking `path`.
const READ_PATH_TOOLS: &str =
    "{read_file,ReadFile,mcp__*__read_file,mcp__*__read_text_file,mcp__*__read_multiple_files}";

/// File-moving tools (`source`, `destination`).
const MOVE_TOOLS: &str = "{move_file,mcp__*__move_file}";

/// File-writing tools, by the argument naming the file.
const WRITE_FILE_PATH_TOOLS: &str = "{Write,Edit,MultiEdit,NotebookEdit}";
const WRITE_PATH_TOOLS: &str =
    "{write_file,WriteFile,edit_file,mcp__*__write_file,mcp__*__edit_file}";

/// Warden's own configuration and state, as the end of a path: an agent that rewrites or
/// deletes them turns its own governance off.
const WARDEN_FILES: &str = r#"(?i)(?:^|[/\\])(?:warden\.toml|warden-data(?:[/\\].*)?|\.claude[/\\]+settings(?:\.local)?\.json)$"#;

/// Shell commands that write, move or delete Warden's configuration or data dir.
const WARDEN_FILES_COMMAND: &str = r#"(?i)(?:(?:^|[\s;&|(`])(?:rm|rmdir|unlink|mv|cp|tee|truncate|shred|chmod|chown|ln|install|dd|sqlite3|sed\s+-i|perl\s+-p?i)\b[^;&|\n]*|>>?\s*)["']?[^\s;&|"']*(?:warden(?:\.toml|-data|[-.]?\*)|\.claude/+settings(?:\.local)?\.json)(?:$|[\s"';&|)/{*])"#;

/// Content-search tools taking `path` (a file whose lines they print).
const SEARCH_TOOLS: &str = "{Grep,grep,search_file_content,mcp__*__search_files}";

/// Credential files, as the end of a path (used on Read-like tools).
const CREDENTIAL_FILE: &str = r#"(?i)(?:^|[/\\])(?:\.ssh[/\\]+(?:\.[/\\]+)*id_[A-Za-z0-9_-]+(?:\.(?:bak|old|orig|backup|save))?|\.aws[/\\]+(?:\.[/\\]+)*credentials|\.config[/\\]+gcloud[/\\].*|\.kube[/\\]+config|\.env(?:\.(?:local|dev|development|prod|production|staging|test))?|\.netrc|\.git-credentials|\.docker[/\\]+config\.json|\.pgpass|admin\.token|hook\.token|master\.keys|audit\.key|warden-data[/\\]+keys\.json)$|^/etc/shadow$"#;

/// The commands that print, pack, encrypt or send the files named in their arguments, as a
/// regex alternation: the reading commands of the credential rules
/// ([`READ_CREDENTIAL_COMMAND`], [`READ_CREDENTIAL_AFTER_CD`]) and part of [`FILE_VERBS`].
macro_rules! reading_commands {
    () => {
        "cat|tac|less|more|head|tail|bat|batcat|nl|xxd|hexdump|od|strings|base64|tar|zip|gpg|openssl|awk|sed|grep|rg|curl|wget|nc|ncat"
    };
}

/// Commands that read or ship a credential file (or the whole `~/.ssh` / `~/.aws`
/// directory). Copying commands (`cp`, `mv`, `scp`, `rsync`) fire only when the credential
/// is a source, i.e. another argument follows it: `cp .env.example .env` writes a `.env`
/// and passes, `cp .env /tmp/x` fires. Separators may repeat or hold `./`.
const READ_CREDENTIAL_COMMAND: &str = concat!(
    r#"(?i)(?:^|[\s;&|(`$])(?:(?:"#,
    reading_commands!(),
    r#")\s(?:[^;&|\n]*?[\s/"'=@~])?(?:\.ssh/+(?:\./+)*id_[A-Za-z0-9_*?{},-]+(?:\.(?:bak|old|orig|backup|save))?(?:$|[\s"';&|)])|\.ssh/*\*?(?:$|[\s"';&|)])|\.aws/+(?:\./+)*credentials|\.aws/*\*?(?:$|[\s"';&|)])|\.config/+gcloud/|\.kube/+config(?:$|[\s"';&|)])|\.env(?:\.(?:local|dev|development|prod|production|staging|test))?\*?(?:$|[\s"';&|)])|\.netrc|\.git-credentials|\.docker/+config\.json|\.pgpass|/etc/shadow|admin\.token|hook\.token|master\.keys|audit\.key|warden-data/+(?:keys\.json|\*))|(?:cp|mv|scp|rsync)\s(?:[^;&|\n]*?[\s/"'=@~])?(?:\.ssh/+(?:\./+)*id_[A-Za-z0-9_-]+|\.ssh/*\*?|\.aws/+(?:\./+)*credentials|\.aws/*\*?|\.config/+gcloud/\S*|\.kube/+config|\.env(?:\.(?:local|dev|development|prod|production|staging|test))?|\.netrc|\.git-credentials|\.docker/+config\.json|\.pgpass|/etc/shadow)["']?\s+["']?[^\s;&|])"#
);

/// The rest of [`READ_CREDENTIAL_AFTER_CD`] after the directory: the end of the `cd`
/// (`/`, `/.`, a closing quote), a separator (`&&`, `;`, `||`, a new line), any commands,
/// then a reading command on one of `$files` (a regex alternation).
macro_rules! after_cd {
    ($files:literal) => {
        concat!(
            r#"/*(?:\./*)*["']?[ \t]*(?:&&|;|\|\||\r?\n)(?:(?s:.)*?[\s;&|(`$])?"#,
            "(?:",
            reading_commands!(),
            r#"|cp|mv|scp|rsync)\s(?:[^;&|\n]*?[\s"'=@<])?(?:\./+)?"#,
            r#"(?:"#,
            $files,
            r#")["']?(?:$|[\s;&|)])"#
        )
    };
}

/// A command that first changes into a credentials directory (`cd ~/.ssh && cat id_rsa`,
/// `pushd $HOME/.aws; tar czf /tmp/a.tgz .`, `cd ~/.kube` then `cat config` on the next line)
/// and then reads, copies or sends a private key, a credentials file or the whole directory
/// by a path relative to it: the same reading commands as [`READ_CREDENTIAL_COMMAND`],
/// anywhere later in the same command text.
const READ_CREDENTIAL_AFTER_CD: &str = concat!(
    r#"(?i)(?:^|[\s;&|(`])(?:cd|pushd)\s+(?:-[LPe@]+\s+|--\s+)*["']?"#,
    r#"(?:(?:~|\$HOME|\$\{HOME\}|/root|/home/[^/\s;&|"']+|/Users/[^/\s;&|"']+)/+)?"#,
    r#"(?:\.ssh"#,
    after_cd!(r#"id_[A-Za-z0-9_*?{},-]+(?:\.(?:bak|old|orig|backup|save))?|\*|\."#),
    r#"|\.aws"#,
    after_cd!(r#"credentials|\*|\."#),
    r#"|\.kube"#,
    after_cd!(r#"config|\*|\."#),
    r#"|\.docker"#,
    after_cd!(r#"config\.json|\*|\."#),
    r#"|\.config/+gcloud"#,
    after_cd!(r#"[A-Za-z0-9_.*-]+"#),
    r#")"#,
);

const RULES: &[BaselineRule] = &[
    BaselineRule {
        id: "baseline.rm_root",
        tool: SHELL_TOOLS,
        path: "command",
        // rm, any words, a recursive flag, any words, then a catastrophic target: `/`, `/*`,
        // `~`, `$HOME`, a top-level system directory. A longer path (`/tmp/x`) is not one.
        pattern: concat!(
            r"\brm\s+(?:[^;&|\n]*\s)?(?:-[A-Za-z]*[rR][A-Za-z]*|--recursive)\s+(?:[^;&|\n]*\s)?",
            r#"["']?(?:/\*?|~/?\*?|\$HOME/?\*?|\$\{HOME\}/?\*?|/(?:bin|boot|dev|etc|home|lib|lib32|lib64|opt|proc|root|sbin|srv|sys|usr|var|Users|System|Library|Applications)/?\*?)["']?(?:$|[\s;&|)])"#
        ),
        action: RuleAction::Deny,
        description:
            "recursive delete of the filesystem root, the home directory or a system directory",
    },
    BaselineRule {
        id: "baseline.rm_no_preserve_root",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r"\brm\s[^;&|\n]*--no-preserve-root",
        action: RuleAction::Deny,
        description: "rm with --no-preserve-root",
    },
    BaselineRule {
        id: "baseline.mkfs",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r"(?:^|[\s;&|(`/])mkfs(?:\.[A-Za-z0-9]+)?\s+\S",
        action: RuleAction::Deny,
        description: "creating a filesystem (mkfs) erases a device",
    },
    BaselineRule {
        id: "baseline.dd_block_device",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r"\bdd\s[^;&|\n]*\bof=/dev/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|disk\d|rdisk\d|md\d|dm-\d|mapper/|loop\d|root)",
        action: RuleAction::Deny,
        description: "dd writing to a block device",
    },
    BaselineRule {
        id: "baseline.redirect_block_device",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r">\s*/dev/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|disk\d|rdisk\d)",
        action: RuleAction::Deny,
        description: "redirecting output onto a block device",
    },
    BaselineRule {
        id: "baseline.fork_bomb",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r":\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:",
        action: RuleAction::Deny,
        description: "fork bomb",
    },
    BaselineRule {
        id: "baseline.chmod_root",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r#"\bchmod\s+(?:(?:-[A-Za-z]*R[A-Za-z]*|--recursive)\s+[^\s;&|-]\S*|[^\s;&|-]\S*\s+(?:-[A-Za-z]*R[A-Za-z]*|--recursive))\s+["']?/\*?["']?(?:$|[\s;&|)])"#,
        action: RuleAction::Deny,
        description: "recursive chmod of the filesystem root (any mode: 777 opens it, 000 breaks it)",
    },
    BaselineRule {
        id: "baseline.chown_root",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r#"\bchown\s+(?:-[A-Za-z]*R[A-Za-z]*|--recursive)\s+\S+\s+["']?/\*?["']?(?:$|[\s;&|)])"#,
        action: RuleAction::Deny,
        description: "recursive chown of the filesystem root",
    },
    BaselineRule {
        id: "baseline.pipe_to_shell",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r"\b(?:curl|wget)\b[^;&\n]*?\|&?\s*(?:sudo\s+(?:-\S+\s+)*)?(?:(?:/\S*/)?env\s+(?:-\S+\s+)*(?:\S+=\S*\s+)*)?(?:/\S*/)?(?:ba|z|k|da|fi|c|tc)?sh\b",
        action: RuleAction::Deny,
        description: "piping a download into a shell",
    },
    BaselineRule {
        id: "baseline.shell_from_download",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r"(?:\b(?:ba|z|k|da)?sh\b|\bsource\b|\beval\b)[^;&|\n]*(?:<\(|\$\(|`)\s*(?:curl|wget)\b",
        action: RuleAction::Deny,
        description: "running a downloaded script through a shell",
    },
    BaselineRule {
        id: "baseline.read_credentials_shell",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: READ_CREDENTIAL_COMMAND,
        action: RuleAction::Deny,
        description: "reading or sending an SSH private key, cloud credentials or a .env file",
    },
    BaselineRule {
        id: "baseline.read_credentials_after_cd",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: READ_CREDENTIAL_AFTER_CD,
        action: RuleAction::Deny,
        description: "reading or sending an SSH private key, cloud credentials or a .env file",
    },
    BaselineRule {
        id: "baseline.force_push_main",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: r"\bgit\s+(?:-C\s+\S+\s+)?push\b(?:[^;&|\n]*(?:\s(?:--force(?:-with-lease)?|-[A-Za-z]*f[A-Za-z]*)\b[^;&|\n]*\s\+?(?:\S*:)?(?:refs/heads/)?(?:main|master)(?:$|[\s;&|)])|\s\+?(?:\S*:)?(?:refs/heads/)?(?:main|master)\s[^;&|\n]*(?:--force(?:-with-lease)?|-[A-Za-z]*f[A-Za-z]*)\b|\s\+(?:\S*:)?(?:refs/heads/)?(?:main|master)(?:$|[\s;&|)]))|\s+(?:--force(?:-with-lease)?|-[A-Za-z]*f[A-Za-z]*)(?:\s+[A-Za-z0-9_.-]+)?\s*(?:$|[;&|)]))",
        action: RuleAction::Ask,
        description: "force-pushing to main or master (or to whatever branch is checked out) rewrites shared history",
    },
    BaselineRule {
        id: "baseline.warden_files_shell",
        tool: SHELL_TOOLS,
        path: "command",
        pattern: WARDEN_FILES_COMMAND,
        action: RuleAction::Deny,
        description: "changing or deleting Warden's own configuration or data directory",
    },
    BaselineRule {
        id: "baseline.read_credentials_file",
        tool: READ_FILE_PATH_TOOLS,
        path: "file_path",
        pattern: CREDENTIAL_FILE,
        action: RuleAction::Deny,
        description: "reading an SSH private key, cloud credentials or a .env file",
    },
    BaselineRule {
        id: "baseline.read_credentials_notebook",
        tool: "NotebookRead",
        path: "notebook_path",
        pattern: CREDENTIAL_FILE,
        action: RuleAction::Deny,
        description: "reading an SSH private key, cloud credentials or a .env file",
    },
    BaselineRule {
        id: "baseline.read_credentials_path",
        tool: READ_PATH_TOOLS,
        path: "path",
        pattern: CREDENTIAL_FILE,
        action: RuleAction::Deny,
        description: "reading an SSH private key, cloud credentials or a .env file",
    },
    BaselineRule {
        id: "baseline.warden_files_write",
        tool: WRITE_FILE_PATH_TOOLS,
        path: "file_path",
        pattern: WARDEN_FILES,
        action: RuleAction::Deny,
        description: "changing Warden's own configuration or data directory",
    },
    BaselineRule {
        id: "baseline.warden_files_notebook",
        tool: "NotebookEdit",
        path: "notebook_path",
        pattern: WARDEN_FILES,
        action: RuleAction::Deny,
        description: "changing Warden's own configuration or data directory",
    },
    BaselineRule {
        id: "baseline.warden_files_path",
        tool: WRITE_PATH_TOOLS,
        path: "path",
        pattern: WARDEN_FILES,
        action: RuleAction::Deny,
        description: "changing Warden's own configuration or data directory",
    },
    BaselineRule {
        id: "baseline.read_credentials_search",
        tool: SEARCH_TOOLS,
        path: "path",
        pattern: CREDENTIAL_FILE,
        action: RuleAction::Deny,
        description: "searching inside an SSH private key, cloud credentials or a .env file",
    },
    BaselineRule {
        id: "baseline.read_credentials_paths",
        tool: READ_PATH_TOOLS,
        path: "paths.*",
        pattern: CREDENTIAL_FILE,
        action: RuleAction::Deny,
        description: "reading an SSH private key, cloud credentials or a .env file",
    },
];

/// The baseline pack, in evaluation order.
pub fn baseline_rules() -> &'static [BaselineRule] {
    RULES
}

/// The ways a command or a tool may name `dir`: its path, and under `home` also `~/…`,
/// `$HOME/…` and `${HOME}/…`; each as a regex (escaped).
fn spellings(dir: &std::path::Path, home: Option<&std::path::Path>) -> Vec<String> {
    let mut out = vec![regex::escape(&dir.to_string_lossy())];
    if let Some(rest) = home.and_then(|h| dir.strip_prefix(h).ok()) {
        let rest = rest.to_string_lossy();
        if !rest.is_empty() {
            for prefix in ["~", "$HOME", "${HOME}"] {
                out.push(regex::escape(&format!("{prefix}/{rest}")));
            }
        }
    }
    out
}

/// Argument rules that keep agents out of Warden's data directory whatever its name
/// (`warden serve --data-dir`, the hook's data dir): a shell command that names it or
/// anything in it, and the file tools on a path inside it, are denied. `dirs` are the
/// directory's absolute spellings (as given and with symlinks resolved, when they differ);
/// `home` is the user's home directory, for the `~/…` spellings; `cwd`, the agent's working
/// directory when known (the hook's input says it), for paths relative to it.
///
/// The baseline rules recognise a data directory called `warden-data` by its name; these
/// cover the one actually in use. `/` and the home directory itself are skipped (protecting
/// them would shut the agent out of everything), and so is an entry of `dirs` that is not
/// absolute.
pub fn data_dir_rules(
    dirs: &[&std::path::Path],
    home: Option<&std::path::Path>,
    cwd: Option<&std::path::Path>,
) -> Vec<crate::governance::config::ArgumentRuleConfig> {
    use crate::governance::config::ArgumentRuleConfig;
    let mut spelled: Vec<String> = Vec::new();
    let mut relative: Vec<String> = Vec::new();
    for dir in dirs {
        if dir.parent().is_none() || home == Some(*dir) || !dir.is_absolute() {
            continue;
        }
        for s in spellings(dir, home) {
            if !spelled.contains(&s) {
                spelled.push(s);
            }
        }
        let inside_cwd = cwd
            .and_then(|c| dir.strip_prefix(c).ok())
            .map(|r| r.to_string_lossy().into_owned())
            .filter(|r| !r.is_empty());
        if let Some(r) = inside_cwd.map(|r| regex::escape(&r)) {
            if !relative.contains(&r) {
                relative.push(r);
            }
        }
    }
    if spelled.is_empty() {
        return Vec::new();
    }
    let relative = (!relative.is_empty()).then(|| relative.join("|"));
    let alternatives = match &relative {
        // File tools take paths: a relative one names the directory as surely as an absolute.
        Some(r) => format!("{}|(?:\\./+)?(?:{r})", spelled.join("|")),
        None => spelled.join("|"),
    };
    let reason = "reading or changing Warden's data directory (signing keys, vault key ring, \
                  audit log)";
    let rule = |id: &str, tool: &str, path: &str, pattern: String| ArgumentRuleConfig {
        id: Some(format!("baseline.warden_data_dir_{id}")),
        tool: tool.to_owned(),
        path: path.to_owned(),
        pattern,
        action: RuleAction::Deny,
        reason: Some(reason.to_owned()),
    };
    let absolute = spelled.join("|");
    let in_command = format!(r#"(?:^|[\s;&|(`"'=<>:@])(?:{absolute})(?:$|[/\s"';&|)*<>])"#);
    let a_path_inside = format!(r"^(?:{alternatives})(?:[/\\]|$)");
    let mut rules = vec![
        rule("shell", SHELL_TOOLS, "command", in_command),
        rule(
            "read",
            READ_FILE_PATH_TOOLS,
            "file_path",
            a_path_inside.clone(),
        ),
        rule(
            "write",
            WRITE_FILE_PATH_TOOLS,
            "file_path",
            a_path_inside.clone(),
        ),
        rule(
            "notebook",
            "NotebookRead",
            "notebook_path",
            a_path_inside.clone(),
        ),
        rule(
            "notebook_edit",
            "NotebookEdit",
            "notebook_path",
            a_path_inside.clone(),
        ),
        rule("read_path", READ_PATH_TOOLS, "path", a_path_inside.clone()),
        rule(
            "write_path",
            WRITE_PATH_TOOLS,
            "path",
            a_path_inside.clone(),
        ),
        rule("search", SEARCH_TOOLS, "path", a_path_inside.clone()),
        rule(
            "read_paths",
            READ_PATH_TOOLS,
            "paths.*",
            a_path_inside.clone(),
        ),
        rule("move_from", MOVE_TOOLS, "source", a_path_inside.clone()),
        rule("move_to", MOVE_TOOLS, "destination", a_path_inside),
    ];
    // In a command a bare relative name (`state`) may be any word, so it counts only as an
    // argument of a command that reads, changes or sends files, or after a redirection.
    if let Some(r) = relative {
        rules.push(rule(
            "shell_relative",
            SHELL_TOOLS,
            "command",
            format!(
                r#"(?:(?:^|[\s;&|(`])(?:{FILE_VERBS})\b[^;&|\n]*?[\s"'=<>@]|>>?\s*)["']?(?:\./+)?(?:{r})(?:$|[/\s"';&|)*<>])"#
            ),
        ));
    }
    rules
}

/// Commands that read, change or send the files named in their arguments.
const FILE_VERBS: &str = concat!(
    reading_commands!(),
    "|rm|rmdir|unlink|mv|cp|scp|rsync|tee|truncate|shred|chmod|chown|ln|install|dd|sqlite3|perl|",
    "find|vi|vim|nano|python3?|node"
);
