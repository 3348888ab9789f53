//! Warden's HTTP service (`warden serve`) and its configuration file.
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod authority;
pub mod config;
pub mod connection_threads;
pub mod datadir;
pub mod error;
pub mod gateway;
pub mod hook;
pub mod json;
pub mod listen;
#[cfg(feature = "load-floor")]
pub mod load_floor;
pub mod mcp;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod redact;
pub mod request_head;
pub mod routes;
pub mod runtime;
pub mod serve;
pub mod state;
pub mod tokens;
pub mod trace;

pub use error::ApiError;
