//! A shell command as the shell will see it, roughly, for the baseline pack's patterns:
//! quoting and escaping that do not change what runs are undone, so that `"rm" -rf //`,
//! `\rm -rf "${HOME}"/` or `` echo `rm -rf /` `` read like the `rm -rf /` they are.
//!
//! Not a shell parser: the rules match the raw command *and* this form, so normalizing can
//! only add matches. Steps, in one pass: line continuations joined; `"` and `'` removed, and
//! the `$` of `$'…'`; a backslash before any other character removed; backticks read as
//! spaces; repeated slashes and `/./` collapsed. Then, only when present: `${HOME}`,
//! `${HOME:?}` and `${HOME:-…}` read as `$HOME`; `~/..` and `$HOME/..` as `/home`; `..`
//! resolved in absolute paths.

use std::borrow::Cow;

/// `s` with the quoting and escaping that do not change the command undone (see the module
/// docs); borrowed when there is nothing to undo.
pub(crate) fn normalized(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    // The first byte that may change; plain commands return here without allocating.
    let Some(first) = bytes.iter().enumerate().position(|(i, &b)| match b {
        b'"' | b'\'' | b'\\' | b'`' => true,
        b'/' => {
            matches!(bytes.get(i + 1), Some(b'/'))
                || (bytes.get(i + 1) == Some(&b'.') && bytes.get(i + 2) == Some(&b'/'))
        }
        b'$' => {
            s[i..].starts_with("${HOME")
                || s[i..].starts_with("$HOME/..")
                || s[i..].starts_with("$'")
        }
        b'~' => s[i..].starts_with("~/.."),
        b'.' => i > 0 && bytes[i - 1] == b'/' && bytes.get(i + 1) == Some(&b'.'),
        _ => false,
    }) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut chars = s[first..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {}
            '`' => out.push(' '),
            // Outside quotes a backslash makes the next character literal: `\-rf` is `-rf`.
            '\\' => match chars.peek() {
                Some('\n') => {
                    chars.next();
                    out.push(' ');
                }
                Some(_) => {}
                None => out.push('\\'),
            },
            // `$'…'` (ANSI-C quoting) reads as its contents.
            '$' if chars.peek() == Some(&'\'') => {}
            '/' if out.ends_with('/') => {}
            '.' if out.ends_with('/') && matches!(chars.peek(), Some('/')) => {
                chars.next();
            }
            _ => out.push(c),
        }
    }
    if out.contains("${HOME") {
        out = home_braces(&out);
    }
    for parent in ["~/..", "$HOME/.."] {
        if out.contains(parent) {
            out = out.replace(parent, "/home");
        }
    }
    if out.contains("/..") {
        out = out
            .split(' ')
            .map(resolve_dot_dot)
            .collect::<Vec<_>>()
            .join(" ");
    }
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

/// An absolute path word with its `..` segments resolved lexically (`/tmp/../` → `/`,
/// `/..` → `/`); other words unchanged.
fn resolve_dot_dot(word: &str) -> Cow<'_, str> {
    if !word.starts_with('/') || !word.contains("/..") {
        return Cow::Borrowed(word);
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in word.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(seg),
        }
    }
    let trailing = word.ends_with('/') && !parts.is_empty();
    let mut out = format!("/{}", parts.join("/"));
    if trailing {
        out.push('/');
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
            ("rm -rf /.//./", "rm -rf /"),
            (r#"rm -rf "${HOME}"/"#, "rm -rf $HOME/"),
            ("rm -rf ${HOME:?}/", "rm -rf $HOME/"),
            (r"\rm -rf /", "rm -rf /"),
            ("rm -rf \\\n/", "rm -rf  /"),
            ("echo `rm -rf /`", "echo  rm -rf / "),
            ("rm -rf ~/..", "rm -rf /home"),
            (r#"cat .e"nv""#, "cat .env"),
            (r#"dd of="/dev/sda""#, "dd of=/dev/sda"),
            (r"rm \-rf /", "rm -rf /"),
            (r"cat ~/.ssh/id\_rsa", "cat ~/.ssh/id_rsa"),
            ("rm -rf $'/'", "rm -rf /"),
            ("rm -rf /..", "rm -rf /"),
            ("rm -rf /tmp/../", "rm -rf /"),
            ("cat /home/u/.ssh/../.ssh/id_rsa", "cat /home/u/.ssh/id_rsa"),
            ("rm -rf /usr/local/../..", "rm -rf /"),
            ("cat ./.env", "cat ./.env"),
        ] {
            assert_eq!(normalized(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn plain_commands_are_borrowed() {
        for s in [
            "ls -la ./src",
            "rm -rf ./build",
            "cd ../..",
            "cat ../a/b",
            "echo $HOME",
            "a/.b",
        ] {
            assert!(matches!(normalized(s), Cow::Borrowed(_)), "{s}");
        }
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
            "/.",
            "//",
        ] {
            let _ = normalized(s);
        }
    }

    proptest::proptest! {
        #[test]
        fn normalized_text_has_no_repeated_slashes(s in "[a-z/. ]{0,40}") {
            let once = normalized(&s).into_owned();
            proptest::prop_assert!(!once.contains("//"));
        }
    }
}
