//! `spawn_app()`: the server on a random port over a fresh database, with a little demo
//! history stored. SQLite in a temporary folder, or a new PostgreSQL database on
//! `TEST_POSTGRES_URL` dropped afterwards.

#![allow(dead_code)]

use chrono::NaiveDate;
use market_data::{Catalog, DemoSource};
use server::{AppState, Application, ServerConfig};
use sqlx::Connection;
use std::time::Duration;
use store::{ConnectOptions, Interval, SeriesKey, Store};

/// The server the PostgreSQL variant uses, unless `TEST_POSTGRES_URL` says otherwise.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The token tests configure when they want writes guarded.
pub const TOKEN: &str = "test-token-0123456789";

/// Body limit the tests run with, small enough to pass in a test.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The demo symbols stored for every test, over [`first_day`]..=[`last_day`].
pub const STORED: [&str; 2] = ["GOLD", "WTI"];

/// First day of the stored demo history.
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

/// Last day of the stored demo history.
pub fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
}

/// Options of a test server.
#[derive(Default)]
pub struct Options {
    /// The bearer token writes need, if any.
    pub token: Option<&'static str>,
    /// Origins allowed by CORS.
    pub cors_origins: Vec<String>,
    /// Run on PostgreSQL instead of SQLite.
    pub postgres: bool,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client that does not decompress, so tests see `Content-Encoding`.
    pub client: reqwest::Client,
    /// The database behind the server, for arranging data.
    pub store: Store,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _db: TestDb,
}

impl TestApp {
    /// `address` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// POST `body` as JSON to `path`.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The server over a fresh SQLite database, no token.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// The server with `options`.
pub async fn spawn_app_with(options: Options) -> TestApp {
    let db = if options.postgres {
        TestDb::postgres().await
    } else {
        TestDb::sqlite().await
    };
    let catalog = Catalog::embedded().expect("catalog");
    let demo = DemoSource::new(&catalog);
    for symbol in STORED {
        let bars = demo.history(symbol, first_day(), last_day()).expect("demo");
        db.store
            .upsert_series(&SeriesKey::new("demo", symbol, Interval::Daily), &bars)
            .await
            .expect("store demo");
    }
    let mut state = AppState::new(db.store.clone(), catalog);
    state.api_token = options.token.map(server::ApiToken::new);
    state.simulation.limits.max_paths = 5_000;
    state.simulation.default_paths = 500;
    let config = ServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        request_timeout: Duration::from_secs(30),
        body_limit_bytes: BODY_LIMIT_BYTES,
        cors_origins: options.cors_origins,
    };
    let app = Application::build(config, state).await.expect("bind");
    let address = format!("http://{}", app.local_addr().unwrap());
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run(async {
        let _ = stop.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::builder()
            .no_gzip()
            .build()
            .expect("client"),
        store: db.store.clone(),
        shutdown: Some(shutdown),
        _db: db,
    }
}

/// A database that lives as long as the value.
struct TestDb {
    store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    // Held only so that the folder lives as long as the database.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&ConnectOptions::new(&url))
            .await
            .expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        Self {
            store,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    async fn postgres() -> Self {
        let admin_url =
            std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
        let name = format!("commodex_api_test_{}", uuid::Uuid::new_v4().simple());
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
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }
}

impl Drop for TestDb {
    // Runs on a panicking test too, so a failed test leaves no database behind; on its own
    // thread and runtime because it cannot await here.
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

/// Checks SPEC's error body and that `correlation_id` is the `X-Request-Id` header; returns
/// the body.
pub async fn assert_error(
    response: reqwest::Response,
    status: u16,
    kind: &str,
    endpoint: &str,
) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let request_id = response
        .headers()
        .get("x-request-id")
        .expect("x-request-id header")
        .to_str()
        .unwrap()
        .to_string();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    assert_eq!(body["type"], kind, "{body}");
    assert_eq!(body["endpoint"], endpoint, "{body}");
    assert_eq!(body["correlation_id"], request_id.as_str(), "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    let timestamp = body["timestamp"].as_str().expect("timestamp");
    chrono::DateTime::parse_from_rfc3339(timestamp).expect("RFC 3339 timestamp");
    body
}
