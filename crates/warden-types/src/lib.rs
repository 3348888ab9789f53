//! Typed identifiers and the shared models of Warden (SPEC §1, §2.3).
//!
//! Everything here is plain data: no I/O, no clocks except where a caller asks for "now".
//! Identifiers are newtypes over `String` so that a user id can never be passed where a
//! session id is expected. Validating constructors return `Result`; nothing panics on input.
#![forbid(unsafe_code)]

mod claims;
mod context;
mod ids;
mod roles;

pub use claims::{Audiences, JwtAudience, JwtClaims, Scopes};
pub use context::{CallSource, RequestContext};
pub use ids::{
    validate_header_id, AgentName, ClientId, ContextId, IdError, SessionId, TaskId, TraceId,
    UserId, MAX_ID_LEN,
};
pub use roles::{ParseEnumError, Permission, RateLimitTier, UserType};
