//! Monte Carlo simulation of portfolio outcomes (SPEC: `simulate`).
//!
//! Two ways to draw daily portfolio returns: [`SimulationMethod::Normal`] (the fitted normal,
//! see `normal.rs` for why one draw per day is exact) and [`SimulationMethod::Bootstrap`]
//! (whole historical days). Paths compound daily from a wealth of 1. The same seed gives the
//! same result whatever the rayon thread count (see `paths.rs`).
//!
//! [`montecarlo`] is the other kind quants use, QuantStats' `montecarlo`: the portfolio's own
//! history reshuffled (or block-bootstrapped) into whole paths, with bust and goal
//! probabilities (see `montecarlo.rs`).

mod bootstrap;
mod fan;
mod montecarlo;
mod normal;
mod paths;
mod streams;
mod summary;
mod ziggurat_tables;

pub use montecarlo::{
    MonteCarloConfig, MonteCarloResult, PathSummary, ResampleMethod, montecarlo,
    montecarlo_portfolio, montecarlo_until,
};
pub use summary::{FinalReturnPercentiles, HISTOGRAM_BINS, Histogram, SimulationStatistics};

use crate::AnalyticsError;
use crate::portfolio::{AssetPrices, AssetReturns, normalize_weights};
use bootstrap::BootstrapReturns;
use normal::NormalReturns;
use paths::{PathOutcomes, run_paths};
use std::sync::atomic::AtomicBool;

/// How simulated daily returns are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "lowercase")
)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub enum SimulationMethod {
    /// Normal with the historical mean and covariance (as the original).
    #[default]
    Normal,
    /// Whole historical days resampled with replacement.
    Bootstrap,
}

impl std::str::FromStr for SimulationMethod {
    type Err = AnalyticsError;

    /// Parses the CLI and API spelling: `normal` or `bootstrap`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "normal" => Ok(Self::Normal),
            "bootstrap" => Ok(Self::Bootstrap),
            other => Err(AnalyticsError::InvalidParameter(format!(
                "unknown simulation method {other:?}: use normal or bootstrap"
            ))),
        }
    }
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulationConfig {
    /// Number of simulated paths.
    pub paths: usize,
    /// Trading days each path runs.
    pub horizon: usize,
    /// RNG seed; the same seed gives the same result.
    pub seed: u64,
    /// How daily returns are drawn.
    pub method: SimulationMethod,
    /// Number of raw paths to return (the first ones), 0 for none.
    pub include_paths: usize,
}

impl Default for SimulationConfig {
    /// SPEC's CLI defaults: 10,000 paths, 252 days, seed 42, normal, no raw paths.
    fn default() -> Self {
        Self {
            paths: 10_000,
            horizon: 252,
            seed: 42,
            method: SimulationMethod::Normal,
            include_paths: 0,
        }
    }
}

/// Upper bounds a deployment enforces on a simulation request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulationLimits {
    /// Most paths one request may ask for.
    pub max_paths: usize,
    /// Longest horizon, in trading days.
    pub max_horizon: usize,
    /// Most raw paths one request may ask to see.
    pub max_returned_paths: usize,
}

impl Default for SimulationLimits {
    /// 100,000 paths, ten years of trading days, 100 raw paths.
    fn default() -> Self {
        Self {
            max_paths: 100_000,
            max_horizon: 2_520,
            max_returned_paths: 100,
        }
    }
}

/// Fan-chart percentiles of the cumulative return at each day `0..=horizon` (day 0 is 0).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PercentilePaths {
    /// 5th percentile per day.
    pub p5: Vec<f64>,
    /// 25th percentile per day.
    pub p25: Vec<f64>,
    /// Median per day.
    pub p50: Vec<f64>,
    /// 75th percentile per day.
    pub p75: Vec<f64>,
    /// 95th percentile per day.
    pub p95: Vec<f64>,
}

/// The outcome of a simulation; field names are SPEC's JSON keys.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SimulationResult {
    /// How daily returns were drawn.
    pub method: SimulationMethod,
    /// The seed used.
    pub seed: u64,
    /// Number of simulated paths.
    pub num_simulations: usize,
    /// Trading days per path.
    pub time_horizon_days: usize,
    /// Statistics of the final cumulative return.
    pub statistics: SimulationStatistics,
    /// Histogram of final cumulative returns ([`HISTOGRAM_BINS`] bins).
    pub histogram: Histogram,
    /// Percentiles of the cumulative return over time, for a fan chart.
    pub percentile_paths: PercentilePaths,
    /// Cumulative returns, days `0..=horizon`, of the first `include_paths` paths, if asked.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub paths: Option<Vec<Vec<f64>>>,
}

/// Simulates the portfolio from aligned prices and weights (normalised here).
///
/// Errors: bad prices or weights (as [`crate::portfolio::compute_metrics`]), or a request
/// outside `limits`.
pub fn simulate(
    assets: &[AssetPrices<'_>],
    weights: &[f64],
    config: &SimulationConfig,
    limits: &SimulationLimits,
) -> Result<SimulationResult, AnalyticsError> {
    let returns = AssetReturns::from_prices(assets)?;
    simulate_returns(&returns, weights, config, limits)
}

/// Same as [`simulate`] on returns already validated.
pub fn simulate_returns(
    returns: &AssetReturns,
    weights: &[f64],
    config: &SimulationConfig,
    limits: &SimulationLimits,
) -> Result<SimulationResult, AnalyticsError> {
    simulate_returns_until(returns, weights, config, limits, &AtomicBool::new(false))
}

/// [`simulate_returns`] that gives up with [`AnalyticsError::Cancelled`] once `stop` is set
/// (looked at between blocks of days): a server stops the work of a client that went away.
pub fn simulate_returns_until(
    returns: &AssetReturns,
    weights: &[f64],
    config: &SimulationConfig,
    limits: &SimulationLimits,
    stop: &AtomicBool,
) -> Result<SimulationResult, AnalyticsError> {
    check_config(config, limits)?;
    let weights = normalize_weights(weights, returns.num_assets())?;
    let history = returns.portfolio_returns(&weights);
    let outcomes = match config.method {
        SimulationMethod::Normal => {
            let sampler = NormalReturns::fit(&history);
            run_paths(
                &sampler,
                config.paths,
                config.horizon,
                config.seed,
                config.include_paths,
                stop,
            )
        }
        SimulationMethod::Bootstrap => {
            let sampler = BootstrapReturns::new(history)?;
            run_paths(
                &sampler,
                config.paths,
                config.horizon,
                config.seed,
                config.include_paths,
                stop,
            )
        }
    }
    .ok_or(AnalyticsError::Cancelled)?;
    let result = summarise(config, outcomes);
    if result.statistics.max.is_finite()
        && result.statistics.mean.is_finite()
        && result.statistics.std.is_finite()
    {
        Ok(result)
    } else {
        Err(AnalyticsError::InvalidInput(
            "the simulated wealth overflowed: the historical returns are too extreme for this horizon".to_owned(),
        ))
    }
}

fn check_config(
    config: &SimulationConfig,
    limits: &SimulationLimits,
) -> Result<(), AnalyticsError> {
    if config.paths == 0 || config.paths > limits.max_paths {
        return Err(AnalyticsError::InvalidParameter(format!(
            "paths must be between 1 and {}, got {}",
            limits.max_paths, config.paths
        )));
    }
    if config.horizon == 0 || config.horizon > limits.max_horizon {
        return Err(AnalyticsError::InvalidParameter(format!(
            "horizon must be between 1 and {} trading days, got {}",
            limits.max_horizon, config.horizon
        )));
    }
    let most_paths = limits.max_returned_paths.min(config.paths);
    if config.include_paths > most_paths {
        return Err(AnalyticsError::InvalidParameter(format!(
            "at most {most_paths} raw paths can be returned, {} were asked for",
            config.include_paths
        )));
    }
    Ok(())
}

fn summarise(config: &SimulationConfig, outcomes: PathOutcomes) -> SimulationResult {
    let PathOutcomes {
        final_returns,
        max_drawdowns,
        fan,
        kept_paths,
    } = outcomes;
    let mut fan = fan.into_iter();
    let mut next = || fan.next().unwrap_or_default();
    SimulationResult {
        method: config.method,
        seed: config.seed,
        num_simulations: config.paths,
        time_horizon_days: config.horizon,
        statistics: summary::statistics(&final_returns, &max_drawdowns),
        histogram: summary::histogram(&final_returns, HISTOGRAM_BINS),
        percentile_paths: PercentilePaths {
            p5: next(),
            p25: next(),
            p50: next(),
            p75: next(),
            p95: next(),
        },
        paths: (config.include_paths > 0).then_some(kept_paths),
    }
}
