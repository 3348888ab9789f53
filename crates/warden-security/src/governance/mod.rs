//! The four-layer tool-call governance pipeline (SPEC §5):
//! secret scan → scope check → tool blocklist → rate limit.

mod decision;
pub mod secret_scan;

pub use decision::{Decision, LayerResult, LayerTrace};
