//! The seams the gateway is plugged into: governance and the credential vault.

use async_trait::async_trait;
use serde_json::Value;
use warden_security::governance::Decision;
use warden_types::RequestContext;
use zeroize::Zeroizing;

/// The outcome of governing one `tools/call`.
#[derive(Debug, Clone, PartialEq)]
pub struct GovernVerdict {
    /// `allow`, `deny` or `ask`; only `allow` lets the call through.
    pub decision: Decision,
    /// Why (never contains a secret value).
    pub reason: String,
    /// The audit record id of this decision.
    pub decision_id: String,
    /// The deciding layer (`secret_scan`, `scope_check`, …), when one decided.
    pub policy: Option<String>,
    /// For an allowed call whose arguments were redacted: the arguments to forward instead.
    pub redacted_arguments: Option<Value>,
}

impl GovernVerdict {
    /// A deny verdict for an internal failure (fail closed).
    pub fn internal_failure(decision_id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            decision: Decision::Deny,
            reason: reason.into(),
            decision_id: decision_id.into(),
            policy: Some("internal".into()),
            redacted_arguments: None,
        }
    }
}

/// The governance pipeline as the gateway sees it.
#[async_trait]
pub trait McpGovernor: Send + Sync {
    /// Governs one call of `tool` (`mcp__{server}__{tool}`) and audits the decision.
    /// Implementations must fail closed: an internal failure is a [`Decision::Deny`] verdict.
    async fn govern_call(
        &self,
        caller: &RequestContext,
        tool: &str,
        arguments: &Value,
        call_id: Option<&str>,
    ) -> GovernVerdict;

    /// A static, side-effect-free pre-check used to filter `tools/list`: may `caller` see
    /// `tool` at all (scope and blocklist rules, no rate limits, no audit)?
    fn may_list(&self, caller: &RequestContext, tool: &str) -> bool;

    /// Scans what the upstream sends to the agent — the `result` of `tools/call`,
    /// `tasks/result`, `resources/read` and `prompts/get`, and, as a JSON string, the decoded
    /// text of a base64 payload found in one (see [`crate::mcp::scan`]); returns a redacted
    /// copy when it contains secrets (the same shape, string values changed).
    async fn scan_result(&self, result: &Value) -> Option<Value>;
}

/// Where injected upstream credentials come from (the vault).
#[async_trait]
pub trait CredentialSource: Send + Sync {
    /// The secret `namespace/name`; `Ok(None)` when it does not exist, `Err` with a message
    /// (never containing the secret) when it cannot be read.
    async fn resolve(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, String>;
}

/// A credential source with no secrets; every lookup is `Ok(None)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCredentials;

#[async_trait]
impl CredentialSource for NoCredentials {
    async fn resolve(
        &self,
        _namespace: &str,
        _name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
        Ok(None)
    }
}
