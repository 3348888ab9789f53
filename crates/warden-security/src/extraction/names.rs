//! Context header names (lowercase, as HTTP/2 requires).

/// Trace id.
pub const HEADER_TRACE_ID: &str = "x-trace-id";
/// Context id.
pub const HEADER_CONTEXT_ID: &str = "x-context-id";
/// Session id.
pub const HEADER_SESSION_ID: &str = "x-session-id";
/// User id.
pub const HEADER_USER_ID: &str = "x-user-id";
/// User type.
pub const HEADER_USER_TYPE: &str = "x-user-type";
/// Task id.
pub const HEADER_TASK_ID: &str = "x-task-id";
/// Agent name.
pub const HEADER_AGENT_NAME: &str = "x-agent-name";
/// OAuth client id.
pub const HEADER_CLIENT_ID: &str = "x-client-id";
/// Call source.
pub const HEADER_CALL_SOURCE: &str = "x-call-source";
/// AI tool-call id.
pub const HEADER_AI_TOOL_CALL_ID: &str = "x-ai-tool-call-id";
/// W3C trace context.
pub const HEADER_TRACEPARENT: &str = "traceparent";
