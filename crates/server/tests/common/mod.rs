//! `spawn_app()`: the server on a random port over a fresh database, with a little demo
//! history stored. SQLite in a temporary folder, or a new PostgreSQL database on
//! `TEST_POSTGRES_URL` dropped afterwards.

#![allow(dead_code)]

use chrono::NaiveDate;
use market_data::{Catalog, DemoSource, RateLimit, Secret};
use server::settings::Profile;
use server::{Application, Settings};
use store::testing::TestDb;
use store::{Interval, SeriesKey, Store};

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

/// The API key of every provider a test configures; no answer or log may contain it.
pub const PROVIDER_KEY: &str = "PROVIDER-SECRET-KEY-42";

/// Options of a test server.
#[derive(Default)]
pub struct Options {
    /// Providers to configure, as (source id, base URL of a replay server), each with
    /// [`PROVIDER_KEY`], a 1 s timeout, one retry and a quota of 25 a day; the others stay
    /// unconfigured.
    pub providers: Vec<(&'static str, String)>,
    /// The bearer token writes need, if any.
    pub token: Option<&'static str>,
    /// Origins allowed by CORS.
    pub cors_origins: Vec<String>,
    /// Run on PostgreSQL instead of SQLite.
    pub postgres: bool,
    /// The per-client request rate limit, if any.
    pub rate_limit_per_client: Option<RateLimit>,
    /// Whether `X-Forwarded-For` names the client.
    pub trust_forwarded_for: bool,
    /// Whether to send HSTS (production).
    pub hsts: bool,
    /// The request timeout in seconds (30 when unset).
    pub request_timeout_secs: Option<u64>,
    /// Whether the instance polls for live updates (off unless a test wants the poller).
    pub live: bool,
    /// Any other change to the settings, made last.
    pub settings: Option<fn(&mut Settings)>,
    /// Use the Redis at [`redis_url`] (cache, limits and live updates) under a key prefix of
    /// the test's own.
    pub redis: bool,
}

/// The Redis of tests that need one: `TEST_REDIS_URL`, else the local default.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string())
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client that does not decompress, so tests see `Content-Encoding`.
    pub client: reqwest::Client,
    /// The database behind the server, for arranging data.
    pub store: Store,
    /// The live-update hub of the server, for delivering updates as the poller would.
    pub hub: server::live::Hub,
    /// The server's cache of `/api/v1/prices` answers.
    pub price_answers: server::ResponseCache,
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

/// The server with `options`, built as `commodex serve` builds it: [`Application::build_with_store`]
/// from [`Settings`] that differ from the defaults only in the bind address, the database, the
/// providers' base URLs and keys, and the tunings a test needs (short timeouts, small bounds).
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
    let app = Application::build_with_store(&settings(&options), db.store.clone())
        .await
        .expect("build");
    let address = format!("http://{}", app.local_addr().unwrap());
    let hub = app.hub();
    let price_answers = app.price_answers();
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
        hub,
        price_answers,
        shutdown: Some(shutdown),
        _db: db,
    }
}

/// The settings of a test server.
fn settings(options: &Options) -> Settings {
    let mut settings = Settings {
        profile: if options.hsts {
            Profile::Production
        } else {
            Profile::Testing
        },
        ..Settings::default()
    };
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    settings.server.api_token = options.token.map(Secret::new);
    settings.server.cors_origins = options.cors_origins.clone();
    settings.server.body_limit_bytes = BODY_LIMIT_BYTES;
    settings.server.rate_limit_per_client = options.rate_limit_per_client;
    settings.server.trust_forwarded_for = options.trust_forwarded_for;
    settings.server.request_timeout_secs = options.request_timeout_secs.unwrap_or(30);
    settings.simulation.max_paths = 5_000;
    settings.simulation.default_paths = 500;
    settings.fallback.deadline_secs = 5;
    // No poller: a demo tick stored during a test would change the answers it checks.
    settings.live.enabled = options.live;
    if options.redis {
        let prefix = format!("commodex-test:{}", uuid::Uuid::new_v4().simple());
        settings.redis.url = Some(redis_url());
        settings.live.redis_prefix = format!("{prefix}:live");
        settings.redis.key_prefix = prefix;
    }
    for (source, base_url) in &options.providers {
        let section = settings.sources.get_mut(*source).expect("a known source");
        section.api_key = Some(Secret::new(PROVIDER_KEY));
        section.base_url = Some(base_url.clone());
        section.timeout_secs = 1;
        section.max_retries = 1;
        section.daily_quota = Some(25);
    }
    if let Some(change) = options.settings {
        change(&mut settings);
    }
    settings
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
