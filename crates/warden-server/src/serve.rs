//! Running the HTTP service until SIGINT/SIGTERM, then draining in-flight requests and the
//! audit queue.

use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::app::router;
use crate::config::ServerConfig;
use crate::connection_threads::ConnectionThreads;
use crate::listen::{serve_connections, ConnectionLimits};
use crate::runtime::Runtime;

/// Builds the full application router of a runtime (API, MCP gateway, middleware).
pub fn app(runtime: &Runtime, extra: Option<Router>) -> Router {
    router(
        runtime.state.clone(),
        &runtime.config.server,
        Some(runtime.bots.clone()),
        extra,
    )
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Starts the connection threads `[server] io_threads` asks for (0: one per CPU).
pub fn connection_threads(server: &ServerConfig) -> std::io::Result<ConnectionThreads> {
    ConnectionThreads::start_for(server.io_threads)
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains the runtime. The
/// connections are served on `threads`, which must outlive this call: the audit writer may
/// run on one of them ([`Runtime::open_with_writer_on`]), and it drains last.
pub async fn serve_until(
    runtime: &Runtime,
    listener: TcpListener,
    app: Router,
    threads: &ConnectionThreads,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let server = &runtime.config.server;
    let grace = Duration::from_secs(server.shutdown_grace_secs);
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(server.header_read_timeout_secs),
        max_connections: server.max_connections,
        max_connections_per_ip: server.max_connections_per_ip,
    }
    .fitted_to_fd_limit();
    let result = serve_connections(listener, app, limits, threads, shutdown).await;
    let drained = match tokio::time::timeout(grace, runtime.shutdown()).await {
        Ok(Ok(())) => {
            tracing::info!("audit queue drained");
            true
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "audit queue could not be drained");
            false
        }
        Err(_) => {
            tracing::error!("audit queue not drained within the grace period");
            false
        }
    };
    result?;
    if drained {
        Ok(())
    } else {
        // Accepted decisions (async durability) whose records were never written: the exit
        // status must say so.
        Err(std::io::Error::other(
            "the audit queue was not drained before exit: decisions accepted with async \
             durability may have no audit record",
        ))
    }
}
