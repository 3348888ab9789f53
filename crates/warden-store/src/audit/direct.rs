//! The SQLite audit writer's own connection, driven in place on the writer task.
//!
//! sqlx runs every SQLite statement on the connection's own OS thread: a batch is handed to
//! that thread and its result handed back. Under load that thread waits for the kernel to
//! schedule it between the runtime's busy workers, and the commit — which every strict
//! append waits for — took 0.18 ms at the median and 1.1 ms at p99 while its SQLite work is
//! a few tens of microseconds. The writer therefore opens a second connection to the same
//! file with `rusqlite` and runs `BEGIN IMMEDIATE; INSERT …; COMMIT` where it is, on the
//! writer task: no hand-off, no wake-up. A batch blocks the worker thread for its SQLite
//! work (tens of microseconds for the batches a loaded server forms; the batch size bounds
//! it), which is the CPU time the connection thread spent anyway.
//!
//! The connection never waits for a lock inside SQLite (`busy_timeout = 0`, so the worker
//! thread is never parked there): when another process holds the write lock (a `warden
//! hook` run beside `warden serve`), `BEGIN IMMEDIATE` fails at once with `SQLITE_BUSY` and
//! the writer retries after an asynchronous sleep, up to the store's busy timeout.

use std::path::Path;

use rusqlite::ErrorCode;
use warden_security::audit::GENESIS_HASH;
use warden_security::StoreError;

use super::writer::{chain, HmacSha256, Pending};
use crate::backend::{identity_of, open_existing, FileIdentity};

/// Why an append did not happen.
#[derive(Debug)]
pub(super) enum DirectError {
    /// Another connection holds the write lock: retry later.
    Busy,
    /// Anything else (the transaction was rolled back).
    Failed(StoreError),
}

fn store_error(e: &rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure
            | ErrorCode::ReadOnly
            | ErrorCode::PermissionDenied
            | ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked,
        ) => StoreError::Unavailable(format!("audit database unavailable: {e}")),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt(format!("audit database: {e}"))
        }
        _ => StoreError::Other(format!("audit database error: {e}")),
    }
}

fn failed(e: &rusqlite::Error) -> DirectError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DirectError::Busy,
        _ => DirectError::Failed(store_error(e)),
    }
}

/// `true` for a primary-key (or other uniqueness) conflict.
fn is_conflict(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

/// The writer's connection.
pub(super) struct DirectSqlite {
    conn: rusqlite::Connection,
    /// The database file, and which file it was when opened (see [`DirectSqlite::append`]).
    path: std::path::PathBuf,
    identity: Option<FileIdentity>,
}

impl std::fmt::Debug for DirectSqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectSqlite").finish_non_exhaustive()
    }
}

const INSERT: &str = "INSERT INTO audit_log (seq, id, time_ms, user_id, target, decision, record, prev_hash, chain_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

impl DirectSqlite {
    /// Opens `path` (an existing database in WAL mode) with the pool's `synchronous` level
    /// (`0`–`3`, as `PRAGMA synchronous` reports it).
    pub(super) fn open(path: &Path, synchronous: i64) -> Result<Self, StoreError> {
        // Never waits inside SQLite for a lock (see the module docs).
        let conn = open_existing(path, std::time::Duration::ZERO).map_err(|e| store_error(&e))?;
        let setup = || -> rusqlite::Result<()> {
            conn.pragma_update(None, "synchronous", synchronous)?;
            // The writer's commits never checkpoint; the checkpoint thread does.
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
            conn.pragma_update(None, "cache_size", -16384)?;
            conn.pragma_update(None, "temp_store", "memory")?;
            Ok(())
        };
        setup().map_err(|e| store_error(&e))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            identity: identity_of(path),
        })
    }

    /// Copies every WAL frame back into the database (`PRAGMA wal_checkpoint(PASSIVE)`);
    /// `true` when the whole WAL was copied, so that the next transaction rewinds it.
    pub(super) fn checkpoint(&self) -> Result<bool, StoreError> {
        let (busy, log, copied): (i64, i64, i64) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| store_error(&e))?;
        Ok(busy == 0 && log == copied)
    }

    /// Appends `batch` in one transaction after the tail (`seq`, `chain_hash`) this writer
    /// committed last, if it knows it, else after the tail read inside the transaction.
    /// Returns the first `seq` and the last chain hash.
    ///
    /// With a known tail nothing is read: if another process appended meanwhile, the
    /// batch's first `seq` is taken, the `INSERT` fails on the primary key, and the batch is
    /// retried with the tail read under the write lock.
    pub(super) fn append(
        &mut self,
        mac: &HmacSha256,
        tail: Option<(i64, [u8; 32])>,
        batch: &[Pending],
    ) -> Result<(i64, [u8; 32]), DirectError> {
        // A database file deleted or replaced under a running server would take the records
        // into an unlinked inode, lost at exit, while every append succeeded: fail instead
        // (the decision becomes a deny), one `stat` per batch.
        if self.identity.is_some() && identity_of(&self.path) != self.identity {
            return Err(DirectError::Failed(StoreError::Unavailable(format!(
                "the audit database {} was removed or replaced while in use",
                self.path.display()
            ))));
        }
        if tail.is_some() {
            match self.append_after(mac, tail, batch) {
                Err(Attempt::Conflict) => {}
                Err(Attempt::Error(e)) => return Err(e),
                Ok(done) => return Ok(done),
            }
        }
        match self.append_after(mac, None, batch) {
            Ok(done) => Ok(done),
            Err(Attempt::Error(e)) => Err(e),
            Err(Attempt::Conflict) => Err(DirectError::Failed(StoreError::Other(
                "audit append conflicted with the tail read under the write lock".into(),
            ))),
        }
    }

    fn append_after(
        &mut self,
        mac: &HmacSha256,
        tail: Option<(i64, [u8; 32])>,
        batch: &[Pending],
    ) -> Result<(i64, [u8; 32]), Attempt> {
        let tx = WriteTransaction::begin(&self.conn).map_err(|e| Attempt::Error(failed(&e)))?;
        // Dropping `tx` on an early return rolls the transaction back.
        let (last_seq, prev) = match tail {
            Some((seq, hash)) => (seq, hash.to_vec()),
            None => {
                let row = tx.conn.query_row(
                    "SELECT seq, chain_hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
                );
                match row {
                    Ok(t) => t,
                    Err(rusqlite::Error::QueryReturnedNoRows) => (0, GENESIS_HASH.to_vec()),
                    Err(e) => return Err(Attempt::Error(failed(&e))),
                }
            }
        };
        let hashes = chain(mac, &prev, batch);
        {
            let mut insert = tx
                .conn
                .prepare_cached(INSERT)
                .map_err(|e| Attempt::Error(failed(&e)))?;
            for (i, (p, hash)) in batch.iter().zip(&hashes).enumerate() {
                let prev_hash: &[u8] = match i.checked_sub(1).and_then(|j| hashes.get(j)) {
                    Some(h) => h,
                    None => &prev,
                };
                let seq = last_seq + 1 + i as i64;
                let inserted = insert.execute(rusqlite::params![
                    seq,
                    p.id,
                    p.time_ms,
                    p.user_id,
                    p.target,
                    p.decision,
                    p.record,
                    prev_hash,
                    &hash[..],
                ]);
                match inserted {
                    Ok(_) => {}
                    Err(e) if tail.is_some() && is_conflict(&e) => return Err(Attempt::Conflict),
                    Err(e) => return Err(Attempt::Error(failed(&e))),
                }
            }
        }
        tx.commit().map_err(|e| Attempt::Error(failed(&e)))?;
        let last = hashes.last().copied().unwrap_or([0u8; 32]);
        Ok((last_seq + 1, last))
    }
}

/// `BEGIN IMMEDIATE` … `COMMIT` with both statements prepared once per connection (rusqlite's
/// `Transaction` parses them again on every batch); rolls back when dropped uncommitted.
struct WriteTransaction<'c> {
    conn: &'c rusqlite::Connection,
    committed: bool,
}

impl<'c> WriteTransaction<'c> {
    fn begin(conn: &'c rusqlite::Connection) -> rusqlite::Result<Self> {
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(Self {
            conn,
            committed: false,
        })
    }

    fn commit(mut self) -> rusqlite::Result<()> {
        self.conn.prepare_cached("COMMIT")?.execute([])?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for WriteTransaction<'_> {
    fn drop(&mut self) {
        // Only while a transaction is open: a failed `COMMIT` may have ended it already.
        if !self.committed && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// One transaction's outcome when it did not commit.
enum Attempt {
    /// The cached tail was stale (another process appended): retry reading the tail.
    Conflict,
    /// Busy or failed.
    Error(DirectError),
}
