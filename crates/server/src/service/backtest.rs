//! Signal backtests, one path for `POST /api/v1/backtest` and `commodex backtest`: rules over
//! a series traded as vectorbt's `from_signals` (a signal on bar t's close trades at bar t+1's
//! open), or a sweep of one rule over a parameter grid, answered as SPEC's JSON document.
//!
//! A single backtest's `stats` carry the trade statistics, and under `quantstats` the report's
//! statistics of the equity's daily returns (QuantStats 0.0.86, `rf` 0) measured against
//! buy-and-hold as the benchmark, whose own statistics sit under `buy_and_hold`.

use crate::service::Error;
pub use crate::service::indicators::Columns;
use analytics::backtest::{
    self, BacktestConfig, BacktestResult, Grid, IndicatorCache, Rule, Statistic, SweepPlan,
    SweepResult,
};
use analytics::indicators::Ohlcv;
use analytics::report::{Date, ReportInput, statistics_summary};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// How to backtest: the rules, the execution and, for a sweep, the grid.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"entry": "rsi(14) < 30", "exit": "rsi(14) > 70", "fees": 0.001}))]
pub struct BacktestOptions {
    /// When to enter, e.g. `rsi(14) < 30`; with `grid`, `{name}` placeholders.
    pub entry: String,
    /// When to exit, in the same language.
    pub exit: String,
    /// Fees as a fraction of traded value, on each side.
    #[serde(default)]
    pub fees: f64,
    /// Slippage as a fraction of the price, against each trade.
    #[serde(default)]
    pub slippage: f64,
    /// Starting cash (10000 when absent).
    #[serde(default = "default_init_cash")]
    pub init_cash: f64,
    /// `long` (default), `short` or `both`.
    #[serde(default = "default_direction")]
    pub direction: String,
    /// Parameter ranges of a sweep, e.g. `["p=2..50", "lo=10..40"]`.
    #[serde(default)]
    pub grid: Vec<String>,
    /// The statistic a sweep ranks by (`total_return` when absent).
    #[serde(default = "default_rank_by")]
    pub rank_by: String,
    /// How many of a sweep's best combinations to answer (10 when absent).
    #[serde(default = "default_top")]
    pub top: usize,
    /// Also report the part after this date on its own (out of sample).
    #[serde(default)]
    pub train_until: Option<NaiveDate>,
}

fn default_init_cash() -> f64 {
    10_000.0
}

fn default_direction() -> String {
    "long".to_owned()
}

fn default_rank_by() -> String {
    "total_return".to_owned()
}

fn default_top() -> usize {
    10
}

/// Checks the options that need no data: the execution settings, the grid and, without a
/// grid, both rules (so that a typo costs no file read or fetch).
pub fn check(options: &BacktestOptions) -> Result<(BacktestConfig, Grid), Error> {
    check_named(options, ["entry", "exit"])
}

/// [`check`], naming the rules in errors as the caller knows them (`--entry` on the command
/// line).
pub fn check_named(
    options: &BacktestOptions,
    [entry_name, exit_name]: [&str; 2],
) -> Result<(BacktestConfig, Grid), Error> {
    let config = BacktestConfig {
        fees: options.fees,
        slippage: options.slippage,
        init_cash: options.init_cash,
        direction: options.direction.parse()?,
    };
    config.validate()?;
    let grid = Grid::parse(&options.grid[..])?;
    if grid.parameters.is_empty() {
        parse_rule(entry_name, &options.entry)?;
        parse_rule(exit_name, &options.exit)?;
    }
    Ok((config, grid))
}

/// Runs the backtest (or the sweep, with a grid) over `input`, whose bars fall on `dates`.
pub fn run(
    dates: &[NaiveDate],
    input: &Ohlcv<'_>,
    options: &BacktestOptions,
) -> Result<Value, Error> {
    let (config, grid) = check(options)?;
    if input.close.is_empty() {
        return Err(Error::invalid("the series has no bars"));
    }
    let train_until = options
        .train_until
        .map(|date| dates.partition_point(|d| *d <= date));
    if !grid.parameters.is_empty() {
        let plan = SweepPlan {
            entry: &options.entry,
            exit: &options.exit,
            grid: &grid,
            config,
            rank_by: options.rank_by.parse::<Statistic>()?,
            top: options.top,
            train_until,
        };
        return Ok(sweep_json(&backtest::sweep(input, &plan)?, &grid, dates));
    }
    let entry = parse_rule("entry", &options.entry)?;
    let exit = parse_rule("exit", &options.exit)?;
    // Signals over the whole series, so the out-of-sample part starts with warm indicators.
    let mut cache = IndicatorCache::new();
    cache.prepare([&entry, &exit], input)?;
    let entries = backtest::evaluate(&entry, input, &cache)?;
    let exits = backtest::evaluate(&exit, input, &cache)?;
    let result = backtest::backtest_signals(input, &entries, &exits, &config)?;
    let mut report = result_json(&result, dates);
    if let Some(split) = train_until {
        let n = dates.len();
        if split == 0 || split >= n {
            return Err(Error::invalid(
                "train_until must leave bars on both sides of the split",
            ));
        }
        for (key, range) in [("in_sample", 0..split), ("out_of_sample", split..n)] {
            let part = backtest::backtest_signals(
                &input.slice(range.clone()),
                &entries[range.clone()],
                &exits[range],
                &config,
            )?;
            report[key] = summary_json(&part);
        }
    }
    Ok(report)
}

fn parse_rule(name: &str, text: &str) -> Result<Rule, Error> {
    text.parse::<Rule>()
        .map_err(|error| Error::invalid(format!("{name} '{text}': {error}")))
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

/// The QuantStats statistics of the equity's returns against buy-and-hold, added to `stats`
/// as `quantstats`, `quantstats_undefined` and `buy_and_hold`; left out when the series is
/// too short for them (fewer returns than the report needs) or an equity value is not
/// positive, where returns stop meaning anything.
fn add_quantstats(stats: &mut Value, result: &BacktestResult, dates: &[NaiveDate]) {
    let returns = |values: &[f64]| -> Option<Vec<f64>> {
        values
            .windows(2)
            .map(|w| (w[0] > 0.0 && w[1].is_finite()).then(|| w[1] / w[0] - 1.0))
            .collect()
    };
    let (Some(equity), Some(hold)) = (returns(&result.equity), returns(&result.benchmark)) else {
        return;
    };
    let report_dates: Vec<Date> = dates
        .iter()
        .skip(1)
        .filter_map(|d| Date::from_ymd(d.year(), d.month(), d.day()))
        .collect();
    let Ok(summary) = statistics_summary(&ReportInput {
        dates: &report_dates,
        returns: &equity,
        benchmark: Some(&hold),
        risk_free: 0.0,
    }) else {
        return;
    };
    if let (Ok(quantstats), Ok(undefined), Ok(hold)) = (
        serde_json::to_value(&summary.stats),
        serde_json::to_value(&summary.undefined),
        serde_json::to_value(&summary.benchmark_stats),
    ) {
        stats["quantstats"] = quantstats;
        stats["quantstats_undefined"] = undefined;
        stats["buy_and_hold"] = hold;
    }
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
    let mut stats = stats_json(result);
    add_quantstats(&mut stats, result, dates);
    json!({
        "final_value": number(result.final_value),
        "total_return": number(result.total_return),
        "trades": trades,
        "equity": equity,
        "stats": stats,
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
