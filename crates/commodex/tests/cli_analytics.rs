//! The analytics commands end to end: `indicators`, `metrics` and `simulate` run as a user
//! would run them, checking SPEC's column names, JSON keys and error messages.

use crate::common;

use analytics::indicators::{IndicatorSpec, Ohlcv};
use common::{Sandbox, close_csv, csv_fields, wide_csv, yahoo_csv};

/// Relative closeness for numbers printed with ryu (which round-trip exactly).
fn assert_same(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{actual} != {expected}"
    );
}

#[test]
fn indicators_headers_are_specs_as_typed_with_output_suffixes() {
    let sandbox = Sandbox::new();
    let (text, _) = yahoo_csv(60);
    let file = sandbox.write("yahoo.csv", &text);
    let run = sandbox.run(&[
        "indicators",
        file.to_str().unwrap(),
        "--indicator",
        "rsi",
        "--indicator",
        " macd(12,26,9) ",
        "--indicator",
        "stoch(5,3,3)",
        "--indicator",
        "bbands(20,2)",
        "--indicator",
        "aroon(14)",
        "--indicator",
        "stochrsi(14,5,3)",
    ]);
    assert!(run.success, "{}", run.stderr);
    let header = csv_fields(run.stdout.lines().next().unwrap());
    assert_eq!(
        header,
        [
            "date",
            "rsi",
            "macd(12,26,9).macd",
            "macd(12,26,9).signal",
            "macd(12,26,9).hist",
            "stoch(5,3,3).k",
            "stoch(5,3,3).d",
            "bbands(20,2).upper",
            "bbands(20,2).middle",
            "bbands(20,2).lower",
            "aroon(14).down",
            "aroon(14).up",
            "stochrsi(14,5,3).k",
            "stochrsi(14,5,3).d",
        ]
    );
    assert_eq!(run.stdout.lines().count(), 61, "one row per input row");
}

#[test]
fn indicators_leave_lookback_empty_and_match_the_analytics_crate() {
    let sandbox = Sandbox::new();
    let (text, closes) = close_csv(50);
    let file = sandbox.write("gold.csv", &text);
    let run = sandbox.run(&[
        "indicators",
        file.to_str().unwrap(),
        "--indicator",
        "rsi(14)",
        "--indicator",
        "macd(5,10,3)",
    ]);
    assert!(run.success, "{}", run.stderr);
    let rows: Vec<Vec<String>> = run.stdout.lines().skip(1).map(csv_fields).collect();
    let rsi = "rsi(14)".parse::<IndicatorSpec>().unwrap();
    let macd = "macd(5,10,3)".parse::<IndicatorSpec>().unwrap();
    let input = Ohlcv::from_close(&closes);
    let expected_rsi = &rsi.compute(&input).unwrap()[0];
    let expected_hist = &macd.compute(&input).unwrap()[2];
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0], common::dates(50)[i]);
        if i < rsi.lookback() {
            assert_eq!(row[1], "", "row {i} is in the rsi lookback");
        } else {
            assert_same(row[1].parse().unwrap(), expected_rsi[i]);
        }
        if i < macd.lookback() {
            assert_eq!(row[4], "", "row {i} is in the macd lookback");
        } else {
            assert_same(row[4].parse().unwrap(), expected_hist[i]);
        }
    }
}

#[test]
fn indicators_json_has_columns_and_rows_with_null_lookback() {
    let sandbox = Sandbox::new();
    let (text, closes) = close_csv(20);
    let file = sandbox.write("gold.csv", &text);
    let output = sandbox.path().join("out.json");
    let run = sandbox.run(&[
        "indicators",
        file.to_str().unwrap(),
        "--indicator",
        "sma(3)",
        "--format",
        "json",
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "--output leaves stdout empty");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert_eq!(json["columns"], serde_json::json!(["date", "sma(3)"]));
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 20);
    assert_eq!(rows[0], serde_json::json!(["2024-01-01", null]));
    assert!(rows[1][1].is_null());
    let expected = (closes[0] + closes[1] + closes[2]) / 3.0;
    assert_same(rows[2][1].as_f64().unwrap(), expected);
}

#[test]
fn indicators_reject_a_bad_spec_by_name_before_reading_the_file() {
    let sandbox = Sandbox::new();
    for (spec, expected) in [
        ("rsi(0)", "rsi(0)"),
        ("macd(26,12)", "fast period"),
        ("foo(3)", "foo"),
    ] {
        // The file does not exist: the spec must be the first thing reported.
        let run = sandbox.run(&["indicators", "missing.csv", "--indicator", spec]);
        assert!(!run.success);
        assert!(run.stderr.contains(expected), "{spec}: {}", run.stderr);
        assert!(run.stderr.contains(spec), "{spec}: {}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"));
    }
}

#[test]
fn indicators_needing_high_low_on_a_close_file_name_the_missing_column() {
    let sandbox = Sandbox::new();
    let (text, _) = close_csv(30);
    let file = sandbox.write("gold.csv", &text);
    let run = sandbox.run(&[
        "indicators",
        file.to_str().unwrap(),
        "--indicator",
        "atr(14)",
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("atr(14)"), "{}", run.stderr);
    assert!(run.stderr.contains("high"), "{}", run.stderr);
}

#[test]
fn indicators_report_a_bad_row_with_file_and_line() {
    let sandbox = Sandbox::new();
    let file = sandbox.write(
        "bad.csv",
        "date,close\n2024-01-01,1\n2024-01-02,abc\n2024-01-03,3\n",
    );
    let run = sandbox.run(&[
        "indicators",
        file.to_str().unwrap(),
        "--indicator",
        "sma(2)",
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("bad.csv"), "{}", run.stderr);
    assert!(run.stderr.contains('3'), "{}", run.stderr);
}

/// Every numeric leaf of a JSON value is finite (JSON cannot hold NaN; null is allowed).
fn assert_numbers_finite(value: &serde_json::Value, path: &str) {
    match value {
        serde_json::Value::Number(n) => {
            assert!(n.as_f64().is_some_and(f64::is_finite), "{path} = {n}")
        }
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, item)| assert_numbers_finite(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map
            .iter()
            .for_each(|(key, item)| assert_numbers_finite(item, &format!("{path}.{key}"))),
        _ => {}
    }
}

#[test]
fn metrics_json_has_every_spec_key_and_finite_numbers() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(120));
    let run = sandbox.run(&[
        "metrics",
        file.to_str().unwrap(),
        "--weights",
        "GOLD=0.6,WTI=0.4",
        "--risk-free",
        "0.02",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for key in [
        "portfolio_return",
        "cagr",
        "portfolio_volatility",
        "sharpe_ratio",
        "sortino_ratio",
        "var_95",
        "var_99",
        "parametric_var_95",
        "parametric_var_99",
        "cvar_95",
        "cvar_99",
        "max_drawdown",
        "calmar_ratio",
        "correlation_matrix",
        "diversification_ratio",
        "risk_decomposition",
    ] {
        assert!(json.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(
        json["correlation_matrix"]["symbols"],
        serde_json::json!(["GOLD", "WTI"])
    );
    assert_eq!(json["num_returns"], 119);
    assert_numbers_finite(&json, "");
    let shares: f64 = json["risk_decomposition"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["percent"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9);
}

#[test]
fn metrics_default_to_equal_weights_on_common_dates() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(60));
    let run = sandbox.run(&["metrics", file.to_str().unwrap()]);
    assert!(run.success, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // COPPER starts on the sixth date, so the common dates are 55 and the returns 54.
    assert_eq!(json["num_returns"], 54);
    assert_eq!(json["start_date"], "2024-01-06");
    for contribution in json["risk_decomposition"].as_array().unwrap() {
        assert!((contribution["weight"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    }
}

#[test]
fn metrics_series_and_table_formats_work() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(100));
    let path = file.to_str().unwrap();
    let run = sandbox.run(&["metrics", path, "--series", "--window", "20"]);
    assert!(run.success, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let series = &json["series"];
    assert_eq!(series["dates"].as_array().unwrap().len(), 95);
    assert_eq!(series["wealth"].as_array().unwrap().len(), 95);
    assert_eq!(series["wealth"][0], 1.0);
    assert!(series["rolling_volatility"][0].is_null());
    assert_numbers_finite(&json, "");

    let run = sandbox.run(&["metrics", path, "--format", "table"]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("Sharpe ratio"), "{}", run.stdout);
    assert!(run.stdout.contains("COPPER"), "{}", run.stdout);
}

#[test]
fn metrics_weights_errors_say_what_is_wrong() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(40));
    let path = file.to_str().unwrap();
    for (weights, expected) in [
        ("SILVER=1", "GOLD, WTI, COPPER"),
        ("GOLD=x", "not a number"),
        ("GOLD=-1,WTI=2", "negative"),
        ("GOLD=0.5,GOLD=0.5", "more than once"),
        ("GOLD=0,WTI=0", "all zero"),
    ] {
        let run = sandbox.run(&["metrics", path, "--weights", weights]);
        assert!(!run.success, "{weights}");
        assert!(run.stderr.contains(expected), "{weights}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
}

#[test]
fn metrics_with_too_few_common_returns_is_a_clear_error() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(8));
    let run = sandbox.run(&["metrics", file.to_str().unwrap(), "--weights", "GOLD=1"]);
    assert!(!run.success);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn simulate_with_a_seed_is_deterministic_and_has_spec_keys() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(120));
    let args = [
        "simulate",
        file.to_str().unwrap(),
        "--weights",
        "GOLD=0.6,WTI=0.4",
        "--paths",
        "2000",
        "--horizon",
        "50",
        "--seed",
        "7",
    ];
    let first = sandbox.run(&args);
    let second = sandbox.run(&args);
    assert!(first.success, "{}", first.stderr);
    assert_eq!(first.stdout, second.stdout);
    let json: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(json["num_simulations"], 2000);
    assert_eq!(json["time_horizon_days"], 50);
    for key in [
        "mean",
        "median",
        "std",
        "min",
        "max",
        "percentiles",
        "var_5",
        "var_1",
        "cvar_5",
        "probability_of_loss",
        "expected_max_drawdown",
    ] {
        assert!(json["statistics"].get(key).is_some(), "missing {key}");
    }
    assert!(json.get("histogram").is_some());
    assert_eq!(
        json["percentile_paths"]["p50"].as_array().unwrap().len(),
        51
    );
    assert!(json.get("paths").is_none(), "raw paths only when asked");
    assert_numbers_finite(&json, "");

    let other_seed = sandbox.run(&[&args[..8], &["--seed", "8"]].concat());
    assert_ne!(first.stdout, other_seed.stdout);
}

#[test]
fn simulate_bootstrap_and_table_format_work() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(80));
    let run = sandbox.run(&[
        "simulate",
        file.to_str().unwrap(),
        "--weights",
        "GOLD=1,COPPER=1",
        "--paths",
        "500",
        "--method",
        "bootstrap",
        "--format",
        "table",
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("bootstrap"), "{}", run.stdout);
    assert!(run.stdout.contains("Probability of loss"), "{}", run.stdout);
}

#[test]
fn simulate_outside_configured_bounds_names_the_flag_and_limit() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(40));
    let path = file.to_str().unwrap();
    let run = sandbox.run(&[
        "simulate",
        path,
        "--weights",
        "GOLD=1",
        "--paths",
        "999999999",
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("--paths"), "{}", run.stderr);
    assert!(
        run.stderr.contains("simulation.max_paths"),
        "{}",
        run.stderr
    );

    let run = sandbox.run(&["simulate", path, "--weights", "GOLD=1", "--horizon", "0"]);
    assert!(!run.success);
    assert!(run.stderr.contains("--horizon"), "{}", run.stderr);
}

#[test]
fn simulate_honours_a_lower_configured_limit() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(40));
    sandbox.write(
        "limits.toml",
        "[simulation]\nmax_paths = 100\ndefault_paths = 50\n",
    );
    let run = sandbox.run(&[
        "simulate",
        file.to_str().unwrap(),
        "--weights",
        "GOLD=1",
        "--paths",
        "101",
        "--config",
        "limits.toml",
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("100"), "{}", run.stderr);
}
