//! `POST /api/v1/portfolio/metrics`, `simulate`, `report` and `optimize`: risk, performance
//! and better weights of a portfolio over stored series or inline prices.
//!
//! These are reads with a body (nothing is stored), so they need no token.

use crate::auth::Identity;
use crate::error::ApiError;
use crate::service::blocking;
use crate::service::optimize::{OptimizeOptions, Optimized, optimize_prices};
use crate::service::portfolio_risk::{
    AssetInput, BenchmarkInput, InlineAsset, MetricsReport, PortfolioInput, SimulationAnswer,
    SimulationKind, portfolio_metrics, portfolio_simulation, prepare, prepare_with_benchmark,
};
use crate::service::report::{ReportAnswer, ReportPrices, report_prices};
use crate::state::AppState;
use analytics::simulation::{MonteCarloConfig, ResampleMethod, SimulationConfig, SimulationMethod};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /portfolio/metrics` body.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.6}, {"source": "demo", "symbol": "WTI", "weight": 0.4}], "start": "2024-01-01", "end": "2024-06-30", "risk_free": 0.02}))]
pub struct MetricsBody {
    /// The assets and the range.
    #[serde(flatten)]
    input: PortfolioInput,
    /// Annual risk-free rate (0.02 is 2 %); 0 when absent.
    #[serde(default)]
    risk_free: f64,
}

/// `POST /portfolio/simulate` body.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.6}, {"source": "demo", "symbol": "WTI", "weight": 0.4}], "num_simulations": 1000, "time_horizon_days": 21, "seed": 42, "method": "bootstrap"}))]
pub struct SimulateBody {
    /// The assets and the range of history to draw from.
    #[serde(flatten)]
    input: PortfolioInput,
    /// Paths to simulate; the configured default when absent.
    num_simulations: Option<usize>,
    /// Trading days per path; the configured default when absent.
    time_horizon_days: Option<usize>,
    /// RNG seed (42 when absent): the same seed gives the same numbers.
    seed: Option<u64>,
    /// `normal` (default) or `bootstrap` draw `time_horizon_days` new daily returns per path;
    /// `shuffle` (QuantStats' `montecarlo`) and `block` (a circular block bootstrap) reorder
    /// the history, each path as long as it.
    #[schema(value_type = Option<String>, example = "shuffle")]
    method: Option<String>,
    /// Returns per block for `block` (20 when absent).
    block_size: Option<usize>,
    /// With `shuffle` or `block`: a path is bust when its maximum drawdown is at or below this
    /// (e.g. -0.2).
    bust: Option<f64>,
    /// With `shuffle` or `block`: a path reaches the goal when its final cumulative return is
    /// at or above this (e.g. 0.5).
    goal: Option<f64>,
    /// Raw paths to return (0 when absent).
    #[serde(default)]
    include_paths: usize,
}

/// SPEC's portfolio metrics.
#[utoipa::path(
    post,
    path = "/api/v1/portfolio/metrics",
    tag = "portfolio",
    request_body = MetricsBody,
    responses((status = 200, description = "Every metric over the dates all assets share.", body = MetricsReport)),
)]
pub async fn metrics(
    State(state): State<AppState>,
    Identity(caller): Identity,
    Json(body): Json<MetricsBody>,
) -> Result<Json<MetricsReport>, ApiError> {
    Ok(Json(
        portfolio_metrics(&state, body.input, body.risk_free, caller).await?,
    ))
}

/// A Monte Carlo simulation within the configured bounds.
#[utoipa::path(
    post,
    path = "/api/v1/portfolio/simulate",
    tag = "portfolio",
    request_body = SimulateBody,
    responses((status = 200, description = "normal/bootstrap: statistics, histogram and fan-chart percentiles of the final return; shuffle/block: the final return and maximum drawdown across paths, with bust and goal probabilities when asked.", body = SimulationAnswer)),
)]
pub async fn simulate_portfolio(
    State(state): State<AppState>,
    Identity(caller): Identity,
    Json(body): Json<SimulateBody>,
) -> Result<Json<SimulationAnswer>, ApiError> {
    let bounds = state.simulation;
    let paths = body.num_simulations.unwrap_or(bounds.default_paths);
    let seed = body.seed.unwrap_or(SimulationConfig::default().seed);
    let resample = match body.method.as_deref() {
        Some("shuffle") => Some(ResampleMethod::Shuffle),
        Some("block") => Some(ResampleMethod::Block {
            block_size: body.block_size.unwrap_or(DEFAULT_BLOCK_SIZE),
        }),
        _ => None,
    };
    let config = match resample {
        Some(method) => {
            if body.time_horizon_days.is_some() || body.include_paths > 0 {
                return Err(crate::service::Error::invalid(
                    "time_horizon_days and include_paths do not apply to shuffle or block: \
                     their paths are the history reordered, as long as it",
                )
                .into());
            }
            SimulationKind::Resampled(MonteCarloConfig {
                sims: paths,
                seed,
                method,
                bust: body.bust,
                goal: body.goal,
            })
        }
        None => {
            if body.block_size.is_some() || body.bust.is_some() || body.goal.is_some() {
                return Err(crate::service::Error::invalid(
                    "block_size, bust and goal apply only to the shuffle and block methods",
                )
                .into());
            }
            let method = match body.method.as_deref() {
                Some(text) => text.parse::<SimulationMethod>().map_err(|_| {
                    crate::service::Error::invalid(format!(
                        "unknown simulation method {text:?}: use normal, bootstrap, shuffle or block"
                    ))
                })?,
                None => SimulationMethod::Normal,
            };
            SimulationKind::Drawn(SimulationConfig {
                paths,
                horizon: body
                    .time_horizon_days
                    .unwrap_or(bounds.default_horizon_days),
                seed,
                method,
                include_paths: body.include_paths,
            })
        }
    };
    Ok(Json(
        portfolio_simulation(&state, body.input, config, caller).await?,
    ))
}

/// Returns per block of the `block` method when the request names none: about a trading
/// month, long enough to keep a month's autocorrelation and volatility clusters.
const DEFAULT_BLOCK_SIZE: usize = 20;

/// A stored series to optimise over; a `weight`, if sent, is ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OptimizeAsset {
    /// A source id, or `auto`.
    source: String,
    /// Our symbol.
    symbol: String,
    /// Ignored: the optimiser chooses the weights.
    #[serde(default)]
    #[allow(dead_code)]
    weight: Option<f64>,
}

/// An inline series to optimise over.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OptimizeInline {
    /// A label for the asset.
    symbol: String,
    /// Bars with at least `date` and `close`.
    data: Vec<store::PriceBar>,
}

/// The body of `POST /api/v1/portfolio/optimize`: stored series (`assets`, over
/// `start`..`end`) or inline ones (`prices`), and how to optimise.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"assets": [{"source": "demo", "symbol": "GOLD"}, {"source": "demo", "symbol": "WTI"}, {"source": "demo", "symbol": "COPPER"}], "objective": "max-sharpe", "bounds": [0.0, 0.6], "frontier": 10}))]
pub struct OptimizeBody {
    /// Stored series (2 to 50); give this or `prices`.
    #[serde(default)]
    assets: Vec<OptimizeAsset>,
    /// Inline series (2 to 50); give this or `assets`.
    #[serde(default)]
    prices: Vec<OptimizeInline>,
    /// First date to use (inclusive).
    start: Option<chrono::NaiveDate>,
    /// Last date to use (inclusive).
    end: Option<chrono::NaiveDate>,
    /// The objective, estimators and constraints.
    #[serde(flatten)]
    options: OptimizeOptions,
}

/// The weights an objective picks (PyPortfolioOpt 1.6.0's conventions), with each asset's
/// share of the risk and, when asked, the efficient frontier.
#[utoipa::path(
    post,
    path = "/api/v1/portfolio/optimize",
    tag = "portfolio",
    request_body = OptimizeBody,
    responses((status = 200, description = "Weights by symbol, the portfolio's expected return, volatility and Sharpe ratio, per-asset risk shares, and the frontier when asked.", body = Optimized)),
)]
pub async fn optimize_portfolio(
    State(state): State<AppState>,
    Identity(caller): Identity,
    Json(body): Json<OptimizeBody>,
) -> Result<Json<Optimized>, ApiError> {
    let count = body.assets.len() + body.prices.len();
    // Both or neither given is `prepare`'s sentence; here only the lower bound is the
    // optimiser's own (the upper one, 50, is every portfolio's).
    if body.assets.is_empty() != body.prices.is_empty() && count < 2 {
        return Err(crate::service::Error::invalid(format!(
            "optimisation needs 2 to {MAX_OPTIMIZED_ASSETS} assets, got {count}"
        ))
        .into());
    }
    // The optimiser chooses the weights: every asset goes in with weight 1.
    let input = PortfolioInput {
        assets: body
            .assets
            .into_iter()
            .map(|asset| AssetInput {
                source: asset.source,
                symbol: asset.symbol,
                weight: 1.0,
            })
            .collect(),
        prices: body
            .prices
            .into_iter()
            .map(|asset| InlineAsset {
                symbol: asset.symbol,
                weight: 1.0,
                data: asset.data,
            })
            .collect(),
        start: body.start,
        end: body.end,
    };
    let aligned = prepare(&state, input, caller).await?.aligned;
    let catalog = std::sync::Arc::clone(&state.catalog);
    let options = body.options;
    let answer = blocking(move || {
        optimize_prices(
            &aligned.symbols,
            &aligned.dates,
            &aligned.prices,
            &options,
            &catalog,
        )
    })
    .await?;
    Ok(Json(answer))
}

/// Most assets one optimisation takes: as many as any portfolio.
const MAX_OPTIMIZED_ASSETS: usize = crate::service::portfolios::MAX_ASSETS;

/// `POST /portfolio/report` body.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.6}, {"source": "demo", "symbol": "WTI", "weight": 0.4}], "benchmark": {"source": "demo", "symbol": "COPPER"}, "risk_free": 0.0}))]
pub struct ReportBody {
    /// The assets and the range.
    #[serde(flatten)]
    input: PortfolioInput,
    /// A benchmark: stored `{"source", "symbol"}` with `assets`, inline `{"symbol", "data"}`
    /// with `prices`.
    #[serde(default)]
    benchmark: Option<BenchmarkInput>,
    /// Annual risk-free rate, QuantStats' `rf`; 0 when absent.
    #[serde(default)]
    risk_free: f64,
}

/// QuantStats' performance report (0.0.86's definitions): every statistic of `qs.stats`, the
/// benchmark's beside it, and the tearsheet's series and tables.
#[utoipa::path(
    post,
    path = "/api/v1/portfolio/report",
    tag = "portfolio",
    request_body = ReportBody,
    responses((status = 200, description = "`stats` by QuantStats name (with `greeks` against a benchmark), `undefined` statistics with why, `benchmark_stats`, and the series and tables of the tearsheet.", body = ReportAnswer)),
)]
pub async fn report(
    State(state): State<AppState>,
    Identity(caller): Identity,
    Json(body): Json<ReportBody>,
) -> Result<Json<ReportAnswer>, ApiError> {
    Ok(Json(
        compute_report(&state, body.input, body.benchmark, body.risk_free, caller).await?,
    ))
}

/// Loads `input` and its benchmark and computes the report on the blocking pool.
pub async fn compute_report(
    state: &AppState,
    input: PortfolioInput,
    benchmark: Option<BenchmarkInput>,
    risk_free: f64,
    caller: market_data::anonymous_budget::Caller,
) -> Result<ReportAnswer, crate::service::Error> {
    let (prepared, benchmark) = prepare_with_benchmark(state, input, benchmark, caller).await?;
    blocking(move || {
        let mut answer = report_prices(&ReportPrices {
            symbols: &prepared.aligned.symbols,
            weights: &prepared.weights,
            dates: &prepared.aligned.dates,
            columns: &prepared.aligned.prices,
            benchmark: benchmark
                .as_ref()
                .map(|(label, prices)| (label.as_str(), prices.as_slice())),
            risk_free,
        })?;
        answer.origins = prepared.assets;
        Ok(answer)
    })
    .await
}

/// `GET /portfolios/{id}/report` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SavedReportQuery {
    /// A stored series to compare with, by symbol.
    benchmark: Option<String>,
    /// The benchmark's source (`auto` when absent).
    benchmark_source: Option<String>,
    /// First date to use (inclusive).
    start: Option<chrono::NaiveDate>,
    /// Last date to use (inclusive).
    end: Option<chrono::NaiveDate>,
    /// Annual risk-free rate, QuantStats' `rf` (0 when absent).
    risk_free: Option<f64>,
}

/// The HTML tearsheet of a saved portfolio: a self-contained page (inline SVG charts, no
/// script) with the sections of QuantStats' `qs.reports.html`.
#[utoipa::path(
    get,
    path = "/api/v1/portfolios/{id}/report",
    tag = "portfolios",
    params(("id" = i64, Path, description = "The portfolio's id."), SavedReportQuery),
    responses((status = 200, description = "The tearsheet.", content_type = "text/html", body = String)),
)]
pub async fn saved_report(
    State(state): State<AppState>,
    Identity(caller): Identity,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::extract::Query(query): axum::extract::Query<SavedReportQuery>,
) -> Result<axum::response::Html<String>, ApiError> {
    let portfolio = state.store.portfolio(id).await?;
    let input = PortfolioInput {
        assets: portfolio
            .assets
            .iter()
            .map(|asset| crate::service::portfolio_risk::AssetInput {
                source: asset.source.clone(),
                symbol: asset.symbol.clone(),
                weight: asset.weight,
            })
            .collect(),
        prices: Vec::new(),
        start: query.start,
        end: query.end,
    };
    let benchmark = query.benchmark.map(|symbol| BenchmarkInput::Stored {
        source: query.benchmark_source.unwrap_or_else(|| "auto".to_owned()),
        symbol,
    });
    let answer = compute_report(
        &state,
        input,
        benchmark,
        query.risk_free.unwrap_or(0.0),
        caller,
    )
    .await?;
    let title = portfolio.name.clone();
    let html = blocking(move || Ok(crate::tearsheet::render(&answer, &title))).await?;
    Ok(axum::response::Html(html))
}
