//! One module per `warden` subcommand; each owns its clap arguments and its `run`.

pub mod audit;
pub mod detect;
pub mod govern;
pub mod hook;
pub mod init;
pub mod keys;
pub mod scan;
pub mod serve;
pub mod token;
pub mod vault;
