//! The single audit writer task with group commit.
//!
//! Appenders serialize their record (in parallel, on their own tasks) and queue it; one writer
//! task takes up to `batch_size` queued records at a time, opens one transaction, reads the
//! tail of the chain **inside** that transaction, computes each record's `chain_hash`, inserts
//! the batch and commits. Under load the batches form by themselves (everything queued while
//! the previous batch committed goes into the next); `linger` optionally waits for more.
//!
//! Why the tail is read inside the transaction: the chain must be one total order even when
//! another process appends to the same database (a `warden hook` run beside `warden serve` on
//! SQLite, or several instances on PostgreSQL). On SQLite the transaction starts with
//! `BEGIN IMMEDIATE`, which takes the database write lock before the tail is read. On
//! PostgreSQL the transaction first takes `pg_advisory_xact_lock(id)`; every appender of every
//! instance takes the same lock, so batches are serialized, and because the lock is taken
//! before the `SELECT` of the tail (READ COMMITTED sees everything committed before the
//! statement starts), each batch sees the previous batch's last `seq` and `chain_hash`. The
//! lock is released by the commit. Group commit keeps that serialization cheap: the lock is
//! taken once per batch, not per record. (The alternative, one chain per instance plus a merge
//! rule, would make verification and pagination depend on a merge order; one chain keeps
//! `verify` a single walk.)
//!
//! On SQLite the writer runs its transactions in place on its own `rusqlite` connection
//! ([`super::direct`]) rather than through sqlx's per-connection thread: the commit every
//! strict append waits for then involves no thread hand-off.
//!
//! Durability: in `strict` mode `append` returns once the batch holding the record is
//! committed (SQLite WAL with `synchronous=NORMAL`: the commit is in the WAL file, so a killed
//! process loses nothing; see [`crate::config::SqliteSynchronous`]). In `async` mode `append`
//! returns once the record is queued; a full queue is [`StoreError::Overloaded`], and a batch
//! that fails to commit is retried until it succeeds — queued records are never dropped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::pool::PoolConnection;
use tokio::sync::{mpsc, oneshot};
use warden_security::audit::{AuditRecord, AuditSink, GENESIS_HASH};
use warden_security::StoreError;

use super::checkpoint::{spawn_checkpointer, CheckpointPolicy, WalControl};
use super::direct::{DirectError, DirectSqlite};
use crate::audit_key::AuditKey;
use crate::backend::{Backend, SQLITE_BUSY_TIMEOUT};
use crate::config::{AuditConfig, Durability};
use crate::error;
use crate::store::Store;

pub(super) type HmacSha256 = Hmac<Sha256>;

/// Most scheduler yields the writer makes to gather more records before a commit.
const GATHER_ROUNDS: usize = 4;

/// Rows per PostgreSQL `INSERT` statement (keeps the number of distinct prepared statements
/// small).
const PG_INSERT_CHUNK: usize = 64;
/// How the writer batches and acknowledges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditWriterOptions {
    /// `strict` or `async`.
    pub durability: Durability,
    /// Records that may wait for the writer.
    pub queue_size: usize,
    /// Most records per transaction.
    pub batch_size: usize,
    /// How long to wait for more records before committing a partial batch.
    pub linger: Duration,
}

impl Default for AuditWriterOptions {
    fn default() -> Self {
        Self::from(&AuditConfig::default())
    }
}

impl From<&AuditConfig> for AuditWriterOptions {
    fn from(c: &AuditConfig) -> Self {
        Self {
            durability: c.durability,
            queue_size: c.queue_size.max(1),
            batch_size: c.batch_size.max(1),
            linger: Duration::from_millis(c.linger_ms),
        }
    }
}

/// Counters of what the writer committed.
#[derive(Debug, Default)]
pub struct AuditWriterStats {
    records: AtomicU64,
    batches: AtomicU64,
    failed_batches: AtomicU64,
    wal_rewinds: AtomicU64,
}

impl AuditWriterStats {
    /// Records committed.
    pub fn records(&self) -> u64 {
        self.records.load(Ordering::Relaxed)
    }
    /// Transactions committed.
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }
    /// Transactions that failed (and were reported or retried).
    pub fn failed_batches(&self) -> u64 {
        self.failed_batches.load(Ordering::Relaxed)
    }
    /// Checkpoints the SQLite writer finished so that its WAL could rewind (see
    /// [`super::checkpoint`]); 0 on PostgreSQL.
    pub fn wal_rewinds(&self) -> u64 {
        self.wal_rewinds.load(Ordering::Relaxed)
    }
}

/// A serialized record waiting for the writer.
pub(super) struct Pending {
    pub(super) id: String,
    pub(super) time_ms: i64,
    pub(super) user_id: String,
    pub(super) target: String,
    pub(super) decision: &'static str,
    pub(super) record: String,
    ack: Option<oneshot::Sender<Result<i64, StoreError>>>,
}

enum Msg {
    Record(Pending),
    Shutdown,
}

/// The group-commit audit writer; implements [`AuditSink`].
pub struct AuditWriter {
    tx: mpsc::Sender<Msg>,
    durability: Durability,
    task: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    stats: Arc<AuditWriterStats>,
}

impl std::fmt::Debug for AuditWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditWriter")
            .field("durability", &self.durability)
            .field("records", &self.stats.records())
            .finish_non_exhaustive()
    }
}

impl AuditWriter {
    /// Starts the writer task for `store`'s audit log, chaining under `audit_key`, on the
    /// current Tokio runtime. Must be called inside a Tokio runtime.
    pub fn spawn(store: &Store, audit_key: &AuditKey, options: AuditWriterOptions) -> Self {
        Self::spawn_in(
            store,
            audit_key,
            options,
            &tokio::runtime::Handle::current(),
        )
    }

    /// Like [`AuditWriter::spawn`], with the writer task on `runtime`. `warden serve` puts it
    /// on one of its connection threads: the requests served there append and are
    /// acknowledged without waking another thread, and a commit runs on a thread that is
    /// awake anyway.
    pub fn spawn_in(
        store: &Store,
        audit_key: &AuditKey,
        options: AuditWriterOptions,
        runtime: &tokio::runtime::Handle,
    ) -> Self {
        Self::spawn_with_checkpoints(
            store.backend().clone(),
            store.append_lock_id(),
            audit_key,
            options,
            CheckpointPolicy::default(),
            runtime,
        )
    }

    pub(crate) fn spawn_with_checkpoints(
        backend: Backend,
        lock_id: i64,
        audit_key: &AuditKey,
        options: AuditWriterOptions,
        checkpoints: CheckpointPolicy,
        runtime: &tokio::runtime::Handle,
    ) -> Self {
        let (tx, rx) = mpsc::channel(options.queue_size.max(1));
        let stats = Arc::new(AuditWriterStats::default());
        // HMAC takes keys of any length; keying once and cloning the state per record saves
        // the key schedule on the hot path.
        let mac =
            HmacSha256::new_from_slice(audit_key.as_bytes()).unwrap_or_else(|_| unreachable_hmac());
        let worker = Worker {
            backend,
            lock_id,
            mac,
            durability: options.durability,
            batch_size: options.batch_size.max(1),
            linger: options.linger,
            stats: stats.clone(),
            conn: None,
            tail: None,
            checkpoints,
            wal: Arc::new(WalControl::default()),
        };
        let task = runtime.spawn(worker.run(rx));
        Self {
            tx,
            durability: options.durability,
            task: tokio::sync::Mutex::new(Some(task)),
            stats,
        }
    }

    /// The durability mode.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// What the writer has committed so far.
    pub fn stats(&self) -> &AuditWriterStats {
        &self.stats
    }

    /// Records queued and not yet taken by the writer.
    pub fn queue_depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Stops accepting records, writes everything already queued, and waits for the writer.
    /// Appends after this fail with `Unavailable`. Waits as long as the database refuses a
    /// queued batch in `async` mode (wrap it in a timeout to bound shutdown).
    pub async fn shutdown(&self) -> Result<(), StoreError> {
        let _ = self.tx.send(Msg::Shutdown).await;
        let task = self.task.lock().await.take();
        if let Some(task) = task {
            task.await
                .map_err(|e| StoreError::Other(format!("audit writer task failed: {e}")))?;
        }
        Ok(())
    }

    fn prepare(record: &AuditRecord) -> Result<Pending, StoreError> {
        let bytes = serde_json::to_vec(record)
            .map_err(|e| StoreError::Other(format!("cannot encode audit record: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| StoreError::Other("audit record is not UTF-8".into()))?;
        Ok(Pending {
            id: record.id.clone(),
            time_ms: record.time_ms,
            user_id: record.user_id.clone(),
            target: record.target.clone(),
            decision: record.decision.as_str(),
            record: text,
            ack: None,
        })
    }
}

fn closed() -> StoreError {
    StoreError::Unavailable("the audit writer is shut down".into())
}

#[cold]
fn unreachable_hmac() -> HmacSha256 {
    // `new_from_slice` only fails for fixed-length-key MACs; HMAC accepts every length.
    match HmacSha256::new_from_slice(&[0u8; 32]) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts any key length"),
    }
}

#[async_trait]
impl AuditSink for AuditWriter {
    /// Strict: returns the record's `seq` after commit. Async: returns 0 once queued (the
    /// `seq` is assigned when the batch commits).
    async fn append(&self, record: AuditRecord) -> Result<i64, StoreError> {
        let mut pending = Self::prepare(&record)?;
        match self.durability {
            Durability::Strict => {
                let (ack_tx, ack_rx) = oneshot::channel();
                pending.ack = Some(ack_tx);
                self.tx
                    .send(Msg::Record(pending))
                    .await
                    .map_err(|_| closed())?;
                ack_rx.await.map_err(|_| closed())?
            }
            Durability::Async => match self.tx.try_send(Msg::Record(pending)) {
                Ok(()) => Ok(0),
                Err(mpsc::error::TrySendError::Full(_)) => {
                    Err(StoreError::Overloaded("the audit queue is full".into()))
                }
                Err(mpsc::error::TrySendError::Closed(_)) => Err(closed()),
            },
        }
    }
}

struct Worker {
    backend: Backend,
    lock_id: i64,
    mac: HmacSha256,
    durability: Durability,
    batch_size: usize,
    linger: Duration,
    stats: Arc<AuditWriterStats>,
    /// The connection the writer keeps between batches (dropped after any error).
    conn: Option<HeldConn>,
    /// The `(seq, chain_hash)` this writer committed last: the SQLite fast path appends after
    /// it without reading the tail first (see [`DirectSqlite::append`]).
    tail: Option<(i64, [u8; 32])>,
    /// When the SQLite WAL is checkpointed ([`super::checkpoint`]).
    checkpoints: CheckpointPolicy,
    /// Shared with the background checkpointer.
    wal: Arc<WalControl>,
}

/// A pooled connection held by the writer for its whole life: no pool checkout (and its
/// liveness ping) per batch.
enum HeldConn {
    /// The writer's own connection to the SQLite file, run in place ([`super::direct`]).
    Sqlite(DirectSqlite),
    Postgres(PoolConnection<sqlx::Postgres>),
}

/// Opens the writer's own connection to the pool's database file.
async fn open_direct(pool: &sqlx::SqlitePool) -> Result<DirectSqlite, StoreError> {
    let options = pool.connect_options();
    let path = options.get_filename().to_path_buf();
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" {
        // Each pooled connection would see its own empty database.
        return Err(StoreError::Other(
            "the audit log needs a SQLite file, not an in-memory database".into(),
        ));
    }
    // The pool's connections carry the configured level (and create the file in WAL mode).
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(pool)
        .await
        .map_err(error::sql)?;
    DirectSqlite::open(&path, synchronous)
}

impl Worker {
    async fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        let _checkpointer = match &self.backend {
            Backend::Sqlite(pool) => {
                let db = pool.connect_options().get_filename().to_path_buf();
                match spawn_checkpointer(&db, self.wal.clone(), self.checkpoints) {
                    Ok(job) => Some(job),
                    Err(e) => {
                        // The WAL then grows until the next start; appends go on.
                        tracing::error!(error = %e, "cannot start the WAL checkpoint thread");
                        None
                    }
                }
            }
            Backend::Postgres(_) => None,
        };
        let mut batch: Vec<Pending> = Vec::with_capacity(self.batch_size);
        // After `Shutdown` the channel is closed: `recv` still yields what was queued
        // before, then `None`, which ends the loop once the last batch is committed.
        fn take(msg: Msg, batch: &mut Vec<Pending>, rx: &mut mpsc::Receiver<Msg>) {
            match msg {
                Msg::Record(p) => batch.push(p),
                Msg::Shutdown => rx.close(),
            }
        }
        loop {
            if batch.is_empty() {
                match rx.recv().await {
                    Some(m) => take(m, &mut batch, &mut rx),
                    None => break,
                }
            }
            while batch.len() < self.batch_size {
                match rx.try_recv() {
                    Ok(m) => take(m, &mut batch, &mut rx),
                    Err(_) => break,
                }
            }
            // Let the tasks that are ready right now (requests about to append) run first, so
            // that their records join this batch: bigger batches, fewer commits, and no idle
            // wait as a timer would add. Stops as soon as a round brings nothing new.
            for _ in 0..GATHER_ROUNDS {
                if batch.len() >= self.batch_size {
                    break;
                }
                tokio::task::yield_now().await;
                let before = batch.len();
                while batch.len() < self.batch_size {
                    match rx.try_recv() {
                        Ok(m) => take(m, &mut batch, &mut rx),
                        Err(_) => break,
                    }
                }
                if batch.len() == before {
                    break;
                }
            }
            if !self.linger.is_zero() && batch.len() < self.batch_size && !batch.is_empty() {
                let deadline = tokio::time::Instant::now() + self.linger;
                while batch.len() < self.batch_size {
                    match tokio::time::timeout_at(deadline, rx.recv()).await {
                        Ok(Some(m)) => take(m, &mut batch, &mut rx),
                        Ok(None) | Err(_) => break,
                    }
                }
            }
            if batch.is_empty() {
                continue;
            }
            self.commit(&mut batch).await;
            batch.clear();
            if self.wal.wanted() {
                self.finish_checkpoint().await;
            }
        }
    }

    /// Checkpoints on the writer's own connection, off the runtime's worker threads, so that
    /// the next transaction rewinds the WAL ([`super::checkpoint`]). Nothing is appended
    /// meanwhile: records queue and join the next batch.
    async fn finish_checkpoint(&mut self) {
        // Whatever happens, the background checkpoint asks again if the WAL stays large.
        self.wal.finished();
        let conn = match self.conn.take() {
            Some(HeldConn::Sqlite(conn)) => conn,
            other => {
                self.conn = other;
                return;
            }
        };
        match tokio::task::spawn_blocking(move || {
            let done = conn.checkpoint();
            (conn, done)
        })
        .await
        {
            Ok((conn, done)) => {
                self.conn = Some(HeldConn::Sqlite(conn));
                match done {
                    Ok(true) => {
                        self.stats.wal_rewinds.fetch_add(1, Ordering::Relaxed);
                    }
                    // Another checkpoint was running, or a reader still needs old frames.
                    Ok(false) => {}
                    Err(e) => tracing::debug!(error = %e, "WAL checkpoint by the writer failed"),
                }
            }
            // The connection went with the failed task; the next commit opens a new one
            // and reads the tail.
            Err(e) => {
                self.tail = None;
                tracing::warn!(error = %e, "WAL checkpoint task failed");
            }
        }
    }

    async fn commit(&mut self, batch: &mut [Pending]) {
        let mut backoff = Duration::from_millis(50);
        loop {
            match self.commit_once(batch).await {
                Ok(first_seq) => {
                    self.stats.batches.fetch_add(1, Ordering::Relaxed);
                    self.stats
                        .records
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    for (i, p) in batch.iter_mut().enumerate() {
                        if let Some(ack) = p.ack.take() {
                            let _ = ack.send(Ok(first_seq + i as i64));
                        }
                    }
                    return;
                }
                Err(e) => {
                    // Start the next attempt from a clean slate: a fresh connection and the
                    // tail read from the database.
                    self.conn = None;
                    self.tail = None;
                    self.stats.failed_batches.fetch_add(1, Ordering::Relaxed);
                    match self.durability {
                        Durability::Strict => {
                            tracing::warn!(error = %e, records = batch.len(), "audit batch failed");
                            for p in batch.iter_mut() {
                                if let Some(ack) = p.ack.take() {
                                    let _ = ack.send(Err(e.clone()));
                                }
                            }
                            return;
                        }
                        Durability::Async => {
                            // Acknowledged records must not be lost: retry until the
                            // database takes them (the queue fills meanwhile and new appends
                            // are refused with `Overloaded`).
                            tracing::warn!(error = %e, records = batch.len(), retry_ms = backoff.as_millis() as u64, "audit batch failed; retrying");
                            tokio::time::sleep(backoff).await;
                            backoff = (backoff * 2).min(Duration::from_secs(2));
                        }
                    }
                }
            }
        }
    }

    /// Commits `batch` in one transaction; returns the `seq` of its first record.
    async fn commit_once(&mut self, batch: &[Pending]) -> Result<i64, StoreError> {
        if self.conn.is_none() {
            self.conn = Some(match &self.backend {
                Backend::Sqlite(pool) => HeldConn::Sqlite(open_direct(pool).await?),
                Backend::Postgres(pool) => {
                    HeldConn::Postgres(pool.acquire().await.map_err(error::sql)?)
                }
            });
        }
        let (first_seq, last_hash) = match self.conn.as_mut() {
            Some(HeldConn::Sqlite(conn)) => {
                let started = tokio::time::Instant::now();
                let mut pause = Duration::from_micros(500);
                loop {
                    match conn.append(&self.mac, self.tail, batch) {
                        Ok(done) => break done,
                        Err(DirectError::Failed(e)) => return Err(e),
                        Err(DirectError::Busy) if started.elapsed() >= SQLITE_BUSY_TIMEOUT => {
                            return Err(StoreError::Unavailable(
                                "the audit database stayed locked by another process".into(),
                            ));
                        }
                        Err(DirectError::Busy) => {
                            tokio::time::sleep(pause).await;
                            pause = (pause * 2).min(Duration::from_millis(50));
                        }
                    }
                }
            }
            Some(HeldConn::Postgres(conn)) => {
                append_postgres(conn, &self.mac, self.lock_id, batch).await?
            }
            None => return Err(closed()),
        };
        self.tail = Some((first_seq + batch.len() as i64 - 1, last_hash));
        Ok(first_seq)
    }
}

/// `HMAC-SHA256(audit_key, prev ‖ canonical)` from a keyed state; equal to
/// `warden_security::audit::chain_hash` (tested).
fn link_hash(mac: &HmacSha256, prev: &[u8], canonical: &[u8]) -> [u8; 32] {
    let mut m = mac.clone();
    m.update(prev);
    m.update(canonical);
    m.finalize().into_bytes().into()
}

/// The chain hashes of `batch` appended after a record whose hash is `prev`.
pub(super) fn chain(mac: &HmacSha256, prev: &[u8], batch: &[Pending]) -> Vec<[u8; 32]> {
    let mut hashes: Vec<[u8; 32]> = Vec::with_capacity(batch.len());
    for p in batch {
        let h = link_hash(
            mac,
            hashes.last().map_or(prev, |h| &h[..]),
            p.record.as_bytes(),
        );
        hashes.push(h);
    }
    hashes
}

const INSERT_HEAD: &str = "INSERT INTO audit_log (seq, id, time_ms, user_id, target, decision, record, prev_hash, chain_hash) ";
/// Pushes the `VALUES` rows of `batch` (records `first_seq..`, chained after `prev`).
macro_rules! push_rows {
    ($qb:expr, $batch:expr, $first_seq:expr, $prev:expr, $hashes:expr) => {{
        let (batch, hashes, prev) = ($batch, $hashes, $prev);
        $qb.push_values(batch.iter().enumerate(), |mut b, (i, p)| {
            b.push_bind($first_seq + i as i64)
                .push_bind(p.id.as_str())
                .push_bind(p.time_ms)
                .push_bind(p.user_id.as_str())
                .push_bind(p.target.as_str())
                .push_bind(p.decision)
                .push_bind(p.record.as_str())
                .push_bind(if i == 0 { prev } else { &hashes[i - 1][..] })
                .push_bind(&hashes[i][..]);
        });
    }};
}

fn last_of(hashes: &[[u8; 32]], otherwise: [u8; 32]) -> [u8; 32] {
    hashes.last().copied().unwrap_or(otherwise)
}

/// PostgreSQL: the transaction first takes `pg_advisory_xact_lock(lock_id)` (every appender
/// of every instance takes the same lock, so batches are serialized), then reads the tail.
async fn append_postgres(
    conn: &mut sqlx::PgConnection,
    mac: &HmacSha256,
    lock_id: i64,
    batch: &[Pending],
) -> Result<(i64, [u8; 32]), StoreError> {
    use sqlx::Connection;
    let mut tx = conn.begin().await.map_err(error::sql)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(lock_id)
        .execute(&mut *tx)
        .await
        .map_err(error::sql)?;
    let tail: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT seq, chain_hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(error::sql)?;
    let (last_seq, prev) = tail.unwrap_or((0, GENESIS_HASH.to_vec()));
    let hashes = chain(mac, &prev, batch);
    for (c, chunk) in batch.chunks(PG_INSERT_CHUNK).enumerate() {
        let offset = c * PG_INSERT_CHUNK;
        let chunk_prev: &[u8] = if offset == 0 {
            &prev
        } else {
            &hashes[offset - 1]
        };
        let mut qb = sqlx::QueryBuilder::<sqlx::Postgres>::new(INSERT_HEAD);
        push_rows!(
            qb,
            chunk,
            last_seq + 1 + offset as i64,
            chunk_prev,
            &hashes[offset..]
        );
        qb.build().execute(&mut *tx).await.map_err(error::sql)?;
    }
    tx.commit().await.map_err(error::sql)?;
    Ok((last_seq + 1, last_of(&hashes, [0u8; 32])))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use warden_security::audit::chain_hash;
    use warden_security::governance::Decision;

    pub(in crate::audit) fn record(id: String) -> AuditRecord {
        AuditRecord {
            id,
            time_ms: 5,
            call_id: Some("c".into()),
            trace_id: "t".into(),
            user_id: "u".into(),
            session_id: "s".into(),
            agent_id: None,
            target: "Bash".into(),
            decision: Decision::Allow,
            policy: None,
            reason: "x".repeat(600),
            chain: vec![],
            findings: vec![],
            source: "test".into(),
        }
    }

    /// Under appends that never let the writer rest, the background checkpoint alone never
    /// sees the whole WAL copied when a transaction begins, so the WAL never rewinds; the
    /// writer finishing the checkpoint keeps it near the cap.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sustained_appends_keep_the_wal_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("warden.db");
        let store = Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let policy = CheckpointPolicy {
            every: Duration::from_millis(10),
            force_frames: 256,
            finish_frames: 32,
        };
        let writer = Arc::new(AuditWriter::spawn_with_checkpoints(
            store.backend().clone(),
            store.append_lock_id(),
            &AuditKey::from_bytes([7u8; 32]),
            AuditWriterOptions {
                durability: Durability::Strict,
                ..AuditWriterOptions::default()
            },
            policy,
            &tokio::runtime::Handle::current(),
        ));
        let mut tasks = Vec::new();
        for t in 0..32 {
            let writer = writer.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..600 {
                    writer.append(record(format!("dec_{t}_{i}"))).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        writer.shutdown().await.unwrap();
        assert_eq!(writer.stats().records(), 32 * 600);
        let wal = std::fs::metadata(dir.path().join("warden.db-wal"))
            .unwrap()
            .len();
        // 19,200 records of about 900 bytes: some 20 MB of table pages alone if the WAL
        // never rewound.
        assert!(
            wal < 4 << 20,
            "WAL grew to {wal} bytes; {} rewinds",
            writer.stats().wal_rewinds()
        );
        // Not asserted: how many rewinds the writer forced. On a busy machine the appenders
        // leave the writer idle now and then, and the WAL rewinds without it.
        eprintln!(
            "WAL {wal} bytes; {} forced rewinds",
            writer.stats().wal_rewinds()
        );
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn appends_fail_once_the_database_file_is_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("warden.db");
        let store = Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let writer = store.audit_writer(
            &AuditKey::from_bytes([7u8; 32]),
            AuditWriterOptions {
                durability: Durability::Strict,
                ..AuditWriterOptions::default()
            },
        );
        writer.append(record("dec_before".into())).await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.path().join(format!("warden.db{suffix}")));
        }
        let after = writer.append(record("dec_after".into())).await;
        assert!(
            matches!(after, Err(StoreError::Unavailable(_))),
            "an append into a deleted database must fail: {after:?}"
        );
        writer.shutdown().await.unwrap();
    }

    #[test]
    fn link_hash_equals_the_library_chain_hash() {
        let key = [9u8; 32];
        let record = AuditRecord {
            decision: Decision::Deny,
            policy: Some("tool_blocklist".into()),
            reason: "no".into(),
            ..record("dec_1".into())
        };
        let mac = HmacSha256::new_from_slice(&key).unwrap();
        let prev = [3u8; 32];
        let p = AuditWriter::prepare(&record).unwrap();
        assert_eq!(
            link_hash(&mac, &prev, p.record.as_bytes()),
            chain_hash(&key, &prev, &record)
        );
    }
}
