//! Name patterns for tool names: shell-style globs, or regexes written `re:…`.
//!
//! Glob syntax: `*` any run of characters (including none), `?` one character, `[abc]`,
//! `[a-z]` and `[!abc]` character classes, `{a,b,c}` alternatives (not nested), and `\x` for a
//! literal `x`. A glob matches the whole name. A pattern starting with `re:` is a regular
//! expression (`regex` crate syntax) matched anywhere in the name unless anchored.
//!
//! Patterns are compiled once, at configuration time, into one anchored regex each plus a
//! combined regex per list, so a list that does not match costs one DFA scan of the name.

use regex::Regex;

/// Prefix that marks a pattern as a regular expression instead of a glob.
pub const REGEX_PREFIX: &str = "re:";

/// Why a glob or regex pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// The pattern is the empty string.
    #[error("empty pattern")]
    Empty,
    /// A `[` has no closing `]`.
    #[error("invalid glob {0:?}: unclosed character class '['")]
    UnclosedClass(String),
    /// A `[]` or `[!]` class lists no character.
    #[error("invalid glob {0:?}: empty character class")]
    EmptyClass(String),
    /// A `{` has no closing `}`.
    #[error("invalid glob {0:?}: unclosed alternative '{{'")]
    UnclosedAlternative(String),
    /// A `{` inside `{…}`.
    #[error("invalid glob {0:?}: nested alternatives are not supported")]
    NestedAlternative(String),
    /// A `}` with no opening `{`.
    #[error("invalid glob {0:?}: unmatched '}}'")]
    UnmatchedBrace(String),
    /// A trailing `\`.
    #[error("invalid glob {0:?}: dangling escape '\\' at the end")]
    DanglingEscape(String),
    /// The `re:` pattern does not compile.
    #[error("invalid regex: {0}")]
    Regex(String),
}

/// Translates a glob into the body of an anchored regex (without the anchors).
pub fn glob_to_regex(glob: &str) -> Result<String, PatternError> {
    if glob.is_empty() {
        return Err(PatternError::Empty);
    }
    let mut out = String::with_capacity(glob.len() * 2);
    let mut chars = glob.chars().peekable();
    let mut in_alt = false;
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                // Collapse runs of `*` (`**` means the same as `*` on a flat name).
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                out.push_str("(?s:.*)");
            }
            '?' => out.push_str("(?s:.)"),
            '\\' => match chars.next() {
                Some(lit) => push_literal(&mut out, lit),
                None => return Err(PatternError::DanglingEscape(glob.to_owned())),
            },
            '[' => {
                let mut class = String::from("[");
                if chars.peek() == Some(&'!') || chars.peek() == Some(&'^') {
                    chars.next();
                    class.push('^');
                }
                let mut members = 0usize;
                let mut closed = false;
                while let Some(m) = chars.next() {
                    if m == ']' {
                        closed = true;
                        break;
                    }
                    let m = if m == '\\' {
                        match chars.next() {
                            Some(x) => x,
                            None => return Err(PatternError::UnclosedClass(glob.to_owned())),
                        }
                    } else {
                        m
                    };
                    members += 1;
                    if m == '-' && members > 1 && chars.peek() != Some(&']') {
                        class.push('-');
                    } else {
                        if matches!(m, '[' | ']' | '\\' | '^' | '-' | '&' | '~') {
                            class.push('\\');
                        }
                        class.push(m);
                    }
                }
                if !closed {
                    return Err(PatternError::UnclosedClass(glob.to_owned()));
                }
                if members == 0 {
                    return Err(PatternError::EmptyClass(glob.to_owned()));
                }
                class.push(']');
                out.push_str(&class);
            }
            '{' => {
                if in_alt {
                    return Err(PatternError::NestedAlternative(glob.to_owned()));
                }
                in_alt = true;
                out.push_str("(?:");
            }
            ',' if in_alt => out.push('|'),
            '}' => {
                if !in_alt {
                    return Err(PatternError::UnmatchedBrace(glob.to_owned()));
                }
                in_alt = false;
                out.push(')');
            }
            other => push_literal(&mut out, other),
        }
    }
    if in_alt {
        return Err(PatternError::UnclosedAlternative(glob.to_owned()));
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
}

/// Compiles one pattern (a glob, or `re:` + regex) into a regex matching tool names.
pub fn compile_pattern(pattern: &str) -> Result<Regex, PatternError> {
    Regex::new(&pattern_source(pattern)?).map_err(|e| PatternError::Regex(e.to_string()))
}

/// The regex source of one pattern (anchored for globs).
fn pattern_source(pattern: &str) -> Result<String, PatternError> {
    if let Some(re) = pattern.strip_prefix(REGEX_PREFIX) {
        if re.is_empty() {
            return Err(PatternError::Empty);
        }
        // Validate alone first so the error names this pattern, not the combination.
        Regex::new(re).map_err(|e| PatternError::Regex(e.to_string()))?;
        Ok(format!("(?:{re})"))
    } else {
        Ok(format!("^(?:{})$", glob_to_regex(pattern)?))
    }
}

/// A compiled list of name patterns.
#[derive(Debug, Clone, Default)]
pub struct NameSet {
    sources: Vec<String>,
    regexes: Vec<Regex>,
    combined: Option<Regex>,
}

impl NameSet {
    /// Compiles `patterns`; the error carries the index of the first bad pattern.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, (usize, PatternError)> {
        let mut sources = Vec::with_capacity(patterns.len());
        let mut regexes = Vec::with_capacity(patterns.len());
        let mut parts = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            let p = p.as_ref();
            let src = pattern_source(p).map_err(|e| (i, e))?;
            let re = Regex::new(&src).map_err(|e| (i, PatternError::Regex(e.to_string())))?;
            sources.push(p.to_owned());
            regexes.push(re);
            parts.push(src);
        }
        let combined = if parts.len() > 1 {
            // Each part compiled alone, so the alternation compiles too (barring size limits,
            // in which case the per-pattern loop is used).
            Regex::new(&parts.join("|")).ok()
        } else {
            None
        };
        Ok(Self {
            sources,
            regexes,
            combined,
        })
    }

    /// True when the set has no pattern.
    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
    }

    /// The first pattern (as written) that matches `name`.
    pub fn first_match(&self, name: &str) -> Option<&str> {
        if let Some(c) = &self.combined {
            if !c.is_match(name) {
                return None;
            }
        }
        self.regexes
            .iter()
            .position(|r| r.is_match(name))
            .and_then(|i| self.sources.get(i).map(String::as_str))
    }

    /// True when any pattern matches `name`.
    pub fn is_match(&self, name: &str) -> bool {
        match &self.combined {
            Some(c) => c.is_match(name),
            None => self.regexes.iter().any(|r| r.is_match(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(glob: &str, name: &str) -> bool {
        compile_pattern(glob)
            .map(|r| r.is_match(name))
            .unwrap_or(false)
    }

    #[test]
    fn star_matches_any_run_including_empty() {
        assert!(m("mcp__github__*", "mcp__github__create_issue"));
        assert!(m("mcp__github__*", "mcp__github__"));
        assert!(!m("mcp__github__*", "mcp__gitlab__x"));
        assert!(m("*delete*", "delete"));
        assert!(m("*delete*", "mcp__db__delete_row"));
    }

    #[test]
    fn glob_matches_whole_name_only() {
        assert!(!m("Bash", "BashOutput"));
        assert!(m("Bash", "Bash"));
    }

    #[test]
    fn question_mark_matches_exactly_one_char() {
        assert!(m("Rea?", "Read"));
        assert!(!m("Rea?", "Rea"));
    }

    #[test]
    fn classes_and_negated_classes() {
        assert!(m("tool_[abc]", "tool_b"));
        assert!(!m("tool_[abc]", "tool_d"));
        assert!(m("tool_[a-c]", "tool_b"));
        assert!(m("tool_[!a-c]", "tool_z"));
        assert!(!m("tool_[!a-c]", "tool_a"));
    }

    #[test]
    fn alternatives_match_any_branch() {
        assert!(m("{Read,NotebookRead}", "NotebookRead"));
        assert!(m("mcp__{fs,filesystem}__read*", "mcp__fs__read_file"));
        assert!(!m("{Read,Write}", "Edit"));
    }

    #[test]
    fn regex_metacharacters_in_globs_are_literal() {
        assert!(m("a.b", "a.b"));
        assert!(!m("a.b", "axb"));
        assert!(m("a+b", "a+b"));
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
    }

    #[test]
    fn re_prefix_is_a_regex() {
        assert!(m("re:^mcp__.*__drop_", "mcp__db__drop_table"));
        assert!(!m("re:^mcp__.*__drop_", "mcp__db__create"));
    }

    #[test]
    fn glob_errors_name_the_problem() {
        assert_eq!(
            compile_pattern("").err(),
            Some(PatternError::Empty),
            "empty"
        );
        assert_eq!(
            compile_pattern("a[bc").err().map(|e| e.to_string()),
            Some("invalid glob \"a[bc\": unclosed character class '['".to_owned())
        );
        assert_eq!(
            compile_pattern("a[]").err().map(|e| e.to_string()),
            Some("invalid glob \"a[]\": empty character class".to_owned())
        );
        assert_eq!(
            compile_pattern("{a,b").err().map(|e| e.to_string()),
            Some("invalid glob \"{a,b\": unclosed alternative '{'".to_owned())
        );
        assert_eq!(
            compile_pattern("{a,{b}}").err().map(|e| e.to_string()),
            Some("invalid glob \"{a,{b}}\": nested alternatives are not supported".to_owned())
        );
        assert_eq!(
            compile_pattern("a}").err().map(|e| e.to_string()),
            Some("invalid glob \"a}\": unmatched '}'".to_owned())
        );
        assert_eq!(
            compile_pattern("a\\").err().map(|e| e.to_string()),
            Some("invalid glob \"a\\\\\": dangling escape '\\' at the end".to_owned())
        );
    }

    #[test]
    fn bad_regex_is_an_error() {
        let e = compile_pattern("re:(").err().map(|e| e.to_string());
        assert!(e.is_some_and(|s| s.starts_with("invalid regex: ")));
        assert_eq!(compile_pattern("re:").err(), Some(PatternError::Empty));
    }

    #[test]
    fn name_set_reports_first_matching_pattern_as_written() {
        let s = NameSet::new(&["*delete*", "mcp__db__drop_*"]).unwrap_or_default();
        assert_eq!(
            s.first_match("mcp__db__drop_table"),
            Some("mcp__db__drop_*")
        );
        assert_eq!(s.first_match("Read"), None);
        assert!(s.is_match("x_delete"));
    }

    #[test]
    fn name_set_error_carries_index() {
        let e = NameSet::new(&["ok", "bad["]).err();
        assert_eq!(e.map(|(i, _)| i), Some(1));
    }
}
