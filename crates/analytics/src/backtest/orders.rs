//! One order against cash and a position, with vectorbt 1.2.0's arithmetic.
//!
//! This is `execute_order_nb`, `buy_nb` and `sell_nb` of `vectorbt/portfolio/nb.py` for the
//! settings `from_signals` uses here: amounts (with `-inf` meaning "all cash, short"), no fixed
//! fees, no size limit or granularity, `lock_cash=False`, `allow_partial=True` and the default
//! `min_size` of 1e-8. The order of the floating-point operations and vectorbt's tolerant
//! comparisons (`is_close_nb`, `add_nb`: 1e-9 relative, 1e-12 absolute) are kept, because a
//! size computed as `cash / (1 + fees) / price` differs in its last bits from any other
//! arrangement, and the golden tests hold trades to 1e-9.

/// vectorbt's `rel_tol`.
const RELATIVE_TOLERANCE: f64 = 1e-9;
/// vectorbt's `abs_tol`.
const ABSOLUTE_TOLERANCE: f64 = 1e-12;
/// vectorbt's default `min_size` for portfolios.
const MIN_SIZE: f64 = 1e-8;

/// vectorbt's `is_close_nb`.
pub(super) fn is_close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() || a.is_infinite() || b.is_infinite() {
        return false;
    }
    if a == b {
        return true;
    }
    (a - b).abs() <= (RELATIVE_TOLERANCE * a.abs().max(b.abs())).max(ABSOLUTE_TOLERANCE)
}

/// vectorbt's `is_close_or_less_nb`.
pub(super) fn is_close_or_less(a: f64, b: f64) -> bool {
    is_close(a, b) || a < b
}

/// vectorbt's `is_less_nb`.
pub(super) fn is_less(a: f64, b: f64) -> bool {
    !is_close(a, b) && a < b
}

/// numpy's `np.sign`: zero for zero.
fn sign(value: f64) -> f64 {
    if value > 0.0 {
        1.0
    } else if value < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// vectorbt's `add_nb`: a sum that snaps to zero when the operands cancel within tolerance,
/// so a position sold in full is exactly flat.
pub(super) fn add(a: f64, b: f64) -> f64 {
    let cancels = if sign(a) != sign(b) {
        is_close(a.abs(), b.abs())
    } else {
        is_close(a + b, 0.0)
    };
    if cancels { 0.0 } else { a + b }
}

/// Cash and position of one account between orders (vectorbt's `ExecuteOrderState`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Account {
    pub cash: f64,
    pub position: f64,
    /// What short positions borrowed, at their entry prices.
    pub debt: f64,
    /// Cash not tied up as collateral for short positions.
    pub free_cash: f64,
}

/// Which way an order may move the position (vectorbt's `Direction` of an order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OrderDirection {
    LongOnly,
    ShortOnly,
    Both,
}

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Units bought.
    Buy,
    /// Units sold.
    Sell,
}

/// A filled order: bar index, units (positive), price after slippage, fees paid and side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fill {
    /// The bar the order filled on.
    pub index: usize,
    /// Units traded, always positive.
    pub size: f64,
    /// The price paid or received, slippage included.
    pub price: f64,
    /// Fees paid on this order.
    pub fees: f64,
    /// Whether units were bought or sold.
    pub side: Side,
}

/// The costs of trading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Costs {
    pub fees: f64,
    pub slippage: f64,
}

/// Executes an order of `size` units (positive buys, negative sells; infinite means as much as
/// the cash allows) at `price`. Returns the new account and the fill, or `None` when vectorbt
/// ignores or rejects the order (the account is then unchanged).
pub(super) fn execute(
    account: Account,
    size: f64,
    direction: OrderDirection,
    price: f64,
    costs: Costs,
) -> (Account, Option<(f64, f64, f64, Side)>) {
    // vectorbt snaps every state value within tolerance of zero to zero first.
    let snap = |value: f64| if is_close(value, 0.0) { 0.0 } else { value };
    let account = Account {
        cash: snap(account.cash),
        position: snap(account.position),
        debt: snap(account.debt),
        free_cash: snap(account.free_cash),
    };
    let mut size = size;
    let mut percent = f64::NAN;
    // An infinite short size means "100% of the resources" (SizeType.Percent).
    if direction != OrderDirection::LongOnly && size < 0.0 && size.is_infinite() {
        percent = 1.0;
        size = f64::NEG_INFINITY;
    }
    let result = if size > 0.0 {
        buy(account, size, price, direction, costs, percent)
    } else {
        sell(account, -size, price, direction, costs, percent)
    };
    match result {
        Some((next, fill)) => (next, Some(fill)),
        None => (account, None),
    }
}

type Executed = Option<(Account, (f64, f64, f64, Side))>;

fn buy(
    account: Account,
    size: f64,
    price: f64,
    direction: OrderDirection,
    costs: Costs,
    percent: f64,
) -> Executed {
    let fees = costs.fees;
    let adj_price = price * (1.0 + costs.slippage);
    let mut cash_limit = account.cash;
    if !percent.is_nan() {
        cash_limit = cash_limit.min(percent * cash_limit);
    }
    if direction == OrderDirection::ShortOnly {
        if account.position == 0.0 {
            return None;
        }
    } else if cash_limit == 0.0 || (size.is_infinite() && cash_limit.is_infinite()) {
        return None;
    }
    let adj_size = if direction == OrderDirection::ShortOnly {
        (-account.position).min(size)
    } else {
        size
    };
    if adj_size == 0.0 {
        return None;
    }
    let req_cash = adj_size * adj_price;
    let req_fees = req_cash * fees + 0.0;
    let total_req_cash = req_cash + req_fees;
    let (final_size, fees_paid, final_req_cash) = if is_close_or_less(total_req_cash, cash_limit) {
        (adj_size, req_fees, total_req_cash)
    } else {
        // Not enough cash: spend all of it, fees included.
        let max_req_cash = add(cash_limit, -0.0) / (1.0 + fees);
        if max_req_cash <= 0.0 {
            return None;
        }
        (
            max_req_cash / adj_price,
            cash_limit - max_req_cash,
            cash_limit,
        )
    };
    if is_close(adj_size, 0.0) || is_less(final_size, MIN_SIZE) {
        return None;
    }
    let new_cash = add(account.cash, -final_req_cash);
    let new_position = add(account.position, final_size);
    let (new_debt, new_free_cash) = if account.position < 0.0 {
        let short_size = if new_position < 0.0 {
            final_size
        } else {
            account.position.abs()
        };
        let avg_entry_price = account.debt / account.position.abs();
        let debt_diff = short_size * avg_entry_price;
        (
            add(account.debt, -debt_diff),
            add(account.free_cash + 2.0 * debt_diff, -final_req_cash),
        )
    } else {
        (account.debt, add(account.free_cash, -final_req_cash))
    };
    Some((
        Account {
            cash: new_cash,
            position: new_position,
            debt: new_debt,
            free_cash: new_free_cash,
        },
        (final_size, adj_price, fees_paid, Side::Buy),
    ))
}

fn sell(
    account: Account,
    size: f64,
    price: f64,
    direction: OrderDirection,
    costs: Costs,
    percent: f64,
) -> Executed {
    let fees = costs.fees;
    let adj_price = price * (1.0 - costs.slippage);
    let mut size_limit = if direction == OrderDirection::LongOnly {
        account.position.min(size)
    } else if size.is_infinite() && !percent.is_nan() {
        // How much can be sold: the long position plus a short the free cash can back.
        let long_size = account.position.max(0.0);
        let long_cash = long_size * adj_price * (1.0 - fees);
        let total_free_cash = add(account.free_cash, long_cash);
        if total_free_cash <= 0.0 {
            if account.position <= 0.0 {
                return None;
            }
            long_size
        } else {
            let max_short_size = add(total_free_cash, -0.0) / (adj_price * (1.0 + fees));
            let max_size_limit = add(long_size, max_short_size);
            if max_size_limit <= 0.0 {
                return None;
            }
            max_size_limit
        }
    } else {
        size
    };
    if !percent.is_nan() {
        size_limit *= percent;
    }
    if direction == OrderDirection::LongOnly && account.position == 0.0 {
        return None;
    }
    if size_limit.is_infinite() || is_close(size_limit, 0.0) || is_less(size_limit, MIN_SIZE) {
        return None;
    }
    let acq_cash = size_limit * adj_price;
    let fees_paid = acq_cash * fees + 0.0;
    let final_acq_cash = add(acq_cash, -fees_paid);
    if final_acq_cash < 0.0 {
        return None;
    }
    let new_cash = account.cash + final_acq_cash;
    let new_position = add(account.position, -size_limit);
    let (new_debt, new_free_cash) = if new_position < 0.0 {
        let short_size = if account.position < 0.0 {
            size_limit
        } else {
            new_position.abs()
        };
        let short_value = short_size * adj_price;
        (
            account.debt + short_value,
            add(account.free_cash, add(final_acq_cash, -2.0 * short_value)),
        )
    } else {
        (account.debt, account.free_cash + final_acq_cash)
    };
    Some((
        Account {
            cash: new_cash,
            position: new_position,
            debt: new_debt,
            free_cash: new_free_cash,
        },
        (size_limit, adj_price, fees_paid, Side::Sell),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAT: Account = Account {
        cash: 10_000.0,
        position: 0.0,
        debt: 0.0,
        free_cash: 10_000.0,
    };

    #[test]
    fn all_cash_buy_pays_fees_out_of_the_cash() {
        let costs = Costs {
            fees: 0.001,
            slippage: 0.01,
        };
        let (account, fill) = execute(FLAT, f64::INFINITY, OrderDirection::Both, 100.0, costs);
        let (size, price, fees, side) = fill.unwrap();
        assert_eq!(side, Side::Buy);
        assert_eq!(price, 100.0 * 1.01);
        assert_eq!(size, 10_000.0 / 1.001 / price);
        assert_eq!(fees, 10_000.0 - 10_000.0 / 1.001);
        assert_eq!(account.cash, 0.0);
        assert_eq!(account.position, size);
    }

    #[test]
    fn all_cash_short_backs_the_short_with_free_cash() {
        let costs = Costs {
            fees: 0.0,
            slippage: 0.0,
        };
        let (account, fill) = execute(FLAT, f64::NEG_INFINITY, OrderDirection::Both, 50.0, costs);
        assert_eq!(fill.unwrap().0, 200.0);
        assert_eq!(account.position, -200.0);
        assert_eq!(account.cash, 20_000.0);
        assert_eq!(account.debt, 10_000.0);
        assert_eq!(account.free_cash, 0.0);
    }

    #[test]
    fn closing_a_long_leaves_exactly_flat_and_selling_flat_is_ignored() {
        let costs = Costs {
            fees: 0.0,
            slippage: 0.0,
        };
        let (long, _) = execute(FLAT, f64::INFINITY, OrderDirection::Both, 3.0, costs);
        let (flat, fill) = execute(long, -long.position, OrderDirection::LongOnly, 3.0, costs);
        assert!(fill.is_some());
        assert_eq!(flat.position, 0.0);
        let (same, none) = execute(flat, -1.0, OrderDirection::LongOnly, 3.0, costs);
        assert!(none.is_none());
        assert_eq!(same, flat);
    }

    #[test]
    fn add_snaps_cancelling_operands_to_zero() {
        assert_eq!(add(0.1 + 0.2, -0.3), 0.0);
        assert_eq!(add(1.0, -0.5), 0.5);
        assert_eq!(add(1e-13, 0.0), 0.0);
    }
}
