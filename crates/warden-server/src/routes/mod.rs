//! HTTP handlers, one module per API group (see the README's API table).

pub mod audit;
pub mod govern;
pub mod health;
pub mod hooks;
pub mod secrets;
pub mod tokens;
