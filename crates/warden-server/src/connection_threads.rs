//! Connection threads: `warden serve` runs each accepted connection on one of `n` threads,
//! each driving a single-threaded Tokio runtime of its own (thread per core, as actix-web and
//! nginx's workers do), instead of on a work-stealing runtime shared by all connections.
//!
//! A connection's requests then never move between threads: no work-stealing, and no
//! cross-thread wake-up between a request and the tasks it waits for on the same thread. The
//! audit writer runs on the first thread ([`ConnectionThreads::first`]), so the requests
//! served there are acknowledged without a thread hand-off. Measured under `scripts/load.sh`
//! (`docs/PERFORMANCE.md`, server section): the server's CPU per strict `/v1/govern` request
//! fell from 34 to 26–27 µs and its throughput rose by about 30 %, with the p99 no worse.
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
/// this value is dropped.
#[derive(Debug)]
pub struct ConnectionThreads {
    handles: Vec<Handle>,
    next: AtomicUsize,
    /// Dropping a sender ends its thread's runtime.
    _stop: Vec<oneshot::Sender<()>>,
}

impl ConnectionThreads {
    /// Starts `n` threads (at least one) named `warden-conn-0`, `warden-conn-1`, ….
    pub fn start(n: usize) -> std::io::Result<Self> {
        let n = n.clamp(1, MAX_CONNECTION_THREADS);
        let mut handles = Vec::with_capacity(n);
        let mut stops = Vec::with_capacity(n);
        for i in 0..n {
            let runtime = Builder::new_current_thread().enable_all().build()?;
            handles.push(runtime.handle().clone());
            let (stop, stopped) = oneshot::channel::<()>();
            stops.push(stop);
            std::thread::Builder::new()
                .name(format!("warden-conn-{i}"))
                .spawn(move || {
                    // Spawned tasks run while `block_on` does; when the sender is dropped the
                    // runtime is dropped here, on its own thread, with whatever tasks are left.
                    runtime.block_on(async move {
                        let _ = stopped.await;
                    });
                })?;
        }
        Ok(Self {
            handles,
            next: AtomicUsize::new(0),
            _stop: stops,
        })
    }

    /// One thread per CPU the process may use (`n = 0`), else `n`.
    pub fn start_for(n: usize) -> std::io::Result<Self> {
        let n = if n == 0 {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        } else {
            n
        };
        Self::start(n)
    }

    /// How many threads there are.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Always false: there is at least one thread.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// The first thread's runtime, where `warden serve` runs the audit writer.
    pub fn first(&self) -> &Handle {
        &self.handles[0]
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

    #[test]
    fn first_is_the_first_thread_and_zero_means_one_per_cpu() {
        let threads = ConnectionThreads::start_for(0).unwrap_or_else(|e| panic!("{e}"));
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(threads.len(), cpus.min(MAX_CONNECTION_THREADS));
        let (tx, rx) = std::sync::mpsc::channel();
        threads.first().spawn(async move {
            let _ = tx.send(thread_name());
        });
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)).ok().as_deref(),
            Some("warden-conn-0")
        );
        assert_eq!(ConnectionThreads::start(0).map(|t| t.len()).ok(), Some(1));
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
