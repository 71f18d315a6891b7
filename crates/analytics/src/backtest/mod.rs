//! Signal backtests: rules to signals, signals to trades, equity and statistics.
//!
//! - [`Rule`] parses conditions such as `crosses_above(sma(10), sma(30)) and rsi(14) < 70`
//!   ([`rule`] has the grammar); [`signals::evaluate`] turns a rule into one boolean per bar,
//!   computing each distinct indicator once through an [`IndicatorCache`].
//! - [`execute_signals`] trades signals as vectorbt 1.2.0's `Portfolio.from_signals` does
//!   with `price=open, size=inf` on signals shifted one bar ([`simulate`] states the rules),
//!   and [`exit_trades`] splits its fills into trades as vectorbt's exit trades.
//! - [`backtest`] does both for an entry and an exit rule; [`sweep`] runs rule templates over
//!   a grid of parameters in parallel.
//!
//! The golden tests (`tests/backtest_golden.rs`, made by `scripts/golden/backtest.py`) hold
//! every trade, the equity and the final value to vectorbt's within 1e-9 relative.

mod lexer;
mod orders;
pub mod rule;
pub mod signals;
pub mod simulate;
pub mod sweep;
pub mod trades;

pub use lexer::Comparison;
pub use orders::{Fill, Side};
pub use rule::{Column, Operand, Rule};
pub use signals::{IndicatorCache, evaluate};
pub use simulate::{BacktestConfig, Direction, Execution, execute_signals};
pub use sweep::{Grid, Statistic, SweepEntry, SweepPlan, SweepResult, sweep};
pub use trades::{Trade, TradeStats, exit_trades};

use crate::AnalyticsError;
use crate::indicators::Ohlcv;

/// Everything one backtest reports.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestResult {
    /// Every trade, an open one last.
    pub trades: Vec<Trade>,
    /// Portfolio value at each bar's close.
    pub equity: Vec<f64>,
    /// Value at the end, an open position valued at the last close.
    pub final_value: f64,
    /// Total profit over the initial cash.
    pub total_return: f64,
    /// Trade statistics.
    pub stats: TradeStats,
    /// Largest fall of the equity from a running peak, as a negative fraction.
    pub max_drawdown: f64,
    /// Value of buying at the first close with all cash and holding, per bar (vectorbt's
    /// `benchmark_value`: close / first close × initial cash).
    pub benchmark: Vec<f64>,
    /// Total return of buying and holding (vectorbt's `total_benchmark_return`).
    pub benchmark_return: f64,
}

/// The prices orders fill at: the open, or the close for a series without opens.
pub fn order_prices<'a>(input: &Ohlcv<'a>) -> &'a [f64] {
    input.open.unwrap_or(input.close)
}

/// Trades `entries` and `exits` (signals at each bar's close) over `input` and reports the
/// trades, equity and statistics.
pub fn backtest_signals(
    input: &Ohlcv<'_>,
    entries: &[bool],
    exits: &[bool],
    config: &BacktestConfig,
) -> Result<BacktestResult, AnalyticsError> {
    let close = input.close;
    let execution = execute_signals(order_prices(input), close, entries, exits, config)?;
    let trades = exit_trades(&execution.fills, close[close.len() - 1]);
    let stats = TradeStats::new(&trades, &execution.fills, &execution.position);
    let benchmark: Vec<f64> = close
        .iter()
        .map(|c| c / close[0] * config.init_cash)
        .collect();
    let benchmark_return = (benchmark[benchmark.len() - 1] - benchmark[0]) / benchmark[0];
    Ok(BacktestResult {
        max_drawdown: max_drawdown(&execution.equity, config.init_cash),
        trades,
        equity: execution.equity,
        final_value: execution.final_value,
        total_return: execution.total_return,
        stats,
        benchmark,
        benchmark_return,
    })
}

/// Evaluates `entry` and `exit` over `input` and trades them.
pub fn backtest(
    input: &Ohlcv<'_>,
    entry: &Rule,
    exit: &Rule,
    config: &BacktestConfig,
) -> Result<BacktestResult, AnalyticsError> {
    let mut cache = IndicatorCache::new();
    cache.prepare([entry, exit], input)?;
    let entries = evaluate(entry, input, &cache)?;
    let exits = evaluate(exit, input, &cache)?;
    backtest_signals(input, &entries, &exits, config)
}

/// vectorbt's `get_return_nb`: the return from one value to the next, its sign flipped when
/// the starting value is negative (a short that lost more than the cash).
fn value_return(from: f64, to: f64) -> f64 {
    if from == 0.0 {
        return if to == 0.0 {
            0.0
        } else {
            f64::INFINITY * to.signum()
        };
    }
    let change = (to - from) / from;
    if from < 0.0 { -change } else { change }
}

/// vectorbt's `max_drawdown`: compounded returns of the equity (from the initial cash) over
/// their running peak, minus one, at the worst bar; as a negative fraction.
pub fn max_drawdown(equity: &[f64], init_cash: f64) -> f64 {
    let mut previous = init_cash;
    let mut compounded = 1.0;
    let mut peak = f64::NAN;
    let mut worst = f64::INFINITY;
    for &value in equity {
        let change = value_return(previous, value);
        previous = value;
        if !change.is_nan() {
            compounded *= change + 1.0;
        }
        let level = compounded * 100.0;
        if peak.is_nan() || level > peak {
            peak = level;
        }
        worst = worst.min(level / peak - 1.0);
    }
    worst
}
