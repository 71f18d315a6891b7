//! `GET /api/v1/prices` through the fallback tiers and `GET /api/v1/sources` health, with
//! providers replayed by local servers.

mod common;
#[path = "../../market-data/tests/replay/mod.rs"]
mod replay;

use common::{Options, PROVIDER_KEY, assert_error, spawn_app_with};
use replay::{Reply, spawn_replay};
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use store::{Interval, SeriesKey};

/// A fixture of the market-data tests.
fn fixture(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../market-data/tests/fixtures/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every log line of this test binary, so tests can check that no key reached a log.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Arc::clone(&buffer);
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || SharedWriter(Arc::clone(&writer)))
            .init();
        buffer
    })
    .clone()
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const GOLD_JUNE: &str = "/api/v1/prices?symbol=GOLD&start=2025-06-01&end=2025-06-13";

fn source<'a>(sources: &'a Value, id: &str) -> &'a Value {
    sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing: {sources}"))
}

#[tokio::test]
async fn auto_is_served_by_the_first_provider_that_answers_and_sources_show_its_health() {
    captured_logs();
    let alpha = spawn_replay(vec![Reply::ok(fixture("alpha_vantage/throttle_note.json"))]).await;
    let fmp = spawn_replay(vec![Reply::ok(fixture("fmp/historical_gcusd.json"))]).await;
    let app = spawn_app_with(Options {
        providers: vec![
            ("alpha_vantage", alpha.base_url.clone()),
            ("fmp", fmp.base_url.clone()),
        ],
        ..Options::default()
    })
    .await;
    let response = app.get(GOLD_JUNE).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["source"], "auto");
    assert_eq!(body["served_by"], "fmp");
    assert_eq!(body["stale"], false);
    assert_eq!(body["simulated"], false);
    assert_eq!(body["data"].as_array().unwrap().len(), 3);
    assert_eq!(body["data"][2]["close"], 3452.8);

    // The same request again is answered from the cache: no second call upstream.
    let again: Value = app.get(GOLD_JUNE).await.json().await.unwrap();
    assert_eq!(again["data"], body["data"]);
    assert_eq!((alpha.hits().len(), fmp.hits().len()), (1, 1));
    // And it was stored under the source that served it.
    let stored = app
        .store
        .series_summary(&SeriesKey::new("fmp", "GOLD", Interval::Daily))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.rows, 3);

    let sources: Value = app.get("/api/v1/sources").await.json().await.unwrap();
    let fmp_health = &source(&sources, "fmp")["health"];
    assert_eq!(fmp_health["healthy"], true, "{fmp_health}");
    assert!(fmp_health["last_success"].is_string(), "{fmp_health}");
    assert_eq!(fmp_health["requests_today"], 1);
    assert_eq!(fmp_health["quota_left"], 24);
    let alpha_health = &source(&sources, "alpha_vantage")["health"];
    assert!(
        alpha_health["last_error"]
            .as_str()
            .is_some_and(|e| e.starts_with("rate_limited: alpha_vantage")),
        "{alpha_health}"
    );
    let unconfigured = &source(&sources, "api_ninjas")["health"];
    assert_eq!(unconfigured["healthy"], false);
    assert!(unconfigured["unavailable"].is_string(), "{unconfigured}");
}

#[tokio::test]
async fn auto_serves_stored_data_marked_stale_when_every_provider_fails() {
    captured_logs();
    let failing = spawn_replay(vec![Reply::status(503, b"{\"error\":\"down\"}".to_vec())]).await;
    let app = spawn_app_with(Options {
        providers: vec![("fmp", failing.base_url.clone())],
        ..Options::default()
    })
    .await;
    // The demo history of every test server covers 2024-01-01..2024-06-30.
    let response = app
        .get("/api/v1/prices?symbol=GOLD&start=2024-02-01&end=2024-02-29")
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["served_by"], "demo");
    assert_eq!(body["stale"], true);
    assert_eq!(body["simulated"], true);
    assert!(body["data"].as_array().unwrap().len() >= 19);
    assert_eq!(failing.hits().len(), 2, "one call and one retry");
}

#[tokio::test]
async fn auto_with_every_provider_failing_and_nothing_stored_lists_each_attempt() {
    captured_logs();
    let failing = spawn_replay(vec![Reply::status(503, b"{\"error\":\"down\"}".to_vec())]).await;
    let throttled = spawn_replay(vec![Reply::ok(fixture(
        "commoditypriceapi/error_quota_exceeded.json",
    ))])
    .await;
    let app = spawn_app_with(Options {
        providers: vec![
            ("fmp", failing.base_url.clone()),
            ("commodity_price_api", throttled.base_url.clone()),
        ],
        ..Options::default()
    })
    .await;
    let response = app
        .get("/api/v1/prices?symbol=SILVER&start=2025-06-01&end=2025-06-13")
        .await;
    let body = assert_error(response, 502, "upstream", "/api/v1/prices").await;
    let attempts = body["details"]["attempts"].as_array().unwrap();
    let tried: Vec<(&str, &str)> = attempts
        .iter()
        .map(|a| {
            (
                a["source"].as_str().unwrap(),
                a["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tried,
        [
            ("alpha_vantage", "not_configured"),
            ("fmp", "upstream"),
            ("commodity_price_api", "rate_limited"),
            ("api_ninjas", "not_configured"),
        ]
    );
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("fmp: upstream"), "{message}");
}

#[tokio::test]
async fn a_named_provider_throttled_with_nothing_stored_is_rate_limited_and_stores_nothing() {
    captured_logs();
    let throttled = spawn_replay(vec![
        Reply::status(429, fixture("api_ninjas/throttle_429.json")).header("Retry-After", "30"),
    ])
    .await;
    let app = spawn_app_with(Options {
        providers: vec![("fmp", throttled.base_url.clone())],
        ..Options::default()
    })
    .await;
    let response = app.get(&format!("{GOLD_JUNE}&source=fmp")).await;
    let body = assert_error(response, 429, "rate_limited", "/api/v1/prices").await;
    assert!(body["error"].as_str().unwrap().contains("fmp"), "{body}");
    let stored = app
        .store
        .series_summary(&SeriesKey::new("fmp", "GOLD", Interval::Daily))
        .await
        .unwrap();
    assert!(stored.is_none());
}

#[tokio::test]
async fn the_provider_key_never_reaches_an_error_body_the_sources_list_or_a_log() {
    let logs = captured_logs();
    // A provider that echoes the key it was sent, as some error pages do.
    let echo = format!("{{\"Error Message\":\"Invalid API KEY {PROVIDER_KEY}. Please retry.\"}}");
    let rejecting = spawn_replay(vec![Reply::status(401, echo.into_bytes())]).await;
    let app = spawn_app_with(Options {
        providers: vec![("fmp", rejecting.base_url.clone())],
        ..Options::default()
    })
    .await;
    let response = app.get(&format!("{GOLD_JUNE}&source=fmp")).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 500, "{text}");
    assert!(text.contains("\"type\":\"config\""), "{text}");
    assert!(text.contains("sources.fmp.api_key"), "{text}");
    // Asked again by name, the source is not called: the same configuration error.
    let again = app.get(&format!("{GOLD_JUNE}&source=fmp")).await;
    let again = assert_error(again, 500, "config", "/api/v1/prices").await;
    assert!(
        again["error"]
            .as_str()
            .unwrap()
            .contains("sources.fmp.api_key")
    );
    // The auto path lists the same rejection among its attempts.
    let auto = app.get(GOLD_JUNE).await.text().await.unwrap();
    let sources = app.get("/api/v1/sources").await.text().await.unwrap();
    assert!(sources.contains("rejected its API key"), "{sources}");
    // The key really was sent, so the checks below can fail.
    assert!(rejecting.hits()[0].contains(PROVIDER_KEY));
    assert_eq!(
        rejecting.hits().len(),
        1,
        "a rejected key is not sent again"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    let logged = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("provider call"), "the log was captured");
    for (what, text) in [
        ("error body", &text),
        ("auto answer", &auto),
        ("sources", &sources),
        ("log", &logged),
    ] {
        assert!(
            !text.contains(PROVIDER_KEY),
            "the key leaked into the {what}: {text}"
        );
    }
}
