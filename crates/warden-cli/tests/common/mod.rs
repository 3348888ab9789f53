//! Shared helpers for the CLI integration tests.
#![allow(dead_code)]

pub mod server;

/// Asserts that a `warden` run exited 0, showing its stderr otherwise.
pub fn assert_success(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
