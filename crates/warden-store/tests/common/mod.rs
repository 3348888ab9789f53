//! Shared helpers of the store test suites: service discovery (skip or fail), per-test
//! PostgreSQL schemas and Redis key prefixes, sample records.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use sqlx::Executor;
use warden_security::audit::AuditRecord;
use warden_security::governance::Decision;

/// True when a missing service must fail the test instead of skipping it.
pub fn services_required() -> bool {
    std::env::var("WARDEN_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// The value of `var`, or `None` after printing why the test is skipped (panics instead when
/// `WARDEN_REQUIRE_SERVICES=1`).
pub fn service_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                !services_required(),
                "{var} is unset but WARDEN_REQUIRE_SERVICES=1"
            );
            eprintln!("skipping: {var} is unset");
            None
        }
    }
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// A database for one test: a temp-dir SQLite file, or a fresh PostgreSQL schema.
pub enum TestDb {
    Sqlite {
        dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        schema: String,
        url: String,
    },
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("warden.db").display());
        TestDb::Sqlite { dir, url }
    }

    /// `None` (skip) when `WARDEN_TEST_POSTGRES_URL` is unset.
    pub async fn postgres() -> Option<Self> {
        let admin_url = service_url("WARDEN_TEST_POSTGRES_URL")?;
        let schema = unique("warden_test_");
        let pool = sqlx::PgPool::connect(&admin_url).await.unwrap();
        pool.execute(format!("CREATE SCHEMA {schema}").as_str())
            .await
            .unwrap();
        pool.close().await;
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
        Some(TestDb::Postgres {
            admin_url,
            schema,
            url,
        })
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn data_dir(&self) -> Option<PathBuf> {
        match self {
            TestDb::Sqlite { dir, .. } => Some(dir.path().to_path_buf()),
            TestDb::Postgres { .. } => None,
        }
    }

    /// Runs raw SQL statements on the database, outside Warden (for tamper tests).
    pub async fn raw(&self, statements: &[&str]) {
        match self {
            TestDb::Sqlite { url, .. } => {
                let pool = sqlx::SqlitePool::connect(url).await.unwrap();
                for s in statements {
                    pool.execute(*s).await.unwrap();
                }
                pool.close().await;
            }
            TestDb::Postgres { url, .. } => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                for s in statements {
                    pool.execute(*s).await.unwrap();
                }
                pool.close().await;
            }
        }
    }

    pub async fn cleanup(self) {
        if let TestDb::Postgres {
            admin_url, schema, ..
        } = self
        {
            let pool = sqlx::PgPool::connect(&admin_url).await.unwrap();
            let _ = pool
                .execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
                .await;
            pool.close().await;
        }
    }
}

pub fn record(n: u32, user: &str, target: &str, decision: Decision, time_ms: i64) -> AuditRecord {
    AuditRecord {
        id: format!("dec_{n:08}_{}", uuid::Uuid::new_v4().simple()),
        time_ms,
        call_id: Some(format!("call-{n}")),
        trace_id: format!("trace-{n}"),
        user_id: user.into(),
        session_id: "sess".into(),
        agent_id: None,
        target: target.into(),
        decision,
        policy: (decision != Decision::Allow).then(|| "tool_blocklist".to_owned()),
        reason: format!("reason {n}"),
        chain: vec![],
        findings: vec![],
        source: "test".into(),
    }
}

pub fn simple(n: u32) -> AuditRecord {
    record(n, "alice", "Bash", Decision::Allow, 1_000 + i64::from(n))
}
