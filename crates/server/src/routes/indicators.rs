//! `GET /api/v1/indicators` on a stored series and `POST /api/v1/indicators` on a series in
//! the body.

use crate::auth::Identity;
use crate::error::{ApiError, ErrorKind};
use crate::routes::prices::SeriesQuery;
use crate::service::blocking;
use crate::service::indicators::{self, IndicatorTable};
use crate::service::prices;
use crate::state::AppState;
use analytics::indicators::FunctionInfo;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use store::{Interval, PriceBar};
use utoipa::ToSchema;

/// Indicators over a stored series, with where the series came from.
#[derive(Serialize, ToSchema)]
pub struct SeriesIndicators {
    /// The source asked for (`auto` when the server chose).
    source: String,
    /// Our symbol.
    symbol: String,
    /// The sampling interval.
    interval: Interval,
    /// The source whose data this is.
    served_by: String,
    /// Whether the data may be out of date.
    stale: bool,
    /// Whether the prices are simulated.
    simulated: bool,
    /// The dates and the indicator columns.
    #[serde(flatten)]
    table: IndicatorTable,
}

/// Indicators over the stored series; `indicator` may repeat.
#[utoipa::path(
    get,
    path = "/api/v1/indicators",
    tag = "indicators",
    params(
        SeriesQuery,
        ("indicator" = Vec<String>, Query, explode = true, example = json!(["rsi(14)", "macd(12,26,9)"]),
         description = "An indicator spec such as `rsi(14)` or `bbands(20,2)`; repeat for more (1 to 20)."),
    ),
    responses((status = 200, description = "One column per indicator output, `null` during the lookback.", body = SeriesIndicators)),
)]
pub async fn get(
    State(state): State<AppState>,
    Identity(caller): Identity,
    query: IndicatorsQuery,
) -> Result<Json<SeriesIndicators>, ApiError> {
    let specs = indicators::parse_specs(&query.indicators)?;
    let series_query = query.series;
    let served = prices::load_series(&state, &series_query.into_request(caller)?).await?;
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

/// The query of `GET /api/v1/indicators`: the series, as `/prices` takes it, and every
/// `indicator` (a key that repeats, which axum's `Query` cannot gather), decoded once.
pub struct IndicatorsQuery {
    /// Which series.
    series: SeriesQuery,
    /// The specs, in the order given.
    indicators: Vec<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for IndicatorsQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let bad = |error: &dyn std::fmt::Display| {
            ApiError::new(ErrorKind::Validation, format!("bad query string: {error}"))
        };
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).map_err(|e| bad(&e))?;
        let mut indicators = Vec::new();
        let mut rest = serde_json::Map::new();
        for (key, value) in pairs {
            if key == "indicator" {
                indicators.push(value);
            } else if rest.contains_key(&key) {
                return Err(bad(&format_args!("'{key}' is given twice")));
            } else {
                rest.insert(key, serde_json::Value::String(value));
            }
        }
        // The other keys are strings in a map: the query type's own `Deserialize` reads them,
        // so `/prices` and this route accept the same parameters with the same errors.
        let series =
            serde_json::from_value(serde_json::Value::Object(rest)).map_err(|e| bad(&e))?;
        Ok(Self { series, indicators })
    }
}

/// A series and the indicators to compute over it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"indicators": ["sma(3)"], "data": [
    {"date": "2024-01-02", "close": 10.0}, {"date": "2024-01-03", "close": 11.0},
    {"date": "2024-01-04", "close": 12.0}, {"date": "2024-01-05", "close": 11.5}]}))]
pub struct IndicatorsBody {
    /// Specs such as `rsi(14)`, `macd(12,26,9)` (1 to 20).
    indicators: Vec<String>,
    /// Bars in date order: `date` and `close`, and `open`, `high`, `low`, `volume` where the
    /// indicators need them.
    data: Vec<PriceBar>,
}

/// Indicators over the series in the body.
#[utoipa::path(
    post,
    path = "/api/v1/indicators",
    tag = "indicators",
    request_body = IndicatorsBody,
    responses((status = 200, description = "One column per indicator output, `null` during the lookback.", body = IndicatorTable)),
)]
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

/// Every indicator function: its spec name, TA-Lib group, inputs, parameters (default and
/// range, in the order positional values take) and outputs, as `commodex indicators --list`
/// prints them.
#[utoipa::path(
    get,
    path = "/api/v1/indicators/catalog",
    tag = "indicators",
    responses((status = 200, description = "Every function of the definition table, in its order.", body = Vec<FunctionInfo>)),
)]
pub async fn catalog() -> Json<Vec<FunctionInfo>> {
    Json(analytics::indicators::function_infos())
}
