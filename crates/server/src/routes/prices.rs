//! `GET /api/v1/prices?source=&symbol=&start=&end=[&interval=daily]`: one series.
//!
//! The answer is serialised once and kept as bytes in the [`ResponseCache`], keyed by every
//! query parameter as bounded for serving (symbol trimmed and upper-cased, dates clamped), so
//! that a repeated query costs a map look-up and a copy of a pointer.
//!
//! [`ResponseCache`]: crate::service::response_cache::ResponseCache

use crate::auth::Identity;
use crate::error::{ApiError, ErrorKind};
use crate::service::prices::{self, AUTO, SeriesRequest, ServedSeries};
use crate::service::response_cache::{Computed, ResponseKey};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use market_data::anonymous_budget::Caller;
use serde::Deserialize;
use store::Interval;
use utoipa::IntoParams;

/// Query of a series.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// A source id; `auto` or absent lets the server choose.
    #[param(example = "demo")]
    pub source: Option<String>,
    /// Our symbol (`GOLD`, `WTI`, ...).
    #[param(example = "GOLD")]
    pub symbol: String,
    /// First date (inclusive), `YYYY-MM-DD`.
    #[param(example = "2024-01-01")]
    pub start: Option<NaiveDate>,
    /// Last date (inclusive), `YYYY-MM-DD`.
    #[param(example = "2024-06-30")]
    pub end: Option<NaiveDate>,
    /// `daily` (the default), `weekly`, `monthly`, `quarterly`, `annual` or `intraday`.
    #[param(example = "daily")]
    pub interval: Option<String>,
}

impl SeriesQuery {
    /// The service's request for `caller`, with the interval parsed.
    pub fn into_request(self, caller: Caller) -> Result<SeriesRequest, ApiError> {
        let interval = parse_interval(self.interval.as_deref())?;
        Ok(SeriesRequest {
            source: self.source.filter(|s| !s.is_empty()),
            symbol: self.symbol,
            start: self.start,
            end: self.end,
            interval,
            caller,
        })
    }
}

fn parse_interval(text: Option<&str>) -> Result<Interval, ApiError> {
    match text.filter(|i| !i.is_empty()) {
        Some(text) => text
            .parse::<Interval>()
            .map_err(|message| ApiError::new(ErrorKind::Validation, message)),
        None => Ok(Interval::Daily),
    }
}

/// The series with where it came from.
#[utoipa::path(
    get,
    path = "/api/v1/prices",
    tag = "prices",
    params(SeriesQuery),
    responses((status = 200, description = "The series, with the source that served it.", body = ServedSeries)),
)]
pub async fn get(
    State(state): State<AppState>,
    Identity(caller): Identity,
    Query(query): Query<SeriesQuery>,
) -> Result<Response, ApiError> {
    // Keyed as served: padding, case and dates past today or before the source's history do
    // not make new entries.
    let request = query
        .into_request(caller)?
        .bounded(chrono::Utc::now().date_naive())?;
    let key = ResponseKey {
        source: request.source.clone().unwrap_or_else(|| AUTO.to_string()),
        symbol: request.symbol.to_ascii_uppercase(),
        start: request.start,
        end: request.end,
        interval: request.interval,
    };
    // Concurrent misses of one query (after a live update retired its answer) share one load.
    let answer = state
        .price_answers
        .get_or_compute(key, || async {
            let served = prices::load_series(&state, &request).await?;
            let bytes = Bytes::from(serde_json::to_vec(&served).map_err(|error| {
                tracing::error!(%error, "cannot serialise a series");
                ApiError::new(ErrorKind::Internal, "internal error")
            })?);
            // A stale answer stood in for a failed provider: the next request should try again.
            Ok::<_, ApiError>(Computed {
                bytes,
                keep: !served.stale,
            })
        })
        .await?;
    Ok(json(answer))
}

fn json(bytes: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}
