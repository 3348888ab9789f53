//! Reading the SQL audit log: filtered pages, streaming verification, tail and export.

use std::io::Write;

use async_trait::async_trait;
use warden_security::audit::{
    verify_chain, AuditEntry, AuditLog, AuditOrder, AuditPage, AuditQuery, AuditRecord, ChainBreak,
    ChainLink, ChainReport, MAX_QUERY_LIMIT,
};
use warden_security::StoreError;

use crate::backend::{with_pool, Backend};
use crate::error;

/// Rows fetched per round trip while verifying.
const VERIFY_PAGE: i64 = 1000;
/// Links buffered between the reader task and the verifier.
const VERIFY_BUFFER: usize = 2048;

/// The audit log of a SQL store (read side). Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqlAuditLog {
    backend: Backend,
}

type RawRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    Vec<u8>,
    Vec<u8>,
);

impl SqlAuditLog {
    pub(crate) fn new(backend: Backend) -> Self {
        Self { backend }
    }

    /// Number of records stored.
    pub async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = with_pool!(&self.backend, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                .fetch_one(pool)
                .await
                .map_err(error::sql)?
        });
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The last `seq` and its `chain_hash` (the head of the chain), when any record exists.
    /// Exporting it elsewhere from time to time anchors the log against truncation.
    pub async fn head(&self) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        with_pool!(&self.backend, pool => {
            sqlx::query_as("SELECT seq, chain_hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(pool)
                .await
                .map_err(error::sql)
        })
    }

    /// Up to `limit` rows after `seq` `after`, in order.
    ///
    /// On SQLite, whose columns take any type, a row whose stored types were changed (text
    /// stored as a blob, a number as text, bytes that are not UTF-8) is a [`ChainBreak`]
    /// naming it, not a decoding failure of the whole verification: every column is read as
    /// raw bytes together with its storage class.
    async fn rows_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Result<RawRow, ChainBreak>>, StoreError> {
        match &self.backend {
            Backend::Postgres(pool) => {
                const SQL: &str = "SELECT seq, id, time_ms, user_id, target, decision, record, \
                                   prev_hash, chain_hash \
                                   FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2";
                let rows = sqlx::query_as::<_, RawRow>(SQL)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
                    .map_err(error::sql)?;
                Ok(rows.into_iter().map(Ok).collect())
            }
            Backend::Sqlite(pool) => {
                const SQL: &str = "SELECT seq, \
                     typeof(id) = 'text' AND typeof(time_ms) = 'integer' \
                     AND typeof(user_id) = 'text' AND typeof(target) = 'text' \
                     AND typeof(decision) = 'text' AND typeof(record) = 'text' \
                     AND typeof(prev_hash) = 'blob' AND typeof(chain_hash) = 'blob', \
                     CAST(id AS BLOB), CASE WHEN typeof(time_ms) = 'integer' THEN time_ms END, \
                     CAST(user_id AS BLOB), CAST(target AS BLOB), CAST(decision AS BLOB), \
                     CAST(record AS BLOB), CAST(prev_hash AS BLOB), CAST(chain_hash AS BLOB) \
                     FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2";
                let rows = sqlx::query_as::<_, SqliteRawRow>(SQL)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
                    .map_err(error::sql)?;
                Ok(rows.into_iter().map(typed_row).collect())
            }
        }
    }
}

/// A SQLite row as raw bytes: `seq`, whether every column has its schema's type, then the
/// columns (`time_ms` only when it is an integer).
type SqliteRawRow = (
    i64,
    bool,
    Option<Vec<u8>>,
    Option<i64>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// The typed row, or a break naming it when a column's storage class or encoding was edited.
fn typed_row(row: SqliteRawRow) -> Result<RawRow, ChainBreak> {
    let (seq, well_typed, id, time_ms, user_id, target, decision, record, prev, chain) = row;
    let text = |v: Option<Vec<u8>>| v.and_then(|b| String::from_utf8(b).ok());
    let id_text = text(id);
    let bad = |id: &Option<String>| ChainBreak {
        id: id.clone().unwrap_or_default(),
        reason: format!("record {seq}: a column's stored type or encoding was changed (edited)"),
    };
    if !well_typed {
        return Err(bad(&id_text));
    }
    match (
        id_text.clone(),
        time_ms,
        text(user_id),
        text(target),
        text(decision),
        text(record),
        prev,
        chain,
    ) {
        (Some(i), Some(t), Some(u), Some(g), Some(d), Some(r), Some(p), Some(c)) => {
            Ok((seq, i, t, u, g, d, r, p, c))
        }
        _ => Err(bad(&id_text)),
    }
}

/// Checks what the chain hash cannot see: that the stored JSON parses, is byte-for-byte
/// canonical, and that the indexed columns agree with it.
fn to_link(row: RawRow) -> Result<ChainLink, ChainBreak> {
    let (seq, id, time_ms, user_id, target, decision, text, prev_hash, chain_hash) = row;
    let bad = |reason: &str| ChainBreak {
        id: id.clone(),
        reason: format!("record {seq}: {reason}"),
    };
    let record: AuditRecord = serde_json::from_str(&text)
        .map_err(|_| bad("stored record JSON does not parse (edited)"))?;
    // From here on the break is named by the hashed record's own id, not by the `id` column,
    // which may itself be the edited part.
    let bad = |reason: &str| ChainBreak {
        id: record.id.clone(),
        reason: format!("record {seq}: {reason}"),
    };
    if record.canonical_bytes() != text.as_bytes() {
        return Err(bad("stored record bytes are not canonical (edited)"));
    }
    if record.id != id
        || record.time_ms != time_ms
        || record.user_id != user_id
        || record.target != target
        || record.decision.as_str() != decision
    {
        return Err(bad(
            "indexed columns disagree with the stored record (edited)",
        ));
    }
    Ok(ChainLink {
        seq,
        record,
        prev_hash,
        chain_hash,
    })
}

#[allow(clippy::large_enum_variant)] // links are the common case; boxing them costs an allocation each
enum Item {
    Link(ChainLink),
    Bad(ChainBreak),
}

/// Feeds `verify_chain` (synchronous) from the reader task; stops at the first bad row.
struct LinkFeed<'a> {
    rx: tokio::sync::mpsc::Receiver<Item>,
    bad: &'a mut Option<ChainBreak>,
}

impl Iterator for LinkFeed<'_> {
    type Item = ChainLink;
    fn next(&mut self) -> Option<ChainLink> {
        if self.bad.is_some() {
            return None;
        }
        match self.rx.blocking_recv()? {
            Item::Link(l) => Some(l),
            Item::Bad(b) => {
                *self.bad = Some(b);
                None
            }
        }
    }
}

/// Pushes ` AND …` for the cursor and every filter of `q` (columns `seq`, `time_ms`,
/// `user_id`, `target`, `decision`, which both `audit_log` and the index have).
macro_rules! push_filters {
    ($qb:ident, $q:expr) => {{
        let q: &AuditQuery = $q;
        if let Some(c) = q.cursor {
            $qb.push(match q.order {
                AuditOrder::Asc => " AND seq > ",
                AuditOrder::Desc => " AND seq < ",
            })
            .push_bind(c);
        }
        if let Some(t) = q.since_ms {
            $qb.push(" AND time_ms >= ").push_bind(t);
        }
        if let Some(t) = q.until_ms {
            $qb.push(" AND time_ms <= ").push_bind(t);
        }
        if let Some(u) = &q.user_id {
            $qb.push(" AND user_id = ").push_bind(u.clone());
        }
        if let Some(t) = &q.tool {
            $qb.push(" AND target = ").push_bind(t.clone());
        }
        if let Some(d) = q.decision {
            $qb.push(" AND decision = ").push_bind(d.as_str());
        }
    }};
}

/// Pushes ` ORDER BY seq … LIMIT limit + 1` (one more than a page: whether there is a next).
macro_rules! push_order {
    ($qb:ident, $q:expr, $limit:expr) => {{
        $qb.push(match $q.order {
            AuditOrder::Asc => " ORDER BY seq ASC LIMIT ",
            AuditOrder::Desc => " ORDER BY seq DESC LIMIT ",
        })
        .push_bind(i64::from($limit) + 1);
    }};
}

/// One page of `q` read from `audit_log` alone, on database `$db`.
macro_rules! log_page {
    ($db:ty, $pool:expr, $q:expr, $limit:expr) => {{
        let mut qb =
            sqlx::QueryBuilder::<$db>::new("SELECT seq, record FROM audit_log WHERE 1 = 1");
        push_filters!(qb, $q);
        push_order!(qb, $q, $limit);
        qb.build_query_as::<(i64, String)>()
            .fetch_all($pool)
            .await
            .map_err(error::sql)?
    }};
}

impl SqlAuditLog {
    /// One page of `q` as the log and its index stand now (no catch-up).
    pub(crate) async fn page(&self, q: &AuditQuery) -> Result<AuditPage, StoreError> {
        let limit = q.effective_limit();
        // Without a column filter the log's own primary key serves the page: the index is
        // not consulted at all, so an index that lost entries cannot hide records from an
        // unfiltered query, `tail` or `export`.
        let unfiltered = q.since_ms.is_none()
            && q.until_ms.is_none()
            && q.user_id.is_none()
            && q.tool.is_none()
            && q.decision.is_none();
        let rows: Vec<(i64, String)> = match &self.backend {
            Backend::Sqlite(pool) if unfiltered => log_page!(sqlx::Sqlite, pool, q, limit),
            Backend::Sqlite(pool) => {
                let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                    "SELECT seq, record FROM (SELECT seq, record FROM audit_log WHERE seq IN \
                     (SELECT seq FROM ix.audit_index WHERE 1 = 1",
                );
                push_filters!(qb, q);
                push_order!(qb, q, limit);
                // The index only proposes rows: the log's own columns decide.
                qb.push(") ");
                push_filters!(qb, q);
                qb.push(
                    " UNION ALL SELECT seq, record FROM audit_log \
                     WHERE seq > (SELECT COALESCE(MAX(seq), 0) FROM ix.audit_index)",
                );
                push_filters!(qb, q);
                qb.push(")");
                push_order!(qb, q, limit);
                qb.build_query_as::<(i64, String)>()
                    .fetch_all(pool)
                    .await
                    .map_err(error::sql)?
            }
            // PostgreSQL keeps its indexes on the log itself.
            Backend::Postgres(pool) => log_page!(sqlx::Postgres, pool, q, limit),
        };
        let more = rows.len() > limit as usize;
        let mut records = Vec::with_capacity(rows.len().min(limit as usize));
        for (seq, text) in rows.into_iter().take(limit as usize) {
            let record = serde_json::from_str::<AuditRecord>(&text)
                .map_err(|_| StoreError::Corrupt(format!("audit record {seq} does not parse")))?;
            records.push(AuditEntry { seq, record });
        }
        let next = if more {
            records.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(AuditPage { records, next })
    }
}

#[async_trait]
impl AuditLog for SqlAuditLog {
    async fn query(&self, q: &AuditQuery) -> Result<AuditPage, StoreError> {
        if let Backend::Sqlite(pool) = &self.backend {
            // Best effort: a failed catch-up leaves more of the log to read directly.
            if let Err(e) = super::index::catch_up(pool).await {
                tracing::warn!(error = %e, "cannot update the audit index before a query");
            }
        }
        self.page(q).await
    }

    /// Streams the chain in pages of 1000 rows through [`verify_chain`]; memory stays bounded
    /// however long the log is.
    async fn verify(&self, audit_key: &[u8]) -> Result<ChainReport, StoreError> {
        let (tx, rx) = tokio::sync::mpsc::channel::<Item>(VERIFY_BUFFER);
        let reader = self.clone();
        let producer = tokio::spawn(async move {
            let mut after = 0_i64;
            loop {
                let rows = reader.rows_after(after, VERIFY_PAGE).await?;
                let n = rows.len();
                for row in rows {
                    let item = match row.and_then(|r| {
                        after = r.0;
                        to_link(r)
                    }) {
                        Ok(l) => Item::Link(l),
                        Err(b) => Item::Bad(b),
                    };
                    let stop = matches!(item, Item::Bad(_));
                    if tx.send(item).await.is_err() || stop {
                        return Ok::<(), StoreError>(());
                    }
                }
                if (n as i64) < VERIFY_PAGE {
                    return Ok(());
                }
            }
        });
        let key = audit_key.to_vec();
        let (mut report, bad) = tokio::task::spawn_blocking(move || {
            let mut bad = None;
            let report = verify_chain(&key, LinkFeed { rx, bad: &mut bad });
            (report, bad)
        })
        .await
        .map_err(|e| StoreError::Other(format!("audit verification task failed: {e}")))?;
        let produced = producer
            .await
            .map_err(|e| StoreError::Other(format!("audit reader task failed: {e}")))?;
        if !report.ok {
            return Ok(report);
        }
        produced?;
        if let Some(b) = bad {
            report.ok = false;
            report.records += 1;
            report.first_bad = Some(b);
        }
        Ok(report)
    }
}

/// The newest `n` records, oldest first.
pub async fn tail(log: &dyn AuditLog, n: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let mut out = Vec::with_capacity(n.min(MAX_QUERY_LIMIT as usize));
    let mut q = AuditQuery {
        order: AuditOrder::Desc,
        ..AuditQuery::default()
    };
    while out.len() < n {
        q.limit = u32::try_from(n - out.len())
            .unwrap_or(MAX_QUERY_LIMIT)
            .min(MAX_QUERY_LIMIT);
        let page = log.query(&q).await?;
        out.extend(page.records);
        match page.next {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}

/// Writes every record matching `filter` (its `limit`, `cursor` and `order` are ignored),
/// oldest first, one JSON object per line; returns how many were written.
pub async fn export_jsonl(
    log: &dyn AuditLog,
    filter: &AuditQuery,
    out: &mut dyn Write,
) -> Result<u64, StoreError> {
    let mut q = AuditQuery {
        limit: MAX_QUERY_LIMIT,
        cursor: None,
        order: AuditOrder::Asc,
        ..filter.clone()
    };
    let mut written = 0_u64;
    loop {
        let page = log.query(&q).await?;
        for e in &page.records {
            serde_json::to_writer(&mut *out, e)
                .map_err(|err| StoreError::Other(format!("cannot write export: {err}")))?;
            out.write_all(b"\n")
                .map_err(|err| StoreError::Other(format!("cannot write export: {err}")))?;
            written += 1;
        }
        match page.next {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    out.flush()
        .map_err(|err| StoreError::Other(format!("cannot write export: {err}")))?;
    Ok(written)
}
