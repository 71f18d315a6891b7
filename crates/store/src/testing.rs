//! For tests (the `testing` feature): a fresh, migrated database per test, either a temporary
//! SQLite file or a new PostgreSQL database created on the server named by
//! `TEST_POSTGRES_URL` and dropped when the value is dropped, even by a failing test.

use crate::{ConnectOptions, Store};
use sqlx::Connection;

/// The server the PostgreSQL suites use, unless `TEST_POSTGRES_URL` says otherwise.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database that lives as long as the value.
pub struct TestDb {
    /// The migrated store.
    pub store: Store,
    /// The URL the store was opened with.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    // Held only so that the folder lives as long as the database.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A new SQLite database in a temporary folder.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&ConnectOptions::new(&url))
            .await
            .expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        Self {
            store,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A new PostgreSQL database with a unique name.
    pub async fn postgres() -> Self {
        let admin_url =
            std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
        let name = format!("commodex_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to the PostgreSQL test server");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        admin.close().await.ok();
        let url = with_database(&admin_url, &name);
        let store = Store::connect(&ConnectOptions::new(&url))
            .await
            .expect("open postgres");
        store.migrate().await.expect("migrate postgres");
        Self {
            store,
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }

    /// Ends every other session on this PostgreSQL database (listeners, lock holders, pools),
    /// as an operator's `pg_terminate_backend` or a failover would; returns how many.
    pub async fn terminate_other_sessions(&self) -> u64 {
        let mut admin = sqlx::PgConnection::connect(&self.url)
            .await
            .expect("connect to the test database");
        let ended: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) AS ended",
        )
        .fetch_one(&mut admin)
        .await
        .expect("terminate sessions");
        admin.close().await.ok();
        ended as u64
    }

    /// Closes the pool; the database itself goes when the value is dropped.
    pub async fn finish(self) {
        self.store.close().await;
    }
}

impl Drop for TestDb {
    // Dropping happens on a panicking test too, so a failed test leaves no database behind.
    // The drop runs on its own thread and runtime because it cannot await here.
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async move {
                    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await
                    .map(|_| ())
                })
            })
            .join();
            if let Ok(Err(error)) = dropped {
                eprintln!("could not drop a test database: {error}");
            }
        }
    }
}

/// `admin_url` with its database name replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
