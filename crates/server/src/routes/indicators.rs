//! `GET /api/v1/indicators` on a stored series and `POST /api/v1/indicators` on a series in
//! the body.

use crate::error::{ApiError, ErrorKind};
use crate::routes::blocking;
use crate::routes::prices::SeriesQuery;
use crate::service::indicators::{self, IndicatorTable};
use crate::service::prices;
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use serde::{Deserialize, Serialize};
use store::{Interval, PriceBar};

/// Indicators over a stored series, with where the series came from.
#[derive(Serialize)]
pub struct SeriesIndicators {
    source: String,
    symbol: String,
    interval: Interval,
    served_by: String,
    stale: bool,
    simulated: bool,
    #[serde(flatten)]
    table: IndicatorTable,
}

/// Indicators over the stored series; `indicator` may repeat.
pub async fn get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<SeriesIndicators>, ApiError> {
    // `indicator` repeats, which axum's Query cannot gather: read the pairs, then hand the
    // rest to the same query type `/prices` uses.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|error| {
        ApiError::new(ErrorKind::Validation, format!("bad query string: {error}"))
    })?;
    let (specs, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == "indicator");
    let specs: Vec<String> = specs.into_iter().map(|(_, v)| v).collect();
    let specs = indicators::parse_specs(&specs)?;
    let series_query: SeriesQuery =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&rest).unwrap_or_default())
            .map_err(|error| {
                ApiError::new(ErrorKind::Validation, format!("bad query string: {error}"))
            })?;
    let served = prices::load_series(&state, &series_query.into_request()?).await?;
    let bars = served.data;
    let table = blocking(move || indicators::compute(&specs, &bars)).await?;
    Ok(Json(SeriesIndicators {
        source: served.source,
        symbol: served.symbol,
        interval: served.interval,
        served_by: served.served_by,
        stale: served.stale,
        simulated: served.simulated,
        table,
    }))
}

/// A series and the indicators to compute over it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorsBody {
    /// Specs such as `rsi(14)`, `macd(12,26,9)`.
    indicators: Vec<String>,
    /// Bars in date order: `date` and `close`, and `open`, `high`, `low`, `volume` where the
    /// indicators need them.
    data: Vec<PriceBar>,
}

/// Indicators over the series in the body.
pub async fn post(Json(body): Json<IndicatorsBody>) -> Result<Json<IndicatorTable>, ApiError> {
    let specs = indicators::parse_specs(&body.indicators)?;
    if body
        .data
        .windows(2)
        .any(|pair| pair[0].date >= pair[1].date)
    {
        return Err(ApiError::new(
            ErrorKind::Validation,
            "data must be in ascending date order with no repeated date",
        ));
    }
    let bars = body.data;
    let table = blocking(move || indicators::compute(&specs, &bars)).await?;
    Ok(Json(table))
}
