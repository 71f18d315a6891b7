//! QuantStats' performance report, computed exactly: every scalar statistic of `qs.stats`
//! (QuantStats 0.0.86, default arguments) under its function name, the benchmark measures, and
//! the series and tables of its HTML tearsheet.
//!
//! Inputs are one periodic (daily) return series with its dates, for instance a portfolio's
//! returns from [`crate::portfolio::AssetReturns::portfolio_returns`], and optionally a
//! benchmark's returns on the same dates. Each module says which QuantStats function it
//! reproduces and where QuantStats' definition is unusual (see `scalars.rs` for the general
//! conventions: zeros, ddof, how `rf` is applied, 252 periods a year). Golden tests compare
//! every value with QuantStats at 1e-9 relative (`tests/golden/report.json.gz`, made by
//! `scripts/golden/report.py`).

mod benchmark;
mod date;
mod drawdown;
mod normal;
mod periods;
mod rolling;
mod scalars;
mod statistics;

pub use benchmark::Greeks;
pub use date::Date;
pub use drawdown::{DrawdownPeriod, worst_drawdowns};
pub use periods::{Distribution, MonthlyRow, PeriodDistribution, YearReturn};
pub use rolling::{GREEKS_WINDOWS, ROLLING_WINDOW, RollingGreeks};
pub use statistics::ScalarStatistics;

use std::collections::BTreeMap;

use crate::AnalyticsError;
use crate::portfolio::MIN_RETURNS;

/// What a report is computed on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportInput<'a> {
    /// The date of each return, strictly increasing.
    pub dates: &'a [Date],
    /// Simple periodic returns (daily for the tearsheet's annualisation by 252).
    pub returns: &'a [f64],
    /// The benchmark's returns on the same dates, if any.
    pub benchmark: Option<&'a [f64]>,
    /// Annual risk-free rate, passed as `rf` to the QuantStats functions that take one.
    pub risk_free: f64,
}

/// The scalar statistics as SPEC's JSON has them: names to values, and `greeks` with a benchmark.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Statistics {
    /// Finite values keyed by QuantStats function name.
    #[cfg_attr(feature = "serde", serde(flatten))]
    #[cfg_attr(feature = "utoipa", schema(value_type = BTreeMap<String, f64>))]
    pub values: BTreeMap<&'static str, f64>,
    /// `greeks(returns, benchmark)`, with a benchmark.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub greeks: Option<Greeks>,
}

/// Everything the tearsheet shows; series are aligned with `dates`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Report {
    /// The portfolio's statistics.
    pub stats: Statistics,
    /// Statistics QuantStats leaves undefined (NaN or infinite) for this series, with why.
    #[cfg_attr(feature = "utoipa", schema(value_type = BTreeMap<String, String>))]
    pub undefined: BTreeMap<&'static str, String>,
    /// The benchmark's own statistics (no benchmark measures), for the side-by-side table.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<BTreeMap<String, f64>>))]
    pub benchmark_stats: Option<BTreeMap<&'static str, f64>>,
    /// The dates of the returns.
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<String>))]
    pub dates: Vec<Date>,
    /// `compsum(returns)`: cumulative compounded return at each date.
    pub cumulative_returns: Vec<f64>,
    /// `compsum(benchmark)`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub benchmark_cumulative_returns: Option<Vec<f64>>,
    /// `to_drawdown_series(returns)`: the underwater series, ≤ 0.
    pub drawdown: Vec<f64>,
    /// `drawdown_details(drawdown)`: every drawdown period, in date order.
    pub drawdown_details: Vec<DrawdownPeriod>,
    /// `monthly_returns(returns)`: a row per year, compounded months and year.
    pub monthly_returns: Vec<MonthlyRow>,
    /// Compounded return of each calendar year.
    pub eoy_returns: Vec<YearReturn>,
    /// The benchmark's compounded return of each calendar year.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub benchmark_eoy_returns: Option<Vec<YearReturn>>,
    /// `distribution(returns)`: returns by period, outliers apart.
    pub distribution: Distribution,
    /// `rolling_volatility(returns)` (126 returns).
    pub rolling_volatility: Vec<Option<f64>>,
    /// `rolling_sharpe(returns, rf)` (126 returns).
    pub rolling_sharpe: Vec<Option<f64>>,
    /// `rolling_sortino(returns, rf)` (126 returns).
    pub rolling_sortino: Vec<Option<f64>>,
    /// `rolling_greeks(returns, benchmark, w)` for the tearsheet's windows (126 and 252).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub rolling_greeks: Vec<RollingGreeks>,
}

/// Computes the report.
///
/// Errors: fewer than [`MIN_RETURNS`] returns, series of unequal length, dates not strictly
/// increasing, a return that is not finite, or an unusable risk-free rate.
pub fn report(input: &ReportInput<'_>) -> Result<Report, AnalyticsError> {
    let StatisticsSummary {
        stats,
        undefined,
        benchmark_stats,
    } = statistics_summary(input)?;
    let ReportInput {
        dates,
        returns,
        benchmark,
        risk_free,
    } = *input;
    let excess = scalars::excess_returns(returns, risk_free);
    let cumulative_returns = drawdown::cumulative_returns(returns);
    let drawdown = drawdown::drawdown_series(&cumulative_returns);
    Ok(Report {
        stats,
        undefined,
        benchmark_stats,
        dates: dates.to_vec(),
        drawdown_details: drawdown::drawdown_details(dates, &drawdown),
        benchmark_cumulative_returns: benchmark.map(drawdown::cumulative_returns),
        cumulative_returns,
        drawdown,
        monthly_returns: periods::monthly_returns(dates, returns),
        eoy_returns: periods::eoy_returns(dates, returns),
        benchmark_eoy_returns: benchmark.map(|b| periods::eoy_returns(dates, b)),
        distribution: periods::distribution(dates, returns),
        rolling_volatility: rolling::rolling_volatility(returns),
        rolling_sharpe: rolling::rolling_sharpe(&excess),
        rolling_sortino: rolling::rolling_sortino(&excess),
        rolling_greeks: benchmark.map_or_else(Vec::new, |b| {
            GREEKS_WINDOWS
                .iter()
                .map(|&w| rolling::rolling_greeks(returns, b, w))
                .collect()
        }),
    })
}

/// The report's statistics alone, without its series and tables: what a backtest shows beside
/// its trades.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct StatisticsSummary {
    /// The statistics of the returns.
    pub stats: Statistics,
    /// Statistics QuantStats leaves undefined (NaN or infinite) for these returns, with why.
    #[cfg_attr(feature = "utoipa", schema(value_type = BTreeMap<String, String>))]
    pub undefined: BTreeMap<&'static str, String>,
    /// The benchmark's own statistics.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<BTreeMap<String, f64>>))]
    pub benchmark_stats: Option<BTreeMap<&'static str, f64>>,
}

/// Computes [`StatisticsSummary`]: the scalars of [`report`], checked the same way.
pub fn statistics_summary(input: &ReportInput<'_>) -> Result<StatisticsSummary, AnalyticsError> {
    validate(input)?;
    let mut scalars = statistics::scalar_statistics(input.returns, input.risk_free);
    let greeks = input
        .benchmark
        .map(|b| statistics::benchmark_statistics(&mut scalars, input.returns, b, input.risk_free));
    Ok(StatisticsSummary {
        stats: Statistics {
            values: scalars.values,
            greeks,
        },
        undefined: scalars.undefined,
        benchmark_stats: input
            .benchmark
            .map(|b| statistics::scalar_statistics(b, input.risk_free).values),
    })
}

fn validate(input: &ReportInput<'_>) -> Result<(), AnalyticsError> {
    let n = input.returns.len();
    if n < MIN_RETURNS {
        return Err(AnalyticsError::InsufficientData(format!(
            "a report needs at least {MIN_RETURNS} returns, got {n}"
        )));
    }
    if input.dates.len() != n {
        return Err(AnalyticsError::InvalidInput(format!(
            "{} dates were given for {n} returns",
            input.dates.len()
        )));
    }
    if let Some(pair) = input.dates.windows(2).find(|pair| pair[0] >= pair[1]) {
        return Err(AnalyticsError::InvalidInput(format!(
            "dates must increase strictly: {} is followed by {}",
            pair[0], pair[1]
        )));
    }
    let series = std::iter::once(("portfolio", input.returns))
        .chain(input.benchmark.map(|b| ("benchmark", b)));
    for (name, values) in series {
        if values.len() != n {
            return Err(AnalyticsError::InvalidInput(format!(
                "the {name} has {} returns for {n} dates",
                values.len()
            )));
        }
        if let Some(index) = values.iter().position(|r| !r.is_finite()) {
            return Err(AnalyticsError::InvalidInput(format!(
                "the {name} return on {} is not a finite number",
                input.dates[index]
            )));
        }
    }
    if !input.risk_free.is_finite() || input.risk_free <= -1.0 {
        return Err(AnalyticsError::InvalidParameter(format!(
            "risk-free rate {} is not usable: give an annual rate above -1, such as 0.02",
            input.risk_free
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_has_the_reports_statistics() {
        let returns: Vec<f64> = (0..300)
            .map(|i| ((i * 37 % 101) as f64 - 48.0) * 3e-4)
            .collect();
        let benchmark: Vec<f64> = returns.iter().rev().map(|r| r * 0.7).collect();
        let dates: Vec<Date> = (0..300)
            .map(|i| Date::from_days_since_epoch(19_000 + i))
            .collect();
        let input = ReportInput {
            dates: &dates,
            returns: &returns,
            benchmark: Some(&benchmark),
            risk_free: 0.01,
        };
        let full = report(&input).unwrap();
        let summary = statistics_summary(&input).unwrap();
        assert_eq!(summary.stats, full.stats);
        assert_eq!(summary.undefined, full.undefined);
        assert_eq!(summary.benchmark_stats, full.benchmark_stats);
    }
}
