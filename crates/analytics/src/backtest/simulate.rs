//! Signals to orders, equity and final value: vectorbt 1.2.0's `Portfolio.from_signals`.
//!
//! A signal on bar t's close trades at bar t+1's open: the signals are shifted one bar and
//! the order price is the open, as `from_signals(close, entries.shift(1), exits.shift(1),
//! price=open, size=inf)` would do (signals on the last bar never trade). With vectorbt's
//! defaults (`accumulate=False`, every conflict mode `ignore`, `upon_opposite_entry=
//! reversereduce`):
//! - an entry while in a position and an exit while flat do nothing;
//! - an entry and an exit on the same bar do nothing;
//! - `long` buys with all cash on an entry and sells everything on an exit; `short` sells
//!   short with all free cash on an entry and buys back on an exit; `both` treats an entry as
//!   "be long" and an exit as "be short", reversing the position in one order;
//! - fees are a fraction of traded value on each side; slippage moves the price against the
//!   trade (`open × (1 + slippage)` to buy, `× (1 − slippage)` to sell); an all-cash buy
//!   gets `cash / (1 + fees) / price` units.
//!
//! Equity and final value are computed from the fills afterwards, as vectorbt's `value()` and
//! `final_value()` do (cash plus units at the close; an open position valued at the last
//! close), each with vectorbt's own order of operations.

use super::orders::{Account, Costs, Fill, OrderDirection, add, execute};
use crate::AnalyticsError;

/// Which positions a backtest may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Entries buy, exits sell (the default).
    #[default]
    Long,
    /// Entries sell short, exits buy back.
    Short,
    /// Entries go long and exits go short, reversing any position.
    Both,
}

impl std::str::FromStr for Direction {
    type Err = AnalyticsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "long" | "longonly" => Ok(Direction::Long),
            "short" | "shortonly" => Ok(Direction::Short),
            "both" => Ok(Direction::Both),
            other => Err(AnalyticsError::InvalidParameter(format!(
                "direction must be long, short or both, got '{other}'"
            ))),
        }
    }
}

/// How to trade the signals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BacktestConfig {
    /// Fees as a fraction of traded value, paid on each side (0.001 = 0.1%).
    pub fees: f64,
    /// Slippage as a fraction of the price, against the trade.
    pub slippage: f64,
    /// Starting cash.
    pub init_cash: f64,
    /// Long, short or both.
    pub direction: Direction,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        Self {
            fees: 0.0,
            slippage: 0.0,
            init_cash: 10_000.0,
            direction: Direction::Long,
        }
    }
}

impl BacktestConfig {
    /// Checks the ranges vectorbt accepts (and a positive starting cash).
    pub fn validate(&self) -> Result<(), AnalyticsError> {
        let invalid = |m: String| Err(AnalyticsError::InvalidParameter(m));
        if !self.fees.is_finite() || self.fees <= -1.0 {
            return invalid(format!(
                "fees must be a finite fraction above -1, got {}",
                self.fees
            ));
        }
        if !self.slippage.is_finite() || !(0.0..1.0).contains(&self.slippage) {
            return invalid(format!(
                "slippage must be a fraction from 0 up to 1, got {}",
                self.slippage
            ));
        }
        if !self.init_cash.is_finite() || self.init_cash <= 0.0 {
            return invalid(format!(
                "initial cash must be a positive number, got {}",
                self.init_cash
            ));
        }
        Ok(())
    }
}

/// The orders, equity and totals of one backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// Every filled order, in time order.
    pub fills: Vec<Fill>,
    /// Cash plus units at the close, per bar.
    pub equity: Vec<f64>,
    /// Units held at each bar's close (negative when short).
    pub position: Vec<f64>,
    /// Value at the end, an open position valued at the last close.
    pub final_value: f64,
    /// `final_value / init_cash − 1`, as vectorbt computes it (total profit over cash).
    pub total_return: f64,
}

/// Checks that prices and signals line up and prices are usable as order prices.
pub(super) fn check_inputs(
    open: &[f64],
    close: &[f64],
    entries: &[bool],
    exits: &[bool],
) -> Result<(), AnalyticsError> {
    let n = close.len();
    if n == 0 {
        return Err(AnalyticsError::InsufficientData(
            "a backtest needs at least one bar".into(),
        ));
    }
    if open.len() != n || entries.len() != n || exits.len() != n {
        return Err(AnalyticsError::InvalidInput(format!(
            "open ({}), close ({n}), entries ({}) and exits ({}) must have the same length",
            open.len(),
            entries.len(),
            exits.len()
        )));
    }
    for (name, prices) in [("open", open), ("close", close)] {
        if let Some(row) = prices.iter().position(|p| !(p.is_finite() && *p > 0.0)) {
            return Err(AnalyticsError::InvalidInput(format!(
                "{name} price at row {} is {}; backtests need positive prices",
                row + 1,
                prices[row]
            )));
        }
    }
    Ok(())
}

/// Trades `entries` and `exits` (signals at each bar's close) at the next bar's open.
pub fn execute_signals(
    open: &[f64],
    close: &[f64],
    entries: &[bool],
    exits: &[bool],
    config: &BacktestConfig,
) -> Result<Execution, AnalyticsError> {
    config.validate()?;
    check_inputs(open, close, entries, exits)?;
    let fills = simulate_orders(open, entries, exits, config);
    let (equity, position) = equity_curve(close, &fills, config.init_cash);
    let total_profit = total_profit(close, &fills);
    Ok(Execution {
        fills,
        equity,
        position,
        final_value: total_profit + config.init_cash,
        total_return: total_profit / config.init_cash,
    })
}

/// vectorbt's `simulate_from_signals_nb` for one column, signals shifted one bar.
pub(super) fn simulate_orders(
    open: &[f64],
    entries: &[bool],
    exits: &[bool],
    config: &BacktestConfig,
) -> Vec<Fill> {
    let costs = Costs {
        fees: config.fees,
        slippage: config.slippage,
    };
    let mut account = Account {
        cash: config.init_cash,
        position: 0.0,
        debt: 0.0,
        free_cash: config.init_cash,
    };
    let mut fills = Vec::new();
    for i in 1..open.len() {
        let (entry, exit) = (entries[i - 1], exits[i - 1]);
        if !entry && !exit {
            continue;
        }
        let (mut long_entry, mut long_exit, mut short_entry, mut short_exit) =
            match config.direction {
                Direction::Long => (entry, exit, false, false),
                Direction::Short => (false, false, entry, exit),
                Direction::Both => (entry, false, exit, false),
            };
        if long_entry || short_entry {
            // ConflictMode.Ignore for each direction, then DirectionConflictMode.Ignore.
            if long_entry && long_exit {
                (long_entry, long_exit) = (false, false);
            }
            if short_entry && short_exit {
                (short_entry, short_exit) = (false, false);
            }
            if long_entry && short_entry {
                (long_entry, short_entry) = (false, false);
            }
        }
        let Some((size, direction)) = signal_to_size(
            account.position,
            long_entry,
            long_exit,
            short_entry,
            short_exit,
        ) else {
            continue;
        };
        let (next, fill) = execute(account, size, direction, open[i], costs);
        account = next;
        if let Some((size, price, fees, side)) = fill {
            fills.push(Fill {
                index: i,
                size,
                price,
                fees,
                side,
            });
        }
    }
    fills
}

/// vectorbt's `signals_to_size_nb` with `size=inf` and `accumulate=False`: the signed order
/// size and the order's direction, or `None` for no order.
fn signal_to_size(
    position: f64,
    long_entry: bool,
    long_exit: bool,
    short_entry: bool,
    short_exit: bool,
) -> Option<(f64, OrderDirection)> {
    let size = f64::INFINITY;
    if position > 0.0 {
        if short_entry {
            Some((-position.abs() - size, OrderDirection::Both))
        } else if long_exit {
            Some((-position.abs(), OrderDirection::LongOnly))
        } else {
            None
        }
    } else if position < 0.0 {
        if long_entry {
            Some((position.abs() + size, OrderDirection::Both))
        } else if short_exit {
            Some((position.abs(), OrderDirection::ShortOnly))
        } else {
            None
        }
    } else if long_entry {
        Some((size, OrderDirection::Both))
    } else if short_entry {
        Some((-size, OrderDirection::Both))
    } else {
        None
    }
}

/// Signed units and cash flow of a fill, as vectorbt's `cash_flow_nb` writes them.
fn flows(fill: &Fill) -> (f64, f64) {
    let size = match fill.side {
        super::orders::Side::Buy => fill.size,
        super::orders::Side::Sell => -fill.size,
    };
    (size, -size * fill.price - fill.fees)
}

/// vectorbt's `value()`: cash (`cash_nb` over `cash_flow_nb`) plus units (`assets_nb`) at
/// the close, and the units per bar.
pub(super) fn equity_curve(close: &[f64], fills: &[Fill], init_cash: f64) -> (Vec<f64>, Vec<f64>) {
    let n = close.len();
    let mut equity = Vec::with_capacity(n);
    let mut positions = Vec::with_capacity(n);
    // `add(x, 0.0)` is `x` for every value `add` can return (zero, or beyond its 1e-12
    // tolerance), so only bars with fills need vectorbt's `add`; the rest keep cash and units.
    let mut cash = add(init_cash, 0.0);
    let mut units = 0.0;
    let mut next = fills.iter().peekable();
    for (i, &price) in close.iter().enumerate() {
        if next.peek().is_some_and(|f| f.index == i) {
            let mut cash_flow = 0.0;
            let mut asset_flow = 0.0;
            while let Some(fill) = next.next_if(|f| f.index == i) {
                let (size, flow) = flows(fill);
                cash_flow = add(cash_flow, flow);
                asset_flow = add(asset_flow, size);
            }
            cash = add(cash, cash_flow);
            units = add(units, asset_flow);
        }
        equity.push(cash + price * units);
        positions.push(units);
    }
    (equity, positions)
}

/// vectorbt's `total_profit_nb`: cash and units summed over the fills, valued at the last
/// close (zero without fills).
pub(super) fn total_profit(close: &[f64], fills: &[Fill]) -> f64 {
    if fills.is_empty() {
        return 0.0;
    }
    let mut units = 0.0;
    let mut cash = 0.0;
    for fill in fills {
        match fill.side {
            super::orders::Side::Buy => {
                units = add(units, fill.size);
                cash = add(cash, -(fill.size * fill.price + fill.fees));
            }
            super::orders::Side::Sell => {
                units = add(units, -fill.size);
                cash = add(cash, fill.size * fill.price - fill.fees);
            }
        }
    }
    cash + units * close[close.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(entries: &[bool], exits: &[bool], direction: Direction) -> Execution {
        let open = [10.0, 11.0, 12.0, 13.0, 14.0];
        let close = [10.5, 11.5, 12.5, 13.5, 14.5];
        let config = BacktestConfig {
            direction,
            ..BacktestConfig::default()
        };
        execute_signals(&open, &close, entries, exits, &config).unwrap()
    }

    #[test]
    fn a_signal_trades_at_the_next_open() {
        let t = true;
        let f = false;
        let result = run(&[t, f, f, f, f], &[f, f, t, f, f], Direction::Long);
        assert_eq!(result.fills.len(), 2);
        assert_eq!((result.fills[0].index, result.fills[0].price), (1, 11.0));
        assert_eq!((result.fills[1].index, result.fills[1].price), (3, 13.0));
        assert_eq!(result.final_value, 10_000.0 / 11.0 * 13.0);
        assert_eq!(result.equity[0], 10_000.0);
        assert_eq!(result.equity[1], 10_000.0 / 11.0 * 11.5);
    }

    #[test]
    fn same_bar_entry_and_exit_and_last_bar_signals_do_nothing() {
        let t = true;
        let f = false;
        for direction in [Direction::Long, Direction::Short, Direction::Both] {
            let result = run(&[t, f, f, f, t], &[t, f, f, f, t], direction);
            assert!(result.fills.is_empty(), "{direction:?}");
            assert_eq!(result.final_value, 10_000.0);
        }
    }

    #[test]
    fn both_reverses_in_one_order() {
        let t = true;
        let f = false;
        let result = run(&[t, f, f, f, f], &[f, t, f, f, f], Direction::Both);
        assert_eq!(result.fills.len(), 2);
        assert!(result.position[2] < 0.0);
        assert!(result.fills[1].size > result.fills[0].size);
    }
}
