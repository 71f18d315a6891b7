//! The risk metrics of a saved portfolio over its stored prices, in the shape
//! `POST /api/v1/portfolio/metrics` answers: what the live feed sends as `portfolio_update`.

use crate::error::{ApiError, ErrorKind};
use crate::routes::blocking;
use crate::service::prices::{AssetOrigin, load_aligned};
use crate::state::AppState;
use analytics::portfolio::{AssetPrices, PortfolioMetrics, compute_metrics};
use chrono::NaiveDate;
use serde::Serialize;
use store::Portfolio;

/// Metrics with the range and the sources they were computed from.
#[derive(Debug, Serialize)]
pub struct MetricsReport {
    /// First shared date used.
    pub start: Option<NaiveDate>,
    /// Last shared date used.
    pub end: Option<NaiveDate>,
    /// Where each asset's prices came from.
    pub assets: Vec<AssetOrigin>,
    /// SPEC's metric keys.
    #[serde(flatten)]
    pub metrics: PortfolioMetrics,
}

/// Computes a saved portfolio's metrics over `start..=end` (either open) with a zero risk-free
/// rate; the numbers are computed on the blocking pool.
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
    blocking(move || {
        let assets: Vec<AssetPrices<'_>> = aligned
            .symbols
            .iter()
            .zip(&aligned.prices)
            .map(|(symbol, prices)| AssetPrices { symbol, prices })
            .collect();
        let metrics = compute_metrics(&assets, &weights, 0.0)
            .map_err(|error| ApiError::new(ErrorKind::Validation, error.to_string()))?;
        Ok(MetricsReport {
            start: aligned.dates.first().copied(),
            end: aligned.dates.last().copied(),
            assets: origins,
            metrics,
        })
    })
    .await
}
