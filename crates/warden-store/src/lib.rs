//! Persistence for Warden behind the traits of `warden-security`: SQLite (the embedded
//! default), PostgreSQL (several instances sharing one store) and Redis (shared counters).
#![forbid(unsafe_code)]
