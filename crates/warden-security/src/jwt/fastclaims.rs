//! A fast path for the common claim set: a flat JSON object whose strings have no escapes,
//! whose numbers are integers, and whose arrays hold strings. Anything outside that subset
//! (escapes, floats, nested objects, `null` on a known claim, duplicates, missing `sub`/`exp`,
//! invalid JSON) returns `None` and the caller falls back to the serde path, which decides.
//! So the fast path only ever *accepts* documents the serde path accepts identically (checked
//! by a differential property test).

use warden_types::{Audiences, JwtAudience, JwtClaims, Scopes, UserType};

use std::borrow::Cow;

use super::parse::{Header, ParsedClaims, Str};

struct Cursor<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    #[inline]
    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string without escapes or control characters.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        loop {
            let c = *self.b.get(self.i)?;
            if c == b'"' {
                let out = self.s.get(start..self.i)?;
                self.i += 1;
                return Some(out);
            }
            if c == b'\\' || c < 0x20 {
                return None;
            }
            self.i += 1;
        }
    }

    /// A JSON integer of at most 18 digits (so it cannot overflow an i64), not followed by a
    /// fraction or exponent.
    #[inline]
    fn integer(&mut self) -> Option<i64> {
        let neg = self.eat(b'-').is_some();
        let start = self.i;
        let mut v: i64 = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            if self.i - start >= 18 {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
            self.i += 1;
        }
        let len = self.i - start;
        if len == 0 || (len > 1 && self.b[start] == b'0') {
            return None;
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(if neg { -v } else { v })
    }

    /// An array of strings.
    fn strings(&mut self) -> Option<Vec<&'a str>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        self.ws();
        if self.eat(b']').is_some() {
            return Some(out);
        }
        loop {
            self.ws();
            out.push(self.string()?);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + lit.len())? == lit {
            self.i += lit.len();
            Some(())
        } else {
            None
        }
    }

    /// Skips the value of an unknown member (only simple values).
    fn skip_simple(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'[' => self.strings().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.integer().map(drop),
        }
    }
}

/// Parses the common JOSE header shape — only `alg`, `kid` and `typ`, string-valued, no
/// escapes, no duplicates; `None` = use the serde path (which handles `crit`, `jwk`, …).
pub(crate) fn parse_header(text: &str) -> Option<Header<'_>> {
    let mut c = Cursor {
        b: text.as_bytes(),
        s: text,
        i: 0,
    };
    let mut h = Header {
        alg: None,
        kid: None,
        crit: None,
        has_jwk: false,
    };
    let mut typ_seen = false;
    c.ws();
    c.eat(b'{')?;
    c.ws();
    if c.peek()? == b'}' {
        return None;
    }
    loop {
        c.ws();
        let key = c.string()?;
        c.ws();
        c.eat(b':')?;
        c.ws();
        let value = c.string()?;
        match key {
            "alg" if h.alg.is_none() => h.alg = Some(Str(Cow::Borrowed(value))),
            "kid" if h.kid.is_none() => h.kid = Some(Str(Cow::Borrowed(value))),
            "typ" if !typ_seen => typ_seen = true,
            _ => return None,
        }
        c.ws();
        match c.peek()? {
            b',' => c.i += 1,
            b'}' => {
                c.i += 1;
                break;
            }
            _ => return None,
        }
    }
    c.ws();
    (c.i == c.b.len()).then_some(h)
}

/// Parses the simple subset; `None` = use the serde path.
pub(crate) fn parse(text: &str) -> Option<ParsedClaims> {
    let mut c = Cursor {
        b: text.as_bytes(),
        s: text,
        i: 0,
    };
    let mut seen = 0u32;
    let mut unknown: Vec<&str> = Vec::new();
    let mut sub = None;
    let mut exp = None;
    let mut token_type = None;
    let mut out = JwtClaims {
        sub: String::new(),
        iat: 0,
        exp: 0,
        nbf: None,
        iss: String::new(),
        aud: Audiences::default(),
        jti: String::new(),
        scope: Scopes::default(),
        username: String::new(),
        email: String::new(),
        user_type: UserType::Unknown,
        roles: None,
        client_id: None,
        token_type: String::new(),
        auth_time: 0,
        session_id: None,
        rate_limit_tier: None,
    };
    c.ws();
    c.eat(b'{')?;
    c.ws();
    if c.peek()? == b'}' {
        return None;
    }
    loop {
        c.ws();
        let key = c.string()?;
        c.ws();
        c.eat(b':')?;
        c.ws();
        let bit = super::parse::field_bit(key);
        if bit == 0 {
            if unknown.contains(&key) {
                return None;
            }
            unknown.push(key);
            c.skip_simple()?;
        } else {
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match key {
                "sub" => sub = Some(c.string()?.to_owned()),
                "iat" => out.iat = c.integer()?,
                "exp" => exp = Some(c.integer()?),
                "nbf" => out.nbf = Some(c.integer()?),
                "iss" => out.iss = c.string()?.to_owned(),
                "aud" => {
                    out.aud = if c.peek()? == b'[' {
                        Audiences(
                            c.strings()?
                                .into_iter()
                                .map(JwtAudience::from_wire)
                                .collect(),
                        )
                    } else {
                        Audiences(vec![JwtAudience::from_wire(c.string()?)])
                    }
                }
                "jti" => out.jti = c.string()?.to_owned(),
                "scope" => out.scope = Scopes::parse(c.string()?),
                "username" => out.username = c.string()?.to_owned(),
                "email" => out.email = c.string()?.to_owned(),
                "user_type" => out.user_type = c.string()?.parse().unwrap_or(UserType::Unknown),
                "roles" => {
                    out.roles = Some(c.strings()?.into_iter().map(str::to_owned).collect());
                }
                "client_id" => out.client_id = Some(c.string()?.to_owned()),
                "token_type" => token_type = Some(c.string()?.to_owned()),
                "auth_time" => out.auth_time = c.integer()?,
                "session_id" => out.session_id = Some(c.string()?.to_owned()),
                "rate_limit_tier" => out.rate_limit_tier = c.string()?.parse().ok(),
                _ => return None,
            }
        }
        c.ws();
        match c.peek()? {
            b',' => c.i += 1,
            b'}' => {
                c.i += 1;
                break;
            }
            _ => return None,
        }
    }
    c.ws();
    if c.i != c.b.len() {
        return None;
    }
    out.sub = sub?;
    out.exp = exp?;
    out.token_type = token_type.unwrap_or_else(|| "Bearer".to_owned());
    Some(ParsedClaims {
        has_iss: seen & super::parse::F_ISS != 0,
        has_aud: seen & super::parse::F_AUD != 0,
        claims: out,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::jwt::parse::parse_claims_serde;

    #[test]
    fn parses_full_claim_set() {
        let doc = r#"{"sub":"u","iat":1,"exp":2,"nbf":0,"iss":"warden","aud":["web","api"],"jti":"j","scope":"user mcp","username":"n","email":"e","user_type":"user","roles":["user"],"client_id":"c","token_type":"Bearer","auth_time":1,"session_id":"s","rate_limit_tier":"user","x":[],"y":true,"z":null,"w":-5}"#;
        let fast = parse(doc).unwrap_or_else(|| panic!("fast path refused"));
        let slow = parse_claims_serde(doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fast.claims, slow.claims);
    }

    #[test]
    fn header_fast_path_takes_common_shape_only() {
        let h = parse_header(r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#)
            .unwrap_or_else(|| panic!("refused"));
        assert_eq!(h.alg.map(|a| a.0.into_owned()).as_deref(), Some("HS256"));
        assert_eq!(h.kid.map(|a| a.0.into_owned()).as_deref(), Some("k1"));
        for doc in [
            r#"{"alg":"HS256","alg":"none"}"#,
            r#"{"alg":"HS256","crit":["x"]}"#,
            r#"{"alg":"HS256","jwk":{}}"#,
            r#"{"alg":"HS\u0032"}"#,
            r#"{"alg":"HS256"} x"#,
            r#"{"alg":1}"#,
            "{}",
        ] {
            assert!(parse_header(doc).is_none(), "{doc}");
        }
    }

    #[test]
    fn falls_back_outside_the_subset() {
        for doc in [
            r#"{"sub":"a\"b","exp":1}"#,
            r#"{"sub":"a","exp":1.5}"#,
            r#"{"sub":"a","exp":1,"x":{"a":1}}"#,
            r#"{"sub":"a","exp":01}"#,
            r#"{"sub":"a","exp":1,"sub":"b"}"#,
            r#"{"sub":null,"exp":1}"#,
            r#"{"exp":1}"#,
            r#"{"sub":"a","exp":1} x"#,
            r#"{"sub":"a","exp":1,}"#,
            "{}",
        ] {
            assert!(parse(doc).is_none(), "{doc}");
        }
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "\"[ -~]{0,8}\"".prop_map(|s| s),
            "-?[0-9]{1,20}(\\.[0-9])?".prop_map(|s| s),
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("[]".to_owned()),
            "\\[\"[a-z]{0,4}\"(,\"[a-z]{0,4}\"){0,2}\\]".prop_map(|s| s),
            Just("{\"a\":1}".to_owned()),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("sub"),
            Just("exp"),
            Just("iat"),
            Just("nbf"),
            Just("iss"),
            Just("aud"),
            Just("jti"),
            Just("scope"),
            Just("user_type"),
            Just("roles"),
            Just("token_type"),
            Just("session_id"),
            Just("rate_limit_tier"),
            Just("x"),
            Just("y"),
        ]
        .prop_map(str::to_owned)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the fast path accepts, the serde path accepts identically.
        #[test]
        fn fast_path_agrees_with_serde(members in proptest::collection::vec((key(), value()), 0..8), ws in "[ \n]{0,2}") {
            let body: Vec<String> = members.iter().map(|(k, v)| format!("{ws}\"{k}\"{ws}:{ws}{v}")).collect();
            let doc = format!("{ws}{{{}}}{ws}", body.join(","));
            if let Some(fast) = parse(&doc) {
                let slow = parse_claims_serde(&doc);
                prop_assert!(slow.is_ok(), "serde rejected what fast accepted: {doc}");
                if let Ok(slow) = slow {
                    prop_assert_eq!(&fast.claims, &slow.claims);
                    prop_assert_eq!(fast.has_iss, slow.has_iss);
                    prop_assert_eq!(fast.has_aud, slow.has_aud);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Whatever header the fast path accepts, serde parses to the same alg and kid.
        #[test]
        fn header_fast_path_agrees_with_serde(members in proptest::collection::vec((prop_oneof![Just("alg"), Just("kid"), Just("typ"), Just("x")], value()), 0..5)) {
            let body: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let doc = format!("{{{}}}", body.join(","));
            if let Some(fast) = parse_header(&doc) {
                let slow: Result<Header<'_>, _> = serde_json::from_str(&doc);
                prop_assert!(slow.is_ok(), "serde rejected what fast accepted: {doc}");
                if let Ok(slow) = slow {
                    prop_assert_eq!(fast.alg.map(|a| a.0.into_owned()), slow.alg.map(|a| a.0.into_owned()));
                    prop_assert_eq!(fast.kid.map(|a| a.0.into_owned()), slow.kid.map(|a| a.0.into_owned()));
                    prop_assert!(slow.crit.is_none() && !slow.has_jwk);
                }
            }
        }
    }
}

#[cfg(test)]
mod overflow_tests {
    #[test]
    fn long_integers_fall_back_without_overflow() {
        assert!(super::parse(r#"{"sub":"a","exp":99999999999999999999999}"#).is_none());
        assert!(super::parse(r#"{"sub":"a","exp":-9999999999999999999}"#).is_none());
        assert!(super::parse(r#"{"sub":"a","exp":999999999999999999}"#).is_some());
    }
}
