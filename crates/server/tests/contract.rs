//! The API's contract beyond each endpoint's answer: the OpenAPI document and the docs page,
//! `/metrics`, the per-client rate limit, HSTS, the request timeout, the cached price answers,
//! and every endpoint on SQLite and PostgreSQL.

use crate::common;

use common::{Options, TOKEN, assert_error, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::time::Duration;

/// Every route of SPEC's REST API with its methods, as the document must list them.
const ROUTES: &[(&str, &[&str])] = &[
    ("/api/v1/health", &["get"]),
    ("/api/v1/ready", &["get"]),
    ("/api/v1/sources", &["get"]),
    ("/api/v1/commodities", &["get"]),
    ("/api/v1/prices", &["get"]),
    ("/api/v1/indicators", &["get", "post"]),
    ("/api/v1/indicators/catalog", &["get"]),
    ("/api/v1/portfolio/metrics", &["post"]),
    ("/api/v1/portfolio/simulate", &["post"]),
    ("/api/v1/portfolio/optimize", &["post"]),
    ("/api/v1/portfolio/report", &["post"]),
    ("/api/v1/portfolios/{id}/report", &["get"]),
    ("/api/v1/backtest", &["post"]),
    ("/api/v1/portfolios", &["get", "post"]),
    ("/api/v1/portfolios/{id}", &["get", "put", "delete"]),
    ("/api/v1/openapi.json", &["get"]),
    ("/metrics", &["get"]),
];

// ---- the OpenAPI document and the docs page ----------------------------------------------

#[tokio::test]
async fn openapi_document_lists_every_route_with_schemas_and_error_answers() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let document: Value = response.json().await.expect("valid JSON");
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    let paths = document["paths"].as_object().expect("paths");
    for (path, methods) in ROUTES {
        for method in *methods {
            let operation = &paths.get(*path).unwrap_or_else(|| panic!("{path} missing"))[method];
            assert!(operation.is_object(), "{method} {path} missing");
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|status| status.starts_with('2')),
                "{method} {path} has no success answer"
            );
            for status in ["429", "500", "504"] {
                assert_eq!(
                    responses[status]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/Error",
                    "{method} {path} {status}"
                );
            }
        }
    }
    assert_eq!(
        paths.len(),
        ROUTES.len(),
        "unexpected paths: {:?}",
        paths.keys()
    );
    // Writes name the bearer scheme and their 401; reads do not.
    let create = &paths["/api/v1/portfolios"]["post"];
    assert!(create["security"][0].get("bearer").is_some(), "{create}");
    assert!(create["responses"].get("401").is_some());
    assert!(
        paths["/api/v1/portfolios"]["get"]["responses"]
            .get("401")
            .is_none()
    );
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // The error body's schema is SPEC's.
    let error = &document["components"]["schemas"]["Error"];
    let required: Vec<&str> = error["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for key in ["error", "type", "endpoint", "timestamp", "correlation_id"] {
        assert!(required.contains(&key), "{key} not required: {error}");
    }
    let kinds = &document["components"]["schemas"]["ErrorKind"]["enum"];
    for kind in [
        "validation",
        "not_found",
        "upstream",
        "rate_limited",
        "config",
        "unauthorized",
        "internal",
    ] {
        assert!(
            kinds.as_array().unwrap().iter().any(|k| k == kind),
            "{kind}"
        );
    }
    // Request and response bodies are described, with examples.
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for name in [
        "ServedSeries",
        "PriceBar",
        "IndicatorsBody",
        "IndicatorTable",
        "MetricsBody",
        "MetricsAnswer",
        "SimulateBody",
        "SimulationAnswer",
        "NewPortfolio",
        "Portfolio",
        "Sources",
        "Commodities",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    assert!(schemas["PriceBar"].get("example").is_some());
    assert!(schemas["NewPortfolio"].get("example").is_some());
    let query: Vec<&str> = paths["/api/v1/prices"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(query, ["source", "symbol", "start", "end", "interval"]);
}

/// The `src`/`href` values of `html`, in order.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            let end = rest.find('"').unwrap();
            found.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    found
}

#[tokio::test]
async fn docs_page_and_its_assets_are_served_from_the_binary_with_no_external_url() {
    let app = spawn_app().await;
    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    // Inline styles are allowed (the chart library needs them); inline scripts never are.
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("script-src"))
        .expect("a script-src directive");
    assert_eq!(script_src, "script-src 'self'");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    // No inline script: every <script> loads a file and has no body.
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=").count()
    );
    assert_eq!(
        html.matches("<script").count(),
        html.matches("></script>").count()
    );
    let assets = references(&html);
    assert!(assets.iter().any(|a| a.ends_with("swagger-ui-bundle.js")));
    assert!(assets.iter().any(|a| a.ends_with("init.js")));
    for asset in &assets {
        assert!(asset.starts_with("/api/docs/"), "{asset} is not ours");
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let expected = if asset.ends_with(".js") {
            "text/javascript"
        } else if asset.ends_with(".css") {
            "text/css"
        } else {
            "image/png"
        };
        assert!(
            content_type.starts_with(expected),
            "{asset}: {content_type}"
        );
        let bytes = response.bytes().await.unwrap();
        assert!(!bytes.is_empty(), "{asset}");
        if asset.ends_with("init.js") {
            let script = String::from_utf8(bytes.to_vec()).unwrap();
            assert!(script.contains("/api/v1/openapi.json"));
            assert!(script.contains("validatorUrl: null"));
            assert!(!script.contains("http://") && !script.contains("https://"));
        }
    }
    assert_eq!(app.get("/api/docs/LICENSE").await.status(), 200);
    // The 1.7 MB Swagger bundle goes gzipped (compressed once, as the dashboard's files) with
    // an ETag that makes a reload a 304.
    let bundle_url = app.url("/api/docs/swagger-ui-bundle.js");
    let gzipped = app
        .client
        .get(&bundle_url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let etag = gzipped.headers()["etag"].clone();
    let compressed = gzipped.bytes().await.unwrap().len();
    assert!(compressed < 700_000, "{compressed} bytes gzipped");
    let revalidated = app
        .client
        .get(&bundle_url)
        .header("accept-encoding", "gzip")
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_error(
        app.get("/api/docs/nothing.js").await,
        404,
        "not_found",
        "/api/docs/nothing.js",
    )
    .await;
}

// ---- /metrics ------------------------------------------------------------------------------

/// The value of the sample `name{labels}` in a Prometheus text page (0 when absent); `labels`
/// must be written in the order the exporter writes them.
fn sample(page: &str, series: &str) -> f64 {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse::<f64>().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status_and_time_them() {
    let app = spawn_app().await;
    let series = r#"commodex_http_requests_total{method="DELETE",route="/api/v1/portfolios/{id}",status="404"}"#;
    let before = sample(&app.get("/metrics").await.text().await.unwrap(), series);
    for id in [987_654, 987_655] {
        let response = app
            .client
            .delete(app.url(&format!("/api/v1/portfolios/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
    }
    let simulate = app
        .post_json(
            "/api/v1/portfolio/simulate",
            &json!({"assets": [{"source": "demo", "symbol": "GOLD", "weight": 1.0}],
                    "num_simulations": 100, "time_horizon_days": 5, "method": "bootstrap"}),
        )
        .await;
    assert_eq!(simulate.status(), 200);
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let page = response.text().await.unwrap();
    let after = sample(&page, series);
    assert!(after >= before + 2.0, "before {before}, after {after}");
    // The raw path (with its id) never becomes a label.
    assert!(!page.contains("987654"), "raw path in metrics");
    assert!(page.contains(
        r#"commodex_http_request_duration_seconds_bucket{method="DELETE",route="/api/v1/portfolios/{id}",le="#
    ));
    assert!(page.contains(r#"commodex_simulation_duration_seconds_count{method="bootstrap"}"#));
    assert!(page.contains("# HELP commodex_http_requests_total"));
}

// ---- the per-client rate limit -------------------------------------------------------------

fn limited(requests: u32, trust_forwarded_for: bool) -> Options {
    Options {
        rate_limit_per_client: Some(market_data::RateLimit {
            max_requests: requests,
            per: Duration::from_secs(60),
        }),
        trust_forwarded_for,
        ..Options::default()
    }
}

#[tokio::test]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after_and_the_error_body() {
    let app = spawn_app_with(limited(3, false)).await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/health").await.status(), 200);
    }
    let refused = app.get("/api/v1/sources?x=1").await;
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // 3 a minute: one slot frees every 20 s.
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let body = assert_error(refused, 429, "rate_limited", "/api/v1/sources").await;
    assert_eq!(body["details"]["retry_after_secs"], retry_after);
    assert_eq!(body["params"]["x"], "1");
    // Without a trusted proxy, X-Forwarded-For is the client's word and changes nothing.
    let spoofed = app
        .client
        .get(app.url("/api/v1/health"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = spawn_app_with(limited(2, true)).await;
    let from = |client: &'static str| {
        app.client
            .get(app.url("/api/v1/health"))
            .header("x-forwarded-for", format!("198.51.100.1, {client}"))
            .send()
    };
    assert_eq!(from("203.0.113.1").await.unwrap().status(), 200);
    assert_eq!(from("203.0.113.1").await.unwrap().status(), 200);
    assert_eq!(from("203.0.113.1").await.unwrap().status(), 429);
    assert_eq!(from("203.0.113.2").await.unwrap().status(), 200);
}

// ---- HSTS, timeout -------------------------------------------------------------------------

#[tokio::test]
async fn hsts_is_sent_only_when_configured_for_production() {
    let development = spawn_app().await;
    let response = development.get("/api/v1/health").await;
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
    let production = spawn_app_with(Options {
        hsts: true,
        ..Options::default()
    })
    .await;
    for path in ["/api/v1/health", "/api/v1/nope"] {
        let response = production.get(path).await;
        let hsts = response.headers()["strict-transport-security"]
            .to_str()
            .unwrap();
        assert!(hsts.starts_with("max-age=31536000"), "{path}: {hsts}");
    }
}

#[tokio::test]
async fn a_request_over_the_timeout_gets_the_spec_error_body() {
    let app = spawn_app_with(Options {
        request_timeout_secs: Some(1),
        settings: Some(|settings: &mut server::Settings| {
            settings.simulation.max_paths = 100_000;
        }),
        ..Options::default()
    })
    .await;
    // 100,000 paths over ten years of days takes far longer than a second in a debug build;
    // the timeout cancels it.
    let response = app
        .post_json(
            "/api/v1/portfolio/simulate",
            &json!({"assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.5},
                               {"source": "demo", "symbol": "WTI", "weight": 0.5}],
                    "num_simulations": 100000, "time_horizon_days": 2520}),
        )
        .await;
    let body = assert_error(response, 504, "internal", "/api/v1/portfolio/simulate").await;
    assert!(
        body["error"].as_str().unwrap().contains("too long"),
        "{body}"
    );
}

// ---- cached price answers ------------------------------------------------------------------

#[tokio::test]
async fn a_repeated_price_query_is_served_from_the_cache_with_the_same_bytes() {
    let app = spawn_app().await;
    let path = "/api/v1/prices?source=demo&symbol=GOLD&start=2024-02-01&end=2024-02-29";
    let hits = r#"commodex_cache_hits_total{layer="response"}"#;
    let first = app.get(path).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/json");
    let first = first.bytes().await.unwrap();
    let before = sample(&app.get("/metrics").await.text().await.unwrap(), hits);
    let second = app.get(path).await.bytes().await.unwrap();
    let after = sample(&app.get("/metrics").await.text().await.unwrap(), hits);
    assert_eq!(first, second);
    assert!(after > before, "no cache hit: {before} -> {after}");
    let body: Value = serde_json::from_slice(&second).unwrap();
    assert_eq!(body["served_by"], "demo");
    assert_eq!(body["data"][0]["date"], "2024-02-01");
    // Another range is another key, not the cached answer.
    let march: Value = app
        .get("/api/v1/prices?source=demo&symbol=GOLD&start=2024-03-01&end=2024-03-31")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(march["data"][0]["date"], "2024-03-01");
    // Errors are not cached: they stay errors with their own body.
    assert_error(
        app.get("/api/v1/prices?source=demo&symbol=GOLD&interval=hourly")
            .await,
        400,
        "validation",
        "/api/v1/prices",
    )
    .await;
}

#[tokio::test]
async fn a_live_price_update_retires_the_cached_answers_of_its_symbol() {
    let app = spawn_app().await;
    let path = "/api/v1/prices?source=demo&symbol=GOLD&start=2024-06-01&end=2024-06-30";
    let cached = app.get(path).await.bytes().await.unwrap();
    // A bar changed behind the cache's back: the cache still answers the old bytes...
    let key = store::SeriesKey::new("demo", "GOLD", store::Interval::Daily);
    let june = app
        .store
        .prices(&key, Some(common::first_day()), Some(common::last_day()))
        .await
        .unwrap();
    let mut bar = *june.last().unwrap();
    bar.close += 1.0;
    app.store.upsert_series(&key, &[bar]).await.unwrap();
    assert_eq!(app.get(path).await.bytes().await.unwrap(), cached);
    // ...until the live hub hears of a new GOLD price, as the poller would tell it.
    app.hub.deliver(&server::live::Update::PriceUpdate {
        source: "demo".into(),
        symbol: "GOLD".into(),
        price: 1.0,
        change: None,
        change_pct: None,
        ts: chrono::Utc::now(),
    });
    let fresh = app.get(path).await.bytes().await.unwrap();
    assert_ne!(fresh, cached);
    let body: Value = serde_json::from_slice(&fresh).unwrap();
    let last = body["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["date"], bar.date.to_string());
    assert_eq!(last["close"].as_f64().unwrap(), bar.close);
}

// ---- every endpoint, on each database ------------------------------------------------------

/// Goes through every endpoint once and through each error type reachable without providers.
async fn every_endpoint_and_error_type(app: &common::TestApp) {
    for path in [
        "/api/v1/health",
        "/api/v1/ready",
        "/api/v1/sources",
        "/api/v1/commodities?source=demo",
        "/api/v1/prices?source=demo&symbol=GOLD",
        "/api/v1/indicators?source=demo&symbol=GOLD&indicator=rsi(14)&indicator=sma(5)",
        "/api/v1/portfolios",
        "/api/v1/openapi.json",
        "/metrics",
    ] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    let two_assets = json!([{"source": "demo", "symbol": "GOLD", "weight": 0.6},
                            {"source": "demo", "symbol": "WTI", "weight": 0.4}]);
    let metrics = app
        .post_json("/api/v1/portfolio/metrics", &json!({"assets": two_assets}))
        .await;
    assert_eq!(metrics.status(), 200);
    let simulate = app
        .post_json(
            "/api/v1/portfolio/simulate",
            &json!({"assets": two_assets, "num_simulations": 200, "time_horizon_days": 10}),
        )
        .await;
    assert_eq!(simulate.status(), 200);
    let indicators = app
        .post_json(
            "/api/v1/indicators",
            &json!({"indicators": ["sma(2)"], "data": [
                {"date": "2024-01-02", "close": 1.0}, {"date": "2024-01-03", "close": 2.0}]}),
        )
        .await;
    assert_eq!(indicators.status(), 200);

    // Saved portfolios, with the token.
    let portfolio = json!({"name": "contract", "assets": two_assets});
    let unauthorized = app.post_json("/api/v1/portfolios", &portfolio).await;
    assert_error(unauthorized, 401, "unauthorized", "/api/v1/portfolios").await;
    let created: Value = app
        .client
        .post(app.url("/api/v1/portfolios"))
        .bearer_auth(TOKEN)
        .json(&portfolio)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().expect("id");
    let one = format!("/api/v1/portfolios/{id}");
    assert_eq!(app.get(&one).await.status(), 200);
    let replaced = app
        .client
        .put(app.url(&one))
        .bearer_auth(TOKEN)
        .json(&json!({"name": "renamed", "assets": two_assets}))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200);
    let deleted = app
        .client
        .delete(app.url(&one))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);

    // Error types: validation, not_found (ours and the framework's), unauthorized above.
    assert_error(
        app.get("/api/v1/prices?source=nope&symbol=GOLD").await,
        400,
        "validation",
        "/api/v1/prices",
    )
    .await;
    assert_error(app.get(&one).await, 404, "not_found", &one).await;
    assert_error(
        app.get("/api/v1/prices?source=demo&symbol=COPPER").await,
        404,
        "not_found",
        "/api/v1/prices",
    )
    .await;
}

fn with_token(postgres: bool) -> Options {
    Options {
        token: Some(TOKEN),
        postgres,
        ..Options::default()
    }
}

#[tokio::test]
async fn every_endpoint_and_error_type_on_sqlite() {
    every_endpoint_and_error_type(&spawn_app_with(with_token(false)).await).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn every_endpoint_and_error_type_on_postgres() {
    every_endpoint_and_error_type(&spawn_app_with(with_token(true)).await).await;
}
