//! The built-in rule table, one module per vendor family.
//!
//! A rule is data: an id, a description, the literal keywords the prefilter looks for, an
//! optional vendor context word, a regex and validators. The scanner compiles the table once
//! (see [`super::engine`]); nothing here runs on the hot path.
//!
//! Invariants (checked by tests): ids are unique kebab-case; every match of a rule's regex
//! contains one of its keywords (case-insensitively), so the keyword prefilter never hides a
//! match; every rule has positive and negative samples.

mod ai;
mod chat;
mod cloud;
mod database;
mod devtools;
mod generic;
mod keys;
mod observability;
mod payments;
mod saas;
mod vcs;

#[cfg(test)]
pub(crate) mod samples;

use super::ScanAction;

/// A post-regex check a candidate must pass to become a finding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Validator {
    /// GitHub/npm-style token: the last 6 characters are the base62 CRC32 of the characters
    /// between the 4-byte prefix and the checksum.
    Base62Crc32,
    /// The secret's Shannon entropy (bits per character) is at least this.
    MinEntropy(f64),
    /// The secret is not a placeholder, template variable or code reference
    /// (`changeme`, `${VAR}`, `<password>`, `xxxx`, `example`, `os.environ[...]`, …).
    NotPlaceholder,
    /// Like [`Validator::NotPlaceholder`] without its code-reference test (an unquoted
    /// single-case identifier such as `DB_PASSWORD`): for fixed-format tokens whose body may
    /// be all capitals (an AWS access key id without a digit).
    NotPlaceholderText,
    /// The secret contains at least one ASCII digit.
    HasDigit,
}

/// One built-in detection rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleSpec {
    /// Stable kebab-case id, reported as `Finding::rule_id`.
    pub id: &'static str,
    /// What the rule detects.
    pub description: &'static str,
    /// Literal anchors, matched case-insensitively; one occurs in every match.
    pub keywords: &'static [&'static str],
    /// `true`: keywords are exact-case vendor prefixes (`AKIA`, `ghp_`); `false`: the
    /// prefilter also looks for their UPPER and Capitalized forms.
    pub exact_keywords: bool,
    /// Vendor words of which one must occur near the keyword (empty = no requirement).
    pub context: &'static [&'static str],
    /// The regex (compiled as bytes, ASCII-only classes).
    pub pattern: &'static str,
    /// Capture group holding the secret (0 = the whole match).
    pub group: usize,
    /// Checks a candidate must pass.
    pub validators: &'static [Validator],
    /// The secret starts with a public vendor prefix of at least 4 characters, so the preview
    /// may show 4 characters; otherwise it shows at most a quarter of the secret (≤ 4).
    pub prefixed: bool,
    /// Bytes searched before the prefilter region.
    pub before: usize,
    /// Bytes searched after the prefilter region (≥ the longest match).
    pub after: usize,
    /// Built-in action; `None` follows the configured `action`.
    pub action: Option<ScanAction>,
    /// A catch-all rule (`password=`, credentials in URLs): dropped when a vendor rule
    /// reports an overlapping span.
    pub generic: bool,
    /// The rule matches `identifier <assign> value` where the keyword is part of the
    /// identifier (`HEROKU_API_KEY = …`, `"password": …`): the regex runs only when the
    /// identifier around the keyword is followed by `=`/`:` (after optional quotes or
    /// brackets), and `context` words must occur inside that identifier.
    pub assignment: bool,
    /// The value may hold any character when quoted (a password, a passphrase): the rule's
    /// value class stops at a space or a bracket, so a value that opens with a quote is
    /// reported to its closing quote.
    pub quoted_value: bool,
}

impl RuleSpec {
    /// Field defaults for the rule tables.
    pub const DEFAULT: RuleSpec = RuleSpec {
        id: "",
        description: "",
        keywords: &[],
        exact_keywords: true,
        context: &[],
        pattern: "",
        group: 0,
        validators: &[],
        prefixed: false,
        before: 64,
        after: 256,
        action: None,
        generic: false,
        assignment: false,
        quoted_value: false,
    };
}

/// A prefixed vendor token: exact-case keywords, whole match is the secret, preview 4 chars.
macro_rules! prefixed {
    ($id:literal, $desc:literal, [$($kw:literal),+ $(,)?], $re:expr $(, $field:ident : $val:expr)* $(,)?) => {
        $crate::governance::secret_scan::rules::RuleSpec {
            id: $id,
            description: $desc,
            keywords: &[$($kw),+],
            pattern: $re,
            prefixed: true,
            before: 24,
            $($field: $val,)*
            ..$crate::governance::secret_scan::rules::RuleSpec::DEFAULT
        }
    };
}

/// A vendor secret without a distinctive prefix: found next to a credential word
/// (`key`, `token`, `secret`, …) and the vendor's name, in an assignment.
macro_rules! contextual {
    ($id:literal, $desc:literal, [$ctx0:literal $(, $ctx:literal)* $(,)?], $secret:literal $(, $field:ident : $val:expr)* $(,)?) => {
        $crate::governance::secret_scan::rules::RuleSpec {
            id: $id,
            description: $desc,
            keywords: $crate::governance::secret_scan::rules::CREDENTIAL_WORDS,
            exact_keywords: false,
            context: &[$ctx0 $(, $ctx)*],
            pattern: concat!(
                r#"(?i:"#, $ctx0, $("|", $ctx,)* r#")[\w.\-]{0,32}?(?i:key|token|secret|pass|pwd|auth|credential)[\w.\-]{0,16}?["'\])]{0,3}[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}["'`]?("#,
                $secret,
                r#")(?:[^A-Za-z0-9_\-]|$)"#
            ),
            group: 1,
            assignment: true,
            $($field: $val,)*
            ..$crate::governance::secret_scan::rules::RuleSpec::DEFAULT
        }
    };
}

pub(crate) use contextual;
pub(crate) use prefixed;

/// Credential words that anchor [`contextual!`] rules.
pub(crate) const CREDENTIAL_WORDS: &[&str] = &[
    "key",
    "token",
    "secret",
    "pass",
    "pwd",
    "auth",
    "credential",
];

/// Every built-in rule, in reporting order (vendor rules before generic ones).
pub fn builtin() -> impl Iterator<Item = &'static RuleSpec> {
    cloud::RULES
        .iter()
        .chain(vcs::RULES)
        .chain(chat::RULES)
        .chain(payments::RULES)
        .chain(ai::RULES)
        .chain(devtools::RULES)
        .chain(observability::RULES)
        .chain(saas::RULES)
        .chain(database::RULES)
        .chain(keys::RULES)
        .chain(generic::RULES)
}
