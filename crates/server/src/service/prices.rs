//! The one place a price series is looked up for the API.
//!
//! [`load_series`] goes through the market-data fallback, so every endpoint that reads prices
//! (prices, indicators, portfolio metrics and simulation) fetches what is missing, falls back
//! through the tiers and says who served and whether the answer is stale.

use crate::service::Error;
use crate::state::AppState;
use analytics::portfolio::AssetPrices;
use chrono::NaiveDate;
use market_data::MarketDataError;
use market_data::anonymous_budget::Caller;
use market_data::fallback::{Ask, AttemptOutcome, Fallback};
use serde::Serialize;
use std::collections::HashMap;
use store::{Interval, PriceBar, SeriesKey};
use utoipa::ToSchema;

/// The source name that lets the server choose.
pub const AUTO: &str = "auto";

/// What the API was asked for: one series over an optional date range.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    /// A source id, or `None`/`auto` to let the server choose.
    pub source: Option<String>,
    /// Our symbol, any case.
    pub symbol: String,
    /// First date wanted (inclusive).
    pub start: Option<NaiveDate>,
    /// Last date wanted (inclusive).
    pub end: Option<NaiveDate>,
    /// The sampling interval.
    pub interval: Interval,
    /// Who asks: an anonymous caller's fetches spend the series' daily provider budget.
    pub caller: Caller,
}

/// The longest symbol a request may name, counted as sent (before trimming).
pub const MAX_SYMBOL_CHARS: usize = 64;

impl SeriesRequest {
    /// The request as it is served and cached: the symbol checked (at most
    /// [`MAX_SYMBOL_CHARS`] characters as sent, not blank) and trimmed, `end` no later than
    /// `today` and `start` no earlier than the earliest date the source can have. Any date a
    /// client can write is either bounded or refused here with a `validation` error that says
    /// why, so none reaches date arithmetic or a provider.
    pub fn bounded(&self, today: NaiveDate) -> Result<SeriesRequest, Error> {
        let chars = self.symbol.chars().count();
        if chars > MAX_SYMBOL_CHARS {
            return Err(Error::invalid(format!(
                "symbol is {chars} characters long; at most {MAX_SYMBOL_CHARS} are accepted"
            )));
        }
        let symbol = self.symbol.trim();
        if symbol.is_empty() {
            return Err(Error::invalid("symbol is required"));
        }
        if let (Some(start), Some(end)) = (self.start, self.end)
            && start > end
        {
            return Err(Error::invalid(format!(
                "start ({start}) is after end ({end})"
            )));
        }
        if let Some(start) = self.start
            && start > today
        {
            return Err(Error::invalid(format!(
                "start ({start}) is after today ({today}, UTC): there are no prices yet"
            )));
        }
        let source = self.source.as_deref().unwrap_or(AUTO);
        let earliest = market_data::sources::earliest(source);
        if let Some(end) = self.end
            && end < earliest
        {
            return Err(Error::invalid(format!(
                "end ({end}) is before {earliest}, the earliest date source {source} can have"
            )));
        }
        Ok(SeriesRequest {
            source: self.source.clone(),
            symbol: symbol.to_string(),
            start: self.start.map(|start| start.max(earliest)),
            end: self.end.map(|end| end.min(today)),
            interval: self.interval,
            caller: self.caller,
        })
    }
}

/// A series as served, with where it came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"source": "auto", "symbol": "GOLD", "interval": "daily", "served_by": "demo", "stale": false, "simulated": true, "currency": "USD", "data": [{"date": "2024-01-02", "open": 2063.1, "high": 2071.4, "low": 2058.9, "close": 2069.2, "volume": null}]}))]
pub struct ServedSeries {
    /// The source asked for (`auto` when the server chose).
    pub source: String,
    /// Our symbol, as the catalog spells it.
    pub symbol: String,
    /// The sampling interval.
    pub interval: Interval,
    /// The source whose data this is.
    pub served_by: String,
    /// Whether the data may be out of date (a provider failed and stored data stood in).
    pub stale: bool,
    /// Whether the prices are simulated (the `demo` source).
    pub simulated: bool,
    /// The currency of the prices, as the catalog gives it for the symbol (`EUR` for TTF
    /// gas); `null` for an imported symbol the catalog does not know. Nothing is converted.
    pub currency: Option<String>,
    /// The bars, in date order.
    pub data: Vec<PriceBar>,
}

/// Looks up a series.
///
/// `auto` (or no source) goes through the fallback tiers: the first provider that serves it,
/// else stored data of any enabled source (`stale` when a configured provider failed), else an
/// `upstream` error listing every attempt. A named provider serves what is stored plus what
/// is missing fetched from it (and stored); when it fails, its stored data stands in (`stale`).
/// `csv` and `demo` serve what is stored.
///
/// Errors: a bad range or unknown source or symbol (`validation`), nothing stored and nothing
/// fetchable (`not_found`), providers failing with nothing stored (`upstream`, or
/// `rate_limited` / `config` for a named source).
pub async fn load_series(state: &AppState, request: &SeriesRequest) -> Result<ServedSeries, Error> {
    let today = chrono::Utc::now().date_naive();
    let request = &request.bounded(today)?;
    let asked = request.source.as_deref().unwrap_or(AUTO);
    let candidates: Vec<&str> = if asked == AUTO {
        state
            .sources
            .iter()
            .filter(|s| s.enabled)
            .map(|s| s.id.as_str())
            .collect()
    } else {
        check_source(state, asked)?;
        vec![asked]
    };
    let symbol = canonical_symbol(state, &candidates, &request.symbol).await?;
    if asked != AUTO && !Fallback::is_fetchable(asked) {
        return load_stored(state, asked, symbol, request).await;
    }
    let ask = Ask {
        symbol: &symbol,
        interval: request.interval,
        start: request.start,
        end: request.end.unwrap_or(today),
        caller: request.caller,
    };
    let result = if asked == AUTO {
        state.market.auto(&ask).await
    } else {
        state.market.from_source(asked, &ask).await
    };
    match result {
        Ok(served) => Ok(ServedSeries {
            source: asked.to_string(),
            simulated: state.source(&served.served_by).is_some_and(|s| s.simulated),
            currency: currency(state, &symbol),
            symbol,
            interval: request.interval,
            served_by: served.served_by,
            stale: served.stale,
            data: served.bars.to_vec(),
        }),
        Err(error) => Err(fetch_error(error, asked, &symbol, request.interval)),
    }
}

/// A stored-only source (`csv`, `demo`): what the database holds.
async fn load_stored(
    state: &AppState,
    source: &str,
    symbol: String,
    request: &SeriesRequest,
) -> Result<ServedSeries, Error> {
    let key = SeriesKey::new(source, &symbol, request.interval);
    if state.store.series_summary(&key).await?.is_none() {
        return Err(Error::NotFound {
            message: format!(
                "no {} prices of {symbol} are stored for source {source}",
                request.interval
            ),
            details: None,
        });
    }
    let data = state.store.prices(&key, request.start, request.end).await?;
    Ok(ServedSeries {
        source: source.to_string(),
        currency: currency(state, &symbol),
        symbol,
        interval: request.interval,
        served_by: source.to_string(),
        stale: false,
        simulated: state.source(source).is_some_and(|s| s.simulated),
        data,
    })
}

/// The currency of `symbol`'s prices, when the catalog knows the symbol.
fn currency(state: &AppState, symbol: &str) -> Option<String> {
    state.catalog.commodity(symbol).map(|c| c.currency.clone())
}

/// The service error for a fallback that could not serve. Every text comes from
/// market-data's key-free messages.
fn fetch_error(error: MarketDataError, asked: &str, symbol: &str, interval: Interval) -> Error {
    match error {
        MarketDataError::AllSourcesFailed { attempts, .. } => {
            let details = serde_json::json!({ "attempts": attempts });
            let nothing_fetchable = attempts.iter().all(|a| {
                matches!(
                    a.outcome,
                    AttemptOutcome::NotConfigured | AttemptOutcome::NotOffered
                )
            });
            let listed = attempts
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            if nothing_fetchable {
                Error::NotFound {
                    message: format!(
                        "no {interval} prices of {symbol} are stored for source {asked}, and no source can fetch them ({listed})"
                    ),
                    details: Some(details),
                }
            } else {
                Error::Upstream {
                    message: format!("no source could serve {symbol} ({interval}): {listed}"),
                    details: Some(details),
                }
            }
        }
        MarketDataError::Store(error) => Error::Database(error),
        error if error.is_rate_limited() => Error::RateLimited(error.to_string()),
        error if error.is_config() => Error::Config(error.to_string()),
        error => Error::Upstream {
            message: error.to_string(),
            details: None,
        },
    }
}

/// Fails with a `validation` error naming the known sources unless `source` is one of them.
pub fn check_source(state: &AppState, source: &str) -> Result<(), Error> {
    if state.source(source).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = state.sources.iter().map(|s| s.id.as_str()).collect();
    Err(Error::invalid_with(
        format!(
            "unknown source '{source}': expected one of {}",
            known.join(", ")
        ),
        serde_json::json!({ "known_sources": known }),
    ))
}

/// The catalog's spelling of `symbol` when a candidate source offers it; otherwise the symbol
/// as given when it is stored for a candidate source (an imported CSV's own symbol); otherwise
/// a `validation` error.
pub async fn canonical_symbol(
    state: &AppState,
    sources: &[&str],
    symbol: &str,
) -> Result<String, Error> {
    let symbol = symbol.trim();
    if symbol.is_empty() {
        return Err(Error::invalid("symbol is required"));
    }
    if let Some(commodity) = state.catalog.commodity(symbol)
        && sources.iter().any(|s| commodity.source(s).is_some())
    {
        return Ok(commodity.symbol.clone());
    }
    let stored = state.store.series().await?;
    if let Some(summary) = stored.iter().find(|summary| {
        summary.key.symbol.eq_ignore_ascii_case(symbol)
            && sources.contains(&summary.key.source.as_str())
    }) {
        return Ok(summary.key.symbol.clone());
    }
    let shown = if sources.len() == 1 {
        format!("source {}", sources[0])
    } else {
        "any enabled source".to_string()
    };
    Err(Error::invalid(format!(
        "unknown symbol '{symbol}' for {shown}: see GET /api/v1/commodities"
    )))
}

/// Close prices of several series joined on the dates they all share.
#[derive(Debug, Clone, PartialEq)]
pub struct Aligned {
    /// Symbols, in the order given.
    pub symbols: Vec<String>,
    /// The shared dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// One close-price vector per symbol, index `t` on `dates[t]`.
    pub prices: Vec<Vec<f64>>,
}

impl Aligned {
    /// The series as the analytics take them: one borrowed price vector per symbol.
    pub fn asset_prices(&self) -> Vec<AssetPrices<'_>> {
        self.symbols
            .iter()
            .zip(&self.prices)
            .map(|(symbol, prices)| AssetPrices { symbol, prices })
            .collect()
    }
}

/// Joins series on the dates all of them have (an inner join on date); a date repeated
/// within one series keeps its last bar.
pub fn align(series: &[(String, Vec<PriceBar>)]) -> Aligned {
    let mut counts: HashMap<NaiveDate, usize> = HashMap::new();
    for (_, bars) in series {
        // A date repeated inside one series counts once, so that every counted date is
        // really in every series.
        let unique: std::collections::HashSet<NaiveDate> = bars.iter().map(|b| b.date).collect();
        for date in unique {
            *counts.entry(date).or_default() += 1;
        }
    }
    let mut dates: Vec<NaiveDate> = counts
        .into_iter()
        .filter(|&(_, count)| count == series.len())
        .map(|(date, _)| date)
        .collect();
    dates.sort_unstable();
    let prices = series
        .iter()
        .map(|(_, bars)| {
            let by_date: HashMap<NaiveDate, f64> =
                bars.iter().map(|bar| (bar.date, bar.close)).collect();
            dates.iter().map(|date| by_date[date]).collect()
        })
        .collect();
    Aligned {
        symbols: series.iter().map(|(symbol, _)| symbol.clone()).collect(),
        dates,
        prices,
    }
}

/// Where one asset's prices came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetOrigin {
    /// Our symbol.
    pub symbol: String,
    /// The source whose data was used.
    pub served_by: String,
    /// Whether the data may be out of date.
    pub stale: bool,
    /// Whether the prices are simulated.
    pub simulated: bool,
}

/// Loads several series (daily) over a range and joins them on their shared dates.
pub async fn load_aligned(
    state: &AppState,
    assets: &[(String, String)],
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    caller: Caller,
) -> Result<(Aligned, Vec<AssetOrigin>), Error> {
    let mut series = Vec::with_capacity(assets.len());
    let mut origins = Vec::with_capacity(assets.len());
    for (source, symbol) in assets {
        let served = load_series(
            state,
            &SeriesRequest {
                source: Some(source.clone()),
                symbol: symbol.clone(),
                start,
                end,
                interval: Interval::Daily,
                caller,
            },
        )
        .await?;
        origins.push(AssetOrigin {
            symbol: served.symbol.clone(),
            served_by: served.served_by,
            stale: served.stale,
            simulated: served.simulated,
        });
        series.push((served.symbol, served.data));
    }
    Ok((align(&series), origins))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(day: u32, close: f64) -> PriceBar {
        PriceBar::close_only(NaiveDate::from_ymd_opt(2024, 1, day).unwrap(), close)
    }

    #[test]
    fn align_keeps_only_shared_dates_in_order() {
        let aligned = align(&[
            ("A".into(), vec![bar(3, 3.0), bar(1, 1.0), bar(2, 2.0)]),
            ("B".into(), vec![bar(2, 20.0), bar(3, 30.0), bar(4, 40.0)]),
        ]);
        assert_eq!(aligned.dates.len(), 2);
        assert_eq!(aligned.prices, vec![vec![2.0, 3.0], vec![20.0, 30.0]]);
    }
}
