//! Context headers: read them from incoming requests, write them on outgoing ones.

use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;
use warden_types::{
    validate_header_id, AgentName, ContextId, RequestContext, SessionId, TaskId, TraceId, UserId,
};

use super::names::*;
use super::traceparent::{parse_traceparent, to_traceparent};

/// A header value could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("Header value contains invalid characters")]
pub struct HeaderInjectionError;

/// Reads context headers. Every id is bounded to 128 visible ASCII characters; a longer,
/// empty or non-visible value counts as absent. Never panics.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeaderExtractor;

/// The value of `name` when it is a valid bounded id (first valid value wins).
fn bounded_id<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(name).iter().find_map(|v| {
        let s = v.to_str().ok()?;
        validate_header_id(s).ok().map(|()| s)
    })
}

impl HeaderExtractor {
    /// `x-trace-id`; else the trace-id of a valid W3C `traceparent`; else a new UUID v4.
    pub fn extract_trace_id(headers: &HeaderMap) -> TraceId {
        Self::extract_trace_id_opt(headers).unwrap_or_else(TraceId::generate)
    }

    /// Like [`HeaderExtractor::extract_trace_id`] but `None` instead of generating one.
    pub fn extract_trace_id_opt(headers: &HeaderMap) -> Option<TraceId> {
        if let Some(id) = bounded_id(headers, HEADER_TRACE_ID) {
            return Some(TraceId::new(id));
        }
        headers
            .get_all(HEADER_TRACEPARENT)
            .iter()
            .find_map(|v| parse_traceparent(v.as_bytes()))
            .map(TraceId::new)
    }

    /// `x-context-id`, or the empty id when absent.
    pub fn extract_context_id(headers: &HeaderMap) -> ContextId {
        bounded_id(headers, HEADER_CONTEXT_ID)
            .map(ContextId::new)
            .unwrap_or_default()
    }

    /// `x-task-id`, when present.
    pub fn extract_task_id(headers: &HeaderMap) -> Option<TaskId> {
        bounded_id(headers, HEADER_TASK_ID).map(TaskId::new)
    }

    /// `x-agent-name`, or `system` when absent. Any value (including `unknown`) is accepted
    /// as long as it is a bounded id; the seed crate panicked on some.
    pub fn extract_agent_name(headers: &HeaderMap) -> AgentName {
        bounded_id(headers, HEADER_AGENT_NAME).map_or_else(AgentName::system, AgentName::new)
    }

    /// `x-session-id`, when present.
    pub fn extract_session_id(headers: &HeaderMap) -> Option<SessionId> {
        bounded_id(headers, HEADER_SESSION_ID).map(SessionId::new)
    }

    /// `x-user-id`, when present.
    pub fn extract_user_id(headers: &HeaderMap) -> Option<UserId> {
        bounded_id(headers, HEADER_USER_ID).map(UserId::new)
    }

    /// `x-client-id`, when present.
    pub fn extract_client_id(headers: &HeaderMap) -> Option<warden_types::ClientId> {
        bounded_id(headers, HEADER_CLIENT_ID).map(warden_types::ClientId::new)
    }

    /// `x-ai-tool-call-id`, when present.
    pub fn extract_ai_tool_call_id(headers: &HeaderMap) -> Option<String> {
        bounded_id(headers, HEADER_AI_TOOL_CALL_ID).map(str::to_owned)
    }

    /// `x-call-source`, when it names a known source.
    pub fn extract_call_source(headers: &HeaderMap) -> Option<warden_types::CallSource> {
        let v = bounded_id(headers, HEADER_CALL_SOURCE)?;
        serde_json::from_value(serde_json::Value::String(v.to_ascii_lowercase())).ok()
    }
}

/// Writes context headers, replacing existing values.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeaderInjector;

fn set(
    headers: &mut HeaderMap,
    name: &'static str,
    value: &str,
) -> Result<(), HeaderInjectionError> {
    let value = HeaderValue::from_str(value).map_err(|_| HeaderInjectionError)?;
    headers.insert(HeaderName::from_static(name), value);
    Ok(())
}

impl HeaderInjector {
    /// Sets `x-session-id`.
    pub fn inject_session_id(
        headers: &mut HeaderMap,
        id: &SessionId,
    ) -> Result<(), HeaderInjectionError> {
        set(headers, HEADER_SESSION_ID, id.as_str())
    }

    /// Sets `x-user-id`.
    pub fn inject_user_id(
        headers: &mut HeaderMap,
        id: &UserId,
    ) -> Result<(), HeaderInjectionError> {
        set(headers, HEADER_USER_ID, id.as_str())
    }

    /// Sets `x-trace-id`.
    pub fn inject_trace_id(
        headers: &mut HeaderMap,
        id: &TraceId,
    ) -> Result<(), HeaderInjectionError> {
        set(headers, HEADER_TRACE_ID, id.as_str())
    }

    /// Sets `x-context-id`; does nothing when the id is empty.
    pub fn inject_context_id(
        headers: &mut HeaderMap,
        id: &ContextId,
    ) -> Result<(), HeaderInjectionError> {
        if id.is_empty() {
            return Ok(());
        }
        set(headers, HEADER_CONTEXT_ID, id.as_str())
    }

    /// Sets `x-task-id`.
    pub fn inject_task_id(
        headers: &mut HeaderMap,
        id: &TaskId,
    ) -> Result<(), HeaderInjectionError> {
        set(headers, HEADER_TASK_ID, id.as_str())
    }

    /// Sets `x-agent-name`.
    pub fn inject_agent_name(
        headers: &mut HeaderMap,
        name: &AgentName,
    ) -> Result<(), HeaderInjectionError> {
        set(headers, HEADER_AGENT_NAME, name.as_str())
    }

    /// Sets session, user, trace, context and agent headers, the task id when present, and a
    /// W3C `traceparent` when the trace id can be expressed as one.
    pub fn inject_from_request_context(
        headers: &mut HeaderMap,
        ctx: &RequestContext,
    ) -> Result<(), HeaderInjectionError> {
        Self::inject_session_id(headers, &ctx.session_id)?;
        Self::inject_user_id(headers, &ctx.user_id)?;
        Self::inject_trace_id(headers, &ctx.trace_id)?;
        Self::inject_context_id(headers, &ctx.context_id)?;
        Self::inject_agent_name(headers, &ctx.agent_name)?;
        if let Some(task) = &ctx.task_id {
            Self::inject_task_id(headers, task)?;
        }
        let parent = *uuid::Uuid::new_v4().as_bytes();
        let mut parent_id = [0u8; 8];
        parent_id.copy_from_slice(&parent[..8]);
        match to_traceparent(ctx.trace_id.as_str(), parent_id) {
            Some(tp) => set(headers, HEADER_TRACEPARENT, &tp)?,
            None => {
                headers.remove(HEADER_TRACEPARENT);
            }
        }
        Ok(())
    }
}
