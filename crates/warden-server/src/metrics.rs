//! Prometheus metrics (`GET /metrics`): decisions by layer and result, decision latency,
//! audit queue depth, bot verdicts, HTTP requests.

use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use warden_security::services::BotClass;

/// Labels of `warden_decisions_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    /// Deciding layer (`none` when every layer allowed).
    pub policy: String,
    /// `allow`, `deny` or `ask`.
    pub decision: String,
    /// Where the call came from (`govern`, `hook`, `mcp`).
    pub source: String,
}

/// Labels of `warden_http_requests_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// Route template (e.g. `/v1/govern`).
    pub route: String,
    /// Status code class (`2xx`, `4xx`, `5xx`).
    pub status: String,
}

/// Labels of `warden_bot_verdicts_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BotLabels {
    /// Bot class.
    pub class: String,
}

/// All of the service's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    /// Decisions by deciding layer, decision and source.
    pub decisions: Family<DecisionLabels, Counter>,
    /// Decision latency in seconds (engine + audit append).
    pub decision_seconds: Histogram,
    /// Audit records waiting to be committed.
    pub audit_queue_depth: Gauge<i64, AtomicI64>,
    /// Audit records committed by this process (a gauge mirrored from the writer's counter).
    pub audit_records: Gauge<i64, AtomicI64>,
    /// Audit transactions committed by this process; records ÷ batches is the group-commit
    /// batch size.
    pub audit_batches: Gauge<i64, AtomicI64>,
    /// Checkpoints the SQLite audit writer finished so that its WAL could rewind.
    pub audit_wal_rewinds: Gauge<i64, AtomicI64>,
    /// Bot verdicts by class.
    pub bot_verdicts: Family<BotLabels, Counter>,
    /// The counter of each class in `bot_verdicts`, indexed by `BotClass as usize`.
    bot_by_class: [Counter; 5],
    /// HTTP requests by route and status class.
    pub http_requests: Family<HttpLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("warden");
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "decisions",
            "Governance decisions by deciding layer, decision and source",
            decisions.clone(),
        );
        // 10 µs .. ~5 s
        let decision_seconds = Histogram::new(exponential_buckets(0.000_01, 2.5, 15));
        registry.register(
            "decision_seconds",
            "Time to decide and audit one call",
            decision_seconds.clone(),
        );
        let audit_queue_depth = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "audit_queue_depth",
            "Audit records queued and not yet committed",
            audit_queue_depth.clone(),
        );
        let audit_records = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "audit_committed_records",
            "Audit records committed by this process",
            audit_records.clone(),
        );
        let audit_batches = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "audit_committed_batches",
            "Audit transactions (group commits) committed by this process",
            audit_batches.clone(),
        );
        let audit_wal_rewinds = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "audit_wal_rewinds",
            "Checkpoints the SQLite audit writer finished so that the WAL could start over",
            audit_wal_rewinds.clone(),
        );
        let bot_verdicts = Family::<BotLabels, Counter>::default();
        registry.register(
            "bot_verdicts",
            "Bot-detection verdicts by class",
            bot_verdicts.clone(),
        );
        // One counter per class, created up front: the request path increments it without
        // a label lookup (and every class shows on /metrics from the start, at 0).
        let bot_by_class = BotClass::ALL.map(|class| {
            bot_verdicts
                .get_or_create(&BotLabels {
                    class: class.as_str().to_owned(),
                })
                .clone()
        });
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status class",
            http_requests.clone(),
        );
        Self {
            registry,
            decisions,
            decision_seconds,
            audit_queue_depth,
            audit_records,
            audit_batches,
            audit_wal_rewinds,
            bot_verdicts,
            bot_by_class,
            http_requests,
        }
    }

    /// Counts one bot-detection verdict by class (`human` included).
    pub fn record_bot_verdict(&self, class: BotClass) {
        self.bot_by_class[class as usize].inc();
    }

    /// Counts one decision and observes its latency.
    pub fn record_decision(
        &self,
        policy: Option<&str>,
        decision: &str,
        source: &str,
        seconds: f64,
    ) {
        self.decisions
            .get_or_create(&DecisionLabels {
                policy: policy.unwrap_or("none").to_owned(),
                decision: decision.to_owned(),
                source: source.to_owned(),
            })
            .inc();
        self.decision_seconds.observe(seconds);
    }

    /// Copies the audit writer's queue depth and commit counters into the gauges.
    pub fn observe_audit_writer(&self, writer: &warden_store::AuditWriter) {
        let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.audit_queue_depth
            .set(clamp(writer.queue_depth() as u64));
        self.audit_records.set(clamp(writer.stats().records()));
        self.audit_batches.set(clamp(writer.stats().batches()));
        self.audit_wal_rewinds
            .set(clamp(writer.stats().wal_rewinds()));
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_recorded_decisions() {
        let m = Metrics::new();
        m.record_decision(Some("secret_scan"), "deny", "govern", 0.00002);
        let text = m.render();
        assert!(text.contains("warden_decisions_total{policy=\"secret_scan\",decision=\"deny\",source=\"govern\"} 1"), "{text}");
        assert!(text.contains("warden_decision_seconds_count 1"));
    }

    #[test]
    fn each_class_counts_under_its_own_label() {
        let m = Metrics::new();
        m.record_bot_verdict(BotClass::Scanner);
        m.record_bot_verdict(BotClass::Scanner);
        m.record_bot_verdict(BotClass::Human);
        let text = m.render();
        for (class, n) in [
            ("scanner", 2),
            ("human", 1),
            ("crawler", 0),
            ("ai_agent", 0),
        ] {
            let line = format!("warden_bot_verdicts_total{{class=\"{class}\"}} {n}");
            assert!(text.contains(&line), "{line} not in\n{text}");
        }
    }
}
