//! Coding-agent hook protocols: parse what the agent sends, answer in its format.

pub mod claude_code;
pub mod surrogates;
