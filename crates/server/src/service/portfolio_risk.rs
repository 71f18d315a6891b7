//! The risk metrics of a portfolio over aligned prices, in the shape
//! `POST /api/v1/portfolio/metrics` answers and the live feed sends as `portfolio_update`.

use crate::error::ApiError;
use crate::routes::blocking;
use crate::service::prices::{Aligned, AssetOrigin, load_aligned};
use crate::state::AppState;
use analytics::portfolio::{PortfolioMetrics, compute_metrics};
use chrono::NaiveDate;
use serde::Serialize;
use store::Portfolio;
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
) -> Result<MetricsReport, ApiError> {
    let metrics = compute_metrics(&aligned.asset_prices(), weights, risk_free)
        .map_err(ApiError::analytics)?;
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
) -> Result<MetricsReport, ApiError> {
    let keys: Vec<(String, String)> = portfolio
        .assets
        .iter()
        .map(|asset| (asset.source.clone(), asset.symbol.clone()))
        .collect();
    let weights: Vec<f64> = portfolio.assets.iter().map(|asset| asset.weight).collect();
    let (aligned, origins) = load_aligned(state, &keys, start, end).await?;
    blocking(move || metrics_report(&aligned, &weights, 0.0, origins)).await
}
