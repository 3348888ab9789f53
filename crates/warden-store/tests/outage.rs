//! Outages: an unreachable database or Redis answers `StoreError::Unavailable` (so the
//! governance path denies), and service resumes when the backend returns.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use warden_security::audit::{AuditLog, AuditSink};
use warden_security::counters::{CounterStore, WindowSpec};
use warden_security::StoreError;
use warden_store::{AuditKey, AuditWriterOptions, RedisCounterStore, Store, StoreConfig};

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

fn spec() -> [WindowSpec<'static>; 1] {
    [WindowSpec {
        key: "k",
        limit: 100,
        window_ms: 60_000,
    }]
}

#[tokio::test]
async fn unreachable_postgres_is_unavailable_at_connect() {
    let mut cfg = StoreConfig::for_url(format!(
        "postgres://postgres:pw@127.0.0.1:{}/test",
        closed_port()
    ));
    cfg.connect_timeout_ms = 1000;
    let err = Store::connect_with(&cfg).await.unwrap_err();
    match err {
        StoreError::Unavailable(m) => assert!(!m.contains("pw"), "{m}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn unwritable_sqlite_path_is_unavailable_at_connect() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let url = format!("sqlite://{}/warden.db", file.display());
    assert!(matches!(
        Store::connect(&url).await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn unreachable_redis_is_unavailable() {
    let s = RedisCounterStore::new(
        &format!("redis://127.0.0.1:{}", closed_port()),
        "warden-test:",
        Duration::from_millis(500),
    )
    .unwrap();
    assert!(matches!(
        s.acquire(&spec(), None, 0).await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        s.hit("k", 1000, 0).await,
        Err(StoreError::Unavailable(_))
    ));
}

/// A TCP forwarder that can be cut and restored, to take a real server away and back.
struct Proxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    task: Option<JoinHandle<()>>,
    conns: Arc<parking_lot::Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let mut p = Proxy {
            addr: "127.0.0.1:0".parse().unwrap(),
            upstream,
            task: None,
            conns: Arc::default(),
        };
        p.up().await;
        p
    }

    async fn up(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.addr = listener.local_addr().unwrap();
        let upstream = self.upstream;
        let conns = self.conns.clone();
        self.task = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let h = tokio::spawn(async move {
                    if let Ok(mut out) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                conns.lock().push(h);
            }
        }));
    }

    /// Stops listening and cuts every open connection; returns once the listener is closed
    /// (an aborted task drops its listener only when it is next polled, so `up` could
    /// otherwise find the port still taken).
    async fn down(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
        let conns: Vec<_> = self.conns.lock().drain(..).collect();
        for c in conns {
            c.abort();
            let _ = c.await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_fails_closed_then_recovers() {
    let Some(db) = common::TestDb::postgres().await else {
        return;
    };
    // Route the store through the proxy: same database and schema, another port.
    let url = db.url().to_owned();
    let after_at = url.split_once('@').unwrap().1;
    let hostport = after_at.split('/').next().unwrap();
    let upstream: SocketAddr = tokio::net::lookup_host(hostport)
        .await
        .unwrap()
        .next()
        .unwrap();
    let mut proxy = Proxy::start(upstream).await;
    let proxied = url.replacen(hostport, &proxy.addr.to_string(), 1);
    let mut cfg = StoreConfig::for_url(proxied);
    cfg.connect_timeout_ms = 1000;
    let store = Store::connect_with(&cfg).await.unwrap();
    let key = AuditKey::from_bytes([1u8; 32]);
    let writer = store.audit_writer(&key, AuditWriterOptions::default());
    writer.append(common::simple(1)).await.unwrap();

    proxy.down().await;
    let err = writer.append(common::simple(2)).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");

    proxy.up().await;
    let mut recovered = false;
    for _ in 0..40 {
        if writer.append(common::simple(3)).await.is_ok() {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "store did not recover after the outage");
    writer.shutdown().await.unwrap();
    let report = store.audit_log().verify(key.as_bytes()).await.unwrap();
    assert!(report.ok, "{report:?}");
    store.close().await;
    proxy.down().await;
    db.cleanup().await;
}

fn redis_server_available() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct RedisProcess(Child);

impl RedisProcess {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        RedisProcess(child)
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_fails_closed_then_recovers() {
    if !redis_server_available() {
        assert!(
            !common::services_required(),
            "redis-server is not installed but WARDEN_REQUIRE_SERVICES=1"
        );
        eprintln!("skipping: redis-server is not installed");
        return;
    }
    let port = closed_port();
    let server = RedisProcess::start(port);
    let s = RedisCounterStore::new(
        &format!("redis://127.0.0.1:{port}"),
        "warden-test:",
        Duration::from_millis(500),
    )
    .unwrap();
    assert!(s.acquire(&spec(), None, 0).await.unwrap().allowed);

    drop(server);
    assert!(matches!(
        s.acquire(&spec(), None, 1).await,
        Err(StoreError::Unavailable(_))
    ));

    let _server = RedisProcess::start(port);
    let mut recovered = false;
    for _ in 0..40 {
        if let Ok(o) = s.acquire(&spec(), None, 2).await {
            // A fresh server with no persistence: the window starts empty again.
            assert!(o.allowed);
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "counters did not recover after the outage");
}

/// Another process holding SQLite's write lock (a `warden hook` run beside `warden serve`):
/// the writer does not block its thread inside SQLite; it retries, and the append lands once
/// the lock is released, chained after what the other process wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_write_lock_held_elsewhere_delays_the_append_then_it_lands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warden.db");
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let key = AuditKey::from_bytes([7u8; 32]);
    let writer = store.audit_writer(&key, AuditWriterOptions::default());
    assert_eq!(writer.append(common::simple(1)).await.unwrap(), 1);

    // A second store on the same file takes the write lock and keeps it for 300 ms.
    let other = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
    let holder = {
        let pool_url = format!("sqlite://{}", path.display());
        tokio::spawn(async move {
            use sqlx::Connection as _;
            let mut conn = sqlx::SqliteConnection::connect(&pool_url).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .unwrap();
            let _ = locked_tx.send(());
            tokio::time::sleep(Duration::from_millis(300)).await;
            sqlx::query("COMMIT").execute(&mut conn).await.unwrap();
        })
    };
    locked_rx.await.unwrap();
    let started = std::time::Instant::now();
    assert_eq!(writer.append(common::simple(2)).await.unwrap(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "the append did not wait for the lock: {:?}",
        started.elapsed()
    );
    holder.await.unwrap();

    // The other process appends too; the writer's next batch chains after it.
    let w2 = other.audit_writer(&key, AuditWriterOptions::default());
    assert_eq!(w2.append(common::simple(3)).await.unwrap(), 3);
    w2.shutdown().await.unwrap();
    assert_eq!(writer.append(common::simple(4)).await.unwrap(), 4);
    writer.shutdown().await.unwrap();
    let report = store.audit_log().verify(key.as_bytes()).await.unwrap();
    assert!(report.ok && report.records == 4, "{report:?}");
}
