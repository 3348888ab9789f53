//! JWT claims and audiences (SPEC §2.3).

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::roles::{Permission, RateLimitTier, UserType};

/// An audience a token is meant for. Known names map to variants; any other string is a
/// resource audience.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JwtAudience {
    /// Browser sessions.
    Web,
    /// The HTTP API.
    Api,
    /// Agent-to-agent calls.
    A2a,
    /// MCP clients.
    Mcp,
    /// Internal services.
    Internal,
    /// Any other audience (a resource URI or name).
    Resource(String),
}

impl JwtAudience {
    /// The default audience set: web, api, a2a, mcp.
    pub fn standard() -> Vec<JwtAudience> {
        vec![
            JwtAudience::Web,
            JwtAudience::Api,
            JwtAudience::A2a,
            JwtAudience::Mcp,
        ]
    }

    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            JwtAudience::Web => "web",
            JwtAudience::Api => "api",
            JwtAudience::A2a => "a2a",
            JwtAudience::Mcp => "mcp",
            JwtAudience::Internal => "internal",
            JwtAudience::Resource(s) => s,
        }
    }

    /// Maps a wire string to an audience (never fails).
    pub fn from_wire(s: &str) -> JwtAudience {
        match s {
            "web" => JwtAudience::Web,
            "api" => JwtAudience::Api,
            "a2a" => JwtAudience::A2a,
            "mcp" => JwtAudience::Mcp,
            "internal" => JwtAudience::Internal,
            other => JwtAudience::Resource(other.to_owned()),
        }
    }
}

impl fmt::Display for JwtAudience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for JwtAudience {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JwtAudience {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(JwtAudience::from_wire(&s))
    }
}

/// The `aud` claim: accepts a string or an array on input, always emits an array.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Audiences(pub Vec<JwtAudience>);

impl Audiences {
    /// True when any audience here equals any of `wanted`'s wire names.
    pub fn intersects(&self, wanted: &[String]) -> bool {
        self.0
            .iter()
            .any(|a| wanted.iter().any(|w| w == a.as_str()))
    }
}

impl Serialize for Audiences {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Audiences {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Audiences;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Audiences, E> {
                Ok(Audiences(vec![JwtAudience::from_wire(v)]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Audiences, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(JwtAudience::from_wire(&s));
                }
                Ok(Audiences(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `scope` claim: a space-separated list of words. Words that name a [`Permission`] are
/// permissions; every other word is kept as a custom scope (never an error).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a space-separated scope string; empty words are dropped, duplicates kept once.
    pub fn parse(s: &str) -> Scopes {
        let mut words: Vec<String> = Vec::new();
        for w in s.split_ascii_whitespace() {
            if !words.iter().any(|x| x == w) {
                words.push(w.to_owned());
            }
        }
        Scopes(words)
    }

    /// Builds scopes from words.
    pub fn from_words<I, S>(words: I) -> Scopes
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let joined: Vec<String> = words.into_iter().map(|w| w.as_ref().to_owned()).collect();
        Scopes::parse(&joined.join(" "))
    }

    /// Builds scopes from permissions.
    pub fn from_permissions(perms: &[Permission]) -> Scopes {
        Scopes::from_words(perms.iter().map(Permission::as_str))
    }

    /// Every word, in order.
    pub fn words(&self) -> &[String] {
        &self.0
    }

    /// True when the exact word is present.
    pub fn contains(&self, word: &str) -> bool {
        self.0.iter().any(|w| w == word)
    }

    /// The words that name permissions.
    pub fn permissions(&self) -> Vec<Permission> {
        self.0.iter().filter_map(|w| w.parse().ok()).collect()
    }

    /// The highest permission present, if any.
    pub fn highest_permission(&self) -> Option<Permission> {
        self.permissions().into_iter().max_by_key(Permission::level)
    }

    /// True when no word is present.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The space-separated form.
    pub fn to_scope_string(&self) -> String {
        self.0.join(" ")
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

impl Serialize for Scopes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_scope_string())
    }
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scopes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a space-separated string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scopes, E> {
                Ok(Scopes::parse(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scopes, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Scopes::from_words(out))
            }
        }
        d.deserialize_any(V)
    }
}

fn default_token_type() -> String {
    "Bearer".to_owned()
}

/// The claim set Warden mints. On input only `sub` and `exp` are required; every other
/// claim defaults so that tokens of other issuers validate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtClaims {
    /// Subject: the user id.
    pub sub: String,
    /// Issued at (unix seconds).
    #[serde(default)]
    pub iat: i64,
    /// Expiry (unix seconds).
    pub exp: i64,
    /// Not before (unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issuer.
    #[serde(default)]
    pub iss: String,
    /// Audiences.
    #[serde(default)]
    pub aud: Audiences,
    /// Token id (used for revocation).
    #[serde(default)]
    pub jti: String,
    /// Granted scopes.
    #[serde(default)]
    pub scope: Scopes,
    /// Human-readable user name.
    #[serde(default)]
    pub username: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// Kind of principal.
    #[serde(default)]
    pub user_type: UserType,
    /// Roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// OAuth client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Always `Bearer`.
    #[serde(default = "default_token_type")]
    pub token_type: String,
    /// When the user authenticated (unix seconds).
    #[serde(default)]
    pub auth_time: i64,
    /// Session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Rate-limit tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_tier: Option<RateLimitTier>,
}

impl JwtClaims {
    /// True when the scope claim carries `admin`.
    pub fn is_admin(&self) -> bool {
        self.scope.contains(Permission::Admin.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aud_accepts_string_or_array_and_emits_array() {
        let c: JwtClaims = serde_json::from_str(r#"{"sub":"u","exp":1,"aud":"api"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.aud.0, vec![JwtAudience::Api]);
        let out = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(out["aud"], serde_json::json!(["api"]));
        let c: JwtClaims = serde_json::from_str(r#"{"sub":"u","exp":1,"aud":["web","https://r"]}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.aud.0,
            vec![JwtAudience::Web, JwtAudience::Resource("https://r".into())]
        );
    }

    #[test]
    fn only_sub_and_exp_are_required() {
        let c: JwtClaims =
            serde_json::from_str(r#"{"sub":"u","exp":5}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.token_type, "Bearer");
        assert_eq!(c.user_type, UserType::Unknown);
        assert!(serde_json::from_str::<JwtClaims>(r#"{"exp":5}"#).is_err());
        assert!(serde_json::from_str::<JwtClaims>(r#"{"sub":"u"}"#).is_err());
    }

    #[test]
    fn unknown_scope_words_are_kept() {
        let s = Scopes::parse("user  mcp github:read user");
        assert_eq!(s.words(), &["user", "mcp", "github:read"]);
        assert_eq!(s.permissions(), vec![Permission::User, Permission::Mcp]);
        assert_eq!(s.highest_permission(), Some(Permission::User));
        assert_eq!(s.to_string(), "user mcp github:read");
    }
}
