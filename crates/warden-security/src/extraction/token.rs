//! Bearer-token extraction with a fallback chain.

use std::fmt;

use http::{HeaderMap, HeaderName};

use super::bearer::parse_bearer;
use super::cookie::{CookieExtractionError, CookieExtractor, DEFAULT_COOKIE_NAME};

/// Default name of the MCP proxy authorization header.
pub const DEFAULT_MCP_PROXY_HEADER: &str = "x-mcp-proxy-auth";

/// Where a token may be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtractionMethod {
    /// `Authorization: Bearer <token>`.
    AuthorizationHeader,
    /// `<mcp header>: Bearer <token>` (default `x-mcp-proxy-auth`).
    McpProxyHeader,
    /// A cookie (default `access_token`).
    Cookie,
}

impl fmt::Display for ExtractionMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExtractionMethod::AuthorizationHeader => "Authorization header",
            ExtractionMethod::McpProxyHeader => "MCP proxy header",
            ExtractionMethod::Cookie => "Cookie",
        })
    }
}

/// Why no token was extracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TokenExtractionError {
    /// Every method in the chain failed.
    #[error("No token found in request")]
    NoTokenFound,
    /// There is no `Authorization` header.
    #[error("Missing Authorization header")]
    MissingAuthorizationHeader,
    /// No `Authorization` header holds a valid `Bearer` credential.
    #[error("Invalid Authorization header format (expected 'Bearer <token>')")]
    InvalidAuthorizationFormat,
    /// There is no MCP proxy header.
    #[error("Missing MCP proxy authorization header")]
    MissingMcpProxyHeader,
    /// No MCP proxy header holds a valid `Bearer` credential.
    #[error("Invalid MCP proxy header format (expected 'Bearer <token>')")]
    InvalidMcpProxyFormat,
    /// There is no `Cookie` header.
    #[error("Missing cookie header")]
    MissingCookie,
    /// A `Cookie` header is not valid text.
    #[error("Invalid cookie format")]
    InvalidCookieFormat,
    /// No cookie of the configured name with a non-empty value.
    #[error("Token not found in cookies")]
    TokenNotFoundInCookie,
}

/// Extracts a bearer token following a chain of [`ExtractionMethod`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenExtractor {
    chain: Vec<ExtractionMethod>,
    cookie: CookieExtractor,
    mcp_header_name: String,
    /// `mcp_header_name` parsed once (`None` when it is not a valid header name, which no
    /// request can carry).
    mcp_header: Option<HeaderName>,
}

impl Default for TokenExtractor {
    fn default() -> Self {
        Self::standard()
    }
}

impl TokenExtractor {
    /// An extractor trying `chain` in order.
    pub fn new(chain: Vec<ExtractionMethod>) -> Self {
        Self {
            chain,
            cookie: CookieExtractor::new(DEFAULT_COOKIE_NAME),
            mcp_header_name: DEFAULT_MCP_PROXY_HEADER.to_owned(),
            mcp_header: Some(HeaderName::from_static(DEFAULT_MCP_PROXY_HEADER)),
        }
    }

    /// Authorization header, then MCP proxy header, then cookie.
    pub fn standard() -> Self {
        Self::new(vec![
            ExtractionMethod::AuthorizationHeader,
            ExtractionMethod::McpProxyHeader,
            ExtractionMethod::Cookie,
        ])
    }

    /// Authorization header, then cookie.
    pub fn browser_only() -> Self {
        Self::new(vec![
            ExtractionMethod::AuthorizationHeader,
            ExtractionMethod::Cookie,
        ])
    }

    /// Authorization header only.
    pub fn api_only() -> Self {
        Self::new(vec![ExtractionMethod::AuthorizationHeader])
    }

    /// Uses `name` as the token cookie.
    #[must_use]
    pub fn with_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie = CookieExtractor::new(name);
        self
    }

    /// Uses `name` as the MCP proxy header (matched case-insensitively).
    #[must_use]
    pub fn with_mcp_header_name(mut self, name: impl Into<String>) -> Self {
        self.mcp_header_name = name.into().to_ascii_lowercase();
        self.mcp_header = HeaderName::from_bytes(self.mcp_header_name.as_bytes()).ok();
        self
    }

    /// The methods tried, in order.
    pub fn chain(&self) -> &[ExtractionMethod] {
        &self.chain
    }

    /// The cookie name in use.
    pub fn cookie_name(&self) -> &str {
        self.cookie.cookie_name()
    }

    /// The MCP proxy header name in use.
    pub fn mcp_header_name(&self) -> &str {
        &self.mcp_header_name
    }

    /// Tries the chain in order and returns the first token found. When the chain has one
    /// method its specific error is returned; otherwise [`TokenExtractionError::NoTokenFound`].
    pub fn extract(&self, headers: &HeaderMap) -> Result<String, TokenExtractionError> {
        self.extract_with_method(headers).map(|(token, _)| token)
    }

    /// Like [`TokenExtractor::extract`], also naming the method that produced the token.
    pub fn extract_with_method(
        &self,
        headers: &HeaderMap,
    ) -> Result<(String, ExtractionMethod), TokenExtractionError> {
        let mut last = TokenExtractionError::NoTokenFound;
        for method in &self.chain {
            let attempt = match method {
                ExtractionMethod::AuthorizationHeader => self.extract_from_authorization(headers),
                ExtractionMethod::McpProxyHeader => self.extract_from_mcp_proxy(headers),
                ExtractionMethod::Cookie => self.extract_from_cookie(headers),
            };
            match attempt {
                Ok(token) => return Ok((token, *method)),
                Err(e) => {
                    tracing::trace!(method = %method, error = %e, "token extraction method failed");
                    last = e;
                }
            }
        }
        if self.chain.len() == 1 {
            Err(last)
        } else {
            Err(TokenExtractionError::NoTokenFound)
        }
    }

    /// The first valid `Bearer` credential among all `Authorization` headers.
    pub fn extract_from_authorization(
        &self,
        headers: &HeaderMap,
    ) -> Result<String, TokenExtractionError> {
        bearer_from(headers, Some(&http::header::AUTHORIZATION)).map_err(|missing| {
            if missing {
                TokenExtractionError::MissingAuthorizationHeader
            } else {
                TokenExtractionError::InvalidAuthorizationFormat
            }
        })
    }

    /// The first valid `Bearer` credential among all MCP proxy headers.
    pub fn extract_from_mcp_proxy(
        &self,
        headers: &HeaderMap,
    ) -> Result<String, TokenExtractionError> {
        bearer_from(headers, self.mcp_header.as_ref()).map_err(|missing| {
            if missing {
                TokenExtractionError::MissingMcpProxyHeader
            } else {
                TokenExtractionError::InvalidMcpProxyFormat
            }
        })
    }

    /// The token cookie.
    pub fn extract_from_cookie(&self, headers: &HeaderMap) -> Result<String, TokenExtractionError> {
        self.cookie.extract(headers).map_err(|e| match e {
            CookieExtractionError::MissingCookie => TokenExtractionError::MissingCookie,
            CookieExtractionError::InvalidCookieFormat => TokenExtractionError::InvalidCookieFormat,
            CookieExtractionError::TokenNotFoundInCookie => {
                TokenExtractionError::TokenNotFoundInCookie
            }
        })
    }
}

/// `Err(true)` when the header is absent, `Err(false)` when present but never a valid bearer.
fn bearer_from(headers: &HeaderMap, name: Option<&HeaderName>) -> Result<String, bool> {
    let Some(name) = name else {
        return Err(true);
    };
    let mut seen = false;
    for value in headers.get_all(name) {
        seen = true;
        if let Some(token) = parse_bearer(value.as_bytes()) {
            return Ok(token.to_owned());
        }
    }
    Err(!seen)
}
