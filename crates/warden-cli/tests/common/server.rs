//! Starting the real `warden serve` on an ephemeral port for integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running server; killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub data_dir: PathBuf,
}

impl Server {
    /// Starts `warden serve` with `config` (TOML text, may be empty) on 127.0.0.1:0.
    pub fn start(data_dir: &Path, config: &str) -> Server {
        Self::try_start(data_dir, config).unwrap_or_else(|e| panic!("server did not start: {e}"))
    }

    /// Like `start`, but returns the server's output when it exits instead of listening.
    pub fn try_start(data_dir: &Path, config: &str) -> Result<Server, String> {
        std::fs::create_dir_all(data_dir.parent().unwrap()).unwrap();
        let cfg = data_dir.with_extension("toml");
        std::fs::write(&cfg, config).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args([
                "--config",
                cfg.to_str().unwrap(),
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(data_dir)
            .env("WARDEN_LOG", "warn")
            .env_remove("WARDEN_MASTER_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("Warden listening on ") {
                    let _ = tx.send(addr.trim().to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(base) => Ok(Server {
                child,
                base,
                data_dir: data_dir.to_path_buf(),
            }),
            Err(_) => {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                Err(format!(
                    "exit {:?}: {}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn admin_token(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("admin.token"))
            .unwrap()
            .trim()
            .to_owned()
    }

    /// Stops the server with SIGTERM (graceful: drains the audit queue) and waits.
    pub fn stop(self) {
        let _ = self.stop_with_status();
    }

    /// Like [`Server::stop`]; the exit code (`None` when it had to be killed).
    pub fn stop_with_status(mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh temporary directory.
pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "warden-{tag}-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    format!(
        "{:x}",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A fresh directory `temp_dir(tag)` with a server started on its `data` subdirectory
/// (`config` as in [`Server::start`]), a client, and the server's admin token.
pub fn serve(tag: &str, config: &str) -> (PathBuf, Server, reqwest::blocking::Client, String) {
    let dir = temp_dir(tag);
    let server = Server::start(&dir.join("data"), config);
    let admin = server.admin_token();
    (dir, server, client(), admin)
}

/// Stops `server` gracefully and removes `dir` (the end of a [`serve`] test).
pub fn finish(server: Server, dir: PathBuf) {
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}
