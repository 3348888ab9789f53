//! What request paths say about their senders: probe paths of exploit scanners grouped by the
//! product they target, dot-files, traversal, null bytes, payloads and backup/source file
//! extensions.
//!
//! The path is normalized before matching: query and fragment split off, percent-encoding
//! decoded (up to three rounds, so `%252e%252e` is seen as `..`), overlong UTF-8 dots and
//! slashes (`%c0%ae`, `%c0%af`) folded, backslashes turned into slashes and repeated slashes
//! collapsed. Case is ignored. The common case (a plain path) is matched in place without
//! allocating.
//!
//! Probe patterns match **whole path segments** (`/wp-admin`, `/blog/wp-admin/x`, but not
//! `/wp-admin-guide` or `/wp-content-strategy`); some only as the first segment (`/admin`,
//! `/uploads`), some as segment prefixes (`/components/com_…`, `/adminer-4.8.php`).

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::agents::{build_automaton, Lowered};

/// Where a path pattern may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// Whole segment(s), anywhere in the path.
    Segment,
    /// Whole segment(s) starting at the first segment.
    Root,
    /// Starts at a segment boundary, anywhere; may end inside a segment.
    Prefix,
    /// Anywhere, path or query (exploit payloads).
    Anywhere,
}

/// How strong a path signal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strength {
    /// A probe for a product or file that no visitor asks for by accident.
    Probe,
    /// The seed's generic paths (`/admin`, `/uploads`, `/config/`, `/identity`): probed a lot,
    /// but real applications serve them too; the classifier can be told to ignore them.
    Generic,
    /// An attack payload.
    Exploit,
}

/// One path rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PathRule {
    pub pattern: &'static str,
    pub family: &'static str,
    pub anchor: Anchor,
    pub strength: Strength,
}

const fn seg(pattern: &'static str, family: &'static str) -> PathRule {
    PathRule {
        pattern,
        family,
        anchor: Anchor::Segment,
        strength: Strength::Probe,
    }
}
const fn root(pattern: &'static str, family: &'static str) -> PathRule {
    PathRule {
        pattern,
        family,
        anchor: Anchor::Root,
        strength: Strength::Probe,
    }
}
const fn prefix(pattern: &'static str, family: &'static str) -> PathRule {
    PathRule {
        pattern,
        family,
        anchor: Anchor::Prefix,
        strength: Strength::Probe,
    }
}
const fn generic(pattern: &'static str, family: &'static str) -> PathRule {
    PathRule {
        pattern,
        family,
        anchor: Anchor::Root,
        strength: Strength::Generic,
    }
}
const fn payload(pattern: &'static str, family: &'static str) -> PathRule {
    PathRule {
        pattern,
        family,
        anchor: Anchor::Anywhere,
        strength: Strength::Exploit,
    }
}

/// Every path rule, grouped by the product family probed.
pub(crate) const PATH_RULES: &[PathRule] = &[
    // WordPress
    seg("wp-admin", "wordpress"),
    seg("wp-login.php", "wordpress"),
    seg("wp-content", "wordpress"),
    seg("wp-includes", "wordpress"),
    seg("wp-json", "wordpress"),
    seg("wp-cron.php", "wordpress"),
    seg("xmlrpc", "wordpress"),
    seg("xmlrpc.php", "wordpress"),
    seg("wlwmanifest.xml", "wordpress"),
    prefix("wp-config", "wordpress"),
    root("wordpress", "wordpress"),
    // phpMyAdmin and other database consoles
    seg("phpmyadmin", "phpmyadmin"),
    root("pma", "phpmyadmin"),
    root("myadmin", "phpmyadmin"),
    seg("mysqladmin", "phpmyadmin"),
    root("dbadmin", "phpmyadmin"),
    seg("phppgadmin", "phpmyadmin"),
    prefix("adminer", "phpmyadmin"),
    // Joomla
    root("administrator", "joomla"),
    prefix("components/com_", "joomla"),
    root("joomla", "joomla"),
    // Drupal
    seg("sites/default", "drupal"),
    seg("drupal.js", "drupal"),
    // Laravel, Symfony, generic PHP
    prefix("_ignition", "laravel"),
    root("telescope", "laravel"),
    seg("storage/logs", "laravel"),
    seg("vendor/phpunit", "php"),
    prefix("eval-stdin", "php"),
    prefix("phpinfo", "php"),
    seg("_profiler", "symfony"),
    seg("_wdt", "symfony"),
    prefix("c99", "webshell"),
    prefix("r57", "webshell"),
    // Spring Boot, Java app servers
    seg("actuator", "spring"),
    seg("jolokia", "spring"),
    seg("heapdump", "spring"),
    seg("h2-console", "spring"),
    seg("jmx-console", "jboss"),
    seg("web-console", "jboss"),
    root("invoker", "jboss"),
    seg("wls-wsat", "weblogic"),
    seg("_async", "weblogic"),
    seg("bea_wls_deployment_internal", "weblogic"),
    seg("manager/html", "tomcat"),
    seg("manager/text", "tomcat"),
    seg("manager/status", "tomcat"),
    seg("host-manager", "tomcat"),
    seg("axis2", "axis"),
    // Jenkins
    root("jenkins", "jenkins"),
    seg("securityrealm", "jenkins"),
    seg("asynchpeople", "jenkins"),
    seg("jnlpjars", "jenkins"),
    // CGI
    seg("cgi-bin", "cgi"),
    seg("cgi-mod", "cgi"),
    seg("cgi-sys", "cgi"),
    seg("fcgi-bin", "cgi"),
    // IIS and ASP.NET
    seg("_vti_bin", "iis"),
    seg("_vti_pvt", "iis"),
    seg("aspnet_client", "iis"),
    seg("iisadmin", "iis"),
    seg("iisadmpwd", "iis"),
    seg("msadc", "iis"),
    // Exchange
    root("owa", "exchange"),
    root("ecp", "exchange"),
    seg("autodiscover", "exchange"),
    seg("mapi/nspi", "exchange"),
    // Citrix, Fortinet, Pulse/Ivanti, Palo Alto, F5, Cisco, VMware
    seg("vpns", "citrix"),
    root("citrix", "citrix"),
    seg("logon/logonpoint", "citrix"),
    seg("nf/auth", "citrix"),
    seg("remote/fgt_lang", "fortinet"),
    seg("remote/login", "fortinet"),
    seg("remote/logincheck", "fortinet"),
    seg("fgt_lang", "fortinet"),
    seg("dana-na", "ivanti"),
    seg("dana-cached", "ivanti"),
    root("mifs", "ivanti"),
    seg("global-protect", "paloalto"),
    seg("ssl-vpn", "paloalto"),
    seg("tmui", "f5"),
    seg("mgmt/tm", "f5"),
    seg("hsqldb", "f5"),
    seg("+cscoe+", "cisco"),
    seg("+cscot+", "cisco"),
    seg("+cscol+", "cisco"),
    seg("vsphere-client", "vmware"),
    seg("ui/vropspluginui", "vmware"),
    // Routers, cameras and other devices
    seg("hnap1", "device"),
    seg("boaform", "device"),
    seg("gponform", "device"),
    seg("goform", "device"),
    root("shell", "device"),
    // Apache, Solr, Elasticsearch
    seg("server-status", "apache"),
    seg("server-info", "apache"),
    seg("solr/admin", "solr"),
    root("_cat", "elasticsearch"),
    // Keys and credentials left on disk
    seg("id_rsa", "secrets"),
    seg("id_dsa", "secrets"),
    seg("id_ecdsa", "secrets"),
    seg("id_ed25519", "secrets"),
    seg("sftp-config.json", "secrets"),
    seg("docker-compose.yml", "secrets"),
    seg("docker-compose.yaml", "secrets"),
    seg("appsettings.json", "secrets"),
    seg("wallet.dat", "secrets"),
    // The seed's generic paths
    generic("admin", "generic"),
    generic("uploads", "generic"),
    generic("config/", "generic"),
    generic("identity", "generic"),
    // Exploit payloads (path or query)
    payload("${jndi:", "log4shell"),
    payload("${${", "log4shell"),
    payload("/etc/passwd", "file_read"),
    payload("/etc/shadow", "file_read"),
    payload("/proc/self/", "file_read"),
    payload("win.ini", "file_read"),
    payload("boot.ini", "file_read"),
    payload("cmd.exe", "command"),
    payload("/bin/sh", "command"),
    payload("/bin/bash", "command"),
    payload("xp_cmdshell", "sql_injection"),
    payload("union select", "sql_injection"),
    payload("union+select", "sql_injection"),
    payload("union all select", "sql_injection"),
    payload("information_schema", "sql_injection"),
    payload("<script", "xss"),
    payload("php://", "php_wrapper"),
    payload("phar://", "php_wrapper"),
    payload("expect://", "php_wrapper"),
    payload("allow_url_include", "php_cgi"),
    payload("auto_prepend_file", "php_cgi"),
];

/// Extensions that mark server-side source, configuration, databases or backups: no visitor
/// of a Warden-protected service asks for them at any depth.
const EXT_ANYWHERE: &[&str] = &[
    "php", "php3", "php4", "php5", "php7", "phtml", "phar", "phps", "asp", "aspx", "ashx", "asmx",
    "axd", "jsp", "jspx", "do", "action", "cgi", "env", "git", "sql", "bak", "old", "orig", "save",
    "swp", "swo", "db", "sqlite", "sqlite3", "mdb", "config", "dll",
];

/// Archive and legacy-page extensions: flagged only at the top level (`/backup.zip`,
/// `/www.tar.gz`, `/login.htm`), where scanners guess them; deeper they are often real
/// downloads.
const EXT_ROOT_ONLY: &[&str] = &["zip", "gz", "tgz", "tar", "rar", "7z", "bz2", "xz", "htm"];

/// The compiled path automaton.
pub(crate) static PATH_AUTOMATON: LazyLock<AhoCorasick> =
    LazyLock::new(|| build_automaton(PATH_RULES.iter().map(|r| r.pattern)));

/// What was found in a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathFinding {
    /// A NUL byte (raw or `%00`).
    NullByte,
    /// A `..` segment after decoding.
    Traversal,
    /// A segment starting with `.` other than `.well-known`.
    DotFile,
    /// A probe path of a product family.
    Probe(&'static str),
    /// One of the seed's generic paths.
    Generic(&'static str),
    /// An exploit payload.
    Exploit(&'static str),
    /// A source/config/backup extension.
    Extension(&'static str),
}

impl PathFinding {
    /// True for the seed's generic paths only.
    pub(crate) fn is_generic(self) -> bool {
        matches!(self, PathFinding::Generic(_))
    }
}

/// Up to a few findings, without allocating.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PathFindings {
    items: [Option<PathFinding>; 4],
}

impl PathFindings {
    fn push(&mut self, f: PathFinding) {
        for slot in &mut self.items {
            match slot {
                Some(existing) if *existing == f => return,
                Some(_) => {}
                None => {
                    *slot = Some(f);
                    return;
                }
            }
        }
    }

    /// The findings, in the order found.
    pub(crate) fn iter(&self) -> impl Iterator<Item = PathFinding> + '_ {
        self.items.iter().map_while(|x| *x)
    }

    /// True when nothing was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.items[0].is_none()
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn has_escape(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| w[0] == b'%' && hex(w[1]).is_some() && hex(w[2]).is_some())
}

/// One round of percent-decoding; `%uXXXX` (IIS) for ASCII code points too.
fn decode_once(input: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            if matches!(input.get(i + 1), Some(b'u' | b'U')) {
                let digits = input.get(i + 2..i + 6).unwrap_or(&[]);
                if digits.len() == 4 && digits[0] == b'0' && digits[1] == b'0' {
                    if let (Some(h), Some(l)) = (hex(digits[2]), hex(digits[3])) {
                        out.push(h << 4 | l);
                        i += 6;
                        continue;
                    }
                }
            }
        }
        out.push(b);
        i += 1;
    }
}

/// Folds overlong UTF-8 encodings of `.` `/` `\` (used to slip traversal past filters),
/// backslashes and repeated slashes, in place.
fn fold(buf: &mut Vec<u8>) {
    let mut out = Vec::with_capacity(buf.len());
    let mut i = 0;
    while i < buf.len() {
        let b = buf[i];
        let (mapped, used) = match (b, buf.get(i + 1).copied()) {
            (0xC0, Some(0xAE)) => (b'.', 2),
            (0xC0, Some(0xAF)) => (b'/', 2),
            (0xC1, Some(0x9C)) => (b'/', 2),
            (b'\\', _) => (b'/', 1),
            _ => (b, 1),
        };
        if !(mapped == b'/' && out.last() == Some(&b'/')) {
            out.push(mapped);
        }
        i += used;
    }
    *buf = out;
}

/// What one pass over a raw path finds.
#[derive(Debug, Clone, Copy)]
struct Survey {
    /// Index of the first `?` or `#` (or the length).
    cut: usize,
    /// An escape, a backslash, a non-ASCII byte or a repeated slash: [`normalize`] copies.
    needs_normalizing: bool,
    /// A raw NUL byte.
    nul: bool,
    /// An ASCII uppercase letter.
    upper: bool,
}

/// One pass over `bytes` (small inputs: a plain loop beats several `memchr` calls).
fn survey(bytes: &[u8]) -> Survey {
    let mut out = Survey {
        cut: bytes.len(),
        needs_normalizing: false,
        nul: false,
        upper: false,
    };
    let mut prev = 0u8;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'%' => {
                out.needs_normalizing |= bytes.get(i + 1).copied().and_then(hex).is_some()
                    && bytes.get(i + 2).copied().and_then(hex).is_some()
                    || matches!(bytes.get(i + 1), Some(b'u' | b'U'));
            }
            b'\\' => out.needs_normalizing = true,
            b'/' => out.needs_normalizing |= prev == b'/',
            b'?' | b'#' => out.cut = out.cut.min(i),
            0 => out.nul = true,
            b'A'..=b'Z' => out.upper = true,
            0x80.. => out.needs_normalizing = true,
            _ => {}
        }
        prev = b;
    }
    out
}

/// The normalized form of a raw path (`path[?query][#fragment]`): `(text, path_len, nul,
/// upper)`, where `text[..path_len]` is the path and the rest (if any) is `?query` decoded
/// the same way; `nul` and `upper` say whether `text` holds a NUL byte / an uppercase letter.
pub(crate) fn normalize(raw: &str) -> (Cow<'_, [u8]>, usize, bool, bool) {
    let bytes = raw.as_bytes();
    let sv = survey(bytes);
    if !sv.needs_normalizing {
        return (Cow::Borrowed(bytes), sv.cut, sv.nul, sv.upper);
    }
    let (path, rest) = bytes.split_at(sv.cut);
    let mut p = decode_rounds(path);
    fold(&mut p);
    let path_len = p.len();
    if !rest.is_empty() {
        let q = decode_rounds(rest);
        p.extend_from_slice(&q);
    }
    let nul = p.contains(&0);
    let upper = p.iter().any(u8::is_ascii_uppercase);
    (Cow::Owned(p), path_len, nul, upper)
}

fn decode_rounds(input: &[u8]) -> Vec<u8> {
    let mut cur = input.to_vec();
    let mut next = Vec::with_capacity(cur.len());
    for _ in 0..3 {
        if !has_escape(&cur) {
            break;
        }
        decode_once(&cur, &mut next);
        std::mem::swap(&mut cur, &mut next);
    }
    cur
}

fn eq_ignore_case(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

/// Analyses a raw path (with optional query). `include_generic` keeps the seed's generic
/// paths as findings.
pub(crate) fn analyze(raw: &str) -> PathFindings {
    let mut found = PathFindings::default();
    let (text, path_len, nul, upper) = normalize(raw);
    let text: &[u8] = &text;
    if nul {
        found.push(PathFinding::NullByte);
    }
    let path = &text[..path_len];

    // Segment checks: traversal, dot-files, extensions.
    let mut depth = 0usize;
    let mut last: &[u8] = &[];
    for segment in path.split(|&b| b == b'/') {
        if segment.is_empty() {
            continue;
        }
        depth += 1;
        // Matrix parameters (`..;/`, `x;jsessionid=…`) do not change what is addressed.
        let core = match segment.iter().position(|&b| b == b';') {
            Some(i) => &segment[..i],
            None => segment,
        };
        last = core;
        if core == b".." {
            found.push(PathFinding::Traversal);
        } else if core.len() > 1 && core[0] == b'.' && !eq_ignore_case(core, ".well-known") {
            found.push(PathFinding::DotFile);
        }
    }
    if let Some(ext) = extension(last) {
        if let Some(e) = EXT_ANYWHERE.iter().find(|e| eq_ignore_case(ext, e)) {
            found.push(PathFinding::Extension(e));
        } else if depth == 1 {
            if let Some(e) = EXT_ROOT_ONLY.iter().find(|e| eq_ignore_case(ext, e)) {
                found.push(PathFinding::Extension(e));
            }
        }
    }
    if last.last() == Some(&b'~') {
        found.push(PathFinding::Extension("~"));
    }

    // Probe and payload patterns.
    let first_start = path.iter().position(|&b| b != b'/').unwrap_or(path.len());
    // Most paths are lowercase already: copy only when needed.
    let lowered;
    let hay: &[u8] = if upper {
        lowered = Lowered::new(text);
        lowered.as_bytes()
    } else {
        text
    };
    for m in PATH_AUTOMATON.find_overlapping_iter(hay) {
        let Some(rule) = PATH_RULES.get(m.pattern().as_usize()) else {
            continue;
        };
        let (s, e) = (m.start(), m.end());
        let fits = match rule.anchor {
            Anchor::Anywhere => true,
            Anchor::Segment => e <= path_len && starts_segment(path, s) && ends_segment(path, e),
            Anchor::Prefix => e <= path_len && starts_segment(path, s),
            Anchor::Root => {
                e <= path_len
                    && s == first_start
                    && (rule.pattern.ends_with('/') || ends_segment(path, e))
            }
        };
        if !fits {
            continue;
        }
        found.push(match rule.strength {
            Strength::Probe => PathFinding::Probe(rule.family),
            Strength::Generic => PathFinding::Generic(rule.pattern),
            Strength::Exploit => PathFinding::Exploit(rule.family),
        });
    }
    found
}

fn starts_segment(path: &[u8], s: usize) -> bool {
    s == 0 || path.get(s - 1) == Some(&b'/')
}

fn ends_segment(path: &[u8], e: usize) -> bool {
    matches!(path.get(e), None | Some(b'/' | b';'))
}

/// The extension of a file name (`a.tar.gz` → `gz`), if any; not for dot-files (`.env`).
fn extension(name: &[u8]) -> Option<&[u8]> {
    let dot = name.iter().rposition(|&b| b == b'.')?;
    if dot == 0 || dot + 1 == name.len() || name.len() - dot - 1 > 8 {
        return None;
    }
    Some(&name[dot + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(path: &str) -> Vec<PathFinding> {
        analyze(path).iter().collect()
    }

    #[test]
    fn plain_paths_are_not_copied() {
        let (text, len, _, _) = normalize("/api/v1/users?x=1");
        assert!(matches!(text, Cow::Borrowed(_)));
        assert_eq!(len, "/api/v1/users".len());
    }

    #[test]
    fn double_encoded_traversal_is_decoded() {
        assert!(kinds("/static/%252e%252e/%252e%252e/etc/hosts").contains(&PathFinding::Traversal));
    }

    #[test]
    fn overlong_utf8_dots_are_folded() {
        assert!(kinds("/scripts/%c0%ae%c0%ae/winnt").contains(&PathFinding::Traversal));
    }

    #[test]
    fn backslash_traversal_is_seen() {
        assert!(kinds("/a\\..\\..\\b").contains(&PathFinding::Traversal));
    }

    #[test]
    fn matrix_parameter_traversal_is_seen() {
        assert!(kinds("/app/..;/manager/html").contains(&PathFinding::Traversal));
    }

    #[test]
    fn repeated_slashes_do_not_hide_a_probe() {
        assert!(kinds("//manager//html").contains(&PathFinding::Probe("tomcat")));
    }

    #[test]
    fn probe_patterns_do_not_match_inside_query() {
        assert!(analyze("/search?q=wp-admin").is_empty());
    }

    #[test]
    fn payloads_match_inside_query() {
        assert!(kinds("/search?q=%24%7Bjndi%3Aldap%3A%2F%2Fx%7D")
            .contains(&PathFinding::Exploit("log4shell")));
    }

    #[test]
    fn every_rule_pattern_is_ascii() {
        for r in PATH_RULES {
            assert!(r.pattern.is_ascii() && !r.pattern.is_empty());
        }
        assert_eq!(PATH_AUTOMATON.patterns_len(), PATH_RULES.len());
    }
}
