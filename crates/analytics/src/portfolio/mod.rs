//! Portfolio returns, risk metrics and their series.
//!
//! Inputs are prices of N assets already aligned on common dates (the caller joins dates),
//! constant weights rebalanced daily, and an annual risk-free rate. Conventions follow SPEC's
//! "Analytics conventions" table and match numpy to 1e-9 relative (see `tests/golden/portfolio`).

mod metrics;
mod returns;
mod risk;
mod rolling;
pub(crate) mod stats;

pub use metrics::{PortfolioMetrics, Z_01, Z_05, compute_metrics, compute_metrics_from_returns};
pub use returns::{
    AssetPrices, AssetReturns, MIN_RETURNS, PERIODS_PER_YEAR, daily_risk_free, normalize_weights,
};
pub use risk::{CorrelationMatrix, RiskContribution};
pub use rolling::{DEFAULT_ROLLING_WINDOW, PortfolioSeries, series, series_from_returns};
