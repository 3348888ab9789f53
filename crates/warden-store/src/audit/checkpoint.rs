//! Keeping the SQLite audit WAL bounded under sustained load.
//!
//! The writer's connection never checkpoints inside a commit (SQLite's automatic checkpoint
//! would copy the WAL into the database while every strict append waits for that commit).
//! Instead a maintenance thread ([`super::background`], below the requests' priority) runs
//! `PRAGMA wal_checkpoint(PASSIVE)` on a connection of its own every
//! [`CheckpointPolicy::every`]: it copies WAL frames into the database beside the writer
//! without blocking it.
//!
//! A passive checkpoint alone does not bound the WAL file. SQLite rewinds the WAL to its start
//! only when a write transaction *begins* while every frame has been copied back. In normal
//! operation that happens whenever the writer rests while a background pass runs. Under
//! sustained saturating load it never rests, so the WAL grows as long as the load lasts: a
//! strict closed-loop benchmark wrote about 60 MB of WAL a second and it never rewound. Once
//! the WAL holds [`CheckpointPolicy::force_frames`], the checkpointer therefore catches up
//! (passes follow each other until one has little left to copy) and asks the writer to finish
//! the job after its current batch: on its own connection, with nothing appended meanwhile,
//! it copies the few frames that are left, and its next transaction rewinds the WAL.
//!
//! That last step holds appends up for a sync of the WAL and of the database, which took from
//! 2 to 40 ms under a saturating load (the disk busy with the WAL's own writeback). Rewinding
//! earlier (at 64 MiB, or whenever the writer had been idle for 2 ms) cost the strict
//! `/v1/govern` load a p99 of 7.5–14 ms instead of 5.4 ms, so the forced rewind is kept for
//! the cap: rare, and never in normal operation.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::background::BackgroundJob;
use crate::backend::{open_existing, SQLITE_BUSY_TIMEOUT};

/// When the WAL is checkpointed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CheckpointPolicy {
    /// How often the background checkpoint runs.
    pub(crate) every: Duration,
    /// WAL frames (pages) from which the writer is made to rewind the WAL.
    pub(crate) force_frames: i64,
    /// The writer is asked once a background pass copied at most this many frames, so that
    /// the writer's own pass, which holds up appends, has about as few left to copy.
    pub(crate) finish_frames: i64,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        Self {
            every: Duration::from_millis(250),
            // 262,144 pages of 4 KiB: 1 GiB, some 15 s of the saturating benchmark.
            force_frames: 262_144,
            finish_frames: 256,
        }
    }
}

/// What the checkpointer asks of the writer.
#[derive(Debug, Default)]
pub(crate) struct WalControl {
    asked: AtomicBool,
}

impl WalControl {
    /// Whether the writer should finish a checkpoint after its current batch.
    pub(crate) fn wanted(&self) -> bool {
        self.asked.load(Ordering::Relaxed)
    }

    /// The writer finished (or tried to finish) a checkpoint.
    pub(crate) fn finished(&self) {
        self.asked.store(false, Ordering::Relaxed);
    }

    /// Asks the writer to finish a checkpoint after its current batch (`true`), or withdraws
    /// the request (`false`).
    fn ask(&self, wanted: bool) {
        self.asked.store(wanted, Ordering::Relaxed);
    }
}

/// Starts the background checkpoint of the SQLite database at `db` on a maintenance thread
/// ([`super::background`]), which opens its own connection; it stops when the handle drops.
pub(crate) fn spawn_checkpointer(
    db: &Path,
    control: Arc<WalControl>,
    policy: CheckpointPolicy,
) -> std::io::Result<BackgroundJob> {
    let db = db.to_path_buf();
    let mut conn: Option<rusqlite::Connection> = None;
    BackgroundJob::spawn("warden-wal-ckpt", policy.every, move || {
        if conn.is_none() {
            conn = match open(&db) {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::debug!(error = %e, "cannot open the checkpoint connection; retrying");
                    return;
                }
            };
        }
        if let Some(c) = &conn {
            if checkpoint_round(c, &control, policy).is_err() {
                // Start again from a fresh connection next time.
                conn = None;
            }
        }
    })
}

fn open(db: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = open_existing(db, SQLITE_BUSY_TIMEOUT)?;
    // This connection writes nothing; it must not checkpoint other than when asked.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(conn)
}

/// One round of the background checkpoint: `PASSIVE` once, or, once the WAL holds
/// `policy.force_frames`, passes back to back until one copies at most
/// `policy.finish_frames` (each copies what the writer appended during the one before), and
/// then the writer is asked to finish at once: what is left for it to copy is small.
pub(crate) fn checkpoint_round(
    conn: &rusqlite::Connection,
    control: &WalControl,
    policy: CheckpointPolicy,
) -> rusqlite::Result<()> {
    let mut copied_before: Option<i64> = None;
    for pass in 1..=CATCH_UP_PASSES {
        // (busy, frames in the WAL, frames copied back); -1s when not in WAL mode.
        let (_, log, copied): (i64, i64, i64) = conn
            .query_row("PRAGMA main.wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .inspect_err(|e| tracing::debug!(error = %e, "background WAL checkpoint failed"))?;
        // Below the cap one pass per period: each pass syncs the files.
        if log < policy.force_frames {
            control.ask(false);
            return Ok(());
        }
        let this_pass = copied_before.map(|before| copied - before);
        if pass == CATCH_UP_PASSES
            || this_pass.is_some_and(|n| (0..=policy.finish_frames).contains(&n))
        {
            control.ask(true);
            return Ok(());
        }
        copied_before = Some(copied);
    }
    Ok(())
}

/// Most back-to-back passes of one round before the writer is asked anyway.
const CATCH_UP_PASSES: u32 = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_holds_until_the_writer_finished_or_it_is_withdrawn() {
        let c = WalControl::default();
        assert!(!c.wanted());
        c.ask(true);
        assert!(c.wanted());
        c.finished();
        assert!(!c.wanted());
        c.ask(true);
        c.ask(false);
        assert!(!c.wanted(), "a WAL below the cap withdraws the request");
    }
}
