//! QuantStats' performance report of a portfolio, one path for `POST /api/v1/portfolio/report`,
//! `GET /api/v1/portfolios/{id}/report` and `commodex report`.
//!
//! The portfolio's periodic returns are those of `metrics`: constant weights, rebalanced each
//! period, on the dates every asset (and the benchmark, when there is one) shares. The numbers
//! are `analytics::report`'s; this module aligns the inputs and labels the answer.

use crate::service::Error;
use crate::service::prices::AssetOrigin;
use analytics::portfolio::{AssetPrices, AssetReturns, normalize_weights};
use analytics::report::{Date, Report, ReportInput, report};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// A report with what it was computed on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportAnswer {
    /// First shared date used (the day before the first return).
    pub start: Option<NaiveDate>,
    /// Last shared date used.
    pub end: Option<NaiveDate>,
    /// The assets and their weights, normalised to sum 1.
    pub weights: Vec<ReportWeight>,
    /// The benchmark's label, when there is one.
    pub benchmark: Option<String>,
    /// The annual risk-free rate used.
    pub risk_free: f64,
    /// Where each stored series came from, the benchmark last (empty for inline prices).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<AssetOrigin>,
    /// Statistics, series and tables, keyed as QuantStats names them.
    #[serde(flatten)]
    pub report: Report,
}

/// One asset of the reported portfolio.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportWeight {
    /// Its symbol.
    pub symbol: String,
    /// Its weight, normalised.
    pub weight: f64,
}

/// The prices a report is computed on: every column shares `dates`.
pub struct ReportPrices<'a> {
    /// The portfolio's symbols.
    pub symbols: &'a [String],
    /// One weight per symbol, not yet normalised.
    pub weights: &'a [f64],
    /// The shared dates, ascending.
    pub dates: &'a [NaiveDate],
    /// One price column per symbol.
    pub columns: &'a [Vec<f64>],
    /// The benchmark's label and prices on the same dates.
    pub benchmark: Option<(&'a str, &'a [f64])>,
    /// Annual risk-free rate.
    pub risk_free: f64,
}

/// Computes the report of `prices` (CPU-bound: call it on the blocking pool).
pub fn report_prices(prices: &ReportPrices<'_>) -> Result<ReportAnswer, Error> {
    let weights = normalize_weights(prices.weights, prices.symbols.len())?;
    let mut assets: Vec<AssetPrices<'_>> = prices
        .symbols
        .iter()
        .zip(prices.columns)
        .map(|(symbol, column)| AssetPrices {
            symbol,
            prices: column,
        })
        .collect();
    let portfolio = AssetReturns::from_prices(&assets)?.portfolio_returns(&weights);
    let benchmark = match prices.benchmark {
        Some((label, column)) => {
            assets.push(AssetPrices {
                symbol: label,
                prices: column,
            });
            let all = AssetReturns::from_prices(&assets)?;
            Some(all.asset(assets.len() - 1).to_vec())
        }
        None => None,
    };
    let dates: Vec<Date> = prices.dates.iter().skip(1).map(|d| to_date(*d)).collect();
    let report = report(&ReportInput {
        dates: &dates,
        returns: &portfolio,
        benchmark: benchmark.as_deref(),
        risk_free: prices.risk_free,
    })?;
    Ok(ReportAnswer {
        start: prices.dates.first().copied(),
        end: prices.dates.last().copied(),
        weights: prices
            .symbols
            .iter()
            .zip(&weights)
            .map(|(symbol, weight)| ReportWeight {
                symbol: symbol.clone(),
                weight: *weight,
            })
            .collect(),
        benchmark: prices.benchmark.map(|(label, _)| label.to_owned()),
        risk_free: prices.risk_free,
        origins: Vec::new(),
        report,
    })
}

fn to_date(date: NaiveDate) -> Date {
    // A NaiveDate is always a real proleptic Gregorian date, which `Date` covers.
    Date::from_ymd(date.year(), date.month(), date.day())
        .unwrap_or_else(|| Date::from_days_since_epoch(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_exactly() {
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(to_date(date).ymd(), (2024, 2, 29));
    }
}
