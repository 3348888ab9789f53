//! Periodic SQLite maintenance on threads of its own, below the request path's priority.
//!
//! Two jobs keep the SQLite audit files in shape while `warden serve` runs: the WAL
//! checkpoint ([`super::checkpoint`]) and the catch-up of the audit index
//! ([`super::index`]). Under a saturating load each run copies thousands of records or WAL
//! frames, several milliseconds of CPU at once. Run on the pool's connection threads, at the
//! same priority as the runtime's workers, those bursts took a core from the requests, and
//! the strict commits that overlapped them took 2–4 ms instead of 0.06: the `/v1/govern`
//! p99 followed them (3.7–3.9 ms with both jobs switched off, 5.0–5.7 ms with them on).
//!
//! Each job therefore runs on a thread of its own with its own `rusqlite` connection, and on
//! Linux that thread lowers its scheduling priority ([`BACKGROUND_NICE`]): the kernel lets a
//! request thread that wakes up run first, and the job takes the CPU the requests leave.
//! Neither job is urgent. A lagging index only means a query reads more of the log itself
//! (and every query catches the index up first). A lagging checkpoint only means a longer
//! WAL (bounded by [`super::checkpoint::CheckpointPolicy::force_frames`]).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// The nice value of the maintenance threads (Linux). Each step of 1 is about 1.25× less
/// CPU under contention: at 10 a job gets about a tenth of a core competing with request
/// threads, enough for the bursts of a saturating load while the requests go first.
pub(crate) const BACKGROUND_NICE: i32 = 10;

/// A maintenance thread that runs a job every `period` until this handle is dropped.
///
/// Dropping the handle stops the thread and waits for it: a run in progress finishes (a
/// SQLite statement or a checkpoint pass), and the job's connection is closed before the
/// caller goes on. A process that exits right after (`warden hook`, a stopped server) thus
/// never leaves a checkpoint half done, and the last connection to close folds the WAL
/// back into the database as usual.
#[derive(Debug)]
pub(crate) struct BackgroundJob {
    /// Dropping the sender wakes the thread and ends it.
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundJob {
    /// Starts thread `name`, which lowers its priority and then calls `job` every `period`
    /// (measured from the end of the previous run).
    pub(crate) fn spawn<F>(name: &str, period: Duration, mut job: F) -> std::io::Result<Self>
    where
        F: FnMut() + Send + 'static,
    {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                lower_priority();
                loop {
                    match stopped.recv_timeout(period) {
                        Err(RecvTimeoutError::Timeout) => job(),
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for BackgroundJob {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Lowers the calling thread's scheduling priority to [`BACKGROUND_NICE`], never raising it
/// (a process started with a higher nice value keeps it). Linux only: there the nice value
/// is per thread, while elsewhere `setpriority` would lower the whole process.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let lowered = match getpriority_process(None) {
            Ok(nice) if nice >= BACKGROUND_NICE => Ok(()),
            _ => setpriority_process(None, BACKGROUND_NICE),
        };
        if let Err(e) = lowered {
            tracing::debug!(error = %e, "cannot lower the priority of a maintenance thread");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn runs_periodically_and_stops_when_dropped() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        let job = BackgroundJob::spawn("test-job", Duration::from_millis(5), move || {
            counted.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while runs.load(Ordering::SeqCst) < 3 {
            assert!(std::time::Instant::now() < deadline, "the job never ran");
            std::thread::sleep(Duration::from_millis(5));
        }
        drop(job);
        // The drop waited for the thread: nothing runs after it.
        let after_drop = runs.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(
            runs.load(Ordering::SeqCst),
            after_drop,
            "the job ran after the drop"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_runs_at_the_background_priority() {
        let ours = rustix::process::getpriority_process(None).unwrap();
        let (tx, rx) = mpsc::channel();
        let _job = BackgroundJob::spawn("test-nice", Duration::from_millis(1), move || {
            let _ = tx.send(rustix::process::getpriority_process(None));
        })
        .unwrap();
        let seen = rx.recv_timeout(Duration::from_secs(10)).unwrap().unwrap();
        assert_eq!(seen, ours.max(BACKGROUND_NICE));
        // The calling thread keeps its own priority.
        assert_eq!(rustix::process::getpriority_process(None).unwrap(), ours);
    }
}
