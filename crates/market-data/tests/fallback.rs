//! The fallback tiers and the cache against replay servers: who serves, what is stale, what is
//! asked of each provider, and how long it all takes.

use crate::replay;

use chrono::NaiveDate;
use market_data::cache::{CacheConfig, SeriesCache};
use market_data::fallback::{Ask, AttemptOutcome, Fallback, FallbackConfig};
use market_data::http::{SourceClient, SourceConfig, key_fingerprint};
use market_data::providers::http_provider;
use market_data::rate_limit::RateLimiter;
use market_data::registry::SourceRegistry;
use market_data::{Catalog, MarketDataError};
use replay::{ReplayServer, Reply, fixture, spawn_replay};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::testing::TestDb;
use store::{Interval, PriceBar, SeriesKey};

const KEY: &str = "SECRET-KEY-0123456789";

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A client for `source` at `server`, with a short timeout, few retries and fast backoff.
fn client(source: &str, server: &ReplayServer, timeout: Duration, retries: u32) -> SourceClient {
    let mut config = SourceConfig::new(&server.base_url);
    config.timeout = timeout;
    config.max_retries = retries;
    config.backoff_base = Duration::from_millis(10);
    SourceClient::new(
        http_provider(source, KEY).unwrap(),
        &key_fingerprint(KEY),
        config,
        Arc::new(RateLimiter::in_process()),
    )
    .unwrap()
}

/// A fallback over `clients` (the other providers unconfigured) and a fresh SQLite database.
struct Setup {
    fallback: Fallback,
    db: TestDb,
}

async fn setup(clients: Vec<SourceClient>, deadline: Duration) -> Setup {
    let db = TestDb::sqlite().await;
    let mut registry = SourceRegistry::new();
    for client in clients {
        registry.add_client(client);
    }
    let config = FallbackConfig {
        deadline,
        ..FallbackConfig::default()
    };
    let fallback = Fallback::new(
        config,
        Arc::new(registry),
        Arc::new(SeriesCache::new(db.store.clone(), CacheConfig::default())),
        Arc::new(Catalog::embedded().unwrap()),
    );
    Setup { fallback, db }
}

fn gold_june() -> Ask<'static> {
    Ask {
        symbol: "GOLD",
        interval: Interval::Daily,
        start: Some(date("2025-06-01")),
        end: date("2025-06-13"),
        caller: market_data::anonymous_budget::Caller::Operator,
    }
}

async fn store_bars(db: &TestDb, source: &str, days: &[&str]) {
    let bars: Vec<PriceBar> = days
        .iter()
        .map(|day| PriceBar::close_only(date(day), 3300.0))
        .collect();
    db.store
        .upsert_series(&SeriesKey::new(source, "GOLD", Interval::Daily), &bars)
        .await
        .unwrap();
}

fn outcomes(attempts: &[market_data::fallback::Attempt]) -> Vec<(&str, AttemptOutcome)> {
    attempts
        .iter()
        .map(|a| (a.source.as_str(), a.outcome))
        .collect()
}

#[tokio::test]
async fn a_throttled_primary_falls_to_the_secondary_which_serves() {
    let alpha = spawn_replay(vec![Reply::ok(fixture("alpha_vantage/throttle_note.json"))]).await;
    let fmp = spawn_replay(vec![Reply::status(
        402,
        fixture("fmp/error_premium_symbol.json"),
    )])
    .await;
    let cpa = spawn_replay(vec![Reply::ok(fixture(
        "commoditypriceapi/timeseries_xau_wtioil.json",
    ))])
    .await;
    let second = Duration::from_secs(2);
    let setup = setup(
        vec![
            client("alpha_vantage", &alpha, second, 1),
            client("fmp", &fmp, second, 1),
            client("commodity_price_api", &cpa, second, 1),
        ],
        Duration::from_secs(10),
    )
    .await;
    let served = setup.fallback.auto(&gold_june()).await.unwrap();
    assert_eq!(served.served_by, "commodity_price_api");
    assert!(!served.stale);
    assert_eq!(served.bars.len(), 3);
    assert_eq!(served.bars[0].date, date("2025-06-11"));
    assert_eq!(
        outcomes(&served.attempts),
        [
            ("alpha_vantage", AttemptOutcome::RateLimited),
            ("fmp", AttemptOutcome::Rejected),
            ("commodity_price_api", AttemptOutcome::Served),
        ]
    );
    // A throttle and an error body are not retried: one request each.
    assert_eq!((alpha.hits().len(), fmp.hits().len()), (1, 1));
    // What the secondary served is stored under its own name.
    let stored = setup
        .db
        .store
        .series_summary(&SeriesKey::new(
            "commodity_price_api",
            "GOLD",
            Interval::Daily,
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.rows, 3);
}

/// Primary: a hanging server and a 429; secondary: a quota error body and a 5xx; then stored
/// data, marked stale. The whole walk is bounded by the configured timeouts.
#[tokio::test]
async fn a_fetch_falls_from_primary_to_secondary_to_stored_data_within_the_timeouts() {
    let hanging = spawn_replay(vec![
        Reply::ok(fixture("alpha_vantage/gold_silver_spot_xau.json"))
            .delay(Duration::from_secs(30)),
    ])
    .await;
    let throttled = spawn_replay(vec![
        Reply::status(429, fixture("api_ninjas/throttle_429.json")).header("Retry-After", "30"),
    ])
    .await;
    let quota = spawn_replay(vec![Reply::ok(fixture(
        "commoditypriceapi/error_quota_exceeded.json",
    ))])
    .await;
    let failing = spawn_replay(vec![Reply::status(503, b"{\"error\":\"down\"}".to_vec())]).await;
    let timeout = Duration::from_millis(500);
    let setup = setup(
        vec![
            client("alpha_vantage", &hanging, timeout, 1),
            client("fmp", &throttled, timeout, 1),
            client("commodity_price_api", &quota, timeout, 1),
            client("api_ninjas", &failing, timeout, 1),
        ],
        Duration::from_secs(10),
    )
    .await;
    store_bars(&setup.db, "csv", &["2025-06-02", "2025-06-03"]).await;

    let started = Instant::now();
    let served = setup.fallback.auto(&gold_june()).await.unwrap();
    let elapsed = started.elapsed();

    assert_eq!(served.served_by, "csv");
    assert!(served.stale, "stored data standing in is stale");
    assert_eq!(served.bars.len(), 2);
    let tried = outcomes(&served.attempts);
    assert_eq!(
        tried,
        [
            ("alpha_vantage", AttemptOutcome::Timeout),
            ("fmp", AttemptOutcome::RateLimited),
            ("commodity_price_api", AttemptOutcome::RateLimited),
            ("api_ninjas", AttemptOutcome::Upstream),
            ("csv", AttemptOutcome::Stored),
        ],
        "{:#?}",
        served.attempts
    );
    // The configured bound: each source at worst (1 + retries) x timeout = 1 s, 4 s for the
    // four; the hanging server alone would have held the request 30 s.
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert!(
        elapsed >= Duration::from_secs(1),
        "two 500 ms timeouts: {elapsed:?}"
    );
    assert_eq!(hanging.hits().len(), 2);
    assert_eq!(failing.hits().len(), 2);
    for attempt in &served.attempts {
        assert!(!attempt.message.contains(KEY), "{attempt}");
    }
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_fallback_whatever_a_provider_does() {
    let hanging = spawn_replay(vec![
        Reply::ok(b"[]".to_vec()).delay(Duration::from_secs(30)),
    ])
    .await;
    let unused = spawn_replay(vec![Reply::ok(fixture("fmp/historical_gcusd.json"))]).await;
    // Alone, the hanging source could take 3 attempts x 5 s; the deadline is 1 s.
    let setup = setup(
        vec![
            client("alpha_vantage", &hanging, Duration::from_secs(5), 2),
            client("fmp", &unused, Duration::from_secs(5), 2),
        ],
        Duration::from_secs(1),
    )
    .await;
    store_bars(&setup.db, "demo", &["2025-06-02"]).await;
    let started = Instant::now();
    let served = setup.fallback.auto(&gold_june()).await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(1500), "took {elapsed:?}");
    assert_eq!(served.served_by, "demo");
    assert!(served.stale);
    assert_eq!(
        outcomes(&served.attempts)[..2],
        [
            ("alpha_vantage", AttemptOutcome::Deadline),
            ("fmp", AttemptOutcome::Deadline),
        ]
    );
    assert!(
        unused.hits().is_empty(),
        "nothing is asked after the deadline"
    );
}

#[tokio::test]
async fn every_tier_failing_with_nothing_stored_lists_each_attempt() {
    let throttle = spawn_replay(vec![Reply::ok(fixture(
        "alpha_vantage/throttle_burst.json",
    ))])
    .await;
    let html = spawn_replay(vec![
        Reply::ok(b"<!DOCTYPE html><html><body>502</body></html>".to_vec())
            .header("Content-Type", "text/html"),
    ])
    .await;
    let premium = spawn_replay(vec![Reply::status(
        400,
        fixture("api_ninjas/error_premium_only.json"),
    )])
    .await;
    let second = Duration::from_secs(1);
    let setup = setup(
        vec![
            client("alpha_vantage", &throttle, second, 0),
            client("fmp", &html, second, 0),
            client("api_ninjas", &premium, second, 0),
        ],
        Duration::from_secs(10),
    )
    .await;
    let error = setup.fallback.auto(&gold_june()).await.unwrap_err();
    let MarketDataError::AllSourcesFailed {
        attempts, symbol, ..
    } = &error
    else {
        panic!("expected every source to fail, got {error}");
    };
    assert_eq!(symbol, "GOLD");
    assert_eq!(
        outcomes(attempts),
        [
            ("alpha_vantage", AttemptOutcome::RateLimited),
            ("fmp", AttemptOutcome::Upstream),
            ("commodity_price_api", AttemptOutcome::NotConfigured),
            ("api_ninjas", AttemptOutcome::Rejected),
        ]
    );
    let text = error.to_string();
    assert!(
        text.starts_with("upstream: no source could serve GOLD"),
        "{text}"
    );
    for source in ["alpha_vantage", "fmp", "commodity_price_api", "api_ninjas"] {
        assert!(
            text.contains(&format!("{source}: ")),
            "{source} missing: {text}"
        );
    }
    assert!(text.contains("HTML"), "{text}");
    assert!(!text.contains(KEY), "{text}");
}

#[tokio::test]
async fn a_bad_key_is_reported_once_and_never_asked_again() {
    let rejected = spawn_replay(vec![Reply::status(
        401,
        fixture("fmp/error_invalid_apikey.json"),
    )])
    .await;
    let good = spawn_replay(vec![Reply::ok(fixture(
        "commoditypriceapi/timeseries_xau_wtioil.json",
    ))])
    .await;
    let second = Duration::from_secs(1);
    let setup = setup(
        vec![
            client("fmp", &rejected, second, 2),
            client("commodity_price_api", &good, second, 2),
        ],
        Duration::from_secs(10),
    )
    .await;
    let first = setup.fallback.auto(&gold_june()).await.unwrap();
    assert_eq!(first.served_by, "commodity_price_api");
    assert_eq!(
        outcomes(&first.attempts)[1],
        ("fmp", AttemptOutcome::BadKey)
    );
    let config_error = &first.attempts[1].message;
    assert!(
        config_error.contains("sources.fmp.api_key"),
        "{config_error}"
    );

    // Another series, so the cache cannot answer: fmp is skipped, not asked.
    let ask = Ask {
        symbol: "WTI",
        ..gold_june()
    };
    let second = setup.fallback.auto(&ask).await.unwrap();
    assert_eq!(
        outcomes(&second.attempts)[1],
        ("fmp", AttemptOutcome::Unhealthy)
    );
    assert_eq!(
        rejected.hits().len(),
        1,
        "a rejected key is never sent again"
    );
    let health = setup.fallback.registry().health("fmp").await.unwrap();
    assert!(!health.healthy);
    assert!(!health.last_error.unwrap().contains(KEY));
}

#[tokio::test]
async fn a_backfill_asks_only_for_the_leading_and_trailing_gaps() {
    let fmp = spawn_replay(vec![Reply::ok(fixture("fmp/historical_gcusd.json"))]).await;
    let setup = setup(
        vec![client("fmp", &fmp, Duration::from_secs(2), 0)],
        Duration::from_secs(10),
    )
    .await;
    store_bars(
        &setup.db,
        "fmp",
        &["2025-06-05", "2025-06-06", "2025-06-09", "2025-06-10"],
    )
    .await;
    let served = setup
        .fallback
        .from_source("fmp", &gold_june())
        .await
        .unwrap();
    assert_eq!(served.served_by, "fmp");
    assert!(!served.stale);
    let hits = fmp.hits();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(
        hits[0].contains("from=2025-06-01&to=2025-06-04"),
        "{}",
        hits[0]
    );
    assert!(
        hits[1].contains("from=2025-06-11&to=2025-06-13"),
        "{}",
        hits[1]
    );
    // Stored bars plus the three fetched after them.
    let dates: Vec<String> = served.bars.iter().map(|b| b.date.to_string()).collect();
    assert_eq!(
        dates,
        [
            "2025-06-05",
            "2025-06-06",
            "2025-06-09",
            "2025-06-10",
            "2025-06-11",
            "2025-06-12",
            "2025-06-13"
        ]
    );

    // Now stored, nothing is asked again, even with the in-process answers forgotten.
    setup.fallback.cache().clear_memory();
    let again = setup
        .fallback
        .from_source("fmp", &gold_june())
        .await
        .unwrap();
    assert_eq!(again.bars.len(), 7);
    assert_eq!(fmp.hits().len(), 2);
    // A wider range asks only for the new leading days.
    let wider = Ask {
        start: Some(date("2025-05-26")),
        ..gold_june()
    };
    setup.fallback.from_source("fmp", &wider).await.unwrap();
    let hits = fmp.hits();
    assert_eq!(hits.len(), 3);
    assert!(
        hits[2].contains("from=2025-05-26&to=2025-05-31"),
        "{}",
        hits[2]
    );
}

#[tokio::test]
async fn concurrent_requests_for_one_series_share_one_upstream_call() {
    // A slow answer, so that every request arrives while the first is in flight.
    let fmp = spawn_replay(vec![
        Reply::ok(fixture("fmp/historical_gcusd.json")).delay(Duration::from_millis(300)),
    ])
    .await;
    let setup = setup(
        vec![client("fmp", &fmp, Duration::from_secs(5), 0)],
        Duration::from_secs(10),
    )
    .await;
    let fallback = Arc::new(setup.fallback);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let fallback = Arc::clone(&fallback);
        tasks.push(tokio::spawn(async move {
            // Half ask `auto`, half name the source: both go through the same cache entry.
            if i % 2 == 0 {
                fallback.auto(&gold_june()).await
            } else {
                fallback.from_source("fmp", &gold_june()).await
            }
        }));
    }
    for task in tasks {
        let served = task.await.unwrap().unwrap();
        assert_eq!(served.served_by, "fmp");
        assert_eq!(served.bars.len(), 3);
    }
    assert_eq!(
        fmp.hits().len(),
        1,
        "24 concurrent requests, one upstream call"
    );

    // Different ranges of the same series at once: loads are serialised per series, so the
    // days they share are asked once.
    let mut tasks = Vec::new();
    for start in ["2025-05-20", "2025-05-21", "2025-05-22"] {
        let fallback = Arc::clone(&fallback);
        tasks.push(tokio::spawn(async move {
            let ask = Ask {
                start: Some(date(start)),
                ..gold_june()
            };
            fallback
                .from_source("fmp", &ask)
                .await
                .map(|s| s.bars.len())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let hits = fmp.hits();
    let leading: Vec<&String> = hits[1..].iter().collect();
    assert!(leading.len() <= 3, "{leading:?}");
    // Whichever ran first asked from its start; the others only for days before it, if any.
    let mut asked_from: Vec<&str> = leading
        .iter()
        .map(|hit| hit.split("from=").nth(1).unwrap().get(..10).unwrap())
        .collect();
    asked_from.sort_unstable();
    asked_from.dedup();
    assert_eq!(
        asked_from.len(),
        leading.len(),
        "a day was asked twice: {leading:?}"
    );
}

/// Two instances (each its own memory and database) sharing one Redis: what the first fetched,
/// the second reads from Redis without asking the provider.
#[tokio::test]
#[ignore = "needs Redis"]
async fn the_redis_layer_is_shared_between_instances() {
    let url =
        std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string());
    let prefix = format!("commodex-test-cache-{}", std::process::id());
    let fmp = spawn_replay(vec![Reply::ok(fixture("fmp/historical_gcusd.json"))]).await;
    let mut instances = Vec::new();
    for _ in 0..2 {
        let db = TestDb::sqlite().await;
        let redis = market_data::cache::RedisCache::connect(&url, &prefix)
            .await
            .expect("Redis at TEST_REDIS_URL");
        let mut registry = SourceRegistry::new();
        registry.add_client(client("fmp", &fmp, Duration::from_secs(2), 0));
        let fallback = Fallback::new(
            FallbackConfig::default(),
            Arc::new(registry),
            Arc::new(SeriesCache::new(db.store.clone(), CacheConfig::default()).with_redis(redis)),
            Arc::new(Catalog::embedded().unwrap()),
        );
        instances.push((fallback, db));
    }
    let first = instances[0]
        .0
        .from_source("fmp", &gold_june())
        .await
        .unwrap();
    let second = instances[1]
        .0
        .from_source("fmp", &gold_june())
        .await
        .unwrap();
    assert_eq!(first.bars, second.bars);
    assert_eq!(second.bars.len(), 3);
    assert_eq!(fmp.hits().len(), 1, "the second instance read Redis");
    // The second instance's own database stayed empty: the answer came from Redis.
    let stored = instances[1]
        .1
        .store
        .series_summary(&SeriesKey::new("fmp", "GOLD", Interval::Daily))
        .await
        .unwrap();
    assert!(stored.is_none());
    // Narrower ranges within what was fetched are sliced from the same copy: still one call,
    // and one series key in Redis whatever the ranges asked.
    for (start, end) in [("2025-06-02", "2025-06-13"), ("2025-06-01", "2025-06-12")] {
        let ask = Ask {
            start: Some(date(start)),
            end: date(end),
            ..gold_june()
        };
        let narrower = instances[1].0.from_source("fmp", &ask).await.unwrap();
        assert!(!narrower.bars.is_empty() && narrower.bars.len() <= 3);
        assert!(
            narrower
                .bars
                .iter()
                .all(|bar| bar.date >= date(start) && bar.date <= date(end))
        );
    }
    assert_eq!(
        fmp.hits().len(),
        1,
        "the narrower ranges were read from Redis"
    );

    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    let series: Vec<&String> = keys.iter().filter(|key| key.contains(":series:")).collect();
    assert_eq!(series.len(), 1, "one copy of the series: {keys:?}");
    let _: () = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut connection)
        .await
        .unwrap();
}
