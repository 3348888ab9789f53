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

use super::flat_dfa::FlatDfa;
use super::fold::Folded;
use super::keytable::KeyTable;
use super::marks::PathMarks;

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
    seg("adminer", "adminer"),
    prefix("adminer.php", "adminer"),
    prefix("adminer-4", "adminer"),
    prefix("adminer-5", "adminer"),
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
    // Not `/actuator` as a whole: `/actuator/health` (Kubernetes probes), `/info` and
    // `/prometheus` are what monitoring asks for; these are the endpoints that leak or act.
    seg("actuator/env", "spring"),
    seg("actuator/heapdump", "spring"),
    seg("actuator/threaddump", "spring"),
    seg("actuator/configprops", "spring"),
    seg("actuator/beans", "spring"),
    seg("actuator/mappings", "spring"),
    seg("actuator/logfile", "spring"),
    seg("actuator/loggers", "spring"),
    seg("actuator/trace", "spring"),
    seg("actuator/httptrace", "spring"),
    seg("actuator/gateway", "spring"),
    seg("actuator/jolokia", "spring"),
    seg("actuator/shutdown", "spring"),
    seg("actuator/restart", "spring"),
    seg("actuator/refresh", "spring"),
    seg("jolokia", "spring"),
    seg("heapdump", "spring"),
    seg("h2-console", "spring"),
    seg("jmx-console", "jboss"),
    seg("web-console", "jboss"),
    root("invoker", "jboss"),
    seg("wls-wsat", "weblogic"),
    seg("console/login/loginform.jsp", "weblogic"),
    seg("console/css", "weblogic"),
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
    seg("trace.axd", "iis"),
    seg("elmah.axd", "iis"),
    // Web shells left behind on ASP.NET and Java servers (their extensions alone are
    // ordinary pages there).
    seg("cmd.asp", "webshell"),
    seg("cmd.aspx", "webshell"),
    seg("cmd.jsp", "webshell"),
    seg("shell.asp", "webshell"),
    seg("shell.aspx", "webshell"),
    seg("shell.jsp", "webshell"),
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
    // sqlmap's spacing and comment tampers, tautologies, time- and error-based probes.
    payload("union  select", "sql_injection"),
    payload("union\tselect", "sql_injection"),
    payload("union\nselect", "sql_injection"),
    payload("union\rselect", "sql_injection"),
    payload("union/**/select", "sql_injection"),
    payload("union(select", "sql_injection"),
    payload("union distinct select", "sql_injection"),
    payload("/*!", "sql_injection"),
    payload("' or '1'='1", "sql_injection"),
    payload("' or 1=1", "sql_injection"),
    payload("\" or 1=1", "sql_injection"),
    payload("' or ''='", "sql_injection"),
    payload(" or 1=1--", "sql_injection"),
    payload("' and 1=1", "sql_injection"),
    payload(" and sleep(", "sql_injection"),
    payload(" or sleep(", "sql_injection"),
    payload("'and sleep(", "sql_injection"),
    payload("pg_sleep(", "sql_injection"),
    payload("waitfor delay", "sql_injection"),
    payload("benchmark(", "sql_injection"),
    payload("extractvalue(", "sql_injection"),
    payload("updatexml(", "sql_injection"),
    payload("<script", "xss"),
    payload("<svg", "xss"),
    payload("<iframe", "xss"),
    payload("onerror=", "xss"),
    payload("onload=", "xss"),
    payload("javascript:alert", "xss"),
    payload("javascript:prompt", "xss"),
    payload("javascript:confirm", "xss"),
    payload("169.254.169.254/latest", "ssrf"),
    payload("169.254.169.254/metadata", "ssrf"),
    payload("metadata.google.internal", "ssrf"),
    payload(";wget ", "command"),
    payload(";curl ", "command"),
    payload("<?php system(", "php_code"),
    payload("<?php eval(", "php_code"),
    payload("<?php passthru(", "php_code"),
    payload("php://", "php_wrapper"),
    payload("phar://", "php_wrapper"),
    payload("expect://", "php_wrapper"),
    payload("allow_url_include", "php_cgi"),
    payload("auto_prepend_file", "php_cgi"),
];

/// Extensions that mark server-side source, configuration, databases or backups: no visitor
/// of a Warden-protected service asks for them at any depth.
const EXT_ANYWHERE: &[&str] = &[
    "php", "php3", "php4", "php5", "php7", "phtml", "phar", "phps", "cgi", "env", "git", "sql",
    "bak", "old", "orig", "save", "swp", "swo", "db", "sqlite", "sqlite3", "mdb", "config", "dll",
];

/// Archive and legacy-page extensions: flagged only at the top level (`/backup.zip`,
/// `/www.tar.gz`, `/login.htm`), where scanners guess them; deeper they are often real
/// downloads.
const EXT_ROOT_ONLY: &[&str] = &["zip", "gz", "tgz", "tar", "rar", "7z", "bz2", "xz", "htm"];

/// Anchored rules are filed under their first this many bytes.
const KEY_LEN: usize = 3;

/// The compiled path knowledge.
#[derive(Debug)]
pub(crate) struct PathIndex {
    /// First [`KEY_LEN`] bytes (lowercase) → the segment, root and prefix rules starting so:
    /// they all begin at a segment start, so each segment costs one lookup.
    anchored: KeyTable,
    /// Anchored rules shorter than [`KEY_LEN`] (none in the built-in set), tried at every
    /// segment start.
    short: Vec<u16>,
    /// Payload rules (anywhere, path or query): a small DFA.
    payloads: FlatDfa,
    /// Payload pattern number → rule number.
    payload_rules: Vec<u16>,
    /// Per rule: the pattern, for case-insensitive comparison.
    folded: Vec<Folded>,
    /// Lowercase extension ([`ext_key`]) → its number in `EXT_ANYWHERE` then
    /// `EXT_ROOT_ONLY`, with bit 15 set for the root-only ones.
    extensions: KeyTable,
}

/// An extension of up to eight bytes as a key: its lowercase bytes, little-endian. `None`
/// for one holding a NUL byte, whose key would equal that of the extension before it
/// (`php\0` and `php`).
#[inline]
fn ext_key(ext: &[u8]) -> Option<u64> {
    (ext.len() <= 8 && !ext.contains(&0)).then(|| {
        ext.iter()
            .rev()
            .fold(0u64, |k, &b| (k << 8) | u64::from(b.to_ascii_lowercase()))
    })
}

/// The index over [`PATH_RULES`], built on first use.
pub(crate) static PATH_INDEX: LazyLock<PathIndex> = LazyLock::new(PathIndex::build);

/// The lowercase first [`KEY_LEN`] bytes at `at` as a key (`None` when fewer remain).
#[inline]
fn key_at(text: &[u8], at: usize) -> Option<u64> {
    let b = text.get(at..at.checked_add(KEY_LEN)?)?;
    Some(
        b.iter()
            .rev()
            .fold(0u64, |k, &x| (k << 8) | u64::from(x.to_ascii_lowercase())),
    )
}

impl PathIndex {
    #[allow(clippy::expect_used)] // the payload patterns are compile-time constants; tests build them
    fn build() -> Self {
        let mut anchored = Vec::new();
        let mut short = Vec::new();
        let mut payloads = Vec::new();
        let mut payload_rules = Vec::new();
        for (i, rule) in PATH_RULES.iter().enumerate() {
            let Ok(id) = u16::try_from(i) else { break };
            if rule.anchor == Anchor::Anywhere {
                payloads.push(rule.pattern);
                payload_rules.push(id);
            } else if let Some(key) = key_at(rule.pattern.as_bytes(), 0) {
                anchored.push((key, id));
            } else {
                short.push(id);
            }
        }
        let payloads = FlatDfa::new(&payloads).expect("the built-in payload patterns compile");
        let mut extensions = Vec::new();
        for (i, e) in EXT_ANYWHERE.iter().chain(EXT_ROOT_ONLY).enumerate() {
            let root_only = if i >= EXT_ANYWHERE.len() { 0x8000 } else { 0 };
            if let (Some(key), Ok(i)) = (ext_key(e.as_bytes()), u16::try_from(i)) {
                extensions.push((key, i | root_only));
            }
        }
        Self {
            anchored: KeyTable::new(anchored),
            short,
            payloads,
            payload_rules,
            folded: PATH_RULES
                .iter()
                .map(|r| Folded::new(r.pattern.as_bytes()))
                .collect(),
            extensions: KeyTable::new(extensions),
        }
    }
}

/// The best (earliest-ending, then longest) few distinct findings of the pattern rules, in
/// the order an overlapping Aho–Corasick pass over the path would report them.
#[derive(Default)]
struct Ranked {
    items: [Option<(u64, PathFinding)>; 4],
}

impl Ranked {
    /// Records a match of `f` at `start..end`.
    #[inline]
    fn offer(&mut self, start: usize, end: usize, f: PathFinding) {
        let longer_first = u16::MAX - u16::try_from(end - start).unwrap_or(u16::MAX);
        let key = ((end as u64) << 16) | u64::from(longer_first);
        for (k, g) in self.items.iter_mut().flatten() {
            if *g == f {
                *k = (*k).min(key);
                return;
            }
        }
        // A free slot, else the slot with the largest key if this one is smaller.
        let mut target: Option<(usize, u64)> = None;
        for (i, slot) in self.items.iter().enumerate() {
            match slot {
                None => {
                    target = Some((i, u64::MAX));
                    break;
                }
                Some((k, _)) if target.is_none_or(|(_, t)| *k > t) => target = Some((i, *k)),
                Some(_) => {}
            }
        }
        if let Some((i, worst)) = target {
            if key < worst {
                if let Some(slot) = self.items.get_mut(i) {
                    *slot = Some((key, f));
                }
            }
        }
    }

    /// The findings, earliest first.
    fn sorted(mut self) -> impl Iterator<Item = PathFinding> {
        if self.items[1].is_some() {
            self.items
                .sort_unstable_by_key(|x| x.map_or(u64::MAX, |(k, _)| k));
        }
        self.items.into_iter().map_while(|x| x.map(|(_, f)| f))
    }
}

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
}

/// Bytes [`survey`] looks at more closely: `%`, `\\`, `?`, `#`, NUL, non-ASCII.
static SURVEY_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = matches!(b as u8, b'%' | b'\\' | b'?' | b'#' | 0 | 0x80..=0xff);
        b += 1;
    }
    t
};

/// One pass over `bytes` (small inputs: a plain loop beats several `memchr` calls).
fn survey(bytes: &[u8]) -> Survey {
    let mut out = Survey {
        cut: bytes.len(),
        needs_normalizing: false,
        nul: false,
    };
    let mut prev = 0u8;
    let mut double_slash = false;
    for (i, &b) in bytes.iter().enumerate() {
        double_slash |= b == b'/' && prev == b'/';
        prev = b;
        if !SURVEY_SPECIAL[usize::from(b)] {
            continue;
        }
        match b {
            b'%' => {
                out.needs_normalizing |= bytes.get(i + 1).copied().and_then(hex).is_some()
                    && bytes.get(i + 2).copied().and_then(hex).is_some()
                    || matches!(bytes.get(i + 1), Some(b'u' | b'U'));
            }
            b'?' | b'#' => out.cut = out.cut.min(i),
            0 => out.nul = true,
            // A backslash or a non-ASCII byte.
            _ => out.needs_normalizing = true,
        }
    }
    out.needs_normalizing |= double_slash;
    out
}

/// The normalized form of a raw path (`path[?query][#fragment]`): `(text, path_len, nul)`,
/// where `text[..path_len]` is the path and the rest (if any) is `?query` decoded the same
/// way; `nul` says whether `text` holds a NUL byte.
pub(crate) fn normalize(raw: &str) -> (Cow<'_, [u8]>, usize, bool) {
    let bytes = raw.as_bytes();
    if let Some(cut) = PathMarks::of(bytes).and_then(|m| plain_cut(&m, bytes.len())) {
        return (Cow::Borrowed(bytes), cut, false);
    }
    normalize_surveyed(bytes)
}

/// Where the path of a short raw path ends when it needs no normalizing (no escape,
/// backslash, NUL, non-ASCII byte or repeated slash); `None` when it does.
#[inline]
fn plain_cut(marks: &PathMarks, len: usize) -> Option<usize> {
    let double_slash = marks.slash & (marks.slash >> 1) != 0;
    (marks.special == 0 && !double_slash).then(|| (marks.cut.trailing_zeros() as usize).min(len))
}

/// [`normalize`] after a [`survey`] of any length of input.
fn normalize_surveyed(bytes: &[u8]) -> (Cow<'_, [u8]>, usize, bool) {
    let sv = survey(bytes);
    if !sv.needs_normalizing {
        return (Cow::Borrowed(bytes), sv.cut, sv.nul);
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
    (Cow::Owned(p), path_len, nul)
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

/// Where the segments of a path are: slash positions from [`PathMarks`] when the path is
/// short, else found byte by byte.
struct Segments<'p> {
    path: &'p [u8],
    marks: Option<PathMarks>,
}

impl<'p> Segments<'p> {
    fn new(path: &'p [u8]) -> Self {
        Self {
            path,
            marks: PathMarks::of(path),
        }
    }

    /// Index of the first byte that is not `/` (or the length).
    #[inline]
    fn first_start(&self) -> usize {
        match self.marks {
            Some(m) => (m.slash.trailing_ones() as usize).min(self.path.len()),
            None => self
                .path
                .iter()
                .position(|&b| b != b'/')
                .unwrap_or(self.path.len()),
        }
    }

    /// Length of the segment at `start` (up to the next `/`), and of its part before any
    /// `;` (matrix parameters).
    #[inline]
    fn at(&self, start: usize) -> (usize, usize) {
        let rest_len = self.path.len().saturating_sub(start);
        match self.marks {
            Some(m) => {
                let after = |mask: u64| mask.checked_shr(start as u32).unwrap_or(0);
                let len = (after(m.slash).trailing_zeros() as usize).min(rest_len);
                let core = (after(m.semi).trailing_zeros() as usize).min(len);
                (len, core)
            }
            None => {
                let rest = self.path.get(start..).unwrap_or(&[]);
                let len = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
                let seg = rest.get(..len).unwrap_or(&[]);
                (len, seg.iter().position(|&b| b == b';').unwrap_or(len))
            }
        }
    }
}

/// Analyses a raw path (with optional query).
pub(crate) fn analyze(raw: &str) -> PathFindings {
    let mut found = PathFindings::default();
    let (text, path_len, nul) = normalize(raw);
    let text: &[u8] = &text;
    if nul {
        found.push(PathFinding::NullByte);
    }
    let path = text.get(..path_len).unwrap_or(text);
    let index = &*PATH_INDEX;
    let mut ranked = Ranked::default();
    let segments = Segments::new(path);
    let first_start = segments.first_start();

    // One pass over the segments: traversal, dot-files, the last segment's extension, and
    // the anchored rules (they all begin at a segment start: 0, or just after a slash).
    let mut depth = 0usize;
    let mut last = (0usize, 0usize); // the last non-empty segment, matrix parameters cut
    let mut start = 0usize;
    while start <= path.len() {
        let (len, core) = segments.at(start);
        if len > 0 {
            depth += 1;
            // Matrix parameters (`..;/`, `x;jsessionid=…`) do not change what is addressed.
            let core_bytes = path.get(start..start + core).unwrap_or(&[]);
            last = (start, start + core);
            if core_bytes == b".." {
                found.push(PathFinding::Traversal);
            } else if core > 1
                && core_bytes.first() == Some(&b'.')
                && !core_bytes.eq_ignore_ascii_case(b".well-known")
            {
                found.push(PathFinding::DotFile);
            }
        }
        if let Some(key) = key_at(path, start) {
            let cands = index.anchored.get(key);
            if !cands.is_empty() {
                for &r in cands {
                    anchored_match(index, path, start, first_start, r, &mut ranked);
                }
            }
        }
        for &r in &index.short {
            anchored_match(index, path, start, first_start, r, &mut ranked);
        }
        start += len + 1;
    }
    let name = path.get(last.0..last.1).unwrap_or(&[]);
    if let Some(ext) = extension(name).and_then(ext_key) {
        if let Some(&e) = index.extensions.get(ext).first() {
            let (e, root_only) = (usize::from(e & 0x7fff), e & 0x8000 != 0);
            if let Some(e) = EXT_ANYWHERE
                .iter()
                .chain(EXT_ROOT_ONLY)
                .nth(e)
                .filter(|_| !root_only || depth == 1)
            {
                found.push(PathFinding::Extension(e));
            }
        }
    }
    if name.last() == Some(&b'~') {
        found.push(PathFinding::Extension("~"));
    }

    // Payloads anywhere, path or query: one pass of a small DFA.
    index.payloads.for_each_match(text, |p, start, end| {
        if let Some(rule) = index
            .payload_rules
            .get(usize::from(p))
            .and_then(|&r| PATH_RULES.get(usize::from(r)))
        {
            ranked.offer(start, end, finding_of(rule));
        }
    });
    for f in ranked.sorted() {
        found.push(f);
    }
    found
}

/// The finding a matched rule stands for.
fn finding_of(rule: &PathRule) -> PathFinding {
    match rule.strength {
        Strength::Probe => PathFinding::Probe(rule.family),
        Strength::Generic => PathFinding::Generic(rule.pattern),
        Strength::Exploit => PathFinding::Exploit(rule.family),
    }
}

/// Tries anchored rule `r` at segment start `s` of `path`.
#[inline]
fn anchored_match(
    index: &PathIndex,
    path: &[u8],
    s: usize,
    first_start: usize,
    r: u16,
    ranked: &mut Ranked,
) {
    let (Some(rule), Some(p)) = (
        PATH_RULES.get(usize::from(r)),
        index.folded.get(usize::from(r)),
    ) else {
        return;
    };
    if !p.at(path, s) {
        return;
    }
    let e = s + p.len();
    let fits = match rule.anchor {
        Anchor::Anywhere => true,
        Anchor::Segment => ends_segment(path, e),
        Anchor::Prefix => true,
        Anchor::Root => s == first_start && (rule.pattern.ends_with('/') || ends_segment(path, e)),
    };
    if fits {
        ranked.offer(s, e, finding_of(rule));
    }
}

fn ends_segment(path: &[u8], e: usize) -> bool {
    matches!(path.get(e), None | Some(b'/' | b';'))
}

/// The extension of a file name (`a.tar.gz` → `gz`), if any; not for dot-files (`.env`).
///
/// Trailing dots are ignored (`/test.php.`: Windows and IIS strip them, so the file served
/// is `test.php`). A gzipped sitemap (`/sitemap.xml.gz`, `/sitemap-1.xml.gz`), which search
/// engines fetch, has no suspicious extension.
fn extension(name: &[u8]) -> Option<&[u8]> {
    let end = name.iter().rposition(|&b| b != b'.')? + 1;
    let name = &name[..end];
    let dot = name.iter().rposition(|&b| b == b'.')?;
    if dot == 0 || dot + 1 == name.len() || name.len() - dot - 1 > 8 {
        return None;
    }
    if is_gzipped_sitemap(name) {
        return None;
    }
    Some(&name[dot + 1..])
}

/// `sitemap….xml.gz`, case ignored.
fn is_gzipped_sitemap(name: &[u8]) -> bool {
    name.len() >= b"sitemap.xml.gz".len()
        && name[..7].eq_ignore_ascii_case(b"sitemap")
        && name[name.len() - 7..].eq_ignore_ascii_case(b".xml.gz")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::agents::reference::build_automaton;
    use proptest::prelude::*;

    fn eq_ignore_case(a: &[u8], b: &str) -> bool {
        a.eq_ignore_ascii_case(b.as_bytes())
    }

    fn starts_segment(path: &[u8], s: usize) -> bool {
        s == 0 || path.get(s - 1) == Some(&b'/')
    }

    /// The former matcher: the segment checks as in [`analyze`], then one overlapping pass of
    /// an Aho–Corasick DFA over every path rule, each match checked for its anchor.
    fn reference_analyze(raw: &str) -> PathFindings {
        static AUTOMATON: LazyLock<aho_corasick::AhoCorasick> =
            LazyLock::new(|| build_automaton(PATH_RULES.iter().map(|r| r.pattern)));
        let mut found = PathFindings::default();
        let (text, path_len, nul) = normalize(raw);
        let text: &[u8] = &text;
        if nul {
            found.push(PathFinding::NullByte);
        }
        let path = &text[..path_len];
        let mut depth = 0usize;
        let mut last: &[u8] = &[];
        for segment in path.split(|&b| b == b'/') {
            if segment.is_empty() {
                continue;
            }
            depth += 1;
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
        let first_start = path.iter().position(|&b| b != b'/').unwrap_or(path.len());
        let hay = text.to_ascii_lowercase();
        for m in AUTOMATON.find_overlapping_iter(&hay) {
            let Some(rule) = PATH_RULES.get(m.pattern().as_usize()) else {
                continue;
            };
            let (s, e) = (m.start(), m.end());
            let fits = match rule.anchor {
                Anchor::Anywhere => true,
                Anchor::Segment => {
                    e <= path_len && starts_segment(path, s) && ends_segment(path, e)
                }
                Anchor::Prefix => e <= path_len && starts_segment(path, s),
                Anchor::Root => {
                    e <= path_len
                        && s == first_start
                        && (rule.pattern.ends_with('/') || ends_segment(path, e))
                }
            };
            if fits {
                found.push(finding_of(rule));
            }
        }
        found
    }

    fn same(raw: &str) -> Result<(), TestCaseError> {
        let new: Vec<PathFinding> = analyze(raw).iter().collect();
        let old: Vec<PathFinding> = reference_analyze(raw).iter().collect();
        prop_assert_eq!(new, old, "{}", raw);
        Ok(())
    }

    #[test]
    fn a_nul_byte_does_not_hide_in_an_extension_key() {
        // Found by the path-soup property test: `php\0` keyed like `php`.
        same("on.php%00").unwrap();
        same("/a/x.zip%00").unwrap();
    }

    #[test]
    fn segment_index_agrees_with_the_automaton_on_every_pattern() {
        for rule in PATH_RULES {
            let p = rule.pattern;
            let up = p.to_ascii_uppercase();
            for raw in [
                format!("/{p}"),
                format!("/{up}/x"),
                format!("/a/{p}/b"),
                format!("/a/{p}x"),
                format!("/x{p}"),
                p.to_string(),
                format!("//{p}//{p}"),
                format!("/{p}/{p}.php?q={p}"),
                format!("/search?q={p}"),
                format!("/a/%2e%2e/{p};x=1/.env~"),
                format!("/backup.zip/{p}/union select/etc/passwd"),
            ] {
                if let Err(e) = same(&raw) {
                    panic!("{e}");
                }
            }
        }
    }

    fn path_soup() -> impl Strategy<Value = String> {
        crate::services::soup::soup(
            PATH_RULES.iter().map(|r| r.pattern),
            &[
                "/", "/", "/", "?", "#", ";", ".", "..", "%2e", "%25", "\\", "x", "A", ".php",
                ".zip", "~", "%00",
            ],
            16,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_short_path_fast_path_normalizes_like_the_survey(raw in path_soup()) {
            let bytes = raw.as_bytes();
            prop_assert_eq!(normalize(&raw), normalize_surveyed(bytes), "{}", raw);
        }

        #[test]
        fn the_short_path_fast_path_normalizes_arbitrary_text_like_the_survey(raw in any::<String>()) {
            prop_assert_eq!(normalize(&raw), normalize_surveyed(raw.as_bytes()), "{}", raw);
        }


        #[test]
        fn segment_index_agrees_with_the_automaton_on_path_soup(raw in path_soup()) {
            same(&raw)?;
        }

        #[test]
        fn segment_index_agrees_with_the_automaton_on_arbitrary_text(raw in any::<String>()) {
            same(&raw)?;
        }
    }

    fn kinds(path: &str) -> Vec<PathFinding> {
        analyze(path).iter().collect()
    }

    #[test]
    fn plain_paths_are_not_copied() {
        let (text, len, _) = normalize("/api/v1/users?x=1");
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
        let index = &*PATH_INDEX;
        assert_eq!(
            index.anchored.value_count() + index.short.len() + index.payload_rules.len(),
            PATH_RULES.len()
        );
        assert!(index.short.is_empty(), "every anchored pattern has a key");
        assert!(
            PATH_RULES
                .iter()
                .all(|r| !r.pattern.starts_with('/') || r.anchor == Anchor::Anywhere),
            "anchored patterns start inside a segment"
        );
    }
}
