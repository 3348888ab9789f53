//! Accepting and serving HTTP/1.1 connections, with the limits a service exposed to
//! untrusted clients needs and `axum::serve` does not set:
//!
//! - **a deadline for request headers** (`[server] header_read_timeout_secs`, default 10 s):
//!   a client that sends half a header and then a byte now and then (slowloris), or an idle
//!   keep-alive connection, is closed when the deadline passes, instead of holding a file
//!   descriptor forever;
//! - **a cap on open connections** (`max_connections`, default 8192, never more than the
//!   process's file-descriptor limit allows): at the cap, new connections wait in the
//!   kernel's accept backlog rather than making `accept` fail for everyone;
//! - **a cap per client address** (`max_connections_per_ip`, default 512, 0 = none): one
//!   host cannot take every slot; its extra connections are closed at once.
//!
//! Each connection is served on one of the [`ConnectionThreads`]. A request whose body is
//! large (over [`LARGE_BODY_BYTES`], or of unknown length) is handed to the accepting
//! runtime's work-stealing pool instead: the CPU it takes (parsing, scanning a megabyte for
//! secrets) would otherwise hold up every other connection of its thread.
//!
//! Graceful shutdown works as with `axum::serve`: stop accepting, let every connection
//! finish its in-flight request, then return.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::connection_threads::ConnectionThreads;
use crate::error::ApiError;

/// Requests with a body over this many bytes, or of unknown length, are served on the
/// accepting runtime rather than on their connection's thread.
pub const LARGE_BODY_BYTES: u64 = 64 * 1024;

/// True when `req` goes to the work-stealing pool: a declared body over
/// [`LARGE_BODY_BYTES`], or a body of unknown length (chunked).
fn is_large<B: hyper::body::Body>(req: &hyper::Request<B>) -> bool {
    match hyper::body::Body::size_hint(req.body()).exact() {
        Some(n) => n > LARGE_BODY_BYTES,
        None => true,
    }
}

/// File descriptors kept back from `max_connections` for the store, logs and upstreams.
const RESERVED_FDS: u64 = 256;

/// The connection limits of [`serve_connections`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's headers, and how long an idle
    /// keep-alive connection stays open.
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections served at once per client IP address (0 = no limit).
    pub max_connections_per_ip: usize,
}

impl ConnectionLimits {
    /// `max_connections` lowered to what the file-descriptor limit allows (Linux), after
    /// raising the soft limit to the hard one as far as the process may; the per-address cap
    /// then at most half of it.
    pub fn fitted_to_fd_limit(mut self) -> Self {
        if let Some(fds) = raise_fd_limit() {
            let room = fds.saturating_sub(RESERVED_FDS).max(16);
            self.max_connections = self
                .max_connections
                .min(usize::try_from(room).unwrap_or(usize::MAX));
        }
        // One address never holds every slot: at most half of them.
        if self.max_connections_per_ip > 0 {
            self.max_connections_per_ip = self
                .max_connections_per_ip
                .min((self.max_connections / 2).max(1));
        }
        self
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the soft limit now in force.
#[cfg(target_os = "linux")]
fn raise_fd_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let soft = limit.current?;
    if let Some(hard) = limit.maximum {
        if hard > soft
            && setrlimit(
                Resource::Nofile,
                Rlimit {
                    current: Some(hard),
                    maximum: Some(hard),
                },
            )
            .is_ok()
        {
            return Some(hard);
        }
    }
    Some(soft)
}

#[cfg(not(target_os = "linux"))]
fn raise_fd_limit() -> Option<u64> {
    None
}

/// Connections open per client address; a slot is released when its guard drops.
#[derive(Debug, Default)]
struct PerIp {
    open: Mutex<HashMap<IpAddr, usize>>,
}

struct IpSlot {
    table: Arc<PerIp>,
    ip: IpAddr,
}

impl PerIp {
    /// Takes a slot for `ip` unless it already has `max` (0 = no limit).
    fn take(table: &Arc<PerIp>, ip: IpAddr, max: usize) -> Option<IpSlot> {
        if max == 0 {
            return Some(IpSlot {
                table: table.clone(),
                ip,
            });
        }
        let mut open = table.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(IpSlot {
            table: table.clone(),
            ip,
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// An IPv4 client seen through an IPv4-mapped IPv6 address counts as itself.
fn client_ip(addr: &SocketAddr) -> IpAddr {
    match addr.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        ip => ip,
    }
}

/// Serves `app` on `listener` under `limits` until `shutdown` resolves, then waits for the
/// open connections to finish their in-flight requests. Accepts on the calling task; each
/// connection is served on one of `threads`.
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    threads: &ConnectionThreads,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_ip = Arc::new(PerIp::default());
    // Dropping `stop_rx` tells every connection to shut down gracefully; each connection
    // holds a `done_rx` clone, so `done_tx.closed()` resolves when the last one ends.
    let (stop_tx, stop_rx) = watch::channel(());
    let (done_tx, done_rx) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    let mut refused_logged_at: Option<std::time::Instant> = None;
    // Large requests are served here, on the accepting runtime's work-stealing pool.
    let pool = tokio::runtime::Handle::current();
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (tcp, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or memory, or a connection reset before it was
                    // accepted: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(ip_slot) = PerIp::take(&per_ip, client_ip(&addr), limits.max_connections_per_ip)
        else {
            if refused_logged_at.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
                refused_logged_at = Some(std::time::Instant::now());
                tracing::warn!(
                    client = %addr.ip(),
                    limit = limits.max_connections_per_ip,
                    "connection refused: too many open connections from this address"
                );
            }
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        // Moved to the connection thread's own I/O driver there.
        let tcp = match tcp.into_std() {
            Ok(tcp) => tcp,
            Err(e) => {
                tracing::debug!(error = %e, "cannot hand the connection over");
                continue;
            }
        };
        let (app, pool) = (app.clone(), pool.clone());
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let large = is_large(&req);
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(addr));
            let (app, pool) = (app.clone(), pool.clone());
            async move {
                if !large {
                    return app.oneshot(req).await;
                }
                Ok::<_, Infallible>(match pool.spawn(app.oneshot(req)).await {
                    Ok(Ok(response)) => response,
                    // Cancelled (the runtime is shutting down); a handler's panic is already
                    // a 500 from the app's own panic layer.
                    Ok(Err(never)) => match never {},
                    Err(_) => ApiError::internal("the request was cancelled").into_response(),
                })
            }
        });
        let stop_tx = stop_tx.clone();
        let done_rx = done_rx.clone();
        let header_read_timeout = limits.header_read_timeout;
        threads.spawn(async move {
            let tcp = match tokio::net::TcpStream::from_std(tcp) {
                Ok(tcp) => tcp,
                Err(e) => {
                    tracing::debug!(error = %e, "cannot register the connection");
                    drop((permit, ip_slot, done_rx));
                    return;
                }
            };
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            let conn = builder
                .serve_connection(TokioIo::new(tcp), service)
                .with_upgrades();
            let mut conn = std::pin::pin!(conn);
            let mut stop = std::pin::pin!(stop_tx.closed());
            let mut stopping = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::trace!(error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    () = &mut stop, if !stopping => {
                        stopping = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            drop((permit, ip_slot, done_rx));
        });
    }
    drop(listener);
    drop(stop_rx);
    drop(done_rx);
    done_tx.closed().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_ip_slots_are_counted_and_released() {
        let table = Arc::new(PerIp::default());
        let ip: IpAddr = "192.0.2.7".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let a = PerIp::take(&table, ip, 2);
        let b = PerIp::take(&table, ip, 2);
        assert!(a.is_some() && b.is_some());
        assert!(PerIp::take(&table, ip, 2).is_none());
        let other: IpAddr = "192.0.2.8".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert!(PerIp::take(&table, other, 2).is_some());
        drop(a);
        assert!(PerIp::take(&table, ip, 2).is_some());
        drop(b);
        assert!(PerIp::take(&table, ip, 0).is_some(), "0 = no limit");
    }

    #[test]
    fn large_and_unsized_bodies_are_served_on_the_pool() {
        let request = |body: Body| hyper::Request::new(body);
        assert!(!is_large(&request(Body::empty())));
        assert!(!is_large(&request(Body::from(vec![b'x'; 64 * 1024]))));
        assert!(is_large(&request(Body::from(vec![b'x'; 64 * 1024 + 1]))));
        let chunks = futures_util::stream::iter([Ok::<_, Infallible>(bytes::Bytes::from("{}"))]);
        assert!(
            is_large(&request(Body::from_stream(chunks))),
            "unknown length"
        );
    }

    #[test]
    fn an_ipv4_mapped_client_counts_as_its_ipv4_address() {
        let mapped: SocketAddr = "[::ffff:192.0.2.7]:4000"
            .parse()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        assert_eq!(client_ip(&mapped), IpAddr::from([192, 0, 2, 7]));
    }
}
