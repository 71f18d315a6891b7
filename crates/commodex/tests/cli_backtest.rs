//! `commodex backtest` end to end: SPEC's JSON keys, the same numbers as the analytics crate,
//! sweeps with an out-of-sample part, and rule errors that name the column.

use crate::common;

use analytics::backtest::{self, BacktestConfig, Direction, Rule};
use analytics::indicators::Ohlcv;
use common::{Sandbox, yahoo_csv};
use serde_json::Value;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn assert_same(actual: &Value, expected: f64) {
    let actual = actual.as_f64().unwrap();
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{actual} != {expected}"
    );
}

#[test]
fn backtest_prints_spec_keys_with_the_analytics_crate_numbers() {
    let sandbox = Sandbox::new();
    let (text, closes) = yahoo_csv(300);
    let file = sandbox.write("yahoo.csv", &text);
    let (entry, exit) = ("rsi(3) < 45", "rsi(3) > 55 or close < sma(10)");
    let run = sandbox.run(&[
        "backtest",
        file.to_str().unwrap(),
        "--entry",
        entry,
        "--exit",
        exit,
        "--fees",
        "0.001",
        "--slippage",
        "0.0005",
        "--direction",
        "both",
    ]);
    assert!(run.success, "{}", run.stderr);
    let report = json(&run.stdout);
    for key in ["final_value", "total_return", "trades", "equity", "stats"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    let series = ingest::read_columns(&file).unwrap();
    let input = Ohlcv {
        open: series.open.as_deref(),
        high: series.high.as_deref(),
        low: series.low.as_deref(),
        close: &series.close,
        volume: series.volume.as_deref(),
    };
    assert_eq!(series.close, closes);
    let config = BacktestConfig {
        fees: 0.001,
        slippage: 0.0005,
        init_cash: 10_000.0,
        direction: Direction::Both,
    };
    let expected = backtest::backtest(
        &input,
        &entry.parse::<Rule>().unwrap(),
        &exit.parse::<Rule>().unwrap(),
        &config,
    )
    .unwrap();
    assert_same(&report["final_value"], expected.final_value);
    assert_same(&report["total_return"], expected.total_return);
    let trades = report["trades"].as_array().unwrap();
    assert_eq!(trades.len(), expected.trades.len());
    assert!(trades.len() > 3, "the sample should trade");
    for (trade, want) in trades.iter().zip(&expected.trades) {
        let keys = [
            "entry_date",
            "entry_price",
            "exit_date",
            "exit_price",
            "size",
            "pnl",
            "return",
        ];
        for key in keys {
            assert!(trade.get(key).is_some(), "trade misses {key}");
        }
        assert_eq!(
            trade["entry_date"],
            series.dates[want.entry_index].to_string()
        );
        match want.exit_index {
            Some(i) => assert_eq!(trade["exit_date"], series.dates[i].to_string()),
            None => assert!(trade["exit_date"].is_null()),
        }
        assert_same(&trade["pnl"], want.pnl);
        assert_same(&trade["size"], want.size);
    }
    let equity = report["equity"].as_array().unwrap();
    assert_eq!(equity.len(), 300);
    assert_eq!(equity[0]["date"], "2024-01-01");
    assert_same(&equity[299]["value"], expected.equity[299]);
    assert_eq!(
        report["stats"]["total_trades"].as_u64().unwrap() as usize,
        expected.stats.total_trades
    );
    assert!(report["stats"]["buy_and_hold_return"].is_number());
}

#[test]
fn backtest_grid_ranks_the_sweep_and_reports_out_of_sample() {
    let sandbox = Sandbox::new();
    let (text, _) = yahoo_csv(400);
    let file = sandbox.write("yahoo.csv", &text);
    let run = sandbox.run(&[
        "backtest",
        file.to_str().unwrap(),
        "--entry",
        "rsi({p}) < {lo}",
        "--exit",
        "rsi({p}) > {100-lo}",
        "--grid",
        "p=5..9",
        "lo=30..40:5",
        "--top",
        "3",
        "--train-until",
        "2024-09-30",
    ]);
    assert!(run.success, "{}", run.stderr);
    let report = json(&run.stdout);
    assert_eq!(report["combinations"], 15);
    assert_eq!(report["indicators_computed"], 5);
    let best = report["best"].as_array().unwrap();
    assert_eq!(best.len(), 3);
    let returns: Vec<f64> = best
        .iter()
        .map(|b| b["total_return"].as_f64().unwrap())
        .collect();
    assert!(returns.windows(2).all(|w| w[0] >= w[1]), "{returns:?}");
    assert!(best[0]["out_of_sample"]["final_value"].is_number());
    let p = best[0]["params"]["p"].as_i64().unwrap();
    let lo = best[0]["params"]["lo"].as_i64().unwrap();
    assert_eq!(best[0]["entry"], format!("rsi({p}) < {lo}"));
    assert_eq!(best[0]["exit"], format!("rsi({p}) > {}", 100 - lo));
}

#[test]
fn backtest_rule_errors_name_the_column_before_reading_the_file() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&[
        "backtest",
        "missing.csv",
        "--entry",
        "rsi(14) < ",
        "--exit",
        "rsi(14) > 70",
    ]);
    assert!(!run.success);
    assert!(
        run.stderr.contains("--entry 'rsi(14) < '") && run.stderr.contains("column 11"),
        "{}",
        run.stderr
    );
    let run = sandbox.run(&[
        "backtest",
        "missing.csv",
        "--entry",
        "rsi(14) < 30",
        "--exit",
        "macd > 0",
    ]);
    assert!(run.stderr.contains("macd(12,26,9).hist"), "{}", run.stderr);
}

#[test]
fn backtest_table_format_lists_trades() {
    let sandbox = Sandbox::new();
    let (text, _) = yahoo_csv(200);
    let file = sandbox.write("yahoo.csv", &text);
    let run = sandbox.run(&[
        "backtest",
        file.to_str().unwrap(),
        "--entry",
        "crosses_above(sma(5), sma(20))",
        "--exit",
        "crosses_below(sma(5), sma(20))",
        "--format",
        "table",
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("final_value"), "{}", run.stdout);
    assert!(run.stdout.contains("entry_date"), "{}", run.stdout);
}
