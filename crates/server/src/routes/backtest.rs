//! `POST /api/v1/backtest`: entry and exit rules traded over a stored or inline series, or a
//! sweep of one rule over a parameter grid, as `commodex backtest` answers them.
//!
//! A read with a body (nothing is stored), so it needs no token.

use crate::auth::Identity;
use crate::error::{ApiError, ErrorKind};
use crate::service::backtest::{self, BacktestOptions, Columns};
use crate::service::blocking;
use crate::service::prices::{SeriesRequest, load_series};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use store::{Interval, PriceBar};
use utoipa::ToSchema;

/// Most combinations one request may sweep: a sweep runs to its end once started, so the
/// server bounds it (the command line does not).
pub const MAX_SWEEP_COMBINATIONS: usize = 20_000;

/// A series (stored: `source`/`symbol` over `start`..`end`; or inline `data`) and the rules.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"source": "demo", "symbol": "GOLD", "start": "2023-01-01", "entry": "rsi(14) < 30", "exit": "rsi(14) > 70", "fees": 0.001}))]
pub struct BacktestBody {
    /// A source id, or `auto` (stored series); give `symbol` or `data`.
    source: Option<String>,
    /// Our symbol (stored series).
    symbol: Option<String>,
    /// Inline bars in ascending date order: `date`, `close`, and `open` (fills at the next
    /// open; without opens, at the next close), `high`, `low`, `volume` where rules need them.
    data: Option<Vec<PriceBar>>,
    /// First date to use (inclusive).
    start: Option<NaiveDate>,
    /// Last date to use (inclusive).
    end: Option<NaiveDate>,
    /// The rules, the execution and, for a sweep, the grid.
    #[serde(flatten)]
    options: BacktestOptions,
}

/// A backtest as vectorbt 1.2.0's `from_signals(price=open, size=inf)` on signals shifted one
/// bar; with `grid`, the best combinations of a sweep.
#[utoipa::path(
    post,
    path = "/api/v1/backtest",
    tag = "backtest",
    request_body = BacktestBody,
    responses((status = 200, description = "`{final_value, total_return, trades, equity, stats}` (stats: trade statistics, `quantstats` of the equity's returns against buy-and-hold, `buy_and_hold`), plus `in_sample`/`out_of_sample` with `train_until`; with `grid`: `{combinations, indicators_computed, parameters, scores, best}`.", body = Object)),
)]
pub async fn run(
    State(state): State<AppState>,
    Identity(caller): Identity,
    Json(body): Json<BacktestBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, grid) = backtest::check(&body.options)?;
    if grid.combinations() > MAX_SWEEP_COMBINATIONS {
        return Err(ApiError::new(
            ErrorKind::Validation,
            format!(
                "the grid has {} combinations; at most {MAX_SWEEP_COMBINATIONS} are allowed per request (the command line has no such bound)",
                grid.combinations()
            ),
        ));
    }
    let bars = match (body.data, body.symbol) {
        (Some(data), None) if body.source.is_none() => {
            if data.windows(2).any(|pair| pair[0].date >= pair[1].date) {
                return Err(ApiError::new(
                    ErrorKind::Validation,
                    "data must be in ascending date order with no repeated date",
                ));
            }
            data.into_iter()
                .filter(|bar| {
                    body.start.is_none_or(|s| bar.date >= s)
                        && body.end.is_none_or(|e| bar.date <= e)
                })
                .collect()
        }
        (None, Some(symbol)) => {
            load_series(
                &state,
                &SeriesRequest {
                    source: body.source,
                    symbol,
                    start: body.start,
                    end: body.end,
                    interval: Interval::Daily,
                    caller,
                },
            )
            .await?
            .data
        }
        _ => {
            return Err(ApiError::new(
                ErrorKind::Validation,
                "give either `symbol` (with an optional `source`: a stored series) or `data` (inline bars), not both or neither",
            ));
        }
    };
    let options = body.options;
    let answer = blocking(move || {
        let columns = Columns::from_bars(&bars);
        backtest::run(&columns.dates, &columns.ohlcv(), &options)
    })
    .await?;
    Ok(Json(answer))
}
