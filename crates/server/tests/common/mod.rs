//! `spawn_app()`: the server on a random port over a fresh database, with a little demo
//! history stored. SQLite in a temporary folder, or a new PostgreSQL database on
//! `TEST_POSTGRES_URL` dropped afterwards.

#![allow(dead_code)]

use chrono::NaiveDate;
use market_data::cache::{CacheConfig, SeriesCache};
use market_data::fallback::{Fallback, FallbackConfig};
use market_data::http::{SourceClient, SourceConfig, key_fingerprint};
use market_data::rate_limit::RateLimiter;
use market_data::registry::SourceRegistry;
use market_data::{Catalog, DemoSource};
use server::{AppState, Application, ServerConfig};
use std::time::Duration;
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
    /// [`PROVIDER_KEY`], a 1 s timeout and one retry; the others stay unconfigured.
    pub providers: Vec<(&'static str, String)>,
    /// The bearer token writes need, if any.
    pub token: Option<&'static str>,
    /// Origins allowed by CORS.
    pub cors_origins: Vec<String>,
    /// Run on PostgreSQL instead of SQLite.
    pub postgres: bool,
    /// The per-client request rate limit, if any.
    pub rate_limit_per_client: Option<server::ClientRateLimit>,
    /// Whether `X-Forwarded-For` names the client.
    pub trust_forwarded_for: bool,
    /// Whether to send HSTS (production).
    pub hsts: bool,
    /// The request timeout (30 s when unset).
    pub request_timeout: Option<Duration>,
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
    if !options.providers.is_empty() {
        state.market = std::sync::Arc::new(market(&state, &options.providers));
    }
    let config = ServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        request_timeout: options.request_timeout.unwrap_or(Duration::from_secs(30)),
        body_limit_bytes: BODY_LIMIT_BYTES,
        cors_origins: options.cors_origins,
        rate_limit_per_client: options.rate_limit_per_client,
        trust_forwarded_for: options.trust_forwarded_for,
        hsts: options.hsts,
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

/// The fallback over replay servers, with the state's store and catalog.
fn market(state: &AppState, providers: &[(&'static str, String)]) -> Fallback {
    let mut registry = SourceRegistry::new();
    let limiter = std::sync::Arc::new(RateLimiter::in_process());
    for (source, base_url) in providers {
        let mut config = SourceConfig::new(base_url.as_str());
        config.timeout = Duration::from_secs(1);
        config.max_retries = 1;
        config.backoff_base = Duration::from_millis(10);
        config.limits.daily_quota = Some(25);
        let client = SourceClient::new(
            market_data::providers::http_provider(source, PROVIDER_KEY).expect("HTTP source"),
            &key_fingerprint(PROVIDER_KEY),
            config,
            std::sync::Arc::clone(&limiter),
        )
        .expect("client");
        registry.add_client(client);
    }
    Fallback::new(
        FallbackConfig {
            deadline: Duration::from_secs(5),
            ..FallbackConfig::default()
        },
        std::sync::Arc::new(registry),
        std::sync::Arc::new(SeriesCache::new(
            state.store.clone(),
            CacheConfig::default(),
        )),
        std::sync::Arc::clone(&state.catalog),
    )
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
