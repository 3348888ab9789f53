//! What the pipeline judges: [`PolicyContext`] (SPEC §5 input).

use std::fmt;

use serde_json::Value;
use warden_types::{AgentName, Permission, Scopes, SessionId, TraceId, UserId, UserType};

/// The `target` recorded for a prompt (UserPromptSubmit).
pub const PROMPT_TARGET: &str = "prompt";

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// User id.
    pub user_id: UserId,
    /// Session id.
    pub session_id: SessionId,
    /// Agent id, when known.
    pub agent_id: Option<AgentName>,
    /// Granted scopes.
    pub scopes: Scopes,
    /// Kind of principal (an `admin` user type makes the caller an administrator).
    pub user_type: UserType,
}

impl Principal {
    /// A principal with the given ids and scopes; the user type is derived from the highest
    /// permission among the scopes (`unknown` when none names a permission).
    pub fn new(
        user_id: impl Into<UserId>,
        session_id: impl Into<SessionId>,
        scopes: Scopes,
    ) -> Self {
        let user_type = scopes
            .highest_permission()
            .map_or(UserType::Unknown, |p| p.user_type());
        Self {
            user_id: user_id.into(),
            session_id: session_id.into(),
            agent_id: None,
            scopes,
            user_type,
        }
    }

    /// Sets the agent id.
    #[must_use]
    pub fn with_agent_id(mut self, agent: impl Into<AgentName>) -> Self {
        self.agent_id = Some(agent.into());
        self
    }

    /// Sets the user type.
    #[must_use]
    pub fn with_user_type(mut self, user_type: UserType) -> Self {
        self.user_type = user_type;
        self
    }

    /// True for administrators: user type `admin` or an `admin` scope.
    pub fn is_admin(&self) -> bool {
        self.user_type == UserType::Admin || self.scopes.contains(Permission::Admin.as_str())
    }

    /// True when the caller holds `scope`: the exact word, or — when `scope` names a
    /// permission (`admin`, `user`, `service`, `a2a`, `mcp`, `anonymous`) — a permission at
    /// least as high.
    pub fn has_scope(&self, scope: &str) -> bool {
        if self.scopes.contains(scope) {
            return true;
        }
        match scope.parse::<Permission>() {
            Ok(wanted) => self
                .scopes
                .words()
                .iter()
                .filter_map(|w| w.parse::<Permission>().ok())
                .any(|held| held.implies(&wanted)),
            Err(_) => false,
        }
    }
}

/// What is being judged.
#[derive(Clone, PartialEq)]
pub enum Subject {
    /// A tool call: its name and JSON arguments.
    ToolCall {
        /// Tool name (e.g. `Bash`, `mcp__github__create_issue`).
        tool: String,
        /// The arguments object (any JSON value is accepted).
        arguments: Value,
    },
    /// A prompt a person submitted to the agent.
    Prompt {
        /// The prompt text.
        text: String,
    },
}

impl fmt::Debug for Subject {
    // Arguments and prompts may hold secrets: Debug shows only their size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::ToolCall { tool, arguments } => f
                .debug_struct("ToolCall")
                .field("tool", tool)
                .field(
                    "arguments",
                    &format_args!("<redacted {} kind>", kind(arguments)),
                )
                .finish(),
            Subject::Prompt { text } => f
                .debug_struct("Prompt")
                .field("text", &format_args!("<redacted {} bytes>", text.len()))
                .finish(),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The input of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyContext {
    /// The tool call or prompt.
    pub subject: Subject,
    /// Who is calling.
    pub principal: Principal,
    /// Caller-supplied call id (rate limiting is idempotent per call id).
    pub call_id: Option<String>,
    /// Trace id.
    pub trace_id: TraceId,
}

impl PolicyContext {
    /// A tool call with a fresh trace id and no call id.
    pub fn tool_call(tool: impl Into<String>, arguments: Value, principal: Principal) -> Self {
        Self {
            subject: Subject::ToolCall {
                tool: tool.into(),
                arguments,
            },
            principal,
            call_id: None,
            trace_id: TraceId::generate(),
        }
    }

    /// A prompt with a fresh trace id and no call id.
    pub fn prompt(text: impl Into<String>, principal: Principal) -> Self {
        Self {
            subject: Subject::Prompt { text: text.into() },
            principal,
            call_id: None,
            trace_id: TraceId::generate(),
        }
    }

    /// Sets the call id.
    #[must_use]
    pub fn with_call_id(mut self, call_id: Option<String>) -> Self {
        self.call_id = call_id;
        self
    }

    /// Sets the trace id.
    #[must_use]
    pub fn with_trace_id(mut self, trace_id: TraceId) -> Self {
        self.trace_id = trace_id;
        self
    }

    /// The target as recorded: the tool name, or [`PROMPT_TARGET`].
    pub fn target(&self) -> &str {
        match &self.subject {
            Subject::ToolCall { tool, .. } => tool,
            Subject::Prompt { .. } => PROMPT_TARGET,
        }
    }

    /// The tool name, for tool calls.
    pub fn tool(&self) -> Option<&str> {
        match &self.subject {
            Subject::ToolCall { tool, .. } => Some(tool),
            Subject::Prompt { .. } => None,
        }
    }

    /// The arguments, for tool calls.
    pub fn arguments(&self) -> Option<&Value> {
        match &self.subject {
            Subject::ToolCall { arguments, .. } => Some(arguments),
            Subject::Prompt { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_never_shows_arguments_or_prompt_text() {
        let p = Principal::new("u", "s", Scopes::parse("user"));
        let c = PolicyContext::tool_call("Bash", json!({"command": "echo hunter2"}), p.clone());
        assert!(!format!("{c:?}").contains("hunter2"));
        let c = PolicyContext::prompt("my password is hunter2", p);
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn admin_by_scope_or_user_type() {
        assert!(Principal::new("u", "s", Scopes::parse("admin")).is_admin());
        assert!(Principal::new("u", "s", Scopes::default())
            .with_user_type(UserType::Admin)
            .is_admin());
        assert!(!Principal::new("u", "s", Scopes::parse("user github")).is_admin());
    }

    #[test]
    fn permission_scopes_imply_lower_ones() {
        let p = Principal::new("u", "s", Scopes::parse("user"));
        assert!(p.has_scope("mcp"));
        assert!(p.has_scope("service"));
        assert!(!p.has_scope("admin"));
        assert!(!p.has_scope("github"));
    }

    #[test]
    fn target_is_tool_name_or_prompt() {
        let p = Principal::new("u", "s", Scopes::default());
        assert_eq!(
            PolicyContext::tool_call("Read", json!({}), p.clone()).target(),
            "Read"
        );
        assert_eq!(PolicyContext::prompt("hi", p).target(), PROMPT_TARGET);
    }
}
