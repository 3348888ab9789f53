//! Warden's HTTP service (`warden serve`) and its configuration file.
#![forbid(unsafe_code)]

pub mod config;
pub mod mcp;
