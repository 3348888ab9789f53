//! A shell command as the shell will see it, roughly, for the baseline pack's patterns:
//! quoting and escaping that do not change what runs are undone, so that `"rm" -rf //`,
//! `\rm -rf "${HOME}"/` or `` echo `rm -rf /` `` read like the `rm -rf /` they are.
//!
//! Not a shell parser: the rules match the raw command *and* this form, so normalizing can
//! only add matches. Steps: line continuations joined; `"` and `'` removed; a backslash
//! before a letter, digit or `/` removed; backticks read as spaces; `${HOME}`, `${HOME:?}`
//! and `${HOME:-…}` read as `$HOME`; repeated slashes and `/./` collapsed; `~/..` and
//! `$HOME/..` read as `/home`.

use std::borrow::Cow;

/// Whether `s` holds anything [`normalized`] would change.
fn needs_work(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b'"' | b'\'' | b'\\' | b'`'))
        || s.contains("//")
        || s.contains("/./")
        || s.contains("${HOME")
        || s.contains("/..")
}

/// `s` with the quoting and escaping that do not change the command undone (see the module
/// docs); borrowed when there is nothing to undo.
pub(crate) fn normalized(s: &str) -> Cow<'_, str> {
    if !needs_work(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {}
            '`' => out.push(' '),
            '\\' => match chars.peek() {
                Some('\n') => {
                    chars.next();
                    out.push(' ');
                }
                Some(n) if n.is_ascii_alphanumeric() || *n == '/' => {}
                _ => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    let mut out = home_braces(&out);
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    while out.contains("/./") {
        out = out.replace("/./", "/");
    }
    for parent in ["~/..", "$HOME/.."] {
        if out.contains(parent) {
            out = out.replace(parent, "/home");
        }
    }
    Cow::Owned(out)
}

/// `${HOME}`, `${HOME:?}`, `${HOME:-x}` … → `$HOME`.
fn home_braces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("${HOME") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "${HOME".len()..];
        match after.chars().next() {
            Some('}' | ':') => match after.find('}') {
                Some(close) => {
                    out.push_str("$HOME");
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str("${HOME");
                    rest = after;
                }
            },
            _ => {
                out.push_str("${HOME");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_escaping_are_undone() {
        for (raw, want) in [
            (r#""rm" -rf /"#, "rm -rf /"),
            ("'rm' -rf //", "rm -rf /"),
            ("rm -rf /./", "rm -rf /"),
            (r#"rm -rf "${HOME}"/"#, "rm -rf $HOME/"),
            ("rm -rf ${HOME:?}/", "rm -rf $HOME/"),
            (r"\rm -rf /", "rm -rf /"),
            ("rm -rf \\\n/", "rm -rf  /"),
            ("echo `rm -rf /`", "echo  rm -rf / "),
            ("rm -rf ~/..", "rm -rf /home"),
            (r#"cat .e"nv""#, "cat .env"),
            (r#"dd of="/dev/sda""#, "dd of=/dev/sda"),
        ] {
            assert_eq!(normalized(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn plain_commands_are_borrowed() {
        assert!(matches!(normalized("ls -la ./src"), Cow::Borrowed(_)));
        assert!(matches!(normalized("rm -rf ./build"), Cow::Borrowed(_)));
    }

    #[test]
    fn never_panics_on_arbitrary_text() {
        for s in [
            "${HOME",
            "${HOME:",
            "\\",
            "`",
            "${HOME}${HOME:-x",
            "é\\é'\"`//./",
        ] {
            let _ = normalized(s);
        }
    }
}
