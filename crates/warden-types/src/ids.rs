//! Typed identifiers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest identifier accepted by the validating constructors, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// Why a string was refused as an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The value was empty.
    #[error("identifier is empty")]
    Empty,
    /// The value was longer than [`MAX_ID_LEN`] bytes.
    #[error("identifier is longer than {MAX_ID_LEN} bytes")]
    TooLong,
    /// The value contained a character outside visible ASCII (0x21..=0x7E).
    #[error("identifier contains a character outside visible ASCII")]
    InvalidCharacter,
}

/// Checks the rule shared by every identifier that travels in an HTTP header:
/// 1..=128 bytes of visible ASCII.
pub fn validate_header_id(value: &str) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty);
    }
    if value.len() > MAX_ID_LEN {
        return Err(IdError::TooLong);
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(IdError::InvalidCharacter);
    }
    Ok(())
}

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value without validation (for trusted values such as ones Warden minted).
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// Wraps a value after checking it is 1..=128 bytes of visible ASCII.
            pub fn parse(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                validate_header_id(&value)?;
                Ok(Self(value))
            }

            /// The identifier as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Consumes the identifier and returns the inner string.
            pub fn into_inner(self) -> String {
                self.0
            }

            /// True when the identifier is the empty string.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

typed_id!(
    /// The subject of a token: who the caller is.
    UserId
);
typed_id!(
    /// A login session; every session token carries one.
    SessionId
);
typed_id!(
    /// A distributed-trace id (usually a UUID or a W3C trace-id).
    TraceId
);
typed_id!(
    /// A conversation or workspace context.
    ContextId
);
typed_id!(
    /// A unit of agent work.
    TaskId
);
typed_id!(
    /// The name of the agent making a request.
    AgentName
);
typed_id!(
    /// An OAuth client id.
    ClientId
);

impl TraceId {
    /// A fresh random trace id (UUID v4, hyphenated).
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }
}

impl SessionId {
    /// A fresh random session id (`sess_` + UUID v4 simple form).
    pub fn generate() -> Self {
        Self(format!("sess_{}", uuid::Uuid::new_v4().simple()))
    }
}

impl AgentName {
    /// The agent name used when a request names none.
    pub fn system() -> Self {
        Self("system".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_empty_long_and_invisible() {
        assert_eq!(UserId::parse(""), Err(IdError::Empty));
        assert_eq!(UserId::parse("a".repeat(129)), Err(IdError::TooLong));
        assert_eq!(UserId::parse("a b"), Err(IdError::InvalidCharacter));
        assert_eq!(UserId::parse("é"), Err(IdError::InvalidCharacter));
        assert!(UserId::parse("a".repeat(128)).is_ok());
    }

    #[test]
    fn ids_serialize_as_plain_strings() {
        let id = SessionId::new("s1");
        assert_eq!(serde_json::to_string(&id).unwrap_or_default(), "\"s1\"");
    }

    #[test]
    fn generated_trace_ids_are_valid_header_ids() {
        assert!(validate_header_id(TraceId::generate().as_str()).is_ok());
        assert!(validate_header_id(SessionId::generate().as_str()).is_ok());
    }
}
