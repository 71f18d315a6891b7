//! What an anonymous client can make one instance spend, tried against a running instance on
//! loopback, each attack bounded in count and time: every one ends in a clear 4xx/503 or a
//! closed connection, the instance stays healthy, the caches stay within their bounds and the
//! providers are called within the anonymous budget.

use crate::common::{Options, TOKEN, TestApp, spawn_app_with};
use crate::replay::{Reply, spawn_replay};
use chrono::{Months, NaiveDate, Utc};
use futures::StreamExt;
use server::Settings;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../market-data/tests/fixtures/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn assert_healthy(app: &TestApp) {
    let response = app.get("/api/v1/health").await;
    assert_eq!(response.status(), 200, "the instance is still healthy");
}

#[tokio::test]
async fn anonymous_reads_moving_their_dates_spend_at_most_the_daily_budget() {
    let fmp = spawn_replay(vec![Reply::ok(fixture("fmp/historical_gcusd.json"))]).await;
    let app = spawn_app_with(Options {
        providers: vec![("fmp", fmp.base_url.clone())],
        token: Some(TOKEN),
        ..Options::default()
    })
    .await;
    let today = Utc::now().date_naive();
    let base = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    // `end` a month further into the future each time, then `start` a year further back.
    for step in 0..30u32 {
        let end = today + Months::new(step);
        let url = format!("/api/v1/prices?source=fmp&symbol=GOLD&start={base}&end={end}");
        let status = app.get(&url).await.status().as_u16();
        assert!(
            [200, 429].contains(&status),
            "moving end {end}: status {status}"
        );
    }
    for step in 1..=30u32 {
        let start = base - Months::new(12 * step);
        let url = format!("/api/v1/prices?source=fmp&symbol=GOLD&start={start}&end={base}");
        let status = app.get(&url).await.status().as_u16();
        assert!(
            [200, 429].contains(&status),
            "moving start {start}: status {status}"
        );
    }
    let anonymous = fmp.hits().len();
    assert!(
        (1..=5).contains(&anonymous),
        "60 anonymous requests made {anonymous} provider calls; the budget is 5"
    );
    // The operator's token fetches beyond it.
    let response = app
        .client
        .get(app.url(&format!(
            "/api/v1/prices?source=fmp&symbol=GOLD&start={}&end={base}",
            base - Months::new(12 * 40)
        )))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        fmp.hits().len() > anonymous,
        "the token's request was fetched"
    );
    assert_healthy(&app).await;
}

#[tokio::test]
async fn an_anonymous_fetch_over_the_budget_with_nothing_stored_is_429_naming_the_token() {
    let fmp = spawn_replay(vec![Reply::ok(fixture("fmp/historical_gcusd.json"))]).await;
    let app = spawn_app_with(Options {
        providers: vec![("fmp", fmp.base_url.clone())],
        token: Some(TOKEN),
        settings: Some(|settings: &mut Settings| settings.server.anonymous_provider_requests = 0),
        ..Options::default()
    })
    .await;
    let response = app
        .get("/api/v1/prices?source=fmp&symbol=GOLD&start=2025-06-01&end=2025-06-13")
        .await;
    assert_eq!(response.status(), 429);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "rate_limited", "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("API token"),
        "{body}"
    );
    assert!(fmp.hits().is_empty(), "no provider call");
}

#[tokio::test]
async fn a_long_or_padded_symbol_is_refused_or_served_from_one_cache_entry() {
    let app = spawn_app_with(Options::default()).await;
    let padded = format!("GOLD{}", "+".repeat(60_000));
    let response = app
        .get(&format!("/api/v1/prices?source=demo&symbol={padded}"))
        .await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("at most 64"),
        "{body}"
    );
    // Within the limit, padding and case make no new entries.
    for symbol in ["GOLD", "gold", "+GOLD+", "++gold++++", "Gold"] {
        let response = app
            .get(&format!(
                "/api/v1/prices?source=demo&symbol={symbol}&start=2024-01-01&end=2024-03-01"
            ))
            .await;
        assert_eq!(response.status(), 200, "{symbol}");
    }
    assert_eq!(app.price_answers.entry_count().await, 1);
    assert_healthy(&app).await;
}

#[tokio::test]
async fn every_date_a_client_can_write_is_bounded_or_refused() {
    let fmp = spawn_replay(vec![Reply::ok(fixture("fmp/historical_gcusd.json"))]).await;
    let app = spawn_app_with(Options {
        providers: vec![("fmp", fmp.base_url.clone())],
        ..Options::default()
    })
    .await;
    let dates = [
        "+262142-12-31",
        "-262143-01-01",
        "262142-12-31",
        "0000-01-01",
        "0001-01-01",
        "1000-01-01",
        "9999-12-31",
        "2024-02-30",
    ];
    let mut answered = 0;
    for source in ["demo", "fmp", "auto"] {
        for start in dates {
            for end in dates {
                let url =
                    format!("/api/v1/prices?source={source}&symbol=GOLD&start={start}&end={end}");
                let status = app.get(&url).await.status().as_u16();
                assert!(
                    status < 500 || status == 502,
                    "{source} {start}..{end}: status {status}"
                );
                answered += 1;
            }
            let url = format!("/api/v1/prices?source={source}&symbol=GOLD&start={start}");
            assert!(app.get(&url).await.status().as_u16() < 500, "{url}");
        }
    }
    assert_eq!(answered, 3 * dates.len() * dates.len());
    // No date reached a provider outside its history.
    for hit in fmp.hits() {
        assert!(!hit.contains("from=-") && !hit.contains("from=0"), "{hit}");
    }
    assert_healthy(&app).await;
}

/// Reads until the server closes the connection; how long that took.
async fn time_until_closed(stream: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => continue,
            Err(_) => panic!("the connection was still open after {limit:?}"),
        }
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = spawn_app_with(Options {
        settings: Some(|settings: &mut Settings| settings.server.header_read_timeout_secs = 1),
        ..Options::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut half = TcpStream::connect(&address).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: commodex\r\n")
        .await
        .unwrap();
    let waited = time_until_closed(&mut half, Duration::from_secs(10)).await;
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    // An idle keep-alive connection is closed after the same time.
    let mut idle = TcpStream::connect(&address).await.unwrap();
    idle.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: commodex\r\n\r\n")
        .await
        .unwrap();
    let waited = time_until_closed(&mut idle, Duration::from_secs(10)).await;
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_healthy(&app).await;
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once() {
    let app = spawn_app_with(Options {
        settings: Some(|settings: &mut Settings| {
            settings.server.max_connections_per_client = 4;
        }),
        ..Options::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(&address).await.unwrap());
    }
    // Give the accept loop time to count them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over = TcpStream::connect(&address).await.unwrap();
    let _ = over
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let waited = time_until_closed(&mut over, Duration::from_secs(5)).await;
    assert!(waited < Duration::from_secs(1), "{waited:?}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_healthy(&app).await;
}

fn heavy_simulation() -> serde_json::Value {
    serde_json::json!({
        "assets": [
            {"source": "demo", "symbol": "GOLD", "weight": 0.5},
            {"source": "demo", "symbol": "WTI", "weight": 0.5}
        ],
        "num_simulations": 5000,
        "time_horizon_days": 2520,
        "method": "bootstrap"
    })
}

#[tokio::test]
async fn computations_over_the_slots_get_503_busy_with_retry_after() {
    let app = spawn_app_with(Options {
        settings: Some(|settings: &mut Settings| {
            settings.server.compute_slots = 1;
            settings.simulation.max_horizon_days = 2520;
        }),
        ..Options::default()
    })
    .await;
    let requests = (0..4).map(|_| {
        app.client
            .post(app.url("/api/v1/portfolio/simulate"))
            .json(&heavy_simulation())
            .send()
    });
    let answers = futures::future::join_all(requests).await;
    let mut busy = 0;
    for answer in answers {
        let answer = answer.unwrap();
        match answer.status().as_u16() {
            200 => {}
            503 => {
                assert_eq!(answer.headers()["retry-after"], "1");
                let body: serde_json::Value = answer.json().await.unwrap();
                assert_eq!(body["details"]["reason"], "busy", "{body}");
                assert!(
                    body["error"].as_str().unwrap().starts_with("busy"),
                    "{body}"
                );
                busy += 1;
            }
            other => panic!("status {other}"),
        }
    }
    assert!(
        busy >= 1,
        "4 simulations at once on one slot: none was refused"
    );
    // The dashboard and the health check never wait for a slot.
    assert_healthy(&app).await;
}

#[tokio::test]
async fn a_computation_whose_client_goes_away_gives_its_slot_back() {
    let app = spawn_app_with(Options {
        settings: Some(|settings: &mut Settings| {
            settings.server.compute_slots = 1;
            settings.simulation.max_horizon_days = 2520;
            settings.simulation.max_paths = 100_000;
        }),
        ..Options::default()
    })
    .await;
    // Long enough (tens of seconds in a debug build) that only stopping it frees the slot in
    // time.
    let mut long = heavy_simulation();
    long["num_simulations"] = 100_000.into();
    let abandoned = app
        .client
        .post(app.url("/api/v1/portfolio/simulate"))
        .json(&long)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(abandoned.is_err(), "the client gave up first");
    let started = Instant::now();
    loop {
        let answer = app
            .post_json(
                "/api/v1/portfolio/simulate",
                &serde_json::json!({
                    "assets": [{"source": "demo", "symbol": "GOLD", "weight": 1.0}],
                    "num_simulations": 100,
                    "time_horizon_days": 10
                }),
            )
            .await;
        if answer.status() == 200 {
            break;
        }
        assert_eq!(answer.status(), 503);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the slot was not given back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn websockets_over_the_cap_get_503_before_the_upgrade() {
    let app = spawn_app_with(Options {
        settings: Some(|settings: &mut Settings| settings.server.max_websockets = 2),
        ..Options::default()
    })
    .await;
    let url = format!("{}/ws/data", app.address.replace("http://", "ws://"));
    let first = tokio_tungstenite::connect_async(&url).await.unwrap();
    let second = tokio_tungstenite::connect_async(&url).await.unwrap();
    match tokio_tungstenite::connect_async(&url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
            assert!(response.headers().contains_key("retry-after"));
        }
        other => panic!("expected 503, got {:?}", other.map(|(_, r)| r.status())),
    }
    // A place freed is taken again.
    drop(first);
    let started = Instant::now();
    loop {
        if tokio_tungstenite::connect_async(&url).await.is_ok() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "no place freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut socket, _) = second;
    let _ = socket.next().await;
    assert_healthy(&app).await;
}
