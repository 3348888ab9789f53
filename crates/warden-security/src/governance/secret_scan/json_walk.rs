//! Walks JSON arguments: every string leaf (and object keys long enough to hold a secret)
//! is scanned with its path (`$.a.b[2]`, `$['not an ident']`), decoded leaves are scanned
//! again with a path suffix (`<base64>`, `<url>`, `<json>`), and redaction produces the
//! arguments with every finding replaced (when some finding asks for redaction). A secret
//! found both in a raw leaf and in its decoded form is reported once, from the deepest
//! decoding. Work is bounded by [`ScanLimits`].

use serde_json::Value;

use super::engine::Hit;
use super::{decode, redact, Finding, JsonScan, ScanAction, SecretScanner};

/// Bounds on the work of one JSON scan; exceeding one stops the scan and sets
/// [`JsonScan::limit_exceeded`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanLimits {
    /// Deepest nesting of arrays/objects walked (the root is depth 0).
    pub max_depth: usize,
    /// Total bytes of strings (leaves, keys and decoded text) scanned.
    pub max_string_bytes: usize,
    /// Most findings reported.
    pub max_findings: usize,
    /// Nested decodings of one leaf (base64 inside JSON inside base64 …).
    pub max_decode_depth: usize,
    /// Largest leaf that is decoded.
    pub max_decode_bytes: usize,
}

impl Default for ScanLimits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_string_bytes: 1 << 20,
            max_findings: 256,
            max_decode_depth: 2,
            max_decode_bytes: 64 << 10,
        }
    }
}

/// Object keys shorter than this are not scanned (no secret fits).
const MIN_KEY_SCAN: usize = 16;

/// Largest value scanned together with its credential-like key.
const MAX_KEYED_VALUE: usize = 4096;

/// Whether an object key names a credential (`password`, `api_key`, `X-Auth-Token`, …).
fn credential_key(k: &str) -> bool {
    if k.len() > 64 {
        return false;
    }
    const WORDS: &[&[u8]] = &[
        b"pass",
        b"pwd",
        b"secret",
        b"token",
        b"key",
        b"auth",
        b"credential",
    ];
    let b = k.as_bytes();
    WORDS
        .iter()
        .any(|w| b.windows(w.len()).any(|win| win.eq_ignore_ascii_case(w)))
}

#[derive(Debug, Clone, Copy)]
enum Seg<'v> {
    Key(&'v str),
    /// A key that is itself a secret: paths show the rule id, never the key; the locator
    /// (where redaction applies) keeps the key as it is.
    SecretKey {
        key: &'v str,
        rule: &'static str,
    },
    Index(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Loc {
    Key(String),
    Index(usize),
}

/// Where a finding applies: the leaf (or key) at `locator`, `span` within it or the whole
/// string when `span` is `None` (a finding in decoded text). One per finding.
#[derive(Debug)]
struct Redaction {
    locator: Vec<Loc>,
    key: bool,
    span: Option<(usize, usize)>,
    rule_id: String,
    /// The finding's action is [`ScanAction::Redact`].
    wanted: bool,
    /// Decoding depth the finding was made at (0 = the raw leaf).
    depth: usize,
    /// Keyed hash of the secret's bytes (de-duplication across decoding depths; the secret
    /// itself is not kept).
    secret: u64,
}

/// The encoded leaf a decoded text came from.
struct Outer {
    path: String,
    locator: Vec<Loc>,
    key: bool,
    len: usize,
}

struct Walker<'s> {
    scanner: &'s SecretScanner,
    limits: &'s ScanLimits,
    findings: Vec<Finding>,
    /// Parallel to `findings`.
    redactions: Vec<Redaction>,
    /// Keys the secret hashes of this scan.
    hasher: std::collections::hash_map::RandomState,
    bytes: usize,
    limit: Option<String>,
    hits: Vec<Hit>,
}

/// Scans `value` (see [`SecretScanner::scan_json_with_limits`]).
pub(crate) fn scan(scanner: &SecretScanner, value: &Value, limits: &ScanLimits) -> JsonScan {
    let mut w = Walker {
        scanner,
        limits,
        findings: Vec::new(),
        redactions: Vec::new(),
        hasher: std::collections::hash_map::RandomState::new(),
        bytes: 0,
        limit: None,
        hits: Vec::new(),
    };
    let mut stack: Vec<Seg<'_>> = Vec::new();
    w.walk(value, &mut stack, None, 0, 0);
    let keep = dedup(&w.findings, &w.redactions);
    let mut findings = Vec::with_capacity(w.findings.len());
    let mut redactions = Vec::with_capacity(w.redactions.len());
    for ((f, r), k) in w.findings.into_iter().zip(w.redactions).zip(keep) {
        if k {
            findings.push(f);
            redactions.push(r);
        }
    }
    // Redacted arguments exist only when a finding asks for redaction, and then every
    // finding (deny-action ones too) is replaced: the copy never carries a found secret.
    let redacted = if redactions.iter().any(|r| r.wanted) {
        let mut copy = value.clone();
        apply(&mut copy, &redactions);
        Some(copy)
    } else {
        None
    };
    JsonScan {
        findings,
        redacted,
        limit_exceeded: w.limit,
    }
}

/// Which findings to keep: a finding is dropped when the same rule found the same secret in
/// the same leaf at a deeper decoding (a token in JSON-in-string is found in the raw string
/// and again in the decoded document; the decoded finding names the inner field), or when it
/// repeats an earlier finding's rule, path and span.
fn dedup(findings: &[Finding], meta: &[Redaction]) -> Vec<bool> {
    let n = findings.len().min(meta.len());
    (0..n)
        .map(|i| {
            let (f, m) = (&findings[i], &meta[i]);
            let deeper = (0..n).any(|j| {
                let o = &meta[j];
                o.depth > m.depth
                    && o.secret == m.secret
                    && o.rule_id == m.rule_id
                    && o.key == m.key
                    && o.locator == m.locator
            });
            let repeated = findings[..i].iter().any(|o| {
                o.rule_id == f.rule_id && o.path == f.path && o.start == f.start && o.end == f.end
            });
            !deeper && !repeated
        })
        .collect()
}

fn is_ident(k: &str) -> bool {
    let mut b = k.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn render(prefix: Option<&str>, stack: &[Seg<'_>]) -> String {
    let mut p = String::from(prefix.unwrap_or("$"));
    for s in stack {
        match s {
            Seg::Key(k) if is_ident(k) => {
                p.push('.');
                p.push_str(k);
            }
            Seg::Key(k) => {
                p.push_str("['");
                for c in k.chars() {
                    if c == '\'' || c == '\\' {
                        p.push('\\');
                    }
                    p.push(c);
                }
                p.push_str("']");
            }
            Seg::SecretKey { rule: id, .. } => {
                p.push_str("['");
                p.push_str(&redact::marker(id));
                p.push_str("']");
            }
            Seg::Index(i) => {
                p.push('[');
                p.push_str(&i.to_string());
                p.push(']');
            }
        }
    }
    p
}

fn locator(base: Option<&[Loc]>, stack: &[Seg<'_>]) -> Vec<Loc> {
    let mut v: Vec<Loc> = base.map(<[Loc]>::to_vec).unwrap_or_default();
    if base.is_some() {
        // Inside decoded text the whole outer leaf is the unit of redaction.
        return v;
    }
    for s in stack {
        v.push(match s {
            Seg::Key(k) => Loc::Key((*k).to_string()),
            Seg::SecretKey { key, .. } => Loc::Key((*key).to_string()),
            Seg::Index(i) => Loc::Index(*i),
        });
    }
    v
}

impl Walker<'_> {
    fn secret_hash(&self, secret: &[u8]) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = self.hasher.build_hasher();
        h.write(secret);
        h.finish()
    }

    fn stop(&mut self, why: String) {
        if self.limit.is_none() {
            self.limit = Some(why);
        }
    }

    fn walk<'v>(
        &mut self,
        v: &'v Value,
        stack: &mut Vec<Seg<'v>>,
        outer: Option<&Outer>,
        depth: usize,
        decode_depth: usize,
    ) {
        if self.limit.is_some() {
            return;
        }
        match v {
            Value::String(s) => {
                let member = match stack.last() {
                    Some(Seg::Key(k)) => Some(*k),
                    _ => None,
                };
                self.leaf(s, stack, outer, false, decode_depth, member);
            }
            Value::Array(_) | Value::Object(_) if depth >= self.limits.max_depth => {
                self.stop(format!(
                    "arguments nest deeper than {} levels",
                    self.limits.max_depth
                ));
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push(Seg::Index(i));
                    self.walk(item, stack, outer, depth + 1, decode_depth);
                    stack.pop();
                    if self.limit.is_some() {
                        return;
                    }
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    stack.push(Seg::Key(k));
                    if k.len() >= MIN_KEY_SCAN {
                        if let Some(id) = self.leaf(k, stack, outer, true, decode_depth, None) {
                            if let Some(last) = stack.last_mut() {
                                *last = Seg::SecretKey { key: k, rule: id };
                            }
                        }
                    }
                    self.walk(item, stack, outer, depth + 1, decode_depth);
                    stack.pop();
                    if self.limit.is_some() {
                        return;
                    }
                }
            }
            _ => {}
        }
    }

    /// Scans one string; returns the first rule id found (used to hide secret keys in paths).
    /// `member` is the object key of a value leaf: when it names a credential
    /// (`"password": "…"`), the leaf is scanned as `"key": "value"` so that assignment rules
    /// see the key; hits are mapped back into the value.
    fn leaf(
        &mut self,
        s: &str,
        stack: &[Seg<'_>],
        outer: Option<&Outer>,
        key: bool,
        decode_depth: usize,
        member: Option<&str>,
    ) -> Option<&'static str> {
        self.bytes = self.bytes.saturating_add(s.len());
        if self.bytes > self.limits.max_string_bytes {
            self.stop(format!(
                "arguments hold more than {} bytes of strings",
                self.limits.max_string_bytes
            ));
            return None;
        }
        self.hits.clear();
        match member.filter(|k| s.len() <= MAX_KEYED_VALUE && credential_key(k)) {
            Some(k) => {
                let mut buf = String::with_capacity(k.len() + s.len() + 6);
                buf.push('"');
                buf.push_str(k);
                buf.push_str("\": \"");
                let offset = buf.len();
                buf.push_str(s);
                buf.push('"');
                self.scanner.engine().find(buf.as_bytes(), &mut self.hits);
                self.hits.retain_mut(|h| {
                    if h.start >= offset && h.end <= offset + s.len() {
                        h.start -= offset;
                        h.end -= offset;
                        true
                    } else {
                        false
                    }
                });
            }
            None => self.scanner.engine().find(s.as_bytes(), &mut self.hits),
        }
        let mut first_id = None;
        if !self.hits.is_empty() {
            let hits = std::mem::take(&mut self.hits);
            // For a key, the path ends with the key itself: hide it.
            let (path_stack, path_suffix) = if key && outer.is_none() {
                (&stack[..stack.len().saturating_sub(1)], "<key>")
            } else {
                (stack, "")
            };
            let path = match outer {
                Some(o) => o.path.clone(),
                None => format!("{}{}", render(None, path_stack), path_suffix),
            };
            for h in &hits {
                if self.findings.len() >= self.limits.max_findings {
                    self.stop(format!(
                        "more than {} secret findings",
                        self.limits.max_findings
                    ));
                    break;
                }
                let mut f = self.scanner_finding(h, s.as_bytes(), &path);
                first_id.get_or_insert(self.scanner.engine().rule_meta(h.rule).0);
                if let Some(o) = outer {
                    f.start = 0;
                    f.end = o.len;
                }
                let secret = s.as_bytes().get(h.start..h.end).unwrap_or_default();
                self.redactions.push(Redaction {
                    locator: locator(outer.map(|o| o.locator.as_slice()), stack),
                    key: outer.map_or(key, |o| o.key),
                    span: outer.is_none().then_some((h.start, h.end)),
                    rule_id: f.rule_id.clone(),
                    wanted: f.action == ScanAction::Redact,
                    depth: decode_depth,
                    secret: self.secret_hash(secret),
                });
                self.findings.push(f);
            }
            self.hits = hits;
        }
        if decode_depth < self.limits.max_decode_depth && self.limit.is_none() {
            self.decoded(s, stack, outer, key, decode_depth);
        }
        first_id
    }

    fn scanner_finding(&self, h: &Hit, text: &[u8], path: &str) -> Finding {
        let (id, prefixed, action) = self.scanner.engine().rule_meta(h.rule);
        let secret = String::from_utf8_lossy(&text[h.start..h.end]);
        Finding {
            rule_id: id.to_string(),
            path: path.to_string(),
            start: h.start,
            end: h.end,
            preview: self.scanner.engine().preview(h.rule, &secret, prefixed),
            action,
        }
    }

    fn decoded(
        &mut self,
        s: &str,
        stack: &[Seg<'_>],
        outer: Option<&Outer>,
        key: bool,
        decode_depth: usize,
    ) {
        let max = self.limits.max_decode_bytes;
        if s.len() < 4 || s.len() > max {
            return;
        }
        let base_path = || match outer {
            Some(o) => o.path.clone(),
            None => render(None, stack),
        };
        let make_outer = |suffix: &str| Outer {
            path: format!("{}{suffix}", base_path()),
            locator: match outer {
                Some(o) => o.locator.clone(),
                None => locator(None, stack),
            },
            key: outer.map_or(key, |o| o.key),
            len: outer.map_or(s.len(), |o| o.len),
        };
        if let Some(text) = decode::json(s, max) {
            let o = make_outer("<json>");
            let mut inner: Vec<Seg<'_>> = Vec::new();
            // The inner document's own path follows the suffix.
            self.walk_inner(&text, &mut inner, &o, decode_depth + 1);
            return;
        }
        if let Some(text) = decode::base64(s, max) {
            let o = make_outer("<base64>");
            self.leaf(&text, &[], Some(&o), key, decode_depth + 1, None);
            return;
        }
        if let Some(text) = decode::percent(s, max) {
            let o = make_outer("<url>");
            self.leaf(&text, &[], Some(&o), key, decode_depth + 1, None);
        }
    }

    fn walk_inner<'v>(
        &mut self,
        v: &'v Value,
        stack: &mut Vec<Seg<'v>>,
        o: &Outer,
        decode_depth: usize,
    ) {
        // Paths inside the decoded document are rendered after the outer path.
        match v {
            Value::String(s) => {
                let inner = Outer {
                    path: render(Some(&o.path), stack),
                    locator: o.locator.clone(),
                    key: o.key,
                    len: o.len,
                };
                let member = match stack.last() {
                    Some(Seg::Key(k)) => Some(*k),
                    _ => None,
                };
                self.leaf(s, &[], Some(&inner), false, decode_depth, member);
            }
            Value::Array(items) => {
                if stack.len() >= self.limits.max_depth {
                    self.stop(format!(
                        "arguments nest deeper than {} levels",
                        self.limits.max_depth
                    ));
                    return;
                }
                for (i, item) in items.iter().enumerate() {
                    stack.push(Seg::Index(i));
                    self.walk_inner(item, stack, o, decode_depth);
                    stack.pop();
                    if self.limit.is_some() {
                        return;
                    }
                }
            }
            Value::Object(map) => {
                if stack.len() >= self.limits.max_depth {
                    self.stop(format!(
                        "arguments nest deeper than {} levels",
                        self.limits.max_depth
                    ));
                    return;
                }
                for (k, item) in map {
                    stack.push(Seg::Key(k));
                    self.walk_inner(item, stack, o, decode_depth);
                    stack.pop();
                    if self.limit.is_some() {
                        return;
                    }
                }
            }
            _ => {}
        }
    }
}

/// Applies redactions to a copy of the arguments.
fn apply(root: &mut Value, redactions: &[Redaction]) {
    // Values first: their locators name the keys as they are. Then keys, deepest first: a
    // renamed key would move the paths of everything under it.
    let mut order: Vec<usize> = (0..redactions.len()).collect();
    order.sort_by_key(|&i| {
        (
            redactions[i].key,
            std::cmp::Reverse(redactions[i].locator.len()),
        )
    });
    // Group span redactions per (locator, key) target.
    let mut done: Vec<usize> = Vec::new();
    for i in order {
        if done.contains(&i) {
            continue;
        }
        let r = &redactions[i];
        let group: Vec<usize> = (0..redactions.len())
            .filter(|&j| {
                !done.contains(&j)
                    && redactions[j].locator == r.locator
                    && redactions[j].key == r.key
            })
            .collect();
        done.extend(&group);
        let whole = group.iter().find(|&&j| redactions[j].span.is_none());
        let replace = |text: &str| -> String {
            match whole {
                Some(&j) => redact::marker(&redactions[j].rule_id),
                None => {
                    let mut spans: Vec<(usize, usize, &str)> = group
                        .iter()
                        .filter_map(|&j| {
                            redactions[j]
                                .span
                                .map(|(s, e)| (s, e, redactions[j].rule_id.as_str()))
                        })
                        .collect();
                    spans.sort_unstable_by_key(|s| (s.0, s.1));
                    redact::redact_spans(text, &spans)
                }
            }
        };
        if r.key {
            let Some((last, parent)) = r.locator.split_last() else {
                continue;
            };
            let Loc::Key(old) = last else {
                continue;
            };
            if let Some(Value::Object(map)) = navigate(root, parent) {
                if let Some(v) = map.remove(old) {
                    let mut new = replace(old);
                    let mut n = 1;
                    while map.contains_key(&new) {
                        n += 1;
                        new = format!("{}#{n}", replace(old));
                    }
                    map.insert(new, v);
                }
            }
        } else if let Some(Value::String(s)) = navigate(root, &r.locator) {
            *s = replace(s);
        }
    }
}

fn navigate<'a>(mut v: &'a mut Value, path: &[Loc]) -> Option<&'a mut Value> {
    for seg in path {
        v = match (v, seg) {
            (Value::Object(m), Loc::Key(k)) => m.get_mut(k)?,
            (Value::Array(a), Loc::Index(i)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}
