//! `commodex backtest`: entry and exit rules over a CSV file, traded as vectorbt's
//! `from_signals` would (a signal on bar t's close trades at bar t+1's open), printed as
//! SPEC's JSON or a table; with `--grid`, a parameter sweep ranked by a statistic.

use crate::cli::{BacktestArgs, ReportFormat};
use analytics::backtest::{
    self, BacktestConfig, BacktestResult, Grid, IndicatorCache, Rule, Statistic, SweepPlan,
    SweepResult,
};
use analytics::indicators::Ohlcv;
use anyhow::{Context, bail};
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::process::ExitCode;

/// Runs the backtest or the sweep and prints it.
pub fn run(args: BacktestArgs) -> anyhow::Result<ExitCode> {
    let config = BacktestConfig {
        fees: args.fees,
        slippage: args.slippage,
        init_cash: args.init_cash,
        direction: args.direction.parse()?,
    };
    config.validate()?;
    let grid = Grid::parse(&args.grid[..])?;
    // Rules are checked before the file is read, so a typo costs nothing.
    if grid.parameters.is_empty() {
        parse_rule("--entry", &args.entry)?;
        parse_rule("--exit", &args.exit)?;
    }
    let series = ingest::read_columns(&args.file)?;
    if series.is_empty() {
        bail!("{} has no rows with a close", args.file.display());
    }
    let input = Ohlcv {
        open: series.open.as_deref(),
        high: series.high.as_deref(),
        low: series.low.as_deref(),
        close: &series.close,
        volume: series.volume.as_deref(),
    };
    let dates = &series.dates;
    let train_until = super::parse_date_flag("--train-until", args.train_until.as_deref())?
        .map(|date| dates.partition_point(|d| *d <= date));
    let report = if grid.parameters.is_empty() {
        let entry = parse_rule("--entry", &args.entry)?;
        let exit = parse_rule("--exit", &args.exit)?;
        // Signals over the whole series, so the out-of-sample part starts with warm indicators.
        let mut cache = IndicatorCache::new();
        cache.prepare([&entry, &exit], &input)?;
        let entries = backtest::evaluate(&entry, &input, &cache)?;
        let exits = backtest::evaluate(&exit, &input, &cache)?;
        let result = backtest::backtest_signals(&input, &entries, &exits, &config)?;
        let mut report = result_json(&result, dates);
        if let Some(split) = train_until {
            let n = dates.len();
            if split == 0 || split >= n {
                bail!("--train-until must leave bars on both sides of the split");
            }
            for (key, range) in [("in_sample", 0..split), ("out_of_sample", split..n)] {
                let part = backtest::backtest_signals(
                    &slice(&input, range.clone()),
                    &entries[range.clone()],
                    &exits[range],
                    &config,
                )?;
                report[key] = summary_json(&part);
            }
        }
        report
    } else {
        let plan = SweepPlan {
            entry: &args.entry,
            exit: &args.exit,
            grid: &grid,
            config,
            rank_by: args.rank_by.parse::<Statistic>()?,
            top: args.top,
            train_until,
        };
        sweep_json(&backtest::sweep(&input, &plan)?, &grid, dates)
    };
    match args.format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Table => print!("{}", table(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_rule(flag: &str, text: &str) -> anyhow::Result<Rule> {
    text.parse::<Rule>()
        .with_context(|| format!("{flag} '{text}'"))
}

fn slice<'a>(input: &Ohlcv<'a>, range: std::ops::Range<usize>) -> Ohlcv<'a> {
    Ohlcv {
        open: input.open.map(|v| &v[range.clone()]),
        high: input.high.map(|v| &v[range.clone()]),
        low: input.low.map(|v| &v[range.clone()]),
        close: &input.close[range.clone()],
        volume: input.volume.map(|v| &v[range]),
    }
}

/// A number, or null when it is NaN or infinite (JSON has neither).
fn number(value: f64) -> Value {
    if value.is_finite() {
        json!(value)
    } else {
        Value::Null
    }
}

/// A grid value: whole numbers as integers (`"p": 14`), others as they are.
fn parameter(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        number(value)
    }
}

fn stats_json(result: &BacktestResult) -> Value {
    let s = &result.stats;
    json!({
        "total_trades": s.total_trades,
        "closed_trades": s.closed_trades,
        "open_trades": s.open_trades,
        "open_trade_pnl": number(s.open_trade_pnl),
        "win_rate": number(s.win_rate),
        "profit_factor": number(s.profit_factor),
        "expectancy": number(s.expectancy),
        "average_trade": number(s.average_trade),
        "best_trade": number(s.best_trade),
        "worst_trade": number(s.worst_trade),
        "average_winning_trade": number(s.average_winning_trade),
        "average_losing_trade": number(s.average_losing_trade),
        "exposure": number(s.exposure),
        "total_fees": number(s.total_fees),
        "max_drawdown": number(result.max_drawdown),
        "buy_and_hold_return": number(result.benchmark_return),
    })
}

fn summary_json(result: &BacktestResult) -> Value {
    json!({
        "final_value": number(result.final_value),
        "total_return": number(result.total_return),
        "stats": stats_json(result),
    })
}

/// SPEC's document: totals, trades, equity per date and statistics.
fn result_json(result: &BacktestResult, dates: &[NaiveDate]) -> Value {
    let date = |i: usize| dates[i].to_string();
    let trades: Vec<Value> = result
        .trades
        .iter()
        .map(|t| {
            json!({
                "entry_date": date(t.entry_index),
                "entry_price": number(t.entry_price),
                "exit_date": t.exit_index.map(date),
                "exit_price": number(t.exit_price),
                "size": number(t.size),
                "pnl": number(t.pnl),
                "return": number(t.return_),
                "direction": if t.short { "short" } else { "long" },
            })
        })
        .collect();
    let equity: Vec<Value> = result
        .equity
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"date": date(i), "value": number(*v), "buy_and_hold": number(result.benchmark[i])}))
        .collect();
    json!({
        "final_value": number(result.final_value),
        "total_return": number(result.total_return),
        "trades": trades,
        "equity": equity,
        "stats": stats_json(result),
    })
}

fn sweep_json(result: &SweepResult, grid: &Grid, dates: &[NaiveDate]) -> Value {
    let best: Vec<Value> = result
        .best
        .iter()
        .map(|entry| {
            let params: serde_json::Map<String, Value> = result
                .names
                .iter()
                .zip(&entry.values)
                .map(|(name, value)| (name.clone(), parameter(*value)))
                .collect();
            let mut item = json!({
                "params": params,
                "entry": entry.entry,
                "exit": entry.exit,
            });
            let summary = summary_json(&entry.in_sample);
            item["final_value"] = summary["final_value"].clone();
            item["total_return"] = summary["total_return"].clone();
            item["stats"] = summary["stats"].clone();
            if let Some(out) = &entry.out_of_sample {
                item["out_of_sample"] = summary_json(out);
            }
            item
        })
        .collect();
    json!({
        "combinations": grid.combinations(),
        "indicators_computed": result.indicators_computed,
        "parameters": grid.parameters.iter().map(|(name, values)| json!({"name": name, "values": values.iter().map(|v| parameter(*v)).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "scores": result.scores.iter().map(|s| number(*s)).collect::<Vec<_>>(),
        "first_date": dates.first().map(ToString::to_string),
        "last_date": dates.last().map(ToString::to_string),
        "best": best,
    })
}

/// A plain-text view of the JSON document for people.
fn table(report: &Value) -> String {
    let mut out = String::new();
    let show = |value: &Value| match value {
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |f| format!("{f:.6}")),
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(best) = report["best"].as_array() {
        let _ = writeln!(
            out,
            "{:<5} {:<28} {:>14} {:>8} {:>10}",
            "rank", "params", "total_return", "trades", "win_rate"
        );
        for (rank, item) in best.iter().enumerate() {
            let params: Vec<String> = item["params"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<5} {:<28} {:>14} {:>8} {:>10}",
                rank + 1,
                params.join(" "),
                show(&item["total_return"]),
                show(&item["stats"]["total_trades"]),
                show(&item["stats"]["win_rate"]),
            );
        }
        return out;
    }
    let _ = writeln!(out, "final_value   {}", show(&report["final_value"]));
    let _ = writeln!(out, "total_return  {}", show(&report["total_return"]));
    if let Some(stats) = report["stats"].as_object() {
        for (key, value) in stats {
            let _ = writeln!(out, "{key:<22}{}", show(value));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<12} {:>14} {:<12} {:>14} {:>16} {:>14} {:>10}",
        "entry_date", "entry_price", "exit_date", "exit_price", "size", "pnl", "return"
    );
    for trade in report["trades"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "{:<12} {:>14} {:<12} {:>14} {:>16} {:>14} {:>10}",
            show(&trade["entry_date"]),
            show(&trade["entry_price"]),
            show(&trade["exit_date"]),
            show(&trade["exit_price"]),
            show(&trade["size"]),
            show(&trade["pnl"]),
            show(&trade["return"]),
        );
    }
    out
}
