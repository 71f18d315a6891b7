//! Benchmark-relative statistics: `greeks`, `r_squared`, `information_ratio`, `treynor_ratio`.
//!
//! QuantStats pairs the two series on the dates both have; Commodex's inputs are already
//! aligned, so the pairing is the identity here.

use crate::portfolio::stats::mean;

use super::scalars::{PERIODS, comp, sample_std};

/// `greeks`: beta and (annualised) alpha against the benchmark.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Greeks {
    /// `(mean(r) − beta · mean(b)) × 252`: arithmetic, not compounded, and with no risk-free
    /// rate (QuantStats' `greeks` takes none).
    pub alpha: f64,
    /// `cov(r, b) / var(b)` (ddof 1); QuantStats' `fillna(0)` makes it 0 for a constant benchmark.
    pub beta: f64,
}

/// Sample covariance terms of two series: (cov(r, b), var(r), var(b)), all ddof 1.
fn covariances(returns: &[f64], benchmark: &[f64]) -> (f64, f64, f64) {
    let (mean_r, mean_b) = (mean(returns), mean(benchmark));
    let (mut cross, mut var_r, mut var_b) = (0.0, 0.0, 0.0);
    for (&x, &y) in returns.iter().zip(benchmark) {
        let (dx, dy) = (x - mean_r, y - mean_b);
        cross += dx * dy;
        var_r += dx * dx;
        var_b += dy * dy;
    }
    let scale = returns.len() as f64 - 1.0;
    (cross / scale, var_r / scale, var_b / scale)
}

/// `greeks(returns, benchmark)`.
pub fn greeks(returns: &[f64], benchmark: &[f64]) -> Greeks {
    let (covariance, _, variance_b) = covariances(returns, benchmark);
    let beta = if variance_b == 0.0 {
        f64::NAN
    } else {
        covariance / variance_b
    };
    let alpha = (mean(returns) - beta * mean(benchmark)) * PERIODS;
    let zero_if_nan = |v: f64| if v.is_nan() { 0.0 } else { v };
    Greeks {
        alpha: zero_if_nan(alpha),
        beta: zero_if_nan(beta),
    }
}

/// `r_squared` (also `r2`): the square of scipy's `linregress` correlation, 0 when either
/// series is constant.
pub fn r_squared(returns: &[f64], benchmark: &[f64]) -> f64 {
    let (covariance, variance_r, variance_b) = covariances(returns, benchmark);
    if variance_r == 0.0 || variance_b == 0.0 {
        return 0.0;
    }
    let r = (covariance / (variance_r * variance_b).sqrt()).clamp(-1.0, 1.0);
    r * r
}

/// `information_ratio`: mean / std (ddof 1) of `returns − benchmark`, per period (QuantStats
/// does not annualise it); 0, not undefined, when the difference is constant.
pub fn information_ratio(returns: &[f64], benchmark: &[f64]) -> f64 {
    let difference: Vec<f64> = returns.iter().zip(benchmark).map(|(r, b)| r - b).collect();
    let std = sample_std(&difference);
    if std != 0.0 {
        mean(&difference) / std
    } else {
        0.0
    }
}

/// `treynor_ratio(returns, benchmark, rf=rf)`: `(comp(returns) − rf) / beta`, the *total*
/// compounded return over the whole series less the *annual* rate, per unit of beta; 0 when
/// beta is 0 (QuantStats returns 0 there).
pub fn treynor_ratio(returns: &[f64], beta: f64, risk_free: f64) -> f64 {
    if beta == 0.0 {
        0.0
    } else {
        (comp(returns) - risk_free) / beta
    }
}
