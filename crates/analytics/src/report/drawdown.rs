//! Wealth, drawdown and drawdown periods as QuantStats builds them from returns.
//!
//! QuantStats turns returns into prices with `to_prices(returns, base=1)`, that is
//! `1 + (cumprod(1 + r) − 1)` (the `− 1` then `+ 1` round-trip is kept: it changes the last bit),
//! puts a phantom price of 1 one day before the first date, and measures each price against the
//! running maximum. So a loss on the first day is already a drawdown from the starting capital.

use crate::portfolio::stats::percentile_sorted;

use super::date::Date;

/// `compsum`: the cumulative compounded return at each date, `cumprod(1 + r) − 1`.
pub fn cumulative_returns(returns: &[f64]) -> Vec<f64> {
    let mut wealth = 1.0;
    returns
        .iter()
        .map(|r| {
            wealth *= 1.0 + r;
            wealth - 1.0
        })
        .collect()
}

/// `to_drawdown_series`: the underwater series `price / running max − 1`, 0 at a new high.
pub fn drawdown_series(cumulative: &[f64]) -> Vec<f64> {
    let mut peak = 1.0_f64;
    cumulative
        .iter()
        .map(|c| {
            let price = 1.0 + c;
            peak = peak.max(price);
            price / peak - 1.0
        })
        .collect()
}

/// `max_drawdown`: the lowest `price / running max`, minus 1 (0 with no loss).
pub fn max_drawdown(cumulative: &[f64]) -> f64 {
    let mut peak = 1.0_f64;
    let mut lowest = 1.0_f64;
    for c in cumulative {
        let price = 1.0 + c;
        peak = peak.max(price);
        lowest = lowest.min(price / peak);
    }
    lowest - 1.0
}

/// `ulcer_index`: `sqrt(Σ drawdown² / (n − 1))`.
pub fn ulcer_index(drawdown: &[f64]) -> f64 {
    let squares: Vec<f64> = drawdown.iter().map(|d| d * d).collect();
    (crate::portfolio::stats::pairwise_sum(&squares) / (drawdown.len() as f64 - 1.0)).sqrt()
}

/// One drawdown period, a row of `qs.stats.drawdown_details`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DrawdownPeriod {
    /// First date below the previous high.
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Date))]
    pub start: Date,
    /// Date of the lowest point (the first one, if the low is hit twice).
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Date))]
    pub valley: Date,
    /// Last date below the high: the day *before* the recovery, or the last date if the
    /// drawdown has not recovered (QuantStats' "end", which its tearsheet calls "Recovered").
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Date))]
    pub end: Date,
    /// Calendar days from start to end, both counted.
    pub days: i32,
    /// The deepest drawdown of the period, in percent (QuantStats' `max drawdown` column is
    /// ×100, unlike its other outputs).
    pub max_drawdown_percent: f64,
    /// QuantStats' `99% max drawdown`, in percent: the deepest drawdown once values at or beyond
    /// the period's 99th percentile of depth are removed. `None` where QuantStats has NaN: a
    /// period too short for anything to remain (one or two days, typically).
    pub max_drawdown_99_percent: Option<f64>,
}

/// `drawdown_details`: every drawdown period of the underwater series, in date order.
///
/// As QuantStats: a period starts on a date below zero after a date at zero, and ends the date
/// before the next zero. Its oddity: a drawdown that begins on the very first date and never
/// recovers has no "start" it can see, so the series then has no periods at all.
pub fn drawdown_details(dates: &[Date], drawdown: &[f64]) -> Vec<DrawdownPeriod> {
    let n = drawdown.len();
    let at_high: Vec<bool> = drawdown.iter().map(|&d| d == 0.0).collect();
    let mut starts: Vec<usize> = (1..n).filter(|&i| !at_high[i] && at_high[i - 1]).collect();
    let ends_after: Vec<usize> = (1..n)
        .filter(|&i| at_high[i] && !at_high[i - 1])
        .map(|i| i - 1)
        .collect();
    if starts.is_empty() {
        return Vec::new();
    }
    let mut ends = ends_after;
    if ends.first().is_some_and(|&end| starts[0] > end) {
        starts.insert(0, 0);
    }
    if ends
        .last()
        .is_none_or(|&end| starts[starts.len() - 1] > end)
    {
        ends.push(n - 1);
    }
    starts
        .iter()
        .zip(&ends)
        .map(|(&start, &end)| period(dates, drawdown, start, end))
        .collect()
}

fn period(dates: &[Date], drawdown: &[f64], start: usize, end: usize) -> DrawdownPeriod {
    let slice = &drawdown[start..=end];
    let (mut valley, mut lowest) = (0, slice[0]);
    for (i, &d) in slice.iter().enumerate() {
        if d < lowest {
            valley = i;
            lowest = d;
        }
    }
    // remove_outliers(-dd, 0.99): keep depths strictly below their 99th percentile.
    let mut depths: Vec<f64> = slice.iter().map(|d| -d).collect();
    depths.sort_by(f64::total_cmp);
    let cutoff = percentile_sorted(&depths, 99.0);
    let deepest_kept = depths
        .iter()
        .copied()
        .filter(|&d| d < cutoff)
        .reduce(f64::max);
    DrawdownPeriod {
        start: dates[start],
        valley: dates[start + valley],
        end: dates[end],
        days: dates[end].days_since_epoch() - dates[start].days_since_epoch() + 1,
        max_drawdown_percent: lowest * 100.0,
        max_drawdown_99_percent: deepest_kept.map(|d| -d * 100.0),
    }
}

/// The `count` deepest periods, deepest first, as the tearsheet's "Worst Drawdowns" table.
pub fn worst_drawdowns(periods: &[DrawdownPeriod], count: usize) -> Vec<DrawdownPeriod> {
    let mut sorted = periods.to_vec();
    // Stable: equal depths keep date order (pandas' quicksort may order exact ties otherwise).
    sorted.sort_by(|a, b| a.max_drawdown_percent.total_cmp(&b.max_drawdown_percent));
    sorted.truncate(count);
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_after_a_high_and_end_before_the_recovery() {
        let dates: Vec<Date> = (0..6).map(|d| Date::from_days_since_epoch(d * 7)).collect();
        let returns = [0.1, -0.1, -0.1, 0.5, -0.1, 0.0];
        let drawdown = drawdown_series(&cumulative_returns(&returns));
        let periods = drawdown_details(&dates, &drawdown);
        assert_eq!(periods.len(), 2);
        assert_eq!((periods[0].start, periods[0].end), (dates[1], dates[2]));
        assert_eq!(periods[0].days, 8);
        assert_eq!((periods[1].start, periods[1].end), (dates[4], dates[5]));
        assert!((max_drawdown(&cumulative_returns(&returns)) - (0.81 - 1.0)).abs() < 1e-15);
    }
}
