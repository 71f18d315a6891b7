//! The report against QuantStats 0.0.86 (scripts/golden/report.py) at 1e-9 relative: every
//! statistic, series and table of every case.

use std::io::Read;
use std::path::Path;

use analytics::report::{Date, Report, ReportInput, report};
use analytics::simulation::{MonteCarloConfig, ResampleMethod, montecarlo};
use serde_json::Value;

const RELATIVE: f64 = 1e-9;
/// Values that are zero in exact arithmetic (a drawdown at a new high) may differ by rounding.
const ABSOLUTE_FLOOR: f64 = 1e-15;

fn cases() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/report.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["quantstats"], "0.0.86");
    let cases = doc["cases"].as_array().unwrap().clone();
    assert!(
        cases.len() >= 7,
        "golden cases missing: run scripts/golden/report.py"
    );
    cases
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// Tracks the largest relative error seen, to report it.
#[derive(Default)]
struct Checker {
    worst: f64,
    compared: usize,
}

impl Checker {
    fn close(&mut self, at: &str, actual: f64, expected: f64) {
        let scale = actual.abs().max(expected.abs());
        let error = (actual - expected).abs();
        assert!(
            error <= RELATIVE * scale + ABSOLUTE_FLOOR,
            "{at}: ours {actual:e}, QuantStats {expected:e} (diff {error:e})"
        );
        if scale > 1e-12 {
            self.worst = self.worst.max(error / scale);
        }
        self.compared += 1;
    }

    fn optional(&mut self, at: &str, actual: Option<f64>, expected: &Value) {
        match (actual, expected.as_f64()) {
            (Some(a), Some(e)) => self.close(at, a, e),
            (None, None) => {}
            (a, _) => panic!("{at}: ours {a:?}, QuantStats {expected}"),
        }
    }

    fn series(&mut self, at: &str, actual: &[Option<f64>], expected: &Value) {
        let expected = expected.as_array().unwrap();
        assert_eq!(actual.len(), expected.len(), "{at}: length");
        for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
            self.optional(&format!("{at}[{i}]"), *a, e);
        }
    }

    fn values(&mut self, at: &str, actual: &[f64], expected: &Value) {
        let wrapped: Vec<Option<f64>> = actual.iter().copied().map(Some).collect();
        self.series(at, &wrapped, expected);
    }
}

fn check_case(case: &Value, checker: &mut Checker) {
    let name = case["name"].as_str().unwrap();
    let dates: Vec<Date> = case["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().parse().unwrap())
        .collect();
    let returns = floats(&case["returns"]);
    let benchmark = (!case["benchmark"].is_null()).then(|| floats(&case["benchmark"]));
    let report: Report = report(&ReportInput {
        dates: &dates,
        returns: &returns,
        benchmark: benchmark.as_deref(),
        risk_free: case["risk_free"].as_f64().unwrap(),
    })
    .unwrap();
    let expected = &case["expected"];

    let stats = expected["stats"].as_object().unwrap();
    for (key, value) in stats {
        let at = format!("{name}: stats.{key}");
        if key == "greeks" {
            let greeks = report.stats.greeks.expect("greeks with a benchmark");
            checker.close(
                &format!("{at}.alpha"),
                greeks.alpha,
                value["alpha"].as_f64().unwrap(),
            );
            checker.close(
                &format!("{at}.beta"),
                greeks.beta,
                value["beta"].as_f64().unwrap(),
            );
            continue;
        }
        let ours = report.stats.values.get(key.as_str()).copied();
        if ours.is_none() {
            assert!(report.undefined.contains_key(key.as_str()), "{at}: missing");
        }
        checker.optional(&at, ours, value);
    }
    let ours_count = report.stats.values.len() + report.undefined.len();
    assert_eq!(
        ours_count,
        stats.len() - usize::from(stats.contains_key("greeks")),
        "{name}: statistic names"
    );

    checker.values(
        &format!("{name}: cumulative"),
        &report.cumulative_returns,
        &expected["cumulative_returns"],
    );
    checker.values(
        &format!("{name}: drawdown"),
        &report.drawdown,
        &expected["drawdown"],
    );
    if let Some(b) = &report.benchmark_cumulative_returns {
        checker.values(
            &format!("{name}: benchmark cumulative"),
            b,
            &expected["benchmark_cumulative_returns"],
        );
    }
    checker.series(
        &format!("{name}: rolling_volatility"),
        &report.rolling_volatility,
        &expected["rolling_volatility"],
    );
    checker.series(
        &format!("{name}: rolling_sharpe"),
        &report.rolling_sharpe,
        &expected["rolling_sharpe"],
    );
    checker.series(
        &format!("{name}: rolling_sortino"),
        &report.rolling_sortino,
        &expected["rolling_sortino"],
    );
    for greeks in &report.rolling_greeks {
        let e = &expected[format!("rolling_greeks_{}", greeks.window)];
        checker.series(
            &format!("{name}: rolling beta {}", greeks.window),
            &greeks.beta,
            &e["beta"],
        );
        checker.series(
            &format!("{name}: rolling alpha {}", greeks.window),
            &greeks.alpha,
            &e["alpha"],
        );
    }
    assert_eq!(
        report.rolling_greeks.len(),
        if benchmark.is_some() { 2 } else { 0 }
    );

    let details = expected["drawdown_details"].as_array().unwrap();
    assert_eq!(
        report.drawdown_details.len(),
        details.len(),
        "{name}: drawdown periods"
    );
    for (i, (ours, theirs)) in report.drawdown_details.iter().zip(details).enumerate() {
        let at = format!("{name}: drawdown_details[{i}]");
        assert_eq!(ours.start.to_string(), theirs["start"], "{at}.start");
        assert_eq!(ours.valley.to_string(), theirs["valley"], "{at}.valley");
        assert_eq!(ours.end.to_string(), theirs["end"], "{at}.end");
        assert_eq!(
            i64::from(ours.days),
            theirs["days"].as_i64().unwrap(),
            "{at}.days"
        );
        checker.close(
            &format!("{at}.max"),
            ours.max_drawdown_percent,
            theirs["max_drawdown"].as_f64().unwrap(),
        );
        checker.optional(
            &format!("{at}.99"),
            ours.max_drawdown_99_percent,
            &theirs["max_drawdown_99"],
        );
    }

    let monthly = expected["monthly_returns"].as_array().unwrap();
    assert_eq!(
        report.monthly_returns.len(),
        monthly.len(),
        "{name}: monthly rows"
    );
    for (ours, theirs) in report.monthly_returns.iter().zip(monthly) {
        let at = format!("{name}: monthly {}", ours.year);
        assert_eq!(
            i64::from(ours.year),
            theirs["year"].as_i64().unwrap(),
            "{at}"
        );
        checker.values(&at, &ours.months, &theirs["months"]);
        checker.close(
            &format!("{at} eoy"),
            ours.eoy,
            theirs["eoy"].as_f64().unwrap(),
        );
    }
    let years = |rows: &[analytics::report::YearReturn],
                 expected: &Value,
                 at: &str,
                 checker: &mut Checker| {
        let expected = expected.as_array().unwrap();
        assert_eq!(rows.len(), expected.len(), "{at}");
        for (ours, theirs) in rows.iter().zip(expected) {
            assert_eq!(
                i64::from(ours.year),
                theirs["year"].as_i64().unwrap(),
                "{at}"
            );
            checker.close(
                &format!("{at} {}", ours.year),
                ours.value,
                theirs["return"].as_f64().unwrap(),
            );
        }
    };
    years(
        &report.eoy_returns,
        &expected["eoy_returns"],
        &format!("{name}: eoy"),
        checker,
    );
    if let Some(rows) = &report.benchmark_eoy_returns {
        years(
            rows,
            &expected["benchmark_eoy_returns"],
            &format!("{name}: benchmark eoy"),
            checker,
        );
    }

    // QuantStats' first Monte Carlo path is the history: same drawdown, bust and goal rules.
    let history = &expected["montecarlo_history"];
    let config = MonteCarloConfig {
        sims: 1,
        seed: 1,
        method: ResampleMethod::Shuffle,
        bust: Some(-0.1),
        goal: Some(0.0),
    };
    let simulated = montecarlo(&returns, &config).unwrap();
    checker.close(
        &format!("{name}: montecarlo terminal"),
        simulated.terminal.mean,
        history["terminal"].as_f64().unwrap(),
    );
    checker.close(
        &format!("{name}: montecarlo maxdd"),
        simulated.max_drawdown.mean,
        history["max_drawdown"].as_f64().unwrap(),
    );
    checker.optional(
        &format!("{name}: montecarlo bust"),
        simulated.bust_probability,
        &history["bust_probability"],
    );
    checker.optional(
        &format!("{name}: montecarlo goal"),
        simulated.goal_probability,
        &history["goal_probability"],
    );

    let distribution = &report.distribution;
    for (period, ours) in [
        ("daily", &distribution.daily),
        ("weekly", &distribution.weekly),
        ("monthly", &distribution.monthly),
        ("quarterly", &distribution.quarterly),
        ("yearly", &distribution.yearly),
    ] {
        let theirs = &expected["distribution"][period];
        checker.values(
            &format!("{name}: distribution {period} values"),
            &ours.values,
            &theirs["values"],
        );
        checker.values(
            &format!("{name}: distribution {period} outliers"),
            &ours.outliers,
            &theirs["outliers"],
        );
    }
}

#[test]
fn report_matches_quantstats_on_every_statistic_series_and_table() {
    let mut checker = Checker::default();
    for case in cases() {
        check_case(&case, &mut checker);
    }
    eprintln!(
        "report golden: {} values compared, largest relative error {:e}",
        checker.compared, checker.worst
    );
}

#[test]
fn report_rejects_unusable_input_with_a_sentence() {
    let dates: Vec<Date> = (0..20)
        .map(|d| Date::from_days_since_epoch(18_000 + d))
        .collect();
    let mut returns = vec![0.01; 20];
    returns[3] = f64::NAN;
    let input = ReportInput {
        dates: &dates,
        returns: &returns,
        benchmark: None,
        risk_free: 0.0,
    };
    let error = report(&input).unwrap_err().to_string();
    assert!(error.contains("not a finite number"), "{error}");
    let short = ReportInput {
        dates: &dates[..5],
        returns: &[0.01; 5],
        benchmark: None,
        risk_free: 0.0,
    };
    assert!(report(&short).is_err());
}

#[test]
fn constant_returns_give_reasons_not_nan() {
    let dates: Vec<Date> = (0..30)
        .map(|d| Date::from_days_since_epoch(18_000 + d))
        .collect();
    let returns = vec![0.001; 30];
    let result = report(&ReportInput {
        dates: &dates,
        returns: &returns,
        benchmark: Some(&returns),
        risk_free: 0.0,
    })
    .unwrap();
    assert!(result.stats.values.values().all(|v| v.is_finite()));
    assert!(
        result.undefined.contains_key("sortino"),
        "{:?}",
        result.undefined
    );
    assert!(result.undefined["sortino"].contains("no losing period"));
}
