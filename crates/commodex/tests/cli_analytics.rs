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

/// A file of `lines` (data rows, blank lines allowed) under `header`, in the given order,
/// with a BOM and CRLF line endings when asked.
fn ugly_file(header: &str, lines: &[String], bom: bool, crlf: bool) -> String {
    let ending = if crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    if bom {
        text.push('\u{feff}');
    }
    text.push_str(header);
    text.push_str(ending);
    for line in lines {
        text.push_str(line);
        text.push_str(ending);
    }
    text
}

/// Yahoo rows with the awkward parts of real exports: `null` rows, a volume missing on one
/// row (it is dropped), exact repeats, a blank line, US dates when asked.
fn yahoo_lines(len: usize, us_dates: bool) -> Vec<String> {
    let closes = common::price_walk(len, 11);
    let start = chrono::NaiveDate::from_ymd_opt(2023, 3, 1).unwrap();
    let mut lines = Vec::new();
    let mut previous = closes[0];
    for (i, close) in closes.iter().enumerate() {
        let date = start + chrono::Days::new(i as u64);
        let date = if us_dates {
            date.format("%-m/%-d/%Y").to_string()
        } else {
            date.to_string()
        };
        let (open, high, low) = (
            previous,
            previous.max(*close) + 0.5,
            previous.min(*close) - 0.5,
        );
        previous = *close;
        let line = match i % 97 {
            5 => format!("{date},null,null,null,null,null,null"),
            17 => format!("{date},{open},{high},{low},{close},{close},"),
            _ => format!(
                "{date},{open},{high},{low},{close},{close},{}",
                1000 + i % 500
            ),
        };
        lines.push(line.clone());
        if i % 113 == 7 {
            lines.push(line);
        }
        if i == len / 2 {
            lines.push(String::new());
        }
    }
    lines
}

/// FRED rows with `.` for missing values and a repeat.
fn fred_lines(len: usize) -> Vec<String> {
    let closes = common::price_walk(len, 5);
    let mut lines: Vec<String> = common::dates(len)
        .iter()
        .zip(&closes)
        .enumerate()
        .map(|(i, (date, close))| {
            if i % 41 == 3 {
                format!("{date},.")
            } else {
                format!("{date},{close}")
            }
        })
        .collect();
    lines.insert(30, lines[29].clone());
    lines
}

/// Runs the same indicators on `lines` ascending (streamed) and reversed (loaded whole and
/// sorted) in every format, with and without `--output`, and requires the same bytes.
fn assert_streaming_matches_in_memory(
    sandbox: &common::Sandbox,
    name: &str,
    header: &str,
    lines: &[String],
    (bom, crlf): (bool, bool),
    specs: &[&str],
) {
    let mut reversed = lines.to_vec();
    reversed.reverse();
    let ascending = sandbox.write(&format!("{name}.csv"), &ugly_file(header, lines, bom, crlf));
    let descending = sandbox.write(
        &format!("{name}-reversed.csv"),
        &ugly_file(header, &reversed, bom, crlf),
    );
    for format in ["csv", "json"] {
        let run = |file: &std::path::Path, output: Option<&str>| {
            let mut args = vec!["indicators", file.to_str().unwrap(), "--format", format];
            for spec in specs {
                args.extend(["--indicator", spec]);
            }
            if let Some(output) = output {
                args.extend(["--output", output]);
            }
            let run = sandbox.run(&args);
            let written = output.map(|o| std::fs::read_to_string(sandbox.path().join(o)).unwrap());
            (run.success, run.stderr, written.unwrap_or(run.stdout))
        };
        let streamed = run(&ascending, None);
        let loaded = run(&descending, None);
        assert!(streamed.0, "{name} {format}: {}", streamed.1);
        assert!(streamed.2.lines().count() > 100, "{name} {format}");
        assert_eq!(streamed, loaded, "{name} {format}: streamed vs in memory");
        let streamed_file = run(&ascending, Some("streamed.out"));
        let loaded_file = run(&descending, Some("loaded.out"));
        assert_eq!(streamed_file, streamed, "{name} {format} to a file");
        assert_eq!(loaded_file, streamed, "{name} {format} to a file");
    }
}

#[test]
fn indicators_streamed_from_an_ascending_file_match_the_in_memory_path_byte_for_byte() {
    let sandbox = Sandbox::new();
    let ohlcv_specs = [
        "rsi",
        "macd(12,26,9)",
        "bbands(20,2)",
        "stoch(5,3,3)",
        "sar",
        "mfi",
        "aroon(14)",
        "obv",
        "mama",
        "t3",
        "adxr",
        "ultosc",
    ];
    let header = "Date,Open,High,Low,Close,Adj Close,Volume";
    assert_streaming_matches_in_memory(
        &sandbox,
        "yahoo",
        header,
        &yahoo_lines(600, false),
        (true, true),
        &ohlcv_specs,
    );
    assert_streaming_matches_in_memory(
        &sandbox,
        "yahoo-us",
        header,
        &yahoo_lines(400, true),
        (false, true),
        &ohlcv_specs,
    );
    // More rows than one chunk of the streaming path holds.
    assert_streaming_matches_in_memory(
        &sandbox,
        "long",
        header,
        &yahoo_lines(40_000, false),
        (false, false),
        &["rsi", "stoch(5,3,3)", "bbands(20,2)"],
    );
    assert_streaming_matches_in_memory(
        &sandbox,
        "fred",
        "DATE,DCOILWTICO",
        &fred_lines(300),
        (true, false),
        &["sma(5)", "rsi", "kama", "trix", "stochrsi(14,5,3)", "cmo"],
    );
}

#[test]
fn indicators_report_a_high_below_low_row_the_same_way_on_both_paths() {
    let sandbox = Sandbox::new();
    let mut lines = yahoo_lines(300, false);
    // A row whose high is below its low, after rows that are dropped (null, missing volume).
    let row = (200..)
        .find(|&i| {
            !lines[i].is_empty()
                && !lines[i].contains("null")
                && lines[i] != lines[i - 1]
                && lines[i] != lines[i + 1]
        })
        .unwrap();
    let mut fields: Vec<&str> = lines[row].split(',').collect();
    fields.swap(2, 3);
    lines[row] = fields.join(",");
    let header = "Date,Open,High,Low,Close,Adj Close,Volume";
    let ascending = sandbox.write("hl.csv", &ugly_file(header, &lines, false, false));
    lines.reverse();
    let descending = sandbox.write("hl-reversed.csv", &ugly_file(header, &lines, false, false));
    let output = sandbox.write("out.csv", "previous content\n");
    let mut stderrs = Vec::new();
    for file in [&ascending, &descending] {
        let run = sandbox.run(&[
            "indicators",
            file.to_str().unwrap(),
            "--indicator",
            "rsi",
            "--indicator",
            "willr",
            "--indicator",
            "stoch",
            "--output",
            output.to_str().unwrap(),
        ]);
        assert!(!run.success);
        assert!(
            run.stderr
                .contains("indicator 'willr': high is below low at row "),
            "{}",
            run.stderr
        );
        stderrs.push(run.stderr);
    }
    assert_eq!(stderrs[0], stderrs[1]);
    // The earlier output is untouched and no temporary file is left behind.
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "previous content\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn indicators_to_a_file_replace_it_only_when_complete() {
    let sandbox = Sandbox::new();
    let (text, _) = close_csv(40);
    let file = sandbox.write("gold.csv", &text);
    let output = sandbox.write("out.csv", "previous content\n");
    let run = sandbox.run(&[
        "indicators",
        file.to_str().unwrap(),
        "--indicator",
        "sma(3)",
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(run.success, "{}", run.stderr);
    let written = std::fs::read_to_string(&output).unwrap();
    assert!(written.starts_with("date,sma(3)\n"), "{written}");
    assert_eq!(written.lines().count(), 41);
    let names: Vec<_> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&output).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "readable like any new file: {mode:o}");
    }
}

#[test]
fn indicators_list_as_json_describes_every_function_as_the_api_does() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["indicators", "--list", "--format", "json"]);
    assert!(run.success, "{}", run.stderr);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let expected = serde_json::to_value(analytics::indicators::function_infos()).unwrap();
    let (listed_all, expected_all) = (listed.as_array().unwrap(), expected.as_array().unwrap());
    assert_eq!(listed_all.len(), expected_all.len());
    for (got, want) in listed_all.iter().zip(expected_all) {
        assert_eq!(got, want);
    }
    let apo = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "apo")
        .unwrap();
    assert_eq!(apo["parameters"][2]["default"], "ema", "{apo}");
}

#[test]
fn optimize_json_has_spec_keys_weights_summing_to_one_and_bounds_met() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(300));
    let path = file.to_str().unwrap();
    let run = sandbox.run(&[
        "optimize",
        path,
        "--objective",
        "min-volatility",
        "--bounds",
        "0.1,0.6",
        "--frontier",
        "5",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for key in [
        "weights",
        "expected_return",
        "volatility",
        "sharpe",
        "frontier",
    ] {
        assert!(json.get(key).is_some(), "missing key {key}");
    }
    let weights: Vec<f64> = ["GOLD", "WTI", "COPPER"]
        .iter()
        .map(|s| json["weights"][s].as_f64().unwrap())
        .collect();
    assert!(
        (weights.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{weights:?}"
    );
    assert!(
        weights
            .iter()
            .all(|w| (0.1 - 1e-9..=0.6 + 1e-9).contains(w))
    );
    assert_eq!(json["frontier"].as_array().unwrap().len(), 5);
    assert_numbers_finite(&json, "");
    let sharpe =
        (json["expected_return"].as_f64().unwrap() - 0.02) / json["volatility"].as_f64().unwrap();
    assert_same(json["sharpe"].as_f64().unwrap(), sharpe);

    let run = sandbox.run(&["optimize", path, "--objective", "hrp", "--format", "table"]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("risk share"), "{}", run.stdout);
    assert!(run.stdout.contains("COPPER"), "{}", run.stdout);
}

#[test]
fn optimize_errors_name_what_is_wrong() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(120));
    let path = file.to_str().unwrap();
    for (extra, expected) in [
        (&["--objective", "efficient-risk"][..], "needs a target"),
        (
            &["--objective", "hrp", "--bounds", "0,0.5"][..],
            "long only",
        ),
        (
            &["--objective", "min-volatility", "--bounds", "0.5"][..],
            "LO,HI",
        ),
        (
            &["--objective", "min-volatility", "--bound", "SILVER=0,1"][..],
            "GOLD, WTI, COPPER",
        ),
        (
            &["--objective", "min-volatility", "--bounds", "0.4,0.5"][..],
            "bounds",
        ),
    ] {
        let mut args = vec!["optimize", path];
        args.extend_from_slice(extra);
        let run = sandbox.run(&args);
        assert!(!run.success, "{extra:?}");
        assert!(run.stderr.contains(expected), "{extra:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn report_json_has_quantstats_names_the_benchmark_and_no_nan() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(300));
    let path = file.to_str().unwrap();
    let run = sandbox.run(&[
        "report",
        path,
        "--weights",
        "GOLD=0.6,WTI=0.4",
        "--benchmark",
        "copper",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for key in [
        "sharpe",
        "sortino",
        "cagr",
        "max_drawdown",
        "serenity_index",
        "information_ratio",
        "r_squared",
    ] {
        assert!(json["stats"][key].is_number(), "missing stats.{key}");
    }
    assert!(json["stats"]["greeks"]["beta"].is_number());
    assert_eq!(json["benchmark"], "COPPER");
    // COPPER starts on the sixth date: the report runs on the dates all three share.
    assert_eq!(json["start"], "2024-01-06");
    assert_eq!(json["dates"].as_array().unwrap().len(), 294);
    assert_numbers_finite(&json["stats"], "stats");

    // `comp` is the compounded return of the 60/40 portfolio rebalanced each day.
    let mut gold = Vec::new();
    let mut wti = Vec::new();
    for line in std::fs::read_to_string(&file).unwrap().lines().skip(6) {
        let cells: Vec<&str> = line.split(',').collect();
        gold.push(cells[1].parse::<f64>().unwrap());
        wti.push(cells[2].parse::<f64>().unwrap());
    }
    let wealth = (1..gold.len()).fold(1.0, |w, t| {
        w * (1.0 + 0.6 * (gold[t] / gold[t - 1] - 1.0) + 0.4 * (wti[t] / wti[t - 1] - 1.0))
    });
    let comp = json["stats"]["comp"].as_f64().unwrap();
    assert!(
        (comp - (wealth - 1.0)).abs() < 1e-12,
        "{comp} vs {}",
        wealth - 1.0
    );

    let run = sandbox.run(&["report", path, "--format", "table"]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("serenity_index"), "{}", run.stdout);
}

#[test]
fn report_writes_a_self_contained_tearsheet_and_escapes_what_it_is_given() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(300));
    let output = sandbox.path().join("tearsheet.html");
    let run = sandbox.run(&[
        "report",
        file.to_str().unwrap(),
        "--benchmark",
        "WTI",
        "--title",
        "<script>alert(1)</script>",
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let html = std::fs::read_to_string(&output).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script"), "no script at all");
    for section in [
        "Key performance metrics",
        "Cumulative returns",
        "End-of-year returns",
        "Monthly returns",
        "Worst drawdowns",
        "Underwater",
        "Rolling volatility",
        "Rolling Sharpe",
        "Rolling Sortino",
        "Rolling beta",
        "Distribution of monthly returns",
    ] {
        assert!(html.contains(section), "{section} missing");
    }
    // Nothing is fetched: the only URL is SVG's namespace.
    let urls = html.matches("http").count();
    assert_eq!(urls, html.matches("http://www.w3.org/2000/svg").count());
    for bad in ["NaN", ">inf<", ">-inf<", "inf%"] {
        assert!(!html.contains(bad), "a number is not finite: {bad}");
    }
}

#[test]
fn report_errors_name_what_is_wrong() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(300));
    let path = file.to_str().unwrap();
    for (extra, expected) in [
        (&["--benchmark", "SPX"][..], "GOLD, WTI, COPPER"),
        (&["--weights", "GOLD=x"][..], "not a number"),
        (&["--risk-free", "-2"][..], "risk-free rate -2"),
        (
            &["--output", "/nonexistent/dir/r.html"][..],
            "/nonexistent/dir",
        ),
    ] {
        let mut args = vec!["report", path];
        args.extend_from_slice(extra);
        let run = sandbox.run(&args);
        assert!(!run.success, "{extra:?}");
        assert!(run.stderr.contains(expected), "{extra:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let short = sandbox.write("short.csv", &wide_csv(12));
    let run = sandbox.run(&["report", short.to_str().unwrap()]);
    assert!(!run.success);
    assert!(run.stderr.contains("at least"), "{}", run.stderr);
}

#[test]
fn simulate_shuffle_and_block_resample_the_history_with_bust_and_goal() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("prices.csv", &wide_csv(200));
    let path = file.to_str().unwrap();
    let run = sandbox.run(&[
        "simulate",
        path,
        "--weights",
        "GOLD=0.5,WTI=0.5",
        "--method",
        "shuffle",
        "--paths",
        "300",
        "--bust",
        "-0.05",
        "--goal",
        "0",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["method"], "shuffle");
    assert_eq!(json["sims"], 300);
    assert_eq!(json["periods"], 199);
    // Reordering does not change a product: every shuffled path ends where the history does.
    let terminal = &json["terminal"];
    assert!((terminal["max"].as_f64().unwrap() - terminal["min"].as_f64().unwrap()).abs() < 1e-12);
    let goal = json["goal_probability"].as_f64().unwrap();
    assert!(goal == 0.0 || goal == 1.0, "{goal}");
    assert!((0.0..=1.0).contains(&json["bust_probability"].as_f64().unwrap()));

    let run = sandbox.run(&[
        "simulate",
        path,
        "--weights",
        "GOLD=1",
        "--method",
        "block",
        "--block-size",
        "10",
        "--paths",
        "300",
    ]);
    assert!(run.success, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["method"], "block");
    assert_eq!(json["block_size"], 10);
    assert!(
        json["terminal"]["std"].as_f64().unwrap() > 0.0,
        "blocks drawn with replacement vary"
    );
    assert!(json.get("bust_probability").is_none());

    for (extra, expected) in [
        (&["--method", "shuffle", "--horizon", "5"][..], "--horizon"),
        (
            &["--method", "normal", "--goal", "0.5"][..],
            "only to --method shuffle or block",
        ),
        (
            &["--method", "block", "--block-size", "0"][..],
            "block size",
        ),
    ] {
        let mut args = vec!["simulate", path, "--weights", "GOLD=1"];
        args.extend_from_slice(extra);
        let run = sandbox.run(&args);
        assert!(!run.success, "{extra:?}");
        assert!(run.stderr.contains(expected), "{extra:?}: {}", run.stderr);
    }
}
