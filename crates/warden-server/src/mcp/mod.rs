//! The MCP gateway (`/mcp/{server}`, SPEC §7): an MCP streamable-HTTP proxy that governs
//! `tools/call`, filters `tools/list`, injects vault credentials into upstream requests and
//! scans tool results before they reach the agent.
//!
//! Wiring (done by `warden serve`):
//!
//! ```ignore
//! let gateway = Arc::new(McpGateway::new(&config.mcp, governor, credentials)?);
//! let app = Router::new().merge(warden_server::mcp::router(gateway)) /* .layer(auth) */;
//! ```
//!
//! The auth layer must put the caller's [`warden_types::RequestContext`] into the request
//! extensions; [`McpGovernor`] evaluates (and audits) each call, [`CredentialSource`] reads
//! the vault.
//!
//! Protocol coverage: revisions 2025-03-26 (with batches), 2025-06-18, 2025-11-25 (all with
//! the `initialize` handshake and `Mcp-Session-Id`) and 2026-07-28 (stateless: `server/discover`,
//! `Mcp-Method`/`Mcp-Name` headers). Every method other than `tools/call` and `tools/list`
//! passes through unchanged; responses come back as JSON or as an SSE stream.

mod client;
pub mod config;
pub mod gateway;
pub mod http;
pub mod jsonrpc;
pub mod scan;
pub mod sse;
pub mod traits;
pub mod upstream;

pub use config::{InjectConfig, McpConfig, McpConfigError, McpServerConfig};
pub use gateway::{GatewayError, McpGateway};
pub use http::router;
pub use traits::{CredentialSource, GovernVerdict, McpGovernor, NoCredentials};
