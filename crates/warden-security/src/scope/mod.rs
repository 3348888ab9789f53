//! Scopes and permissions (SPEC §2.3) and the tool-glob → required-scope mapping used by the
//! governance `scope_check` layer.
//!
//! Grant rules ([`grants`]):
//! - a permission word (`admin`, `user`, `service`, `a2a`, `mcp`, `anonymous`) is granted by
//!   any held permission that implies it (`admin` ⊇ `user` ⊇ `service` ⊇ `a2a` ⊇ `mcp` ⊇
//!   `anonymous`, by level);
//! - a custom scope (any other word, e.g. `github:write`) is granted by the exact word, or by
//!   `admin`, which grants everything.

use warden_types::{Permission, Scopes};

/// A scope requirement was not met, or a rule set is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// None of the alternatives was granted.
    #[error("missing scope: one of [{}] is required", .0.join(", "))]
    MissingAny(Vec<String>),
    /// These required scopes were not granted.
    #[error("missing scopes: [{}]", .0.join(", "))]
    MissingAll(Vec<String>),
    /// A rule has no glob, an empty glob, or no scope.
    #[error("invalid scope rule #{index}: {reason}")]
    InvalidRule {
        /// Zero-based rule index.
        index: usize,
        /// What is wrong.
        reason: String,
    },
}

/// True when `held` grants `required` (see the module docs).
pub fn grants(held: &Scopes, required: &str) -> bool {
    if held.contains(required) {
        return true;
    }
    let perms = held.permissions();
    if perms.contains(&Permission::Admin) {
        return true;
    }
    match required.parse::<Permission>() {
        Ok(req) => perms.iter().any(|p| p.implies(&req)),
        Err(_) => false,
    }
}

/// Succeeds when `held` grants at least one of `required` (an empty list always succeeds).
pub fn require_any<S: AsRef<str>>(held: &Scopes, required: &[S]) -> Result<(), ScopeError> {
    if required.is_empty() || required.iter().any(|r| grants(held, r.as_ref())) {
        return Ok(());
    }
    Err(ScopeError::MissingAny(
        required.iter().map(|r| r.as_ref().to_owned()).collect(),
    ))
}

/// Succeeds when `held` grants every one of `required`.
pub fn require_all<S: AsRef<str>>(held: &Scopes, required: &[S]) -> Result<(), ScopeError> {
    let missing: Vec<String> = required
        .iter()
        .filter(|r| !grants(held, r.as_ref()))
        .map(|r| r.as_ref().to_owned())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ScopeError::MissingAll(missing))
    }
}

/// A compiled glob over tool names: `*` matches any run of characters (including none), `?`
/// exactly one; everything else matches itself (case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolGlob {
    pattern: Vec<char>,
    literal: bool,
}

impl ToolGlob {
    /// Compiles a glob; an empty pattern is refused.
    pub fn new(pattern: &str) -> Option<ToolGlob> {
        if pattern.is_empty() {
            return None;
        }
        Some(ToolGlob {
            literal: !pattern.contains(['*', '?']),
            pattern: pattern.chars().collect(),
        })
    }

    /// True when `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        if self.literal {
            return name.chars().eq(self.pattern.iter().copied());
        }
        let p = &self.pattern;
        let t: Vec<char> = name.chars().collect();
        let (mut pi, mut ti) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            match p.get(pi) {
                Some('*') => {
                    star = Some((pi, ti));
                    pi += 1;
                }
                Some(c) if *c == '?' || *c == t[ti] => {
                    pi += 1;
                    ti += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        pi = sp + 1;
                        ti = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi..].iter().all(|c| *c == '*')
    }
}

/// Rules mapping tool-name globs to the scopes a caller needs. The first rule whose glob
/// matches decides; a tool no rule matches needs no scope (`None`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeRules {
    rules: Vec<(Vec<ToolGlob>, Vec<String>)>,
}

impl ScopeRules {
    /// Compiles `(globs, scopes)` pairs. Each rule needs at least one non-empty glob and at
    /// least one scope word without whitespace.
    pub fn new(rules: Vec<(Vec<String>, Vec<String>)>) -> Result<ScopeRules, ScopeError> {
        let mut out = Vec::with_capacity(rules.len());
        for (index, (globs, scopes)) in rules.into_iter().enumerate() {
            let invalid = |reason: &str| ScopeError::InvalidRule {
                index,
                reason: reason.to_owned(),
            };
            if globs.is_empty() {
                return Err(invalid("no tool glob"));
            }
            if scopes.is_empty() {
                return Err(invalid("no scope"));
            }
            if scopes
                .iter()
                .any(|s| s.is_empty() || s.chars().any(char::is_whitespace))
            {
                return Err(invalid("a scope is empty or contains whitespace"));
            }
            let compiled = globs
                .iter()
                .map(|g| ToolGlob::new(g).ok_or_else(|| invalid("empty tool glob")))
                .collect::<Result<Vec<_>, _>>()?;
            out.push((compiled, scopes));
        }
        Ok(ScopeRules { rules: out })
    }

    /// The scopes required to call `tool` (any one of them suffices, see
    /// [`ScopeRules::check`]), or `None` when no rule matches.
    pub fn required_scopes(&self, tool: &str) -> Option<&[String]> {
        self.rules
            .iter()
            .find(|(globs, _)| globs.iter().any(|g| g.matches(tool)))
            .map(|(_, s)| s.as_slice())
    }

    /// Checks that `held` may call `tool`: at least one of the required scopes is granted.
    pub fn check(&self, tool: &str, held: &Scopes) -> Result<(), ScopeError> {
        match self.required_scopes(tool) {
            Some(req) => require_any(held, req),
            None => Ok(()),
        }
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there is no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Scopes {
        Scopes::parse(v)
    }

    #[test]
    fn higher_permission_grants_lower() {
        assert!(grants(&s("user"), "mcp"));
        assert!(!grants(&s("mcp"), "user"));
    }

    #[test]
    fn admin_grants_custom_scopes() {
        assert!(grants(&s("admin"), "github:write"));
        assert!(!grants(&s("user"), "github:write"));
        assert!(grants(&s("user github:write"), "github:write"));
    }

    #[test]
    fn require_any_and_all() {
        assert!(require_any(&s("mcp"), &["user", "mcp"]).is_ok());
        assert_eq!(
            require_any(&s("mcp"), &["user"]),
            Err(ScopeError::MissingAny(vec!["user".into()]))
        );
        assert_eq!(
            require_all(&s("user"), &["mcp", "x"]),
            Err(ScopeError::MissingAll(vec!["x".into()]))
        );
        assert!(require_all(&s("user x"), &["mcp", "x"]).is_ok());
    }

    #[test]
    fn glob_matching() {
        let g = ToolGlob::new("mcp__github__*").unwrap_or_else(|| panic!());
        assert!(g.matches("mcp__github__create_issue"));
        assert!(g.matches("mcp__github__"));
        assert!(!g.matches("mcp__gitlab__x"));
        let q = ToolGlob::new("Bash?").unwrap_or_else(|| panic!());
        assert!(q.matches("Bash1"));
        assert!(!q.matches("Bash"));
        let m = ToolGlob::new("*__delete_*").unwrap_or_else(|| panic!());
        assert!(m.matches("mcp__fs__delete_file"));
        assert!(!m.matches("mcp__fs__read"));
        assert!(ToolGlob::new("").is_none());
    }

    #[test]
    fn first_matching_rule_decides() {
        let r = ScopeRules::new(vec![
            (vec!["mcp__github__delete_*".into()], vec!["admin".into()]),
            (
                vec!["mcp__github__*".into()],
                vec!["github".into(), "user".into()],
            ),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.required_scopes("mcp__github__delete_repo"),
            Some(&["admin".to_owned()][..])
        );
        assert_eq!(
            r.required_scopes("mcp__github__list").map(<[String]>::len),
            Some(2)
        );
        assert_eq!(r.required_scopes("Bash"), None);
        assert!(r.check("mcp__github__list", &s("user")).is_ok());
        assert!(r.check("mcp__github__delete_repo", &s("user")).is_err());
    }

    #[test]
    fn invalid_rules_are_refused() {
        assert!(ScopeRules::new(vec![(vec![], vec!["a".into()])]).is_err());
        assert!(ScopeRules::new(vec![(vec!["x".into()], vec![])]).is_err());
        assert!(ScopeRules::new(vec![(vec!["".into()], vec!["a".into()])]).is_err());
        assert!(ScopeRules::new(vec![(vec!["x".into()], vec!["a b".into()])]).is_err());
    }
}
