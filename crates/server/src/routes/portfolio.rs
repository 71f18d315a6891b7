//! `POST /api/v1/portfolio/metrics` and `POST /api/v1/portfolio/simulate`: risk of a
//! weighted portfolio over stored series or inline prices.
//!
//! These are reads with a body (nothing is stored), so they need no token.

use crate::error::{ApiError, ErrorKind};
use crate::routes::blocking;
use crate::service::portfolio_risk::{MetricsReport, metrics_report};
use crate::service::prices::{self, Aligned, AssetOrigin, align};
use crate::state::AppState;
use analytics::simulation::{SimulationConfig, SimulationMethod, SimulationResult, simulate};
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use store::PriceBar;
use utoipa::ToSchema;

/// Most assets one computation accepts, as for saved portfolios.
const MAX_ASSETS: usize = crate::service::portfolios::MAX_ASSETS;

/// A stored asset and its weight.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source": "demo", "symbol": "GOLD", "weight": 0.6}))]
pub struct AssetInput {
    /// A source id, or `auto`.
    source: String,
    /// Our symbol.
    symbol: String,
    /// A positive weight (weights are normalised to sum 1).
    weight: f64,
}

/// An asset given with its own prices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineAsset {
    /// A label for the asset.
    symbol: String,
    /// A positive weight.
    weight: f64,
    /// Bars with at least `date` and `close`.
    data: Vec<PriceBar>,
}

/// Which prices to use: stored series (`assets`, with `start`/`end`) or inline (`prices`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioInput {
    /// Stored series and their weights (1 to 50); give this or `prices`.
    #[serde(default)]
    assets: Vec<AssetInput>,
    /// Inline series and their weights (1 to 50); give this or `assets`.
    #[serde(default)]
    prices: Vec<InlineAsset>,
    /// First date to use (inclusive).
    start: Option<NaiveDate>,
    /// Last date to use (inclusive).
    end: Option<NaiveDate>,
}

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
    /// `normal` (default) or `bootstrap`.
    #[schema(value_type = Option<SimulationMethod>)]
    method: Option<String>,
    /// Raw paths to return (0 when absent).
    #[serde(default)]
    include_paths: usize,
}

/// Prices joined on shared dates, ready for analytics.
struct Prepared {
    aligned: Aligned,
    weights: Vec<f64>,
    assets: Vec<AssetOrigin>,
}

async fn prepare(state: &AppState, input: PortfolioInput) -> Result<Prepared, ApiError> {
    let count = input.assets.len() + input.prices.len();
    if input.assets.is_empty() == input.prices.is_empty() {
        return Err(ApiError::new(
            ErrorKind::Validation,
            "give either `assets` (stored series) or `prices` (inline series), not both or neither",
        ));
    }
    if count > MAX_ASSETS {
        return Err(ApiError::new(
            ErrorKind::Validation,
            format!("at most {MAX_ASSETS} assets"),
        ));
    }
    let (aligned, weights, assets) = if input.prices.is_empty() {
        let keys: Vec<(String, String)> = input
            .assets
            .iter()
            .map(|a| (a.source.clone(), a.symbol.clone()))
            .collect();
        let (aligned, origins) = prices::load_aligned(state, &keys, input.start, input.end).await?;
        let weights = input.assets.iter().map(|a| a.weight).collect();
        (aligned, weights, origins)
    } else {
        let weights = input.prices.iter().map(|a| a.weight).collect();
        let series: Vec<(String, Vec<PriceBar>)> = input
            .prices
            .into_iter()
            .map(|asset| {
                let data = asset
                    .data
                    .into_iter()
                    .filter(|bar| {
                        input.start.is_none_or(|s| bar.date >= s)
                            && input.end.is_none_or(|e| bar.date <= e)
                    })
                    .collect();
                (asset.symbol, data)
            })
            .collect();
        (align(&series), weights, Vec::new())
    };
    Ok(Prepared {
        aligned,
        weights,
        assets,
    })
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
    Json(body): Json<MetricsBody>,
) -> Result<Json<MetricsReport>, ApiError> {
    let prepared = prepare(&state, body.input).await?;
    let risk_free = body.risk_free;
    blocking(move || {
        let Prepared {
            aligned,
            weights,
            assets,
        } = prepared;
        metrics_report(&aligned, &weights, risk_free, assets).map(Json)
    })
    .await
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
    result: SimulationResult,
}

/// A Monte Carlo simulation within the configured bounds.
#[utoipa::path(
    post,
    path = "/api/v1/portfolio/simulate",
    tag = "portfolio",
    request_body = SimulateBody,
    responses((status = 200, description = "Statistics, histogram and fan-chart percentiles of the final return.", body = SimulationAnswer)),
)]
pub async fn simulate_portfolio(
    State(state): State<AppState>,
    Json(body): Json<SimulateBody>,
) -> Result<Json<SimulationAnswer>, ApiError> {
    let method = match body.method.as_deref() {
        Some(text) => text
            .parse::<SimulationMethod>()
            .map_err(ApiError::analytics)?,
        None => SimulationMethod::Normal,
    };
    let bounds = state.simulation;
    let config = SimulationConfig {
        paths: body.num_simulations.unwrap_or(bounds.default_paths),
        horizon: body
            .time_horizon_days
            .unwrap_or(bounds.default_horizon_days),
        seed: body.seed.unwrap_or(SimulationConfig::default().seed),
        method,
        include_paths: body.include_paths,
    };
    let prepared = prepare(&state, body.input).await?;
    let method_label = match method {
        SimulationMethod::Normal => "normal",
        SimulationMethod::Bootstrap => "bootstrap",
    };
    blocking(move || {
        let started = std::time::Instant::now();
        let outcome = simulate(
            &prepared.aligned.asset_prices(),
            &prepared.weights,
            &config,
            &bounds.limits,
        );
        metrics::histogram!("commodex_simulation_duration_seconds", "method" => method_label)
            .record(started.elapsed().as_secs_f64());
        let result = outcome.map_err(ApiError::analytics)?;
        Ok(Json(SimulationAnswer {
            start: prepared.aligned.dates.first().copied(),
            end: prepared.aligned.dates.last().copied(),
            assets: prepared.assets,
            result,
        }))
    })
    .await
}
