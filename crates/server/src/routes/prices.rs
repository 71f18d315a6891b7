//! `GET /api/v1/prices?source=&symbol=&start=&end=[&interval=daily]`: one series.

use crate::error::{ApiError, ErrorKind};
use crate::service::prices::{self, SeriesRequest, ServedSeries};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::Deserialize;
use store::Interval;

/// Query of a series.
#[derive(Debug, Deserialize)]
pub struct SeriesQuery {
    /// A source id; `auto` or absent lets the server choose.
    pub source: Option<String>,
    /// Our symbol.
    pub symbol: String,
    /// First date (inclusive), `YYYY-MM-DD`.
    pub start: Option<NaiveDate>,
    /// Last date (inclusive), `YYYY-MM-DD`.
    pub end: Option<NaiveDate>,
    /// `daily` (the default), `weekly`, `monthly`, ...
    pub interval: Option<String>,
}

impl SeriesQuery {
    /// The service's request, with the interval parsed.
    pub fn into_request(self) -> Result<SeriesRequest, ApiError> {
        let interval = match self.interval.as_deref().filter(|i| !i.is_empty()) {
            Some(text) => text
                .parse::<Interval>()
                .map_err(|message| ApiError::new(ErrorKind::Validation, message))?,
            None => Interval::Daily,
        };
        Ok(SeriesRequest {
            source: self.source.filter(|s| !s.is_empty()),
            symbol: self.symbol,
            start: self.start,
            end: self.end,
            interval,
        })
    }
}

/// The series with where it came from.
pub async fn get(
    State(state): State<AppState>,
    Query(query): Query<SeriesQuery>,
) -> Result<Json<ServedSeries>, ApiError> {
    let request = query.into_request()?;
    Ok(Json(prices::load_series(&state, &request).await?))
}
