//! `[governance]` parsing and validation: every error names its exact key path.

use warden_security::governance::config::{LimitConfig, RuleAction, UnmappedDefault};
use warden_security::governance::{GovernanceConfig, LayerMode, LimitKey};

fn err(toml: &str) -> String {
    match GovernanceConfig::from_toml_str(toml) {
        Ok(_) => panic!("expected an error for:\n{toml}"),
        Err(e) => e.to_string(),
    }
}

const SPEC_EXAMPLE: &str = r#"
enabled = true
mode = "enforce"

[secret_scan]
enabled = true
action = "deny"
allowlist = []
entropy = { enabled = true, min_len = 32, threshold = 0.8 }

[scope_check]
enabled = true
default = "allow"
[[scope_check.rules]]
tools = ["mcp__github__*"]
scopes = ["github"]

[tool_blocklist]
enabled = true
admin_bypass = true
deny = ["*delete*", "mcp__db__drop_*"]
allow = []
[[tool_blocklist.argument_rules]]
tool = "Bash"
path = "command"
pattern = "rm\\s+-rf\\s+/"

[rate_limit]
enabled = true
[[rate_limit.limits]]
key = "principal"
limit = 300
window_secs = 60
"#;

#[test]
fn spec_example_parses_with_every_key() {
    let c = GovernanceConfig::from_toml_str(SPEC_EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.enabled);
    assert_eq!(c.mode, LayerMode::Enforce);
    assert_eq!(c.scope_check.rules[0].scopes, vec!["github"]);
    assert_eq!(c.tool_blocklist.deny.len(), 2);
    assert_eq!(c.tool_blocklist.argument_rules[0].action, RuleAction::Deny);
    assert_eq!(
        c.rate_limit.limits,
        vec![LimitConfig {
            key: LimitKey::Principal,
            limit: 300,
            window_secs: 60,
            tools: None
        }]
    );
}

#[test]
fn empty_section_gives_spec_defaults() {
    let c = GovernanceConfig::from_toml_str("").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c, GovernanceConfig::default());
    assert!(c.secret_scan.enabled && c.scope_check.enabled);
    assert!(c.tool_blocklist.enabled && c.rate_limit.enabled);
    assert_eq!(c.scope_check.default, UnmappedDefault::Allow);
    assert!(c.tool_blocklist.baseline);
    assert_eq!(c.rate_limit.limits[0].limit, 300);
    assert_eq!(c.rate_limit.limits[0].window_secs, 60);
}

#[test]
fn whole_file_without_governance_section_gives_defaults() {
    let c = GovernanceConfig::from_warden_toml("[server]\nlisten = \"x\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c, GovernanceConfig::default());
}

#[test]
fn whole_file_governance_errors_carry_the_section_prefix() {
    assert_eq!(
        GovernanceConfig::from_warden_toml("[governance]\nenabled = 1\n")
            .err()
            .map(|e| e.to_string()),
        Some("governance.enabled: invalid type: integer `1`, expected a boolean".to_owned())
    );
}

#[test]
fn governance_that_is_not_a_table_is_an_error() {
    assert_eq!(
        GovernanceConfig::from_warden_toml("governance = 3\n")
            .err()
            .map(|e| e.to_string()),
        Some("governance: expected a table, found integer".to_owned())
    );
}

#[test]
fn unknown_top_level_key_is_an_error() {
    let e = err("enabeld = true\n");
    assert!(
        e.starts_with("governance.enabeld: unknown field `enabeld`"),
        "{e}"
    );
}

#[test]
fn unknown_key_in_a_layer_is_an_error_with_its_path() {
    let e = err("[tool_blocklist]\ndenny = []\n");
    assert!(
        e.starts_with("governance.tool_blocklist.denny: unknown field `denny`"),
        "{e}"
    );
}

#[test]
fn unknown_key_in_an_argument_rule_is_an_error_with_its_index() {
    let e = err("[[tool_blocklist.argument_rules]]\ntool = \"Bash\"\npath = \"command\"\npattern = \"x\"\nregex = \"y\"\n");
    assert!(
        e.starts_with("governance.tool_blocklist.argument_rules[0].regex: unknown field `regex`"),
        "{e}"
    );
}

#[test]
fn bad_mode_is_an_error() {
    let e = err("mode = \"audit\"\n");
    assert!(
        e.starts_with("governance.mode: unknown variant `audit`"),
        "{e}"
    );
}

#[test]
fn secret_scan_mode_is_accepted_and_validated() {
    let c = GovernanceConfig::from_toml_str("[secret_scan]\nmode = \"shadow\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.secret_scan_mode, Some(LayerMode::Shadow));
    assert_eq!(
        err("[secret_scan]\nmode = \"loud\"\n"),
        "governance.secret_scan.mode: unknown variant `loud`, expected `enforce` or `shadow`"
    );
    assert_eq!(
        err("[secret_scan]\nmode = 1\n"),
        "governance.secret_scan.mode: invalid type: integer, expected `enforce` or `shadow`"
    );
}

#[test]
fn unknown_key_in_secret_scan_is_an_error() {
    let e = err("[secret_scan]\nrules = []\n");
    assert!(
        e.starts_with("governance.secret_scan.rules: unknown field `rules`"),
        "{e}"
    );
}

#[test]
fn bad_secret_scan_action_is_an_error() {
    let e = err("[secret_scan]\naction = \"mask\"\n");
    assert!(
        e.starts_with("governance.secret_scan.action: unknown variant `mask`"),
        "{e}"
    );
}

#[test]
fn bad_allowlist_regex_names_its_index() {
    let e = err("[secret_scan]\nallowlist = [\"ok\", \"(\"]\n");
    assert!(
        e.starts_with("governance.secret_scan.allowlist[1]: invalid regex: "),
        "{e}"
    );
    assert!(!e.contains('\n'));
}

#[test]
fn entropy_threshold_out_of_range_is_an_error() {
    assert_eq!(
        err("[secret_scan]\nentropy = { threshold = 1.5 }\n"),
        "governance.secret_scan.entropy.threshold: must be between 0 and 1 (normalized entropy), got 1.5"
    );
}

#[test]
fn entropy_min_len_zero_is_an_error() {
    assert_eq!(
        err("[secret_scan]\nentropy = { min_len = 0 }\n"),
        "governance.secret_scan.entropy.min_len: must be at least 1"
    );
}

#[test]
fn bad_scope_default_is_an_error() {
    let e = err("[scope_check]\ndefault = \"maybe\"\n");
    assert!(
        e.starts_with("governance.scope_check.default: unknown variant `maybe`"),
        "{e}"
    );
}

#[test]
fn scope_rule_without_tools_is_an_error() {
    assert_eq!(
        err("[[scope_check.rules]]\ntools = []\nscopes = [\"a\"]\n"),
        "governance.scope_check.rules[0].tools: must list at least one tool pattern"
    );
}

#[test]
fn scope_rule_without_scopes_is_an_error() {
    assert_eq!(
        err("[[scope_check.rules]]\ntools = [\"x\"]\nscopes = []\n"),
        "governance.scope_check.rules[0].scopes: must list at least one scope"
    );
}

#[test]
fn scope_rule_missing_key_is_an_error() {
    let e = err("[[scope_check.rules]]\ntools = [\"x\"]\n");
    assert!(
        e.starts_with("governance.scope_check.rules[0]: missing field `scopes`"),
        "{e}"
    );
}

#[test]
fn scope_word_with_space_is_an_error() {
    assert_eq!(
        err("[[scope_check.rules]]\ntools = [\"x\"]\nscopes = [\"a b\"]\n"),
        "governance.scope_check.rules[0].scopes[0]: \"a b\" is not a scope word (empty or contains whitespace)"
    );
}

#[test]
fn bad_scope_glob_names_rule_and_pattern_index() {
    assert_eq!(
        err("[[scope_check.rules]]\ntools = [\"ok\", \"mcp__[x\"]\nscopes = [\"a\"]\n"),
        "governance.scope_check.rules[0].tools[1]: invalid glob \"mcp__[x\": unclosed character class '['"
    );
}

#[test]
fn bad_deny_allow_and_ask_globs_name_their_list() {
    assert_eq!(
        err("[tool_blocklist]\ndeny = [\"{a,b\"]\n"),
        "governance.tool_blocklist.deny[0]: invalid glob \"{a,b\": unclosed alternative '{'"
    );
    assert_eq!(
        err("[tool_blocklist]\nallow = [\"x\", \"\"]\n"),
        "governance.tool_blocklist.allow[1]: empty pattern"
    );
    let e = err("[tool_blocklist]\nask = [\"re:(\"]\n");
    assert!(
        e.starts_with("governance.tool_blocklist.ask[0]: invalid regex: "),
        "{e}"
    );
}

#[test]
fn bad_argument_rule_regex_names_its_pattern_key() {
    let e = err("[[tool_blocklist.argument_rules]]\ntool = \"Bash\"\npath = \"command\"\npattern = \"rm (\"\n");
    assert!(
        e.starts_with("governance.tool_blocklist.argument_rules[0].pattern: invalid regex: "),
        "{e}"
    );
    assert!(!e.contains('\n'), "one line: {e}");
}

#[test]
fn bad_argument_rule_path_is_an_error() {
    assert_eq!(
        err("[[tool_blocklist.argument_rules]]\ntool = \"Bash\"\npath = \"a..b\"\npattern = \"x\"\n"),
        "governance.tool_blocklist.argument_rules[0].path: empty segment in path \"a..b\""
    );
    assert_eq!(
        err("[[tool_blocklist.argument_rules]]\ntool = \"Bash\"\npath = \"\"\npattern = \"x\"\n"),
        "governance.tool_blocklist.argument_rules[0].path: empty path"
    );
}

#[test]
fn bad_argument_rule_tool_glob_is_an_error() {
    assert_eq!(
        err("[[tool_blocklist.argument_rules]]\ntool = \"a}\"\npath = \"c\"\npattern = \"x\"\n"),
        "governance.tool_blocklist.argument_rules[0].tool: invalid glob \"a}\": unmatched '}'"
    );
}

#[test]
fn bad_argument_rule_action_is_an_error() {
    let e = err("[[tool_blocklist.argument_rules]]\ntool = \"Bash\"\npath = \"c\"\npattern = \"x\"\naction = \"warn\"\n");
    assert!(
        e.starts_with("governance.tool_blocklist.argument_rules[0].action: unknown variant `warn`"),
        "{e}"
    );
}

#[test]
fn duplicate_argument_rule_ids_are_an_error() {
    let rule = "[[tool_blocklist.argument_rules]]\nid = \"r\"\ntool = \"Bash\"\npath = \"c\"\npattern = \"x\"\n";
    assert_eq!(
        err(&format!("{rule}{rule}")),
        "governance.tool_blocklist.argument_rules[1].id: duplicate rule id \"r\""
    );
}

#[test]
fn bad_limit_key_is_an_error() {
    let e = err("[[rate_limit.limits]]\nkey = \"ip\"\nlimit = 1\nwindow_secs = 1\n");
    assert!(
        e.starts_with("governance.rate_limit.limits[0].key: unknown variant `ip`"),
        "{e}"
    );
}

#[test]
fn zero_limit_is_an_error() {
    assert_eq!(
        err("[[rate_limit.limits]]\nkey = \"tool\"\nlimit = 0\nwindow_secs = 60\n"),
        "governance.rate_limit.limits[0].limit: must be between 1 and 100000, got 0"
    );
}

#[test]
fn zero_window_is_an_error() {
    assert_eq!(
        err("[[rate_limit.limits]]\nkey = \"tool\"\nlimit = 5\nwindow_secs = 0\n"),
        "governance.rate_limit.limits[0].window_secs: must be between 1 and 604800, got 0"
    );
}

#[test]
fn negative_limit_is_a_type_error() {
    let e = err("[[rate_limit.limits]]\nkey = \"tool\"\nlimit = -1\nwindow_secs = 5\n");
    assert!(
        e.starts_with("governance.rate_limit.limits[0].limit: "),
        "{e}"
    );
}

#[test]
fn empty_limit_tools_is_an_error() {
    assert_eq!(
        err("[[rate_limit.limits]]\nkey = \"tool\"\nlimit = 5\nwindow_secs = 5\ntools = []\n"),
        "governance.rate_limit.limits[0].tools: must list at least one tool pattern (omit the key for every tool)"
    );
}

#[test]
fn an_enabled_rate_limit_without_limits_is_an_error() {
    assert_eq!(
        err("[rate_limit]\nlimits = []\n"),
        "governance.rate_limit.limits: is empty, so nothing would be limited: list at least one \
         limit, or set `enabled = false` to turn rate limiting off"
    );
    // Switched off, an empty list is what it says; left out, the default limit applies.
    assert!(
        GovernanceConfig::from_toml_str("[rate_limit]\nenabled = false\nlimits = []\n").is_ok()
    );
    let default = GovernanceConfig::from_toml_str("[rate_limit]\nenabled = true\n").unwrap();
    assert_eq!(default.rate_limit.limits.len(), 1);
}

#[test]
fn zero_size_limits_are_errors() {
    assert_eq!(
        err("max_argument_bytes = 0\n"),
        "governance.max_argument_bytes: must be at least 1"
    );
    assert_eq!(
        err("max_argument_depth = 0\n"),
        "governance.max_argument_depth: must be at least 1"
    );
}

#[test]
fn toml_syntax_error_is_reported() {
    assert!(GovernanceConfig::from_toml_str("enabled = ").is_err());
    let e = GovernanceConfig::from_warden_toml("[governance\n").err();
    assert!(e.is_some_and(|e| e.path == "(file)" && !e.message.contains('\n')));
}

#[test]
fn governance_config_deserializes_inside_a_larger_document() {
    #[derive(serde::Deserialize)]
    struct Doc {
        governance: GovernanceConfig,
    }
    let ok: Result<Doc, _> = toml::from_str("[governance]\nmode = \"shadow\"\n");
    assert_eq!(ok.map(|d| d.governance.mode).ok(), Some(LayerMode::Shadow));
    let bad: Result<Doc, _> = toml::from_str(
        "[governance.rate_limit]\nlimits = [{ key = \"tool\", limit = 0, window_secs = 1 }]\n",
    );
    let msg = bad.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("governance.rate_limit.limits[0].limit: must be between 1 and 100000, got 0"),
        "{msg}"
    );
}

#[test]
fn config_round_trips_through_toml() {
    let mut c = GovernanceConfig::from_toml_str(SPEC_EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    c.secret_scan_mode = Some(LayerMode::Shadow);
    c.tool_blocklist.mode = Some(LayerMode::Enforce);
    let text = toml::to_string(&c).unwrap_or_else(|e| panic!("{e}"));
    let back = GovernanceConfig::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back, c);
}
