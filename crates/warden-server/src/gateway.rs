//! Plugs the MCP gateway ([`crate::mcp`]) into Warden: calls are governed by the pipeline
//! and audited (source `mcp`), `tools/list` is filtered by a side-effect-free copy of the
//! scope and blocklist layers, results are scanned, credentials come from the vault.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use futures_util::FutureExt as _;
use serde_json::Value;
use warden_security::audit::AuditSink;
use warden_security::governance::secret_scan::SecretScanner;
use warden_security::governance::{Decision, GovernanceEngine, PolicyContext, Principal};
use warden_security::vault::Vault;
use warden_security::InMemoryCounterStore;
use warden_types::RequestContext;
use zeroize::Zeroizing;

use crate::mcp::{CredentialSource, GovernVerdict, McpGateway, McpGovernor};
use crate::metrics::Metrics;
use crate::redact::{is_clean, redact_fully, WITHHELD_RESULT};
use crate::runtime::{Runtime, RuntimeError};

/// The principal a validated token stands for.
pub fn principal_of_context(ctx: &RequestContext) -> Principal {
    let mut p = Principal::new(
        ctx.user_id.clone(),
        ctx.session_id.clone(),
        ctx.scopes.clone(),
    )
    .with_user_type(ctx.user_type);
    if ctx.agent_name.as_str() != "system" && !ctx.agent_name.is_empty() {
        p = p.with_agent_id(ctx.agent_name.clone());
    }
    p
}

/// [`McpGovernor`] over Warden's engine, audit sink and scanner.
pub struct PipelineGovernor {
    engine: Arc<GovernanceEngine>,
    listing: GovernanceEngine,
    sink: Arc<dyn AuditSink>,
    scanner: Arc<SecretScanner>,
    metrics: Arc<Metrics>,
}

impl PipelineGovernor {
    /// Builds the governor; the listing engine is the configured one without the secret scan
    /// and rate limit (so listing consumes nothing and needs no arguments).
    pub fn new(runtime: &Runtime) -> Result<Self, RuntimeError> {
        let mut cfg = runtime.config.governance.clone();
        cfg.secret_scan.enabled = false;
        cfg.rate_limit.enabled = false;
        let listing = GovernanceEngine::new(&cfg, Arc::new(InMemoryCounterStore::new(1)))
            .map_err(|e| RuntimeError::Config(e.to_string()))?;
        Ok(Self {
            engine: runtime.state.engine.clone(),
            listing,
            sink: runtime.state.audit_sink.clone(),
            scanner: runtime.state.scanner.clone(),
            metrics: runtime.state.metrics.clone(),
        })
    }
}

#[async_trait::async_trait]
impl McpGovernor for PipelineGovernor {
    async fn govern_call(
        &self,
        caller: &RequestContext,
        tool: &str,
        arguments: &Value,
        call_id: Option<&str>,
    ) -> GovernVerdict {
        let ctx = PolicyContext::tool_call(
            tool.to_owned(),
            arguments.clone(),
            principal_of_context(caller),
        )
        .with_call_id(call_id.map(str::to_owned))
        .with_trace_id(caller.trace_id.clone());
        let started = Instant::now();
        let eval = self
            .engine
            .evaluate_and_audit(&ctx, self.sink.as_ref(), "mcp")
            .await;
        self.metrics.record_decision(
            eval.policy.as_deref(),
            eval.decision.as_str(),
            "mcp",
            started.elapsed().as_secs_f64(),
        );
        GovernVerdict {
            decision: eval.decision,
            reason: eval.reason.to_string(),
            decision_id: eval.decision_id,
            policy: eval.policy,
            redacted_arguments: eval.redacted_arguments,
        }
    }

    fn may_list(&self, caller: &RequestContext, tool: &str) -> bool {
        let ctx = PolicyContext::tool_call(
            tool.to_owned(),
            Value::Object(serde_json::Map::new()),
            principal_of_context(caller),
        );
        // Without the rate limit nothing in the listing engine awaits, so the future is ready
        // at once; if it ever is not, the tool is hidden (fail closed).
        self.listing
            .evaluate(&ctx)
            .now_or_never()
            .is_some_and(|eval| eval.decision == Decision::Allow)
    }

    async fn scan_result(&self, result: &Value) -> Option<Value> {
        if is_clean(&self.scanner, result) {
            return None;
        }
        Some(redact_fully(result, &self.scanner).unwrap_or_else(|| {
            serde_json::json!({
                "content": [{"type": "text", "text": WITHHELD_RESULT}],
                "isError": true,
            })
        }))
    }
}

/// [`CredentialSource`] reading the vault.
pub struct VaultCredentials(pub Arc<Vault>);

#[async_trait::async_trait]
impl CredentialSource for VaultCredentials {
    async fn resolve(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
        match self.0.get(namespace, name).await {
            Ok(Some(v)) => Ok(Some(Zeroizing::new(v.expose().to_vec()))),
            Ok(None) => Ok(None),
            Err(e) => Err(format!("vault: {e}")),
        }
    }
}

/// The `/mcp/{server}` routes.
pub fn mcp_routes(runtime: &Runtime) -> Result<Router, RuntimeError> {
    // Mounted with no servers configured too: `/mcp/{name}` then answers the documented
    // JSON-RPC `unknown server` error (404), as it does for a name not configured.
    let governor = Arc::new(PipelineGovernor::new(runtime)?);
    let credentials = Arc::new(VaultCredentials(runtime.state.vault.clone()));
    let gateway = McpGateway::new(&runtime.config.mcp, governor, credentials)
        .map_err(|e| RuntimeError::Config(format!("mcp: {e}")))?;
    Ok(crate::mcp::router(Arc::new(gateway)))
}
