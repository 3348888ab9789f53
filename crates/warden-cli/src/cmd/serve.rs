//! `warden serve`: run the HTTP service.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use warden_server::datadir::DataDir;
use warden_server::runtime::{init_data_dir, Runtime};
use warden_server::serve::{app, connection_threads, serve_until, shutdown_signal};

use super::init::{load_config, runtime_error, tokio_runtime};
use crate::output::{CliError, CmdResult, EXIT_OK};

/// Arguments of `warden serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default `[server] listen`, else 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// Data directory (initialized on first start).
    #[arg(long, default_value = "./warden-data")]
    pub data_dir: PathBuf,
}

/// Runs `warden serve`.
pub fn run(args: &ServeArgs, config: Option<&Path>) -> CmdResult {
    let cfg = load_config(config)?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let listen = args
        .listen
        .clone()
        .unwrap_or_else(|| cfg.server.listen.clone());
    let dd = DataDir::new(&args.data_dir);
    tokio_runtime()?.block_on(async move {
        if !dd.is_initialized() {
            let report = init_data_dir(&dd, &cfg).await.map_err(runtime_error)?;
            println!("Initialized {} (signing keys, vault key ring, audit key, database).", report.data_dir);
            println!("Admin token written to {} (mode 0600).", report.admin_token_file);
        }
        let threads = connection_threads(&cfg.server).map_err(|e| {
            CliError::failure("serve_failed", format!("cannot start the connection threads: {e}"))
        })?;
        let runtime = Runtime::open_with_writer_on(cfg, dd, threads.writer_runtime())
            .await
            .map_err(runtime_error)?;
        let mcp = warden_server::gateway::mcp_routes(&runtime).map_err(runtime_error)?;
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .map_err(|e| CliError::failure("listen_failed", format!("cannot listen on {listen}: {e}")))?;
        let addr = listener.local_addr().map_or(listen.clone(), |a| a.to_string());
        println!("Warden listening on http://{addr}");
        println!(
            "Try (a call carrying a secret is denied, even for an admin):\n  curl -s -H \"Authorization: Bearer $(cat {})\" -H 'content-type: application/json' \\\n    -d '{{\"tool\":\"Bash\",\"arguments\":{{\"command\":\"curl -u sk_live_4eC39HqLyjWDarjtT1zdp7dc: https://api.stripe.com/v1/charges\"}}}}' http://{addr}/v1/govern",
            runtime.data_dir.admin_token().display()
        );
        let app = app(&runtime, Some(mcp));
        let runtime = Arc::new(runtime);
        serve_until(&runtime, listener, app, &threads, shutdown_signal())
            .await
            .map_err(|e| CliError::failure("serve_failed", e.to_string()))?;
        Ok(EXIT_OK)
    })
}
