//! `POST /api/v1/portfolio/metrics` and `POST /api/v1/portfolio/simulate`: risk of a
//! weighted portfolio over stored series or inline prices.
//!
//! These are reads with a body (nothing is stored), so they need no token.

use crate::auth::Identity;
use crate::error::ApiError;
use crate::service::portfolio_risk::{
    MetricsReport, PortfolioInput, SimulationAnswer, portfolio_metrics, portfolio_simulation,
};
use crate::state::AppState;
use analytics::simulation::{SimulationConfig, SimulationMethod};
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
    /// `normal` (default) or `bootstrap`.
    #[schema(value_type = Option<SimulationMethod>)]
    method: Option<String>,
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
    responses((status = 200, description = "Statistics, histogram and fan-chart percentiles of the final return.", body = SimulationAnswer)),
)]
pub async fn simulate_portfolio(
    State(state): State<AppState>,
    Identity(caller): Identity,
    Json(body): Json<SimulateBody>,
) -> Result<Json<SimulationAnswer>, ApiError> {
    let method = match body.method.as_deref() {
        Some(text) => text
            .parse::<SimulationMethod>()
            .map_err(crate::service::Error::from)?,
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
    Ok(Json(
        portfolio_simulation(&state, body.input, config, caller).await?,
    ))
}
