//! The per-request context produced by authentication.

use serde::{Deserialize, Serialize};

use crate::claims::Scopes;
use crate::ids::{AgentName, ClientId, ContextId, SessionId, TaskId, TraceId, UserId};
use crate::roles::UserType;

/// Where a call came from (`x-call-source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallSource {
    /// A person, through a UI.
    Agentic,
    /// Another agent.
    A2a,
    /// An MCP client.
    Mcp,
    /// Anything else.
    Direct,
}

/// Who is calling and in what context; the output of authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContext {
    /// Session id.
    pub session_id: SessionId,
    /// User id.
    pub user_id: UserId,
    /// Trace id.
    pub trace_id: TraceId,
    /// Context id (may be empty).
    pub context_id: ContextId,
    /// Agent name.
    pub agent_name: AgentName,
    /// Task id, when given.
    pub task_id: Option<TaskId>,
    /// OAuth client id, when given.
    pub client_id: Option<ClientId>,
    /// Kind of principal.
    pub user_type: UserType,
    /// Granted scopes.
    pub scopes: Scopes,
    /// Where the call came from, when given.
    pub call_source: Option<CallSource>,
    /// Tool-call id from `x-ai-tool-call-id`, when given.
    pub ai_tool_call_id: Option<String>,
    /// Token id, when authenticated.
    pub jti: Option<String>,
    /// Token expiry (unix seconds), when authenticated.
    pub expires_at: Option<i64>,
    authenticated: bool,
}

impl RequestContext {
    /// A context for a caller whose token was validated.
    pub fn authenticated(
        session_id: SessionId,
        user_id: UserId,
        user_type: UserType,
        scopes: Scopes,
        trace_id: TraceId,
    ) -> Self {
        Self {
            session_id,
            user_id,
            trace_id,
            context_id: ContextId::default(),
            agent_name: AgentName::system(),
            task_id: None,
            client_id: None,
            user_type,
            scopes,
            call_source: None,
            ai_tool_call_id: None,
            jti: None,
            expires_at: None,
            authenticated: true,
        }
    }

    /// The anonymous context: session `anonymous`, user `anonymous`, type `anon`.
    pub fn anonymous(trace_id: TraceId) -> Self {
        Self {
            session_id: SessionId::new("anonymous"),
            user_id: UserId::new("anonymous"),
            trace_id,
            context_id: ContextId::default(),
            agent_name: AgentName::system(),
            task_id: None,
            client_id: None,
            user_type: UserType::Anon,
            scopes: Scopes::default(),
            call_source: None,
            ai_tool_call_id: None,
            jti: None,
            expires_at: None,
            authenticated: false,
        }
    }

    /// The fixed local context used when authentication is disabled.
    pub fn local_test() -> Self {
        Self {
            session_id: SessionId::new("test"),
            user_id: UserId::new("test-user"),
            trace_id: TraceId::new("test-trace"),
            context_id: ContextId::new("test-context"),
            agent_name: AgentName::new("test-agent"),
            task_id: None,
            client_id: None,
            user_type: UserType::User,
            scopes: Scopes::parse("user"),
            call_source: None,
            ai_tool_call_id: None,
            jti: None,
            expires_at: None,
            authenticated: false,
        }
    }

    /// True when this context came from a validated token.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Sets the context id.
    #[must_use]
    pub fn with_context_id(mut self, id: ContextId) -> Self {
        self.context_id = id;
        self
    }

    /// Sets the agent name.
    #[must_use]
    pub fn with_agent_name(mut self, name: AgentName) -> Self {
        self.agent_name = name;
        self
    }

    /// Sets the task id.
    #[must_use]
    pub fn with_task_id(mut self, id: Option<TaskId>) -> Self {
        self.task_id = id;
        self
    }

    /// Sets the trace id.
    #[must_use]
    pub fn with_trace_id(mut self, id: TraceId) -> Self {
        self.trace_id = id;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_and_local_contexts_are_not_authenticated() {
        let a = RequestContext::anonymous(TraceId::new("t"));
        assert!(!a.is_authenticated());
        assert_eq!(a.user_type, UserType::Anon);
        assert_eq!(a.session_id.as_str(), "anonymous");
        let l = RequestContext::local_test();
        assert_eq!(l.user_id.as_str(), "test-user");
        assert_eq!(l.trace_id.as_str(), "test-trace");
    }
}
