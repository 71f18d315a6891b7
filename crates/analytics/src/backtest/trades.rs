//! Fills to trades, and trade statistics, as vectorbt 1.2.0's exit trades.
//!
//! A trade runs from the order that opened a position to the order that reduced or closed
//! it (`get_exit_trades_nb`): a reversal closes one trade and opens the next in the same
//! order, splitting its fees by size. A position still open at the end is a trade valued at
//! the last close with no exit fees, and has no exit bar. Statistics follow vectorbt's
//! `stats()` defaults: counts include the open trade, the rest use closed trades only.

use super::orders::{Fill, Side, add, is_close, is_close_or_less, is_less};

/// One round trip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trade {
    /// Bar of the entry order.
    pub entry_index: usize,
    /// Size-weighted entry price, slippage included.
    pub entry_price: f64,
    /// The share of the entry fees this trade carries.
    pub entry_fees: f64,
    /// Bar of the exit order; `None` while the position is open.
    pub exit_index: Option<usize>,
    /// Exit price, slippage included; the last close for an open trade.
    pub exit_price: f64,
    /// Fees of the exit (zero for an open trade).
    pub exit_fees: f64,
    /// Units traded.
    pub size: f64,
    /// True for a short trade.
    pub short: bool,
    /// Profit after fees.
    pub pnl: f64,
    /// `pnl` over the entry value.
    pub return_: f64,
}

/// vectorbt's `get_trade_stats_nb`.
fn trade_pnl(
    size: f64,
    entry_price: f64,
    entry_fees: f64,
    exit_price: f64,
    exit_fees: f64,
    short: bool,
) -> (f64, f64) {
    let entry_value = size * entry_price;
    let exit_value = size * exit_price;
    let mut difference = add(exit_value, -entry_value);
    if difference != 0.0 && short {
        difference *= -1.0;
    }
    let pnl = difference - entry_fees - exit_fees;
    (pnl, pnl / entry_value)
}

struct Open {
    index: usize,
    short: bool,
    size_sum: f64,
    gross_sum: f64,
    fees_sum: f64,
}

impl Open {
    fn close(
        &self,
        size: f64,
        exit_index: Option<usize>,
        exit_price: f64,
        exit_fees: f64,
    ) -> Trade {
        let entry_price = self.gross_sum / self.size_sum;
        let entry_fees = size / self.size_sum * self.fees_sum;
        let (pnl, return_) = trade_pnl(
            size,
            entry_price,
            entry_fees,
            exit_price,
            exit_fees,
            self.short,
        );
        Trade {
            entry_index: self.index,
            entry_price,
            entry_fees,
            exit_index,
            exit_price,
            exit_fees,
            size,
            short: self.short,
            pnl,
            return_,
        }
    }
}

/// vectorbt's `get_exit_trades_nb` for one column.
pub fn exit_trades(fills: &[Fill], last_close: f64) -> Vec<Trade> {
    let mut trades = Vec::new();
    let mut open: Option<Open> = None;
    for fill in fills {
        let is_buy = fill.side == Side::Buy;
        let position = open.get_or_insert(Open {
            index: fill.index,
            short: !is_buy,
            size_sum: 0.0,
            gross_sum: 0.0,
            fees_sum: 0.0,
        });
        if is_buy != position.short {
            position.size_sum += fill.size;
            position.gross_sum += fill.size * fill.price;
            position.fees_sum += fill.fees;
        } else if is_close_or_less(fill.size, position.size_sum) {
            let exact = is_close(fill.size, position.size_sum);
            let size = if exact { position.size_sum } else { fill.size };
            trades.push(position.close(size, Some(fill.index), fill.price, fill.fees));
            if exact {
                open = None;
            } else {
                let fraction = (position.size_sum - fill.size) / position.size_sum;
                position.size_sum *= fraction;
                position.gross_sum *= fraction;
                position.fees_sum *= fraction;
            }
        } else {
            // A reversal: the order closes this trade and opens the opposite one.
            let closed_size = position.size_sum;
            let exit_fees = closed_size / fill.size * fill.fees;
            trades.push(position.close(closed_size, Some(fill.index), fill.price, exit_fees));
            let size_sum = fill.size - closed_size;
            *position = Open {
                index: fill.index,
                short: !position.short,
                size_sum,
                gross_sum: size_sum * fill.price,
                fees_sum: fill.fees - exit_fees,
            };
        }
    }
    if let Some(position) = open
        && is_less(-position.size_sum, 0.0)
    {
        trades.push(position.close(position.size_sum, None, last_close, 0.0));
    }
    trades
}

/// Trade statistics with vectorbt's definitions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TradeStats {
    /// Every trade, the open one included.
    pub total_trades: usize,
    /// Trades with an exit.
    pub closed_trades: usize,
    /// Trades still open at the end (0 or 1).
    pub open_trades: usize,
    /// Profit of the open trade at the last close (0 without one).
    pub open_trade_pnl: f64,
    /// Share of closed trades with a positive PnL (NaN without closed trades).
    pub win_rate: f64,
    /// Sum of winning PnL over the absolute sum of losing PnL of closed trades (infinite
    /// without losses, NaN without closed trades).
    pub profit_factor: f64,
    /// Mean PnL per closed trade: win rate × average win − loss rate × average loss.
    pub expectancy: f64,
    /// Mean return of closed trades.
    pub average_trade: f64,
    /// Best return of a closed trade.
    pub best_trade: f64,
    /// Worst return of a closed trade.
    pub worst_trade: f64,
    /// Mean return of winning closed trades.
    pub average_winning_trade: f64,
    /// Mean return of losing closed trades.
    pub average_losing_trade: f64,
    /// Share of bars that end with a position (vectorbt's `position_coverage`).
    pub exposure: f64,
    /// Fees paid on every order.
    pub total_fees: f64,
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    if count == 0 {
        f64::NAN
    } else {
        sum / count as f64
    }
}

impl TradeStats {
    /// Statistics of `trades`, with the exposure from the units held per bar.
    pub fn new(trades: &[Trade], fills: &[Fill], position: &[f64]) -> Self {
        let closed: Vec<&Trade> = trades.iter().filter(|t| t.exit_index.is_some()).collect();
        let count = closed.len();
        let wins: Vec<&&Trade> = closed.iter().filter(|t| t.pnl > 0.0).collect();
        let losses: Vec<&&Trade> = closed.iter().filter(|t| t.pnl < 0.0).collect();
        let nan_if_none = |value: f64| if count == 0 { f64::NAN } else { value };
        let win_rate = nan_if_none(wins.len() as f64 / count as f64);
        let total_win: f64 = wins.iter().map(|t| t.pnl).sum();
        let total_loss: f64 = losses.iter().map(|t| t.pnl).sum();
        let average_win = if wins.is_empty() {
            0.0
        } else {
            total_win / wins.len() as f64
        };
        let average_loss = if losses.is_empty() {
            0.0
        } else {
            total_loss / losses.len() as f64
        };
        let loss_rate = nan_if_none(losses.len() as f64 / count as f64);
        let open: Vec<&Trade> = trades.iter().filter(|t| t.exit_index.is_none()).collect();
        Self {
            total_trades: trades.len(),
            closed_trades: count,
            open_trades: open.len(),
            open_trade_pnl: open.iter().map(|t| t.pnl).sum(),
            win_rate,
            profit_factor: nan_if_none(total_win / total_loss.abs()),
            expectancy: nan_if_none(win_rate * average_win - loss_rate * average_loss.abs()),
            average_trade: mean(closed.iter().map(|t| t.return_)),
            best_trade: nan_if_none(
                closed
                    .iter()
                    .map(|t| t.return_)
                    .fold(f64::NEG_INFINITY, f64::max),
            ),
            worst_trade: nan_if_none(
                closed
                    .iter()
                    .map(|t| t.return_)
                    .fold(f64::INFINITY, f64::min),
            ),
            average_winning_trade: mean(wins.iter().map(|t| t.return_)),
            average_losing_trade: mean(losses.iter().map(|t| t.return_)),
            exposure: position.iter().filter(|&&p| p != 0.0).count() as f64
                / position.len().max(1) as f64,
            total_fees: fills.iter().map(|f| f.fees).sum(),
        }
    }
}
