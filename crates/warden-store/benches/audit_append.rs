//! Placeholder; replaced by the audit append benchmark.
fn main() {}
