//! Shared helpers for the CLI integration tests.
#![allow(dead_code)]

pub mod server;
