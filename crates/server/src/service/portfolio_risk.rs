//! A portfolio's risk, one path for every caller: the metrics `POST /api/v1/portfolio/metrics`
//! answers and the live feed sends as `portfolio_update`, and the Monte Carlo simulation of
//! `POST /api/v1/portfolio/simulate`, both over stored series or inline prices.

use crate::service::prices::{Aligned, AssetOrigin, align, load_aligned};
use crate::service::{Error, blocking};
use crate::state::AppState;
use analytics::portfolio::{AssetReturns, PortfolioMetrics, compute_metrics};
use analytics::simulation::{
    MonteCarloConfig, MonteCarloResult, ResampleMethod, SimulationConfig, SimulationMethod,
    SimulationResult, montecarlo_portfolio, simulate_returns_until,
};
use chrono::NaiveDate;
use market_data::anonymous_budget::Caller;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use store::{Portfolio, PriceBar};
use utoipa::ToSchema;

/// Metrics with the range and the sources they were computed from.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MetricsAnswer)]
pub struct MetricsReport {
    /// First shared date used.
    pub start: Option<NaiveDate>,
    /// Last shared date used.
    pub end: Option<NaiveDate>,
    /// Where each stored asset's prices came from (empty for inline prices).
    pub assets: Vec<AssetOrigin>,
    /// SPEC's metric keys.
    #[serde(flatten)]
    pub metrics: PortfolioMetrics,
}

/// Computes SPEC's metrics of `weights` over `aligned` (CPU-bound: call it on the blocking
/// pool).
pub fn metrics_report(
    aligned: &Aligned,
    weights: &[f64],
    risk_free: f64,
    assets: Vec<AssetOrigin>,
) -> Result<MetricsReport, Error> {
    let metrics = compute_metrics(&aligned.asset_prices(), weights, risk_free)?;
    Ok(MetricsReport {
        start: aligned.dates.first().copied(),
        end: aligned.dates.last().copied(),
        assets,
        metrics,
    })
}

/// Computes a saved portfolio's metrics over `start..=end` (either open) with a zero risk-free
/// rate, on the blocking pool.
pub async fn saved_portfolio_metrics(
    state: &AppState,
    portfolio: &Portfolio,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    caller: Caller,
) -> Result<MetricsReport, Error> {
    let keys: Vec<(String, String)> = portfolio
        .assets
        .iter()
        .map(|asset| (asset.source.clone(), asset.symbol.clone()))
        .collect();
    let weights: Vec<f64> = portfolio.assets.iter().map(|asset| asset.weight).collect();
    let (aligned, origins) = load_aligned(state, &keys, start, end, caller).await?;
    blocking(move || metrics_report(&aligned, &weights, 0.0, origins)).await
}

/// The metrics of `input` at `risk_free`, on the blocking pool.
pub async fn portfolio_metrics(
    state: &AppState,
    input: PortfolioInput,
    risk_free: f64,
    caller: Caller,
) -> Result<MetricsReport, Error> {
    let Prepared {
        aligned,
        weights,
        assets,
    } = prepare(state, input, caller).await?;
    blocking(move || metrics_report(&aligned, &weights, risk_free, assets)).await
}

/// A simulation with the range of history it drew from.
#[derive(Serialize, ToSchema)]
pub struct SimulationAnswer {
    /// First shared date of the history used.
    start: Option<NaiveDate>,
    /// Last shared date of the history used.
    end: Option<NaiveDate>,
    /// Where each stored asset's prices came from (empty for inline prices).
    assets: Vec<AssetOrigin>,
    /// The simulation's outcome.
    #[serde(flatten)]
    result: SimulationOutcome,
}

/// What a simulation draws: new returns over a horizon, or the history reordered.
#[derive(Debug, Clone, Copy)]
pub enum SimulationKind {
    /// `normal` or `bootstrap`: paths of `horizon` fresh daily returns.
    Drawn(SimulationConfig),
    /// `shuffle` or `block`: QuantStats' `montecarlo`, paths as long as the history.
    Resampled(MonteCarloConfig),
}

/// The outcome of either kind.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum SimulationOutcome {
    /// Statistics, histogram and fan-chart percentiles of the final return.
    Drawn(SimulationResult),
    /// Final return and maximum drawdown across reordered histories, bust and goal odds.
    Resampled(MonteCarloResult),
}

/// A Monte Carlo simulation of `input` within the configured bounds, on the blocking pool.
pub async fn portfolio_simulation(
    state: &AppState,
    input: PortfolioInput,
    kind: SimulationKind,
    caller: Caller,
) -> Result<SimulationAnswer, Error> {
    let bounds = state.simulation;
    if let SimulationKind::Resampled(config) = kind
        && (config.sims == 0 || config.sims > bounds.limits.max_paths)
    {
        return Err(Error::invalid(format!(
            "num_simulations {} is out of range: it must be between 1 and {}",
            config.sims, bounds.limits.max_paths
        )));
    }
    let prepared = prepare(state, input, caller).await?;
    let method_label = match kind {
        SimulationKind::Drawn(config) => match config.method {
            SimulationMethod::Normal => "normal",
            SimulationMethod::Bootstrap => "bootstrap",
        },
        SimulationKind::Resampled(config) => match config.method {
            ResampleMethod::Shuffle => "shuffle",
            ResampleMethod::Block { .. } => "block",
        },
    };
    // Dropped with this future when the client goes away (or the request times out): the
    // simulation then stops at its next block of days instead of running to the end unseen.
    let stop = StopOnDrop::default();
    let flag = Arc::clone(&stop.0);
    blocking(move || {
        let started = std::time::Instant::now();
        let assets = prepared.aligned.asset_prices();
        let outcome = match kind {
            SimulationKind::Drawn(config) => AssetReturns::from_prices(&assets)
                .and_then(|returns| {
                    simulate_returns_until(
                        &returns,
                        &prepared.weights,
                        &config,
                        &bounds.limits,
                        &flag,
                    )
                })
                .map(SimulationOutcome::Drawn),
            SimulationKind::Resampled(config) => {
                montecarlo_portfolio(&assets, &prepared.weights, &config, &flag)
                    .map(SimulationOutcome::Resampled)
            }
        };
        metrics::histogram!("commodex_simulation_duration_seconds", "method" => method_label)
            .record(started.elapsed().as_secs_f64());
        Ok(SimulationAnswer {
            start: prepared.aligned.dates.first().copied(),
            end: prepared.aligned.dates.last().copied(),
            assets: prepared.assets,
            result: outcome?,
        })
    })
    .await
}

/// A flag set when dropped: the blocking half of a computation reads it to stop early.
#[derive(Default)]
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Most assets one computation accepts, as for saved portfolios.
const MAX_ASSETS: usize = super::portfolios::MAX_ASSETS;

/// A stored asset and its weight.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source": "demo", "symbol": "GOLD", "weight": 0.6}))]
pub struct AssetInput {
    /// A source id, or `auto`.
    pub source: String,
    /// Our symbol.
    pub symbol: String,
    /// A positive weight (weights are normalised to sum 1).
    pub weight: f64,
}

/// An asset given with its own prices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineAsset {
    /// A label for the asset.
    pub symbol: String,
    /// A positive weight.
    pub weight: f64,
    /// Bars with at least `date` and `close`.
    pub data: Vec<PriceBar>,
}

/// Which prices to use: stored series (`assets`, with `start`/`end`) or inline (`prices`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioInput {
    /// Stored series and their weights (1 to 50); give this or `prices`.
    #[serde(default)]
    pub assets: Vec<AssetInput>,
    /// Inline series and their weights (1 to 50); give this or `assets`.
    #[serde(default)]
    pub prices: Vec<InlineAsset>,
    /// First date to use (inclusive).
    pub start: Option<NaiveDate>,
    /// Last date to use (inclusive).
    pub end: Option<NaiveDate>,
}

/// Prices joined on shared dates, ready for analytics.
pub struct Prepared {
    /// Close prices on the shared dates.
    pub aligned: Aligned,
    /// The weights, in the assets' order.
    pub weights: Vec<f64>,
    /// Where each stored asset's prices came from (empty for inline prices).
    pub assets: Vec<AssetOrigin>,
}

/// Loads (or takes inline) the prices of `input`, joined on the dates they share.
pub async fn prepare(
    state: &AppState,
    input: PortfolioInput,
    caller: Caller,
) -> Result<Prepared, Error> {
    Ok(prepare_with_benchmark(state, input, None, caller).await?.0)
}

/// A benchmark: a stored series, or one given with its prices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum BenchmarkInput {
    /// Inline prices, for a portfolio given as `prices`.
    Inline {
        /// Its label.
        symbol: String,
        /// Bars with at least `date` and `close`.
        data: Vec<PriceBar>,
    },
    /// A stored series, for a portfolio given as `assets`.
    Stored {
        /// A source id, or `auto`.
        source: String,
        /// Our symbol.
        symbol: String,
    },
}

/// The benchmark's label and closes on the portfolio's shared dates.
pub type BenchmarkPrices = Option<(String, Vec<f64>)>;

/// As [`prepare`], with a benchmark joined on the same dates (the shared dates are those
/// every asset and the benchmark have).
pub async fn prepare_with_benchmark(
    state: &AppState,
    input: PortfolioInput,
    benchmark: Option<BenchmarkInput>,
    caller: Caller,
) -> Result<(Prepared, BenchmarkPrices), Error> {
    let count = input.assets.len() + input.prices.len();
    if input.assets.is_empty() == input.prices.is_empty() {
        return Err(Error::invalid(
            "give either `assets` (stored series) or `prices` (inline series), not both or neither",
        ));
    }
    if count > MAX_ASSETS {
        return Err(Error::invalid(format!("at most {MAX_ASSETS} assets")));
    }
    let has_benchmark = benchmark.is_some();
    let (mut aligned, weights, assets) = if input.prices.is_empty() {
        let mut keys: Vec<(String, String)> = input
            .assets
            .iter()
            .map(|a| (a.source.clone(), a.symbol.clone()))
            .collect();
        match benchmark {
            Some(BenchmarkInput::Stored { source, symbol }) => keys.push((source, symbol)),
            Some(BenchmarkInput::Inline { .. }) => {
                return Err(Error::invalid(
                    "benchmark: a portfolio of stored `assets` takes a stored benchmark {\"source\", \"symbol\"}",
                ));
            }
            None => {}
        }
        let (aligned, origins) = load_aligned(state, &keys, input.start, input.end, caller).await?;
        let weights = input.assets.iter().map(|a| a.weight).collect();
        (aligned, weights, origins)
    } else {
        let weights = input.prices.iter().map(|a| a.weight).collect();
        let mut series: Vec<(String, Vec<PriceBar>)> = input
            .prices
            .into_iter()
            .map(|asset| (asset.symbol, asset.data))
            .collect();
        match benchmark {
            Some(BenchmarkInput::Inline { symbol, data }) => series.push((symbol, data)),
            Some(BenchmarkInput::Stored { .. }) => {
                return Err(Error::invalid(
                    "benchmark: a portfolio of inline `prices` takes an inline benchmark {\"symbol\", \"data\"}",
                ));
            }
            None => {}
        }
        for (_, data) in &mut series {
            data.retain(|bar| {
                input.start.is_none_or(|s| bar.date >= s) && input.end.is_none_or(|e| bar.date <= e)
            });
        }
        (align(&series), weights, Vec::new())
    };
    let benchmark = if has_benchmark {
        match (aligned.symbols.pop(), aligned.prices.pop()) {
            (Some(symbol), Some(prices)) => Some((symbol, prices)),
            _ => None,
        }
    } else {
        None
    };
    Ok((
        Prepared {
            aligned,
            weights,
            assets,
        },
        benchmark,
    ))
}
