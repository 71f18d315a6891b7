//! Backtests against vectorbt 1.2.0 (scripts/golden/backtest.py): the rules' signals exactly,
//! then orders and trades (bars exactly; prices, sizes, fees, PnL to 1e-9 relative), the
//! equity of every bar, the totals and the trade statistics.

use std::io::Read;
use std::path::Path;

use analytics::backtest::{
    BacktestConfig, BacktestResult, Rule, Side, backtest_signals, execute_signals, order_prices,
    signals,
};
use analytics::indicators::Ohlcv;
use serde_json::Value;

/// SPEC's tolerance: |a − b| ≤ 1e-9 · max(1, |b|).
fn close_enough(actual: f64, expected: f64) -> bool {
    if expected.is_nan() {
        return actual.is_nan();
    }
    if expected.is_infinite() {
        return actual == expected;
    }
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

fn number(value: &Value) -> f64 {
    match value {
        Value::Null => f64::NAN,
        Value::String(text) if text == "inf" => f64::INFINITY,
        Value::String(text) if text == "-inf" => f64::NEG_INFINITY,
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("not a number: {other}")),
    }
}

fn floats(value: &Value) -> Vec<f64> {
    value.as_array().unwrap().iter().map(number).collect()
}

fn flags(value: &Value) -> Vec<bool> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64() == Some(1))
        .collect()
}

fn load() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/backtest/backtest.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn check(what: &str, actual: f64, expected: f64) {
    assert!(
        close_enough(actual, expected),
        "{what}: {actual} vs vectorbt {expected}"
    );
}

fn check_result(name: &str, result: &BacktestResult, case: &Value) {
    let trades = case["trades"].as_array().unwrap();
    assert_eq!(result.trades.len(), trades.len(), "{name}: trade count");
    for (k, (trade, expected)) in result.trades.iter().zip(trades).enumerate() {
        let what = format!("{name} trade {k}");
        assert_eq!(
            trade.entry_index as u64,
            expected["entry_index"].as_u64().unwrap(),
            "{what} entry bar"
        );
        assert_eq!(
            trade.exit_index.map(|i| i as u64),
            expected["exit_index"].as_u64(),
            "{what} exit bar"
        );
        assert_eq!(trade.short, expected["short"].as_bool().unwrap(), "{what}");
        check(
            &format!("{what} entry price"),
            trade.entry_price,
            number(&expected["entry_price"]),
        );
        check(
            &format!("{what} entry fees"),
            trade.entry_fees,
            number(&expected["entry_fees"]),
        );
        check(
            &format!("{what} exit price"),
            trade.exit_price,
            number(&expected["exit_price"]),
        );
        check(
            &format!("{what} exit fees"),
            trade.exit_fees,
            number(&expected["exit_fees"]),
        );
        check(
            &format!("{what} size"),
            trade.size,
            number(&expected["size"]),
        );
        check(&format!("{what} pnl"), trade.pnl, number(&expected["pnl"]));
        check(
            &format!("{what} return"),
            trade.return_,
            number(&expected["return"]),
        );
    }
    let equity = floats(&case["equity"]);
    assert_eq!(result.equity.len(), equity.len());
    for (i, (a, e)) in result.equity.iter().zip(&equity).enumerate() {
        check(&format!("{name} equity at bar {i}"), *a, *e);
    }
    check(
        &format!("{name} final value"),
        result.final_value,
        number(&case["final_value"]),
    );
    check(
        &format!("{name} total return"),
        result.total_return,
        number(&case["total_return"]),
    );
    check(
        &format!("{name} max drawdown"),
        result.max_drawdown,
        number(&case["max_drawdown"]),
    );
    check(
        &format!("{name} buy and hold"),
        result.benchmark_return,
        number(&case["benchmark_return"]),
    );
    let stats = &case["stats"];
    let s = &result.stats;
    for (key, count) in [
        ("total_trades", s.total_trades),
        ("closed_trades", s.closed_trades),
        ("open_trades", s.open_trades),
    ] {
        assert_eq!(count as u64, stats[key].as_u64().unwrap(), "{name} {key}");
    }
    for (key, value) in [
        ("open_trade_pnl", s.open_trade_pnl),
        ("win_rate", s.win_rate),
        ("profit_factor", s.profit_factor),
        ("expectancy", s.expectancy),
        ("average_trade", s.average_trade),
        ("best_trade", s.best_trade),
        ("worst_trade", s.worst_trade),
        ("average_winning_trade", s.average_winning_trade),
        ("average_losing_trade", s.average_losing_trade),
        ("exposure", s.exposure),
        ("total_fees", s.total_fees),
    ] {
        check(&format!("{name} {key}"), value, number(&stats[key]));
    }
}

#[test]
fn backtests_match_vectorbt_trade_for_trade() {
    let golden = load();
    assert_eq!(golden["vectorbt"], "1.2.0");
    let mut cases_checked = 0;
    let mut trades_checked = 0;
    for series in golden["series"].as_array().unwrap() {
        let (open, high, low, close, volume) = (
            floats(&series["open"]),
            floats(&series["high"]),
            floats(&series["low"]),
            floats(&series["close"]),
            floats(&series["volume"]),
        );
        let input = Ohlcv {
            open: Some(&open),
            high: Some(&high),
            low: Some(&low),
            close: &close,
            volume: Some(&volume),
        };
        for case in series["cases"].as_array().unwrap() {
            let name = format!(
                "{}/{}",
                series["name"].as_str().unwrap(),
                case["name"].as_str().unwrap()
            );
            let entries = flags(&case["entries"]);
            let exits = flags(&case["exits"]);
            if let (Some(entry), Some(exit)) =
                (case["entry_rule"].as_str(), case["exit_rule"].as_str())
            {
                for (text, expected) in [(entry, &entries), (exit, &exits)] {
                    let rule: Rule = text.parse().unwrap();
                    let actual = signals::evaluate_alone(&rule, &input).unwrap();
                    let mismatch = actual.iter().zip(expected.iter()).position(|(a, e)| a != e);
                    assert_eq!(
                        mismatch, None,
                        "{name}: '{text}' differs from TA-Lib's signals"
                    );
                }
            }
            let config = BacktestConfig {
                fees: number(&case["fees"]),
                slippage: number(&case["slippage"]),
                init_cash: number(&case["init_cash"]),
                direction: case["direction"].as_str().unwrap().parse().unwrap(),
            };
            let execution =
                execute_signals(order_prices(&input), &close, &entries, &exits, &config).unwrap();
            let orders = case["orders"].as_array().unwrap();
            assert_eq!(execution.fills.len(), orders.len(), "{name}: order count");
            for (fill, expected) in execution.fills.iter().zip(orders) {
                let what = format!("{name} order at bar {}", fill.index);
                assert_eq!(
                    fill.index as u64,
                    expected["index"].as_u64().unwrap(),
                    "{what}"
                );
                let side = if fill.side == Side::Buy {
                    "buy"
                } else {
                    "sell"
                };
                assert_eq!(side, expected["side"].as_str().unwrap(), "{what}");
                check(
                    &format!("{what} size"),
                    fill.size,
                    number(&expected["size"]),
                );
                check(
                    &format!("{what} price"),
                    fill.price,
                    number(&expected["price"]),
                );
                check(
                    &format!("{what} fees"),
                    fill.fees,
                    number(&expected["fees"]),
                );
            }
            let result = backtest_signals(&input, &entries, &exits, &config).unwrap();
            check_result(&name, &result, case);
            cases_checked += 1;
            trades_checked += result.trades.len();
        }
    }
    assert!(cases_checked >= 15, "only {cases_checked} cases");
    assert!(trades_checked >= 100, "only {trades_checked} trades");
}
