//! The REST API end to end: every endpoint and every error type, through a real server on a
//! random port over a fresh database.

use crate::common;

use common::{Options, TOKEN, assert_error, spawn_app, spawn_app_with};
use serde_json::{Value, json};

fn portfolio(name: &str) -> Value {
    json!({
        "name": name,
        "assets": [
            {"source": "demo", "symbol": "GOLD", "weight": 0.6},
            {"source": "demo", "symbol": "wti", "weight": 0.4}
        ]
    })
}

// ---- health, sources, commodities -------------------------------------------------------

#[tokio::test]
async fn health_and_ready_answer_ok() {
    let app = spawn_app().await;
    let health = app.get("/api/v1/health").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");
    let ready = app.get("/api/v1/ready").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
}

#[tokio::test]
async fn sources_lists_every_source_with_flags_and_limits() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/sources").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let sources = body["sources"].as_array().unwrap();
    let ids: Vec<&str> = sources.iter().map(|s| s["id"].as_str().unwrap()).collect();
    for id in [
        "alpha_vantage",
        "fmp",
        "commodity_price_api",
        "api_ninjas",
        "csv",
        "demo",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let demo = sources.iter().find(|s| s["id"] == "demo").unwrap();
    assert_eq!(demo["simulated"], true);
    for key in ["enabled", "configured", "rate_limit", "daily_quota"] {
        assert!(demo.get(key).is_some(), "{key} missing: {demo}");
    }
}

#[tokio::test]
async fn commodities_are_grouped_by_category_and_filtered_by_source() {
    let app = spawn_app().await;
    let body: Value = app.get("/api/v1/commodities").await.json().await.unwrap();
    let categories = body["categories"].as_array().unwrap();
    assert_eq!(categories[0]["category"], "energy");
    let all: Vec<&str> = categories
        .iter()
        .flat_map(|c| c["commodities"].as_array().unwrap())
        .map(|c| c["symbol"].as_str().unwrap())
        .collect();
    assert!(all.contains(&"GOLD") && all.contains(&"WTI"), "{all:?}");
    // Every commodity says its currency; nothing is converted to USD.
    let currency = |symbol: &str| {
        categories
            .iter()
            .flat_map(|c| c["commodities"].as_array().unwrap())
            .find(|c| c["symbol"] == symbol)
            .map(|c| c["currency"].clone())
            .unwrap()
    };
    assert_eq!(currency("GOLD"), "USD");
    assert_eq!(currency("TTF_GAS"), "EUR");
    assert_eq!(currency("PALM_OIL"), "MYR");

    let response = app.get("/api/v1/commodities?source=alpha_vantage").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["source"], "alpha_vantage");
    for commodity in body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["commodities"].as_array().unwrap())
    {
        assert!(
            commodity["sources"].get("alpha_vantage").is_some(),
            "{commodity}"
        );
    }
}

#[tokio::test]
async fn commodities_reject_an_unknown_source() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/commodities?source=nope").await;
    let body = assert_error(response, 400, "validation", "/api/v1/commodities").await;
    assert_eq!(body["params"]["source"], "nope");
    assert!(body["details"]["known_sources"].is_array());
}

// ---- prices -------------------------------------------------------------------------------

#[tokio::test]
async fn prices_serve_the_stored_series_in_spec_shape() {
    let app = spawn_app().await;
    let response = app
        .get("/api/v1/prices?source=demo&symbol=gold&start=2024-02-01&end=2024-02-29")
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys.len(),
        8,
        "exactly source, symbol, interval, served_by, stale, simulated, currency, data: {keys:?}"
    );
    assert_eq!(body["currency"], "USD");
    assert_eq!(body["source"], "demo");
    assert_eq!(body["symbol"], "GOLD");
    assert_eq!(body["interval"], "daily");
    assert_eq!(body["served_by"], "demo");
    assert_eq!(body["stale"], false);
    assert_eq!(body["simulated"], true);
    let data = body["data"].as_array().unwrap();
    assert!(data.len() >= 19, "{} bars", data.len());
    assert_eq!(data[0]["date"].as_str().unwrap().len(), 10);
    assert!(data[0]["date"].as_str().unwrap() >= "2024-02-01");
    assert!(data.last().unwrap()["date"].as_str().unwrap() <= "2024-02-29");
    for key in ["date", "open", "high", "low", "close", "volume"] {
        assert!(data[0].get(key).is_some(), "{key} missing: {}", data[0]);
    }
}

#[tokio::test]
async fn prices_with_auto_or_no_source_say_which_source_served() {
    let app = spawn_app().await;
    for query in ["source=auto&symbol=WTI", "symbol=WTI"] {
        let response = app.get(&format!("/api/v1/prices?{query}")).await;
        assert_eq!(response.status(), 200, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["source"], "auto");
        assert_eq!(body["served_by"], "demo");
        assert_eq!(body["simulated"], true);
    }
}

#[tokio::test]
async fn prices_reject_bad_query_params_in_spec_shape() {
    let app = spawn_app().await;
    let cases = [
        ("/api/v1/prices?source=demo", "missing symbol"),
        (
            "/api/v1/prices?source=demo&symbol=GOLD&start=2024-13-01",
            "bad date",
        ),
        (
            "/api/v1/prices?source=demo&symbol=GOLD&start=2024-03-01&end=2024-02-01",
            "start after end",
        ),
        (
            "/api/v1/prices?source=demo&symbol=GOLD&interval=hourly",
            "bad interval",
        ),
        ("/api/v1/prices?source=nope&symbol=GOLD", "unknown source"),
        (
            "/api/v1/prices?source=demo&symbol=UNOBTAINIUM",
            "unknown symbol",
        ),
    ];
    for (path, why) in cases {
        let response = app.get(path).await;
        let body = assert_error(response, 400, "validation", "/api/v1/prices").await;
        assert!(body["params"].is_object(), "{why}: {body}");
    }
}

#[tokio::test]
async fn prices_not_stored_are_not_found() {
    let app = spawn_app().await;
    // Alpha Vantage offers WTI, but nothing of it is stored and it has no key to fetch with.
    let response = app
        .get("/api/v1/prices?source=alpha_vantage&symbol=WTI")
        .await;
    let body = assert_error(response, 404, "not_found", "/api/v1/prices").await;
    assert_eq!(body["details"]["attempts"][0]["outcome"], "not_configured");
}

// ---- indicators ---------------------------------------------------------------------------

#[tokio::test]
async fn the_indicator_catalog_lists_every_function_with_its_defaults() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/indicators/catalog").await;
    assert_eq!(response.status(), 200);
    let functions: Vec<serde_json::Value> = response.json().await.unwrap();
    assert_eq!(
        functions.len(),
        analytics::indicators::definitions().count(),
        "every function of the table"
    );
    let ppo = functions.iter().find(|f| f["name"] == "ppo").unwrap();
    assert_eq!(ppo["group"], "Momentum Indicators");
    assert_eq!(ppo["inputs"], serde_json::json!(["close"]));
    let names: Vec<&str> = ppo["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fastperiod", "slowperiod", "matype"]);
    // TA-Lib 0.8's default: EMA, not 0.4's SMA.
    assert_eq!(ppo["parameters"][2]["default"], "ema");
    assert_eq!(ppo["parameters"][0]["default"], 12);
    let minmaxindex = functions
        .iter()
        .find(|f| f["name"] == "minmaxindex")
        .unwrap();
    assert_eq!(minmaxindex["outputs"][0]["type"], "integer");
}

#[tokio::test]
async fn indicators_get_computes_every_repeated_indicator() {
    let app = spawn_app().await;
    let response = app
        .get("/api/v1/indicators?source=demo&symbol=GOLD&indicator=rsi(14)&indicator=macd(12,26,9)&indicator=sma")
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["served_by"], "demo");
    let dates = body["dates"].as_array().unwrap();
    let indicators = body["indicators"].as_object().unwrap();
    for column in [
        "rsi(14)",
        "macd(12,26,9).macd",
        "macd(12,26,9).signal",
        "macd(12,26,9).hist",
        "sma",
    ] {
        let values = indicators[column].as_array().unwrap();
        assert_eq!(values.len(), dates.len(), "{column}");
    }
    let rsi = indicators["rsi(14)"].as_array().unwrap();
    assert!(rsi[..14].iter().all(Value::is_null), "lookback is null");
    assert!(rsi[14].is_f64());
}

#[tokio::test]
async fn indicators_reject_a_bad_spec_or_none() {
    let app = spawn_app().await;
    let response = app
        .get("/api/v1/indicators?source=demo&symbol=GOLD&indicator=rsi(0)")
        .await;
    let body = assert_error(response, 400, "validation", "/api/v1/indicators").await;
    assert!(body["error"].as_str().unwrap().contains("rsi(0)"), "{body}");
    let response = app
        .get("/api/v1/indicators?source=demo&symbol=GOLD&indicator=nonsense(3)")
        .await;
    let body = assert_error(response, 400, "validation", "/api/v1/indicators").await;
    assert!(body["details"]["known_indicators"].is_array(), "{body}");
    let response = app.get("/api/v1/indicators?source=demo&symbol=GOLD").await;
    assert_error(response, 400, "validation", "/api/v1/indicators").await;
}

#[tokio::test]
async fn indicators_post_computes_over_the_series_in_the_body() {
    let app = spawn_app().await;
    let data: Vec<Value> = (0..40)
        .map(|i| {
            let date = common::first_day() + chrono::Days::new(i);
            json!({"date": date, "close": 100.0 + (i as f64).sin() * 5.0})
        })
        .collect();
    let response = app
        .post_json(
            "/api/v1/indicators",
            &json!({"indicators": ["ema(10)", "bbands(20,2)"], "data": data}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["dates"].as_array().unwrap().len(), 40);
    let ema = body["indicators"]["ema(10)"].as_array().unwrap();
    assert!(ema[8].is_null() && ema[9].is_f64());
    assert!(body["indicators"]["bbands(20,2).upper"].is_array());

    // An indicator that needs high and low on a close-only series says so.
    let response = app
        .post_json(
            "/api/v1/indicators",
            &json!({"indicators": ["atr(14)"], "data": data}),
        )
        .await;
    assert_error(response, 400, "validation", "/api/v1/indicators").await;
}

// ---- portfolio metrics and simulation -----------------------------------------------------

#[tokio::test]
async fn portfolio_metrics_over_stored_series() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/portfolio/metrics",
            &json!({
                "assets": [
                    {"source": "demo", "symbol": "GOLD", "weight": 0.6},
                    {"source": "demo", "symbol": "WTI", "weight": 0.4}
                ],
                "start": "2024-01-01", "end": "2024-06-30", "risk_free": 0.02
            }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    for key in [
        "portfolio_return",
        "cagr",
        "portfolio_volatility",
        "sharpe_ratio",
        "var_95",
        "cvar_99",
        "max_drawdown",
        "correlation_matrix",
        "diversification_ratio",
        "risk_decomposition",
    ] {
        assert!(body.get(key).is_some(), "{key} missing: {body}");
    }
    assert_eq!(
        body["correlation_matrix"]["symbols"],
        json!(["GOLD", "WTI"])
    );
    assert_eq!(body["assets"][0]["served_by"], "demo");
}

#[tokio::test]
async fn portfolio_metrics_on_inline_prices_and_too_little_data() {
    let app = spawn_app().await;
    let series = |n: u64, drift: f64| -> Vec<Value> {
        (0..n)
            .map(|i| {
                let date = common::first_day() + chrono::Days::new(i);
                json!({"date": date, "close": 100.0 * (1.0 + drift * ((i * 7 % 5) as f64 - 2.0))})
            })
            .collect()
    };
    let body = json!({"prices": [
        {"symbol": "A", "weight": 1.0, "data": series(30, 0.01)},
        {"symbol": "B", "weight": 1.0, "data": series(30, 0.02)}
    ]});
    let response = app.post_json("/api/v1/portfolio/metrics", &body).await;
    assert_eq!(response.status(), 200);

    let short = json!({"prices": [
        {"symbol": "A", "weight": 1.0, "data": series(5, 0.01)}
    ]});
    let response = app.post_json("/api/v1/portfolio/metrics", &short).await;
    assert_error(response, 400, "validation", "/api/v1/portfolio/metrics").await;

    let both = json!({"assets": [{"source": "demo", "symbol": "GOLD", "weight": 1.0}],
                      "prices": [{"symbol": "A", "weight": 1.0, "data": series(30, 0.01)}]});
    let response = app.post_json("/api/v1/portfolio/metrics", &both).await;
    assert_error(response, 400, "validation", "/api/v1/portfolio/metrics").await;
}

#[tokio::test]
async fn portfolio_simulate_within_bounds_and_rejects_beyond() {
    let app = spawn_app().await;
    let assets = json!([
        {"source": "demo", "symbol": "GOLD", "weight": 0.5},
        {"source": "demo", "symbol": "WTI", "weight": 0.5}
    ]);
    let response = app
        .post_json(
            "/api/v1/portfolio/simulate",
            &json!({"assets": assets, "num_simulations": 200, "time_horizon_days": 20, "seed": 7}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["num_simulations"], 200);
    assert_eq!(body["time_horizon_days"], 20);
    for key in ["mean", "median", "var_5", "cvar_5", "probability_of_loss"] {
        assert!(body["statistics"].get(key).is_some(), "{key}: {body}");
    }
    assert!(body["percentile_paths"]["p50"].is_array());

    let response = app
        .post_json(
            "/api/v1/portfolio/simulate",
            &json!({"assets": assets, "num_simulations": 1_000_000}),
        )
        .await;
    assert_error(response, 400, "validation", "/api/v1/portfolio/simulate").await;
    let response = app
        .post_json(
            "/api/v1/portfolio/simulate",
            &json!({"assets": assets, "method": "magic"}),
        )
        .await;
    assert_error(response, 400, "validation", "/api/v1/portfolio/simulate").await;
}

#[tokio::test]
async fn portfolio_optimize_over_stored_series_meets_its_constraints() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/portfolio/optimize",
            &json!({"assets": [{"source": "demo", "symbol": "GOLD"}, {"source": "demo", "symbol": "WTI"}],
                    "objective": "min-volatility", "bounds": [0.25, 0.75]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let gold = body["weights"]["GOLD"].as_f64().unwrap();
    let wti = body["weights"]["WTI"].as_f64().unwrap();
    assert!((gold + wti - 1.0).abs() < 1e-9, "{body}");
    assert!((0.25 - 1e-9..=0.75 + 1e-9).contains(&gold), "{body}");
    assert!(body.get("frontier").is_none(), "{body}");
}

#[tokio::test]
async fn portfolio_optimize_on_inline_prices_meets_category_bounds() {
    let app = spawn_app().await;
    // Three deterministic walks with different drifts and noise, 250 days each.
    let walk = |seed: u64, drift: f64, scale: f64| -> Vec<Value> {
        let mut price = 100.0;
        let mut state = seed;
        (0..250u64)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let noise = ((state >> 33) as f64 / (1u64 << 31) as f64) - 0.5;
                price *= 1.0 + drift + scale * noise;
                json!({"date": common::first_day() + chrono::Days::new(i), "close": price})
            })
            .collect()
    };
    let body = json!({
        "prices": [
            {"symbol": "GOLD", "data": walk(1, 0.0004, 0.02)},
            {"symbol": "WTI", "data": walk(2, 0.0010, 0.05)},
            {"symbol": "COPPER", "data": walk(3, 0.0006, 0.03)}
        ],
        "objective": "max-sharpe", "bounds": [0.05, 0.7],
        "categories": {"energy": [0.0, 0.2]}, "frontier": 6,
        "current_weights": {"GOLD": 0.5, "WTI": 0.3, "COPPER": 0.2}
    });
    let response = app.post_json("/api/v1/portfolio/optimize", &body).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let weights: Vec<f64> = ["GOLD", "WTI", "COPPER"]
        .iter()
        .map(|s| body["weights"][s].as_f64().unwrap())
        .collect();
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{body}");
    assert!(
        weights
            .iter()
            .all(|w| (0.05 - 1e-9..=0.7 + 1e-9).contains(w)),
        "{body}"
    );
    assert!(
        weights[1] <= 0.2 + 1e-9,
        "WTI is the only energy asset: {body}"
    );
    let shares: f64 = body["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["risk_share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9, "{body}");
    let frontier = body["frontier"].as_array().unwrap();
    assert_eq!(frontier.len(), 6);
    // No frontier point has a better Sharpe ratio than the max-Sharpe portfolio.
    let best = frontier
        .iter()
        .map(|p| p["sharpe"].as_f64().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(body["sharpe"].as_f64().unwrap() >= best - 1e-6, "{body}");
    // Each asset's own volatility, for the risk/return chart: the noisiest walk is WTI.
    let volatility = |symbol: &str| {
        body["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["symbol"] == symbol)
            .and_then(|a| a["volatility"].as_f64())
            .unwrap()
    };
    for symbol in ["GOLD", "WTI", "COPPER"] {
        assert!(volatility(symbol) > 0.0, "{symbol}: {body}");
    }
    assert!(volatility("WTI") > volatility("GOLD"), "{body}");
    // The weights held today, measured with the same estimators.
    let current = &body["current"];
    let held = [("GOLD", 0.5), ("WTI", 0.3), ("COPPER", 0.2)];
    let held_return: f64 = held
        .iter()
        .map(|(symbol, w)| {
            let asset = body["assets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["symbol"] == *symbol);
            w * asset.unwrap()["expected_return"].as_f64().unwrap()
        })
        .sum();
    let current_return = current["expected_return"].as_f64().unwrap();
    let current_volatility = current["volatility"].as_f64().unwrap();
    assert!((current_return - held_return).abs() < 1e-12, "{body}");
    assert!(current_volatility > 0.0, "{body}");
    // Mixing never adds risk: at most the weighted sum of the assets' volatilities.
    let weighted: f64 = held.iter().map(|(symbol, w)| w * volatility(symbol)).sum();
    assert!(current_volatility <= weighted + 1e-12, "{body}");
    let sharpe = (current_return - 0.02) / current_volatility;
    assert!(
        (current["sharpe"].as_f64().unwrap() - sharpe).abs() < 1e-9,
        "{body}"
    );
}

#[tokio::test]
async fn portfolio_optimize_rejects_what_it_cannot_answer() {
    let app = spawn_app().await;
    let two = json!([{"source": "demo", "symbol": "GOLD"}, {"source": "demo", "symbol": "WTI"}]);
    for body in [
        json!({"assets": two, "objective": "efficient-risk"}),
        json!({"assets": two, "objective": "hrp", "bounds": [0.0, 0.5]}),
        json!({"assets": two, "objective": "min-volatility", "bounds": [0.6, 0.9]}),
        json!({"assets": two, "objective": "efficient-return", "target": 50.0}),
        json!({"assets": two, "objective": "min-volatility", "asset_bounds": {"SILVER": [0.0, 1.0]}}),
        json!({"assets": two, "objective": "min-volatility", "frontier": 100000}),
        json!({"assets": two, "objective": "min-volatility", "current_weights": {"SILVER": 1.0}}),
        json!({"assets": [{"source": "demo", "symbol": "GOLD"}], "objective": "min-volatility"}),
    ] {
        let response = app.post_json("/api/v1/portfolio/optimize", &body).await;
        assert_error(response, 400, "validation", "/api/v1/portfolio/optimize").await;
    }
    let unknown = json!({"assets": two, "objective": "maximum-happiness"});
    let response = app.post_json("/api/v1/portfolio/optimize", &unknown).await;
    assert_error(response, 422, "validation", "/api/v1/portfolio/optimize").await;
}

#[tokio::test]
async fn portfolio_report_over_stored_series_beside_a_benchmark() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/portfolio/report",
            &json!({"assets": [{"source": "demo", "symbol": "GOLD", "weight": 1.0}],
                    "benchmark": {"source": "demo", "symbol": "WTI"}, "risk_free": 0.01}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    for key in [
        "sharpe",
        "sortino",
        "cagr",
        "max_drawdown",
        "r_squared",
        "treynor_ratio",
    ] {
        assert!(body["stats"][key].is_number(), "stats.{key}: {body}");
    }
    assert!(body["stats"]["greeks"]["alpha"].is_number(), "{body}");
    assert_eq!(body["benchmark"], "WTI");
    assert_eq!(body["risk_free"], 0.01);
    assert!(body["benchmark_stats"]["sharpe"].is_number(), "{body}");
    let dates = body["dates"].as_array().unwrap().len();
    assert_eq!(body["cumulative_returns"].as_array().unwrap().len(), dates);
    assert_eq!(body["rolling_sharpe"].as_array().unwrap().len(), dates);
    assert_eq!(body["origins"][1]["symbol"], "WTI");
}

#[tokio::test]
async fn portfolio_report_on_inline_prices_and_mismatched_benchmarks() {
    let app = spawn_app().await;
    let series = |n: u64, step: f64| -> Vec<Value> {
        (0..n)
            .map(|i| {
                let date = common::first_day() + chrono::Days::new(i);
                json!({"date": date, "close": 100.0 + step * ((i * 7 % 11) as f64) + 0.1 * i as f64})
            })
            .collect()
    };
    let body = json!({
        "prices": [{"symbol": "A", "weight": 1.0, "data": series(120, 1.0)}],
        "benchmark": {"symbol": "B", "data": series(100, 2.0)}
    });
    let response = app.post_json("/api/v1/portfolio/report", &body).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["benchmark"], "B");
    // The report runs on the 100 dates both have.
    assert_eq!(answer["dates"].as_array().unwrap().len(), 99);

    let stored_with_inline = json!({
        "assets": [{"source": "demo", "symbol": "GOLD", "weight": 1.0}],
        "benchmark": {"symbol": "B", "data": series(100, 2.0)}
    });
    let inline_with_stored = json!({
        "prices": [{"symbol": "A", "weight": 1.0, "data": series(120, 1.0)}],
        "benchmark": {"source": "demo", "symbol": "WTI"}
    });
    let too_short = json!({"prices": [{"symbol": "A", "weight": 1.0, "data": series(8, 1.0)}]});
    for body in [stored_with_inline, inline_with_stored, too_short] {
        let response = app.post_json("/api/v1/portfolio/report", &body).await;
        assert_error(response, 400, "validation", "/api/v1/portfolio/report").await;
    }
}

#[tokio::test]
async fn a_saved_portfolio_has_an_html_tearsheet() {
    let app = spawn_app().await;
    let created: Value = app
        .post_json("/api/v1/portfolios", &portfolio("Metals <& oil>"))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let response = app
        .get(&format!(
            "/api/v1/portfolios/{id}/report?benchmark=GOLD&benchmark_source=demo"
        ))
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<h1>Metals &lt;&amp; oil&gt;</h1>"),
        "title escaped"
    );
    assert!(html.contains("Rolling beta"), "with a benchmark");
    assert!(!html.contains("<script"));

    let response = app.get("/api/v1/portfolios/999999/report").await;
    assert_error(
        response,
        404,
        "not_found",
        "/api/v1/portfolios/999999/report",
    )
    .await;
}

#[tokio::test]
async fn portfolio_simulate_reshuffles_or_block_bootstraps_the_history() {
    let app = spawn_app().await;
    let assets = json!([
        {"source": "demo", "symbol": "GOLD", "weight": 0.5},
        {"source": "demo", "symbol": "WTI", "weight": 0.5}
    ]);
    let response = app
        .post_json(
            "/api/v1/portfolio/simulate",
            &json!({"assets": assets, "method": "shuffle", "num_simulations": 200,
                    "bust": -0.1, "goal": 0.0}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["method"], "shuffle");
    assert_eq!(body["sims"], 200);
    assert!(body["max_drawdown"]["median"].is_number(), "{body}");
    assert!(body["bust_probability"].is_number(), "{body}");
    assert!(body["goal_probability"].is_number(), "{body}");
    assert!(body["start"].is_string(), "{body}");

    let response = app
        .post_json(
            "/api/v1/portfolio/simulate",
            &json!({"assets": assets, "method": "block", "block_size": 5, "num_simulations": 100}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["block_size"], 5);

    for body in [
        json!({"assets": assets, "method": "shuffle", "time_horizon_days": 20}),
        json!({"assets": assets, "method": "normal", "bust": -0.2}),
        json!({"assets": assets, "method": "block", "block_size": 0}),
        json!({"assets": assets, "method": "shuffle", "num_simulations": 10_000_000}),
    ] {
        let response = app.post_json("/api/v1/portfolio/simulate", &body).await;
        assert_error(response, 400, "validation", "/api/v1/portfolio/simulate").await;
    }
}

// ---- backtests ----------------------------------------------------------------------------

#[tokio::test]
async fn backtest_over_a_stored_series_answers_trades_equity_and_quantstats() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/backtest",
            &json!({"source": "demo", "symbol": "GOLD", "entry": "rsi(5) < 45",
                    "exit": "rsi(5) > 55", "fees": 0.001}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let equity = body["equity"].as_array().unwrap();
    assert_eq!(equity[0]["date"], "2024-01-01");
    assert!(!body["trades"].as_array().unwrap().is_empty(), "{body}");
    let stats = &body["stats"];
    assert!(stats["total_trades"].as_u64().unwrap() > 0);
    assert!(stats["quantstats"]["sharpe"].is_number(), "{stats}");
    assert!(stats["quantstats"]["greeks"]["beta"].is_number(), "{stats}");
    assert!(stats["buy_and_hold"]["sharpe"].is_number(), "{stats}");
    // QuantStats' compounded return of the equity is the backtest's total return.
    let comp = stats["quantstats"]["comp"].as_f64().unwrap();
    let total = body["total_return"].as_f64().unwrap();
    assert!(
        (comp - total).abs() < 1e-9 * total.abs().max(1.0),
        "{comp} vs {total}"
    );
}

#[tokio::test]
async fn backtest_sweeps_inline_bars_and_refuses_what_it_cannot_run() {
    let app = spawn_app().await;
    let data: Vec<Value> = (0..200u64)
        .map(|i| {
            let close = 100.0 + 10.0 * ((i as f64) * 0.3).sin() + 0.05 * i as f64;
            json!({"date": common::first_day() + chrono::Days::new(i), "open": close - 0.2, "close": close})
        })
        .collect();
    let response = app
        .post_json(
            "/api/v1/backtest",
            &json!({"data": data, "entry": "rsi({p}) < {lo}", "exit": "rsi({p}) > {100-lo}",
                    "grid": ["p=3..8", "lo=20..40"], "top": 3}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["combinations"], 6 * 21);
    assert_eq!(body["best"].as_array().unwrap().len(), 3);

    let backwards: Vec<Value> = data.iter().rev().cloned().collect();
    for body in [
        json!({"data": data, "entry": "rsi(14) <", "exit": "rsi(14) > 70"}),
        json!({"data": data, "entry": "rsi(14) < 30", "exit": "rsi(14) > 70", "direction": "sideways"}),
        json!({"data": backwards, "entry": "rsi(14) < 30", "exit": "rsi(14) > 70"}),
        json!({"data": data, "symbol": "GOLD", "entry": "rsi(14) < 30", "exit": "rsi(14) > 70"}),
        json!({"entry": "rsi(14) < 30", "exit": "rsi(14) > 70"}),
        json!({"data": data, "entry": "rsi({p}) < {lo}", "exit": "rsi({p}) > 70",
               "grid": ["p=2..500", "lo=1..100"]}),
    ] {
        let response = app.post_json("/api/v1/backtest", &body).await;
        assert_error(response, 400, "validation", "/api/v1/backtest").await;
    }
}

// ---- saved portfolios ---------------------------------------------------------------------

async fn portfolios_crud_roundtrip(app: &common::TestApp) {
    let created = app
        .post_json("/api/v1/portfolios", &portfolio("Metals and oil"))
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["name"], "Metals and oil");
    assert_eq!(
        created["assets"][1]["symbol"], "WTI",
        "symbol as the catalog spells it"
    );
    for key in ["created_at", "updated_at"] {
        assert!(created[key].is_string(), "{key}");
    }

    let fetched: Value = app
        .get(&format!("/api/v1/portfolios/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, created);
    let list: Value = app.get("/api/v1/portfolios").await.json().await.unwrap();
    assert_eq!(list["portfolios"].as_array().unwrap().len(), 1);

    let replaced = app
        .client
        .put(app.url(&format!("/api/v1/portfolios/{id}")))
        .json(&portfolio("Renamed"))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200);
    assert_eq!(replaced.json::<Value>().await.unwrap()["name"], "Renamed");

    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/portfolios/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let path = format!("/api/v1/portfolios/{id}");
    assert_error(app.get(&path).await, 404, "not_found", &path).await;
    let again = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_error(again, 404, "not_found", &path).await;
    let put = app
        .client
        .put(app.url(&path))
        .json(&portfolio("Ghost"))
        .send()
        .await
        .unwrap();
    assert_error(put, 404, "not_found", &path).await;
}

#[tokio::test]
async fn portfolios_crud_roundtrip_on_sqlite() {
    let app = spawn_app().await;
    portfolios_crud_roundtrip(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn portfolios_crud_and_prices_on_postgres() {
    let app = spawn_app_with(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
    portfolios_crud_roundtrip(&app).await;
    let response = app.get("/api/v1/prices?source=demo&symbol=GOLD").await;
    assert_eq!(response.status(), 200);
    assert!(
        !response.json::<Value>().await.unwrap()["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn portfolios_validation_reports_every_problem() {
    let app = spawn_app().await;
    let too_many: Vec<Value> = (0..51)
        .map(|_| json!({"source": "demo", "symbol": "GOLD", "weight": 1.0}))
        .collect();
    let cases = [
        json!({"name": "  ", "assets": [{"source": "demo", "symbol": "GOLD", "weight": 1.0}]}),
        json!({"name": "x".repeat(201), "assets": [{"source": "demo", "symbol": "GOLD", "weight": 1.0}]}),
        json!({"name": "empty", "assets": []}),
        json!({"name": "many", "assets": too_many}),
        json!({"name": "w", "assets": [{"source": "demo", "symbol": "GOLD", "weight": -1.0}]}),
        json!({"name": "w0", "assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.0}]}),
        json!({"name": "src", "assets": [{"source": "nope", "symbol": "GOLD", "weight": 1.0}]}),
        json!({"name": "sym", "assets": [{"source": "demo", "symbol": "UNOBTAINIUM", "weight": 1.0}]}),
        json!({"name": "dup", "assets": [{"source": "demo", "symbol": "GOLD", "weight": 1.0},
                                           {"source": "demo", "symbol": "gold", "weight": 1.0}]}),
    ];
    for case in cases {
        let response = app.post_json("/api/v1/portfolios", &case).await;
        let body = assert_error(response, 400, "validation", "/api/v1/portfolios").await;
        assert!(
            !body["details"]["problems"].as_array().unwrap().is_empty(),
            "{body}"
        );
    }
    let several = json!({"name": "", "assets": [{"source": "nope", "symbol": "X", "weight": -1}]});
    let body = assert_error(
        app.post_json("/api/v1/portfolios", &several).await,
        400,
        "validation",
        "/api/v1/portfolios",
    )
    .await;
    assert_eq!(
        body["details"]["problems"].as_array().unwrap().len(),
        3,
        "{body}"
    );
    let list: Value = app.get("/api/v1/portfolios").await.json().await.unwrap();
    assert!(
        list["portfolios"].as_array().unwrap().is_empty(),
        "nothing stored"
    );
    let bad_id = app.get("/api/v1/portfolios/abc").await;
    assert_error(bad_id, 400, "validation", "/api/v1/portfolios/abc").await;
}

// ---- auth -----------------------------------------------------------------------------------

#[tokio::test]
async fn writes_need_the_bearer_token_and_reads_do_not() {
    let app = spawn_app_with(Options {
        token: Some(TOKEN),
        ..Options::default()
    })
    .await;
    let url = app.url("/api/v1/portfolios");
    let without = app
        .client
        .post(&url)
        .json(&portfolio("p"))
        .send()
        .await
        .unwrap();
    assert!(without.headers().contains_key("www-authenticate"));
    assert_error(without, 401, "unauthorized", "/api/v1/portfolios").await;
    for wrong in [
        "Bearer nope",
        "Bearer test-token-012345678",
        "Basic dGVzdA==",
        TOKEN,
    ] {
        let response = app
            .client
            .post(&url)
            .header("authorization", wrong)
            .json(&portfolio("p"))
            .send()
            .await
            .unwrap();
        assert_error(response, 401, "unauthorized", "/api/v1/portfolios").await;
    }
    let right = app
        .client
        .post(&url)
        .bearer_auth(TOKEN)
        .json(&portfolio("p"))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 201);
    let id = right.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let path = format!("/api/v1/portfolios/{id}");
    let delete = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_error(delete, 401, "unauthorized", &path).await;
    let put = app
        .client
        .put(app.url(&path))
        .json(&portfolio("q"))
        .send()
        .await
        .unwrap();
    assert_error(put, 401, "unauthorized", &path).await;

    // Reads, including the compute POSTs, stay open.
    assert_eq!(app.get("/api/v1/portfolios").await.status(), 200);
    assert_eq!(app.get(&path).await.status(), 200);
    let indicators = app
        .post_json(
            "/api/v1/indicators",
            &json!({"indicators": ["sma(2)"], "data": [
                {"date": "2024-01-01", "close": 1.0}, {"date": "2024-01-02", "close": 2.0}]}),
        )
        .await;
    assert_eq!(indicators.status(), 200);
    let delete = app
        .client
        .delete(app.url(&path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
}

// ---- the framework's own errors, request ids, headers --------------------------------------

#[tokio::test]
async fn framework_errors_use_the_spec_error_body() {
    let app = spawn_app().await;
    assert_error(
        app.get("/api/v1/nope").await,
        404,
        "not_found",
        "/api/v1/nope",
    )
    .await;
    let delete = app
        .client
        .delete(app.url("/api/v1/prices"))
        .send()
        .await
        .unwrap();
    assert_error(delete, 405, "validation", "/api/v1/prices").await;

    let big = "x".repeat(common::BODY_LIMIT_BYTES + 1);
    let too_large = app
        .client
        .post(app.url("/api/v1/indicators"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_error(too_large, 413, "validation", "/api/v1/indicators").await;

    let wrong_type = app
        .client
        .post(app.url("/api/v1/portfolio/metrics"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(wrong_type, 415, "validation", "/api/v1/portfolio/metrics").await;

    let bad_json = app
        .client
        .post(app.url("/api/v1/portfolios"))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_error(bad_json, 400, "validation", "/api/v1/portfolios").await;

    let wrong_shape = app
        .post_json("/api/v1/portfolios", &json!({"name": 3}))
        .await;
    assert_error(wrong_shape, 422, "validation", "/api/v1/portfolios").await;
}

#[tokio::test]
async fn a_client_request_id_is_echoed_in_header_and_error_body() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/prices?symbol=NOPE&source=demo"))
        .header("x-request-id", "client-id-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "client-id-42");
    let body = assert_error(response, 400, "validation", "/api/v1/prices").await;
    assert_eq!(body["correlation_id"], "client-id-42");
    let ok = app.get("/api/v1/health").await;
    assert!(!ok.headers()["x-request-id"].is_empty());
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = spawn_app().await;
    for path in ["/api/v1/health", "/api/v1/nope", "/api/v1/prices"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        // Styles may be inline (the chart library sets style attributes); scripts never.
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|directive| directive.starts_with("script-src"))
            .expect("a script-src directive");
        assert!(!script_src.contains("unsafe"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    }
}

#[tokio::test]
async fn large_answers_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    for encoding in ["gzip", "br"] {
        let response = app
            .client
            .get(app.url("/api/v1/prices?source=demo&symbol=GOLD"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = spawn_app_with(Options {
        cors_origins: vec!["https://tools.example".to_string()],
        ..Options::default()
    })
    .await;
    let allowed = app
        .client
        .get(app.url("/api/v1/health"))
        .header("origin", "https://tools.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://tools.example"
    );
    let other = app
        .client
        .get(app.url("/api/v1/health"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/portfolios"))
        .header("origin", "https://tools.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
}
