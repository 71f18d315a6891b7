//! Portfolio optimisation: what to hold instead, as PyPortfolioOpt 1.6.0 answers it.
//!
//! Prices → [`simple_returns`] → [`expected_returns`] and [`covariance`] (annualised by the
//! series' periods per year) → a [`MeanVariance`] problem under [`WeightConstraints`] solved
//! for an [`Objective`] or as a [`MeanVariance::frontier`]; or [`risk_parity`] on a covariance,
//! or [`hrp`] on the returns. [`performance`] reports a weight vector as PyPortfolioOpt's
//! `portfolio_performance` does.
//!
//! The convex problems go to Clarabel (the interior-point solver cvxpy uses by default) and
//! are checked against PyPortfolioOpt with cvxpy/Clarabel at tight tolerances in
//! `tests/golden/optimize` (made by `scripts/golden/optimize.py`).

mod constraints;
mod estimate;
mod frontier_path;
mod hrp;
mod matrix;
mod mean_variance;
mod qp;
mod risk_parity;

pub use constraints::{GroupBounds, WeightConstraints};
pub use estimate::{
    DEFAULT_COVARIANCE_SPAN, DEFAULT_RETURN_SPAN, ReturnModel, RiskModel, covariance,
    expected_returns, simple_returns,
};
pub use hrp::hrp;
pub use matrix::CovarianceMatrix;
pub use mean_variance::{FrontierPoint, MeanVariance, Objective};
pub use risk_parity::risk_parity;

/// The annual risk-free rate reported Sharpe ratios use when none is given: 0.02, as SPEC
/// says and PyPortfolioOpt before 1.5 did (1.6.0's `portfolio_performance` defaults to 0).
pub const DEFAULT_RISK_FREE_RATE: f64 = 0.02;

/// A portfolio's annual expected return, volatility and Sharpe ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Performance {
    /// `μᵀw`.
    pub expected_return: f64,
    /// `√(wᵀΣw)`.
    pub volatility: f64,
    /// `(μᵀw − r_f) / √(wᵀΣw)`.
    pub sharpe: f64,
}

/// The performance of `weights` under the estimates, as `base_optimizer.portfolio_performance`.
pub fn performance(
    weights: &[f64],
    expected_returns: &[f64],
    covariance: &CovarianceMatrix,
    risk_free_rate: f64,
) -> Performance {
    let expected_return = matrix::dot(weights, expected_returns);
    let volatility = covariance.quadratic_form(weights).max(0.0).sqrt();
    Performance {
        expected_return,
        volatility,
        sharpe: (expected_return - risk_free_rate) / volatility,
    }
}

/// Each asset's share of the portfolio variance, `wᵢ (Σw)ᵢ / wᵀΣw` (equal under risk parity).
pub fn risk_contributions(weights: &[f64], covariance: &CovarianceMatrix) -> Vec<f64> {
    let product = covariance.times(weights);
    let variance = matrix::dot(weights, &product);
    weights
        .iter()
        .zip(&product)
        .map(|(w, p)| w * p / variance)
        .collect()
}
