//! Connection threads: `warden serve` runs each accepted connection on one of `n` threads,
//! each driving a single-threaded Tokio runtime of its own (thread per core, as actix-web and
//! nginx's workers do), instead of on a work-stealing runtime shared by all connections.
//!
//! A connection's requests then never move between threads: no work-stealing, and no
//! cross-thread wake-up between a request and the tasks it waits for on the same thread.
//! Measured under `scripts/load.sh` (`docs/PERFORMANCE.md`, server section): the server's CPU
//! per strict `/v1/govern` request fell from 34 to 26–27 µs and its throughput rose by about
//! 30 %, with the p99 no worse.
//!
//! Where the audit writer runs ([`ConnectionThreads::writer_runtime`]): with at most one
//! thread per CPU, on the first connection thread, so the requests served there are
//! acknowledged without a hand-off and a commit runs on a thread that is awake anyway (a
//! writer on a thread of its own waits to be scheduled for every batch, which measured a
//! higher p99). With more threads than CPUs, each thread gets a smaller share of a CPU, and
//! the writer, which commits for all of them, would fall behind the others' records and hold
//! up the connections it shares a thread with. So it then gets a thread of its own that
//! serves no connection.
//!
//! Connections are dealt round-robin. One connection is served in order anyway (HTTP/1.1), so
//! the only imbalance is between clients that keep many connections busy and clients that do
//! not, which evens out as connections come and go.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;

/// The most connection threads `[server] io_threads` accepts.
pub const MAX_CONNECTION_THREADS: usize = 256;

/// `n` threads, each running a single-threaded Tokio runtime (timers and I/O enabled) until
/// this value is dropped, and where the audit writer runs.
#[derive(Debug)]
pub struct ConnectionThreads {
    handles: Vec<Handle>,
    next: AtomicUsize,
    /// A thread of the writer's own, when there are more connection threads than CPUs.
    writer: Option<Handle>,
    /// Dropping a sender ends its thread's runtime.
    _stop: Vec<oneshot::Sender<()>>,
}

/// Starts a thread named `name` driving a new single-threaded runtime until `stop` is
/// dropped; returns the runtime's handle.
fn runtime_thread(name: String, stops: &mut Vec<oneshot::Sender<()>>) -> std::io::Result<Handle> {
    let runtime = Builder::new_current_thread().enable_all().build()?;
    let handle = runtime.handle().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    std::thread::Builder::new().name(name).spawn(move || {
        // Spawned tasks run while `block_on` does; when the sender is dropped the runtime is
        // dropped here, on its own thread, with whatever tasks are left.
        runtime.block_on(async move {
            let _ = stopped.await;
        });
    })?;
    stops.push(stop);
    Ok(handle)
}

/// The CPUs this process may use.
fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl ConnectionThreads {
    /// Starts `n` connection threads (at least one) named `warden-conn-0`, `warden-conn-1`,
    /// …, and, when `n` is more than the CPUs this process may use, the writer's own thread
    /// `warden-audit-writer`.
    pub fn start(n: usize) -> std::io::Result<Self> {
        Self::start_with(n, n > cpus())
    }

    /// One thread per CPU the process may use (`n = 0`), else `n` ([`ConnectionThreads::start`]).
    pub fn start_for(n: usize) -> std::io::Result<Self> {
        Self::start(if n == 0 { cpus() } else { n })
    }

    fn start_with(n: usize, writer_apart: bool) -> std::io::Result<Self> {
        let n = n.clamp(1, MAX_CONNECTION_THREADS);
        let mut stops = Vec::with_capacity(n + 1);
        let handles = (0..n)
            .map(|i| runtime_thread(format!("warden-conn-{i}"), &mut stops))
            .collect::<std::io::Result<Vec<_>>>()?;
        let writer = if writer_apart {
            Some(runtime_thread(
                "warden-audit-writer".to_owned(),
                &mut stops,
            )?)
        } else {
            None
        };
        Ok(Self {
            handles,
            next: AtomicUsize::new(0),
            writer,
            _stop: stops,
        })
    }

    /// How many threads there are.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Always false: there is at least one thread.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Where `warden serve` runs the audit writer: the first connection thread, or the
    /// writer's own thread when there are more connection threads than CPUs.
    pub fn writer_runtime(&self) -> &Handle {
        self.writer.as_ref().unwrap_or(&self.handles[0])
    }

    /// Runs `task` on the next thread, round-robin.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.handles.len();
        self.handles[i].spawn(task);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::Duration;

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or("?").to_owned()
    }

    #[test]
    fn tasks_are_dealt_round_robin_over_the_threads() {
        let threads = ConnectionThreads::start(3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(threads.len(), 3);
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..9 {
            let tx = tx.clone();
            threads.spawn(async move {
                // Timers work on these runtimes.
                tokio::time::sleep(Duration::from_millis(1)).await;
                let _ = tx.send(thread_name());
            });
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for _ in 0..9 {
            let name = rx
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("{e}"));
            *seen.entry(name).or_default() += 1;
        }
        let expected: HashMap<String, usize> =
            (0..3).map(|i| (format!("warden-conn-{i}"), 3)).collect();
        assert_eq!(seen, expected);
    }

    fn writer_thread(threads: &ConnectionThreads) -> Option<String> {
        let (tx, rx) = std::sync::mpsc::channel();
        threads.writer_runtime().spawn(async move {
            let _ = tx.send(thread_name());
        });
        rx.recv_timeout(Duration::from_secs(10)).ok()
    }

    #[test]
    fn zero_means_one_per_cpu_and_the_writer_shares_the_first_thread() {
        let threads = ConnectionThreads::start_for(0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(threads.len(), cpus().min(MAX_CONNECTION_THREADS));
        assert_eq!(writer_thread(&threads).as_deref(), Some("warden-conn-0"));
        assert_eq!(ConnectionThreads::start(0).map(|t| t.len()).ok(), Some(1));
    }

    #[test]
    fn with_more_threads_than_cpus_the_writer_has_a_thread_of_its_own() {
        let threads = ConnectionThreads::start(cpus() + 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            writer_thread(&threads).as_deref(),
            Some("warden-audit-writer")
        );
        // No connection is dealt to it.
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..threads.len() * 2 {
            let tx = tx.clone();
            threads.spawn(async move {
                let _ = tx.send(thread_name());
            });
        }
        drop(tx);
        assert!(rx.iter().all(|name| name.starts_with("warden-conn-")));
    }

    #[test]
    fn dropping_the_threads_drops_their_pending_tasks() {
        let threads = ConnectionThreads::start(2).unwrap_or_else(|e| panic!("{e}"));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        for _ in 0..2 {
            let tx = tx.clone();
            threads.spawn(async move {
                let _keep = tx;
                std::future::pending::<()>().await;
            });
        }
        drop(tx);
        drop(threads);
        // Every sender is dropped with its task once the runtimes shut down.
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
        );
    }
}
