//! Warden's HTTP service (`warden serve`) and its configuration file.
#![forbid(unsafe_code)]

pub mod config;
pub mod datadir;
pub mod error;
pub mod json;
pub mod metrics;
pub mod middleware;
pub mod trace;

pub use error::ApiError;
