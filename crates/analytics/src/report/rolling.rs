//! QuantStats' rolling series: volatility, Sharpe and Sortino over 126 returns (its defaults),
//! and the greeks over the tearsheet's 126 and 252.
//!
//! Each window is computed afresh, two-pass (O(n·window)): pandas' rolling kernels update sums
//! incrementally, which differs from a fresh computation by rounding only, while a fresh
//! computation cannot drift. A 20-year daily series is 5,000 windows of 126, a millisecond.
//! Values before the first full window, and where QuantStats divides by zero, are `None`.

use crate::portfolio::stats::{mean, pairwise_sum, std_dev};

use super::scalars::PERIODS;

/// Window QuantStats' `rolling_volatility`, `rolling_sharpe` and `rolling_sortino` default to.
pub const ROLLING_WINDOW: usize = 126;
/// Windows of the tearsheet's rolling beta (`window1`, `window2`: six and twelve months).
pub const GREEKS_WINDOWS: [usize; 2] = [126, 252];

/// A value per date: `None` before the first full window or where undefined.
fn rolling(values: &[f64], window: usize, statistic: impl Fn(&[f64]) -> f64) -> Vec<Option<f64>> {
    (0..values.len())
        .map(|end| {
            (end + 1 >= window)
                .then(|| statistic(&values[end + 1 - window..=end]))
                .filter(|v| v.is_finite())
        })
        .collect()
}

/// `rolling_volatility(returns)`: std (ddof 1) × √252 over 126 returns; no risk-free rate.
pub fn rolling_volatility(returns: &[f64]) -> Vec<Option<f64>> {
    rolling(returns, ROLLING_WINDOW, |w| std_dev(w, 1) * PERIODS.sqrt())
}

/// `rolling_sharpe(returns, rf)` on excess returns: mean / std × √252.
pub fn rolling_sharpe(excess: &[f64]) -> Vec<Option<f64>> {
    rolling(excess, ROLLING_WINDOW, |w| {
        mean(w) / std_dev(w, 1) * PERIODS.sqrt()
    })
}

/// `rolling_sortino(returns, rf)` on excess returns: mean / sqrt(Σ losses² / 126) × √252.
pub fn rolling_sortino(excess: &[f64]) -> Vec<Option<f64>> {
    rolling(excess, ROLLING_WINDOW, |w| {
        let squares: Vec<f64> = w.iter().filter(|&&r| r < 0.0).map(|r| r * r).collect();
        let downside = pairwise_sum(&squares) / ROLLING_WINDOW as f64;
        mean(w) / downside.sqrt() * PERIODS.sqrt()
    })
}

/// Rolling beta and alpha over one window, as `qs.stats.rolling_greeks(returns, benchmark, window)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RollingGreeks {
    /// Window length, in returns.
    pub window: usize,
    /// `corr · std(returns) / std(benchmark)` over the window.
    pub beta: Vec<Option<f64>>,
    /// `mean(returns) − beta · mean(benchmark)`: per period, *not* annualised (unlike `greeks`).
    pub alpha: Vec<Option<f64>>,
}

/// `rolling_greeks` over `window` returns.
pub fn rolling_greeks(returns: &[f64], benchmark: &[f64], window: usize) -> RollingGreeks {
    let n = returns.len();
    let mut beta = vec![None; n];
    let mut alpha = vec![None; n];
    for end in (window.max(1) - 1)..n {
        let r = &returns[end + 1 - window..=end];
        let b = &benchmark[end + 1 - window..=end];
        let (mean_r, mean_b) = (mean(r), mean(b));
        let mut cross = 0.0;
        for (&x, &y) in r.iter().zip(b) {
            cross += (x - mean_r) * (y - mean_b);
        }
        let covariance = cross / (window as f64 - 1.0);
        let (std_r, std_b) = (std_dev(r, 1), std_dev(b, 1));
        let correlation = covariance / (std_r * std_b);
        let value = correlation * std_r / std_b;
        if value.is_finite() {
            beta[end] = Some(value);
            alpha[end] = Some(mean_r - value * mean_b).filter(|a| a.is_finite());
        }
    }
    RollingGreeks {
        window,
        beta,
        alpha,
    }
}
