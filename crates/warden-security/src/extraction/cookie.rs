//! Cookie parsing (RFC 6265 §5.4 `Cookie` header).

use http::HeaderMap;

use super::bearer::trim_ascii;

/// Default token cookie name.
pub const DEFAULT_COOKIE_NAME: &str = "access_token";

/// Why no cookie value was extracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum CookieExtractionError {
    /// There is no `Cookie` header.
    #[error("Missing cookie header")]
    MissingCookie,
    /// A `Cookie` header is not valid text and no other header held the cookie.
    #[error("Invalid cookie format")]
    InvalidCookieFormat,
    /// No cookie of that name with a non-empty value.
    #[error("Access token not found in cookies")]
    TokenNotFoundInCookie,
}

/// Extracts one named cookie from every `Cookie` header.
///
/// Each header is split on `;`, pairs are trimmed, names are matched exactly (so `xaccess_token`
/// never matches `access_token`), values in double quotes are unquoted, and the first
/// non-empty value wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieExtractor {
    cookie_name: String,
}

impl Default for CookieExtractor {
    fn default() -> Self {
        Self::new(DEFAULT_COOKIE_NAME)
    }
}

impl CookieExtractor {
    /// The default cookie name (`access_token`).
    pub const DEFAULT_COOKIE_NAME: &'static str = DEFAULT_COOKIE_NAME;

    /// An extractor for the cookie `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            cookie_name: name.into(),
        }
    }

    /// The cookie name.
    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// The first non-empty value of the cookie.
    pub fn extract(&self, headers: &HeaderMap) -> Result<String, CookieExtractionError> {
        let mut seen = false;
        let mut invalid = false;
        for value in headers.get_all(http::header::COOKIE) {
            seen = true;
            let bytes = value.as_bytes();
            if !bytes
                .iter()
                .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
            {
                invalid = true;
                continue;
            }
            if let Some(v) = find_cookie(bytes, self.cookie_name.as_bytes()) {
                return Ok(v);
            }
        }
        match (seen, invalid) {
            (false, _) => Err(CookieExtractionError::MissingCookie),
            (true, true) => Err(CookieExtractionError::InvalidCookieFormat),
            (true, false) => Err(CookieExtractionError::TokenNotFoundInCookie),
        }
    }

    /// The `access_token` cookie.
    pub fn extract_access_token(headers: &HeaderMap) -> Result<String, CookieExtractionError> {
        Self::default().extract(headers)
    }
}

fn find_cookie(header: &[u8], name: &[u8]) -> Option<String> {
    for pair in header.split(|&b| b == b';') {
        let Some(eq) = pair.iter().position(|&b| b == b'=') else {
            continue;
        };
        if trim_ascii(&pair[..eq]) != name {
            continue;
        }
        let mut value = trim_ascii(&pair[eq + 1..]);
        if value.len() >= 2 && value[0] == b'"' && value[value.len() - 1] == b'"' {
            value = &value[1..value.len() - 1];
        }
        if value.is_empty() {
            continue;
        }
        // Only printable ASCII reaches here, so this is valid UTF-8.
        if let Ok(s) = std::str::from_utf8(value) {
            return Some(s.to_owned());
        }
    }
    None
}
