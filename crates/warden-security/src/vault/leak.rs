//! Exact-match leak detection: keyed fingerprints of stored secrets, queried by the governance
//! secret scanner without holding any plaintext.
//!
//! **Fingerprint key.** For a KEK `K`: `FK = HMAC-SHA256(K, "warden/vault/leak-fingerprint/v1")`.
//! A secret's fingerprints are computed under the FK of the KEK that wraps it (its
//! `SecretMeta::kek_id`); rotation recomputes them under the new KEK.
//!
//! **Forms.** For the value `v`, and for `v` with surrounding ASCII whitespace trimmed when that
//! differs (a value stored with a trailing newline still matches its bare use): raw bytes,
//! base64 standard and URL-safe alphabets each with and without padding, lowercase and
//! uppercase hex, and percent-encoding (every byte outside `A-Za-z0-9-._~` as `%XX`). Duplicates
//! are dropped.
//!
//! **Prefilter key.** `PK = HMAC-SHA256(K, "warden/vault/leak-prefilter/v1")[0..16]`, a
//! SipHash-2-4 key.
//!
//! **Stored entry** (`StoredSecret::fingerprints`): 44 bytes = form length as u32 big-endian ‖
//! SipHash-2-4(PK, form) as u64 big-endian ‖ HMAC-SHA256(FK, form). The length (already
//! evident from the envelope size) lets the index skip candidates of lengths no stored form
//! has; the 64-bit SipHash tag (≈ 20 ns) screens the rest; only a tag hit costs an HMAC, which
//! confirms the match.
//!
//! **Scanner use.** Build a [`LeakIndex`] once (the [`super::Vault`] keeps one current) and call
//! [`LeakIndex::find_in`] on each text to scan (e.g. every string in tool arguments). It
//! tokenizes as documented there and returns byte ranges and the matching secret's
//! namespace/name (never the value). Report hits with a rule id such as `vault-secret` and a
//! preview that does not reproduce the matched bytes.

use std::collections::{HashMap, HashSet};

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use zeroize::Zeroizing;

use super::aead::{HmacKey, SipKey};
use super::keyring::{hex_lower, Kek, KeyRing};
use super::store::{SecretMeta, StoredSecret};

/// Label of the fingerprint-key derivation.
pub const FINGERPRINT_LABEL: &[u8] = b"warden/vault/leak-fingerprint/v1";
/// Label of the prefilter-key derivation.
pub const PREFILTER_LABEL: &[u8] = b"warden/vault/leak-prefilter/v1";
/// Length of one stored fingerprint entry: u32 length ‖ u64 SipHash tag ‖ 32-byte HMAC.
pub const FINGERPRINT_ENTRY_LEN: usize = 4 + 8 + 32;
/// Default shortest candidate the index considers, bytes.
pub const DEFAULT_MIN_CANDIDATE_LEN: usize = 8;
/// Most delimiter positions considered inside one whitespace/quote-separated token.
/// Most delimiters a candidate that ends at a delimiter may contain (candidates running to the
/// token end may contain any number).
const MAX_INNER_DELIMS: usize = 4;

/// The per-KEK keys of the leak index.
#[derive(Clone, Debug)]
struct FingerprintKeys {
    hmac: HmacKey,
    sip: SipKey,
}

fn fingerprint_keys(kek: &Kek) -> FingerprintKeys {
    let kek_mac = HmacKey::new(kek.key());
    let fk = Zeroizing::new(kek_mac.sign(FINGERPRINT_LABEL));
    let pk = Zeroizing::new(kek_mac.sign(PREFILTER_LABEL));
    let mut sip_key = Zeroizing::new([0u8; 16]);
    sip_key.copy_from_slice(&pk[..16]);
    FingerprintKeys {
        hmac: HmacKey::new(fk.as_ref()),
        sip: SipKey::new(&sip_key),
    }
}

fn percent_encode(v: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(v.len() * 3);
    for &b in v {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
    }
    out
}

/// The byte forms of `value` that are fingerprinted (see the module docs). Zeroized on drop.
pub fn encoded_forms(value: &[u8]) -> Vec<Zeroizing<Vec<u8>>> {
    let mut bases: Vec<&[u8]> = vec![value];
    let trimmed = value.trim_ascii();
    if trimmed.len() != value.len() && !trimmed.is_empty() {
        bases.push(trimmed);
    }
    let mut forms: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    for v in bases {
        let hex = hex_lower(v);
        let candidates = [
            v.to_vec(),
            STANDARD.encode(v).into_bytes(),
            STANDARD_NO_PAD.encode(v).into_bytes(),
            URL_SAFE.encode(v).into_bytes(),
            URL_SAFE_NO_PAD.encode(v).into_bytes(),
            hex.to_ascii_uppercase().into_bytes(),
            hex.into_bytes(),
            percent_encode(v),
        ];
        for c in candidates {
            let c = Zeroizing::new(c);
            if !c.is_empty() && !forms.iter().any(|f| **f == *c) {
                forms.push(c);
            }
        }
    }
    forms
}

/// Fingerprint entries of `value` under `kek` (the KEK that wraps the secret).
pub fn fingerprints(kek: &Kek, value: &[u8]) -> Vec<Vec<u8>> {
    let keys = fingerprint_keys(kek);
    encoded_forms(value)
        .iter()
        .map(|form| {
            let mut entry = Vec::with_capacity(FINGERPRINT_ENTRY_LEN);
            entry.extend_from_slice(&(form.len() as u32).to_be_bytes());
            entry.extend_from_slice(&keys.sip.hash(form).to_be_bytes());
            entry.extend_from_slice(&keys.hmac.sign(form));
            entry
        })
        .collect()
}

/// Which stored secret a fingerprint belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretRef {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// A stored secret found in scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeakHit {
    /// Byte offset of the match.
    pub start: usize,
    /// Byte offset one past the match.
    pub end: usize,
    /// The secret that matched.
    pub secret: SecretRef,
}

/// An index of stored-secret fingerprints. Holds fingerprint keys (derived from KEKs) and
/// HMAC outputs only — no plaintext, no KEK.
#[derive(Clone, Default)]
pub struct LeakIndex {
    keys: HashMap<String, FingerprintKeys>,
    used_keys: Vec<String>,
    entries: HashMap<[u8; 32], SecretRef>,
    tags: HashSet<u64>,
    lengths: HashSet<usize>,
    max_len: usize,
    min_len: usize,
}

impl std::fmt::Debug for LeakIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeakIndex")
            .field("fingerprints", &self.entries.len())
            .field("keys", &self.used_keys)
            .field("min_len", &self.min_len)
            .finish()
    }
}

/// Is `b` a separator between tokens?
fn is_token_separator(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`')
}

/// Is `b` a delimiter inside a token (candidate substrings start after / end before it)?
fn is_inner_delimiter(b: u8) -> bool {
    matches!(
        b,
        b',' | b';'
            | b':'
            | b'='
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'<'
            | b'>'
            | b'&'
            | b'?'
            | b'|'
            | b'@'
            | b'\\'
            | b'/'
    )
}

impl LeakIndex {
    /// An empty index that can hold fingerprints made under any KEK of `ring`.
    pub fn new(ring: &KeyRing) -> Self {
        Self {
            keys: ring
                .keys()
                .iter()
                .map(|k| (k.kid().as_str().to_owned(), fingerprint_keys(k)))
                .collect(),
            min_len: DEFAULT_MIN_CANDIDATE_LEN,
            ..Self::default()
        }
    }

    /// An index of every secret in `secrets`.
    pub fn build(ring: &KeyRing, secrets: &[StoredSecret]) -> Self {
        let mut index = Self::new(ring);
        for s in secrets {
            index.insert(&s.meta, &s.fingerprints);
        }
        index
    }

    /// Sets the shortest candidate considered (default 8 bytes); shorter stored forms are
    /// never reported.
    pub fn with_min_len(mut self, min_len: usize) -> Self {
        self.min_len = min_len.max(1);
        self
    }

    /// Adds a secret's fingerprint entries. Entries of the wrong size, or made under a KEK
    /// absent from the ring, are ignored.
    pub fn insert(&mut self, meta: &SecretMeta, fingerprints: &[Vec<u8>]) {
        if !self.keys.contains_key(&meta.kek_id) {
            return;
        }
        if !self.used_keys.contains(&meta.kek_id) {
            self.used_keys.push(meta.kek_id.clone());
        }
        let secret = SecretRef {
            namespace: meta.namespace.clone(),
            name: meta.name.clone(),
        };
        for entry in fingerprints {
            let Ok(entry): Result<&[u8; FINGERPRINT_ENTRY_LEN], _> = entry.as_slice().try_into()
            else {
                continue;
            };
            let len = u32::from_be_bytes([entry[0], entry[1], entry[2], entry[3]]) as usize;
            let mut tag = [0u8; 8];
            tag.copy_from_slice(&entry[4..12]);
            let mut mac = [0u8; 32];
            mac.copy_from_slice(&entry[12..]);
            self.tags.insert(u64::from_be_bytes(tag));
            self.lengths.insert(len);
            self.max_len = self.max_len.max(len);
            self.entries.insert(mac, secret.clone());
        }
    }

    /// Removes every fingerprint of `namespace`/`name` (its prefilter tags stay: a stale tag
    /// only costs one HMAC that then finds nothing).
    pub fn remove(&mut self, namespace: &str, name: &str) {
        self.entries
            .retain(|_, s| !(s.namespace == namespace && s.name == name));
    }

    /// Number of fingerprints held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no fingerprint is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Is `candidate` exactly a stored secret (or one of its encodings)?
    pub fn check(&self, candidate: &[u8]) -> Option<&SecretRef> {
        if candidate.len() < self.min_len || !self.lengths.contains(&candidate.len()) {
            return None;
        }
        self.used_keys.iter().find_map(|kid| {
            let keys = self.keys.get(kid)?;
            if !self.tags.contains(&keys.sip.hash(candidate)) {
                return None;
            }
            self.entries.get(&keys.hmac.sign(candidate))
        })
    }

    /// Finds stored secrets in `text`.
    ///
    /// Tokens are maximal runs without whitespace or quotes (`"`, `'`, `` ` ``). Inside a
    /// token, the delimiters `, ; : = ( ) [ ] { } < > & ? | @ \ /` mark where a candidate may
    /// start (token start, just after a one-letter flag `-x` opening the token, or just after
    /// a delimiter) and end (token end or just before a delimiter). Candidates running to the token end may contain any number of delimiters;
    /// those ending at a delimiter at most 4 (so the work stays linear in the token length).
    /// Every candidate whose length equals the length of some stored form (and is at least
    /// the minimum length) costs one SipHash-2-4, and an HMAC-SHA256 only when its tag matches. So `password=hunter2hunter2`,
    /// `https://u:pa55word@host/`, and `Bearer abc…` find their secrets, and secrets that
    /// themselves contain delimiters still match, as does `mysql -pS3cret…`. Hits do not overlap; the longest match at a
    /// start wins.
    pub fn find_in(&self, text: &[u8]) -> Vec<LeakHit> {
        let mut hits = Vec::new();
        if self.entries.is_empty() {
            return hits;
        }
        // Delimiter positions of the current token; reused across tokens.
        let mut delims = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if is_token_separator(text[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < text.len() && !is_token_separator(text[i]) {
                i += 1;
            }
            self.scan_token(text, start, i, &mut delims, &mut hits);
        }
        hits
    }

    fn scan_token(
        &self,
        text: &[u8],
        start: usize,
        end: usize,
        delims: &mut Vec<usize>,
        hits: &mut Vec<LeakHit>,
    ) {
        if end - start < self.min_len {
            return;
        }
        delims.clear();
        delims.extend(
            text[start..end]
                .iter()
                .enumerate()
                .filter(|(_, &b)| is_inner_delimiter(b))
                .map(|(off, _)| start + off),
        );
        // A value glued to a one-letter flag (`mysql -pS3cret`): the tail after `-x` is one
        // more candidate start (`--flag=value` already splits at `=`).
        let flag_tail =
            (end - start > 2 && text[start] == b'-' && text[start + 1].is_ascii_alphabetic())
                .then_some(start + 2);
        let n = delims.len();
        let mut covered_until = start;
        // Start i: the token start (i = 0) or just after delimiter i-1. Ends, longest first:
        // the token end (always), then delimiters j >= i such that the candidate spans at most
        // MAX_INNER_DELIMS delimiters, keeping the work linear in the token length.
        // Candidate starts in order: the token start, the flag tail, after each delimiter.
        let starts = std::iter::once((0, start))
            .chain(flag_tail.map(|t| (0, t)))
            .chain((1..=n).map(|i| (i, delims[i - 1] + 1)));
        for (i, s) in starts {
            if s < covered_until {
                continue;
            }
            let last = (i + MAX_INNER_DELIMS + 1).min(n);
            let ends = std::iter::once(end).chain(delims[i.min(n)..last].iter().rev().copied());
            for e in ends {
                if e <= s {
                    continue;
                }
                let len = e - s;
                if len > self.max_len || !self.lengths.contains(&len) {
                    continue;
                }
                if let Some(secret) = self.check(&text[s..e]) {
                    hits.push(LeakHit {
                        start: s,
                        end: e,
                        secret: secret.clone(),
                    });
                    covered_until = e;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::keyring::Kid;

    fn kek(kid: &str, b: u8) -> Kek {
        Kek::new([b; 32], Some(Kid::new(kid).unwrap()), 0)
    }

    fn meta(ns: &str, name: &str, kid: &str) -> SecretMeta {
        SecretMeta {
            namespace: ns.into(),
            name: name.into(),
            kek_id: kid.into(),
            created_at_ms: 0,
            updated_at_ms: 0,
        }
    }

    fn index_with(value: &[u8]) -> LeakIndex {
        let k = kek("k1", 1);
        let ring = KeyRing::single(k.clone());
        let mut idx = LeakIndex::new(&ring);
        idx.insert(&meta("ns", "api", "k1"), &fingerprints(&k, value));
        idx
    }

    #[test]
    fn finds_raw_secret_in_text() {
        let idx = index_with(b"sk-live-abcdef123456");
        let text = b"curl -H 'Authorization: Bearer sk-live-abcdef123456' x";
        let hits = idx.find_in(text);
        assert_eq!(hits.len(), 1);
        assert_eq!(&text[hits[0].start..hits[0].end], b"sk-live-abcdef123456");
        assert_eq!(hits[0].secret.name, "api");
    }

    #[test]
    fn finds_base64_hex_and_percent_forms() {
        let secret = b"p@ss w0rd/with+chars";
        let idx = index_with(secret);
        for form in [
            STANDARD.encode(secret),
            STANDARD_NO_PAD.encode(secret),
            URL_SAFE.encode(secret),
            URL_SAFE_NO_PAD.encode(secret),
            hex_lower(secret),
            hex_lower(secret).to_ascii_uppercase(),
            String::from_utf8(percent_encode(secret)).unwrap(),
        ] {
            let text = format!("{{\"arg\":\"{form}\"}}");
            assert_eq!(idx.find_in(text.as_bytes()).len(), 1, "form {form}");
        }
    }

    #[test]
    fn finds_secret_after_key_equals_and_inside_url_credentials() {
        let idx = index_with(b"hunter2hunter2");
        assert_eq!(idx.find_in(b"password=hunter2hunter2&x=1").len(), 1);
        assert_eq!(
            idx.find_in(b"https://bob:hunter2hunter2@db.local/x").len(),
            1
        );
    }

    #[test]
    fn finds_secret_containing_delimiters() {
        let idx = index_with(b"a:b=c@d/e?f");
        assert_eq!(idx.find_in(b"x=a:b=c@d/e?f").len(), 1);
        assert_eq!(idx.find_in(b"a:b=c@d/e?f").len(), 1);
    }

    #[test]
    fn finds_secret_with_few_delimiters_inside_a_longer_token() {
        let idx = index_with(b"user:pa55/word");
        assert_eq!(
            idx.find_in(b"https://user:pa55/word@host/path?q=1").len(),
            1
        );
    }

    #[test]
    fn finds_secret_glued_to_a_short_flag() {
        let idx = index_with(b"S3cretValue42xyz");
        let text = b"mysql -u root -pS3cretValue42xyz db";
        let hits = idx.find_in(text);
        assert_eq!(hits.len(), 1);
        assert_eq!(&text[hits[0].start..hits[0].end], b"S3cretValue42xyz");
        assert_eq!(idx.find_in(b"--password=S3cretValue42xyz").len(), 1);
        // Only a one-letter flag is stripped.
        assert!(idx.find_in(b"-abS3cretValue42xyz").is_empty());
    }

    #[test]
    fn trailing_newline_in_stored_value_still_matches_bare_use() {
        let idx = index_with(b"token-1234567890\n");
        assert_eq!(idx.find_in(b"use token-1234567890 now").len(), 1);
    }

    #[test]
    fn does_not_match_prefix_or_superstring() {
        let idx = index_with(b"abcdefgh12345678");
        assert!(idx.find_in(b"abcdefgh1234567").is_empty());
        assert!(idx.find_in(b"abcdefgh123456789").is_empty());
    }

    #[test]
    fn ignores_candidates_shorter_than_min_len() {
        let idx = index_with(b"short");
        assert!(idx.find_in(b"short").is_empty());
        assert!(idx.clone().with_min_len(4).check(b"short").is_some());
    }

    #[test]
    fn fingerprints_differ_per_kek() {
        assert_ne!(
            fingerprints(&kek("a", 1), b"v"),
            fingerprints(&kek("b", 2), b"v")
        );
    }

    #[test]
    fn fingerprints_do_not_contain_plaintext() {
        let value = b"sk-live-abcdef123456";
        for fp in fingerprints(&kek("a", 1), value) {
            assert_eq!(fp.len(), FINGERPRINT_ENTRY_LEN);
            assert!(!fp.windows(8).any(|w| value.windows(8).any(|v| v == w)));
        }
    }

    #[test]
    fn removed_secret_is_no_longer_found() {
        let mut idx = index_with(b"sk-live-abcdef123456");
        idx.remove("ns", "api");
        assert!(idx.find_in(b"sk-live-abcdef123456").is_empty());
    }

    #[test]
    fn entries_under_unknown_kek_are_ignored() {
        let ring = KeyRing::single(kek("k1", 1));
        let mut idx = LeakIndex::new(&ring);
        idx.insert(
            &meta("ns", "a", "zz"),
            &fingerprints(&kek("zz", 9), b"abcdefgh1234"),
        );
        assert!(idx.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn find_in_never_panics_and_hits_are_in_bounds(
            text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)
        ) {
            let idx = index_with(b"abc:def/ghi=jkl").with_min_len(1);
            for hit in idx.find_in(&text) {
                proptest::prop_assert!(hit.start < hit.end && hit.end <= text.len());
            }
        }

        #[test]
        fn embedded_secret_is_always_found(
            prefix in "[a-z ]{0,20}[ =:]", suffix in "[ &;,][a-z ]{0,20}"
        ) {
            let idx = index_with(b"sk-live-abcdef123456");
            let text = format!("{prefix}sk-live-abcdef123456{suffix}");
            proptest::prop_assert_eq!(idx.find_in(text.as_bytes()).len(), 1);
        }
    }

    #[test]
    fn debug_shows_counts_only() {
        let idx = index_with(b"sk-live-abcdef123456");
        assert!(!format!("{idx:?}").contains("sk-live"));
    }
}
