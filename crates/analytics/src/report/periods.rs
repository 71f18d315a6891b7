//! Returns grouped by calendar period: the monthly table, end-of-year returns, and the return
//! distribution by period, as `qs.stats.monthly_returns`, `utils.group_returns` and
//! `qs.stats.distribution` compute them (compounded within each period).

use super::date::Date;
use super::scalars::{comp, quantile};

/// One year of `qs.stats.monthly_returns`: the compounded return of each month and the year.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MonthlyRow {
    /// The calendar year.
    pub year: i32,
    /// January to December; 0 for a month without data (QuantStats fills the pivot with 0).
    pub months: [f64; 12],
    /// The compounded return of the year's data (QuantStats' `EOY` column).
    pub eoy: f64,
}

/// The compounded return of one calendar year.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct YearReturn {
    /// The calendar year.
    pub year: i32,
    /// `comp` of the year's returns.
    #[cfg_attr(feature = "serde", serde(rename = "return"))]
    pub value: f64,
}

/// Returns of one period kind split as QuantStats' distribution plot does (1.5 IQR rule).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PeriodDistribution {
    /// Period returns within `[Q1 − 1.5 IQR, Q3 + 1.5 IQR]`, in date order.
    pub values: Vec<f64>,
    /// The others, in date order.
    pub outliers: Vec<f64>,
}

/// `qs.stats.distribution`: returns by day, week (ending Monday, pandas' `W-MON`), month,
/// quarter and year, each split into values and outliers.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Distribution {
    /// Daily returns.
    pub daily: PeriodDistribution,
    /// Weekly compounded returns, weeks ending on Monday (QuantStats' `W-MON` resample).
    pub weekly: PeriodDistribution,
    /// Monthly compounded returns.
    pub monthly: PeriodDistribution,
    /// Quarterly compounded returns.
    pub quarterly: PeriodDistribution,
    /// Yearly compounded returns.
    pub yearly: PeriodDistribution,
}

/// Compounded returns of consecutive runs of equal `key`s (the data are in date order).
fn group_runs(dates: &[Date], returns: &[f64], key: impl Fn(Date) -> i64) -> Vec<(i64, f64)> {
    let mut out = Vec::new();
    let mut start = 0;
    for end in 1..=dates.len() {
        if end == dates.len() || key(dates[end]) != key(dates[start]) {
            out.push((key(dates[start]), comp(&returns[start..end])));
            start = end;
        }
    }
    out
}

fn month_key(date: Date) -> i64 {
    let (year, month, _) = date.ymd();
    i64::from(year) * 12 + i64::from(month) - 1
}

/// `monthly_returns(returns)`: one row per year that has data.
pub fn monthly_returns(dates: &[Date], returns: &[f64]) -> Vec<MonthlyRow> {
    let years = eoy_returns(dates, returns);
    let mut rows: Vec<MonthlyRow> = years
        .iter()
        .map(|y| MonthlyRow {
            year: y.year,
            months: [0.0; 12],
            eoy: y.value,
        })
        .collect();
    for (key, value) in group_runs(dates, returns, month_key) {
        let year = key.div_euclid(12) as i32;
        if let Some(row) = rows.iter_mut().find(|row| row.year == year) {
            row.months[key.rem_euclid(12) as usize] = value;
        }
    }
    rows
}

/// End-of-year returns: `group_returns(returns, index.year, compounded=True)`.
pub fn eoy_returns(dates: &[Date], returns: &[f64]) -> Vec<YearReturn> {
    group_runs(dates, returns, |d| i64::from(d.year()))
        .into_iter()
        .map(|(year, value)| YearReturn {
            year: year as i32,
            value,
        })
        .collect()
}

/// Compounded returns of every bin from the first date's to the last date's, as pandas'
/// `resample(...).apply(comp)`: a bin without data (a gap) is `comp([]) = 0`.
fn resample(dates: &[Date], returns: &[f64], bin: impl Fn(Date) -> i64) -> Vec<f64> {
    let groups = group_runs(dates, returns, &bin);
    let (Some(first), Some(last)) = (groups.first(), groups.last()) else {
        return Vec::new();
    };
    let mut out = vec![0.0; (last.0 - first.0 + 1) as usize];
    for (key, value) in &groups {
        out[(key - first.0) as usize] = *value;
    }
    out
}

/// The week bin: the number of the Monday that closes the week (`W-MON` labels bins by the
/// Monday on or after each date).
fn week_key(date: Date) -> i64 {
    let closing_monday = date.days_since_epoch() + ((7 - date.weekday()) % 7) as i32;
    i64::from(closing_monday).div_euclid(7)
}

fn quarter_key(date: Date) -> i64 {
    month_key(date).div_euclid(3)
}

/// `get_outliers`: Tukey's fences with pandas' linear quantiles.
fn split_outliers(values: Vec<f64>) -> PeriodDistribution {
    if values.is_empty() {
        return PeriodDistribution::default();
    }
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    let (q1, q3) = (quantile(&sorted, 0.25), quantile(&sorted, 0.75));
    let iqr = q3 - q1;
    let (low, high) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    let (values, outliers) = values.into_iter().partition(|&v| v >= low && v <= high);
    PeriodDistribution { values, outliers }
}

/// `qs.stats.distribution(returns)` with its defaults (compounded).
pub fn distribution(dates: &[Date], returns: &[f64]) -> Distribution {
    Distribution {
        daily: split_outliers(returns.to_vec()),
        weekly: split_outliers(resample(dates, returns, week_key)),
        monthly: split_outliers(resample(dates, returns, month_key)),
        quarterly: split_outliers(resample(dates, returns, quarter_key)),
        yearly: split_outliers(resample(dates, returns, |d| i64::from(d.year()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_close_on_monday_and_gaps_are_zero_weeks() {
        let date = |s: &str| s.parse::<Date>().unwrap();
        let dates = [
            date("2020-01-06"),
            date("2020-01-07"),
            date("2020-01-21"),
            date("2020-01-22"),
        ];
        let returns = [0.01, -0.02, 0.03, 0.01];
        let weeks = resample(&dates, &returns, week_key);
        assert_eq!(weeks.len(), 4);
        assert!((weeks[0] - 0.01).abs() < 1e-15);
        assert!((weeks[1] + 0.02).abs() < 1e-15);
        assert_eq!(weeks[2], 0.0);
        assert!((weeks[3] - (1.03 * 1.01 - 1.0)).abs() < 1e-15);
    }
}
