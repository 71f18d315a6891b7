//! The price model shared by storage, providers, import and the API.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The sampling interval of a price series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// Intraday bars (providers' minute or hour bars, stored by date-time truncated to the day is not
    /// done: intraday is cached, not stored).
    Intraday,
    /// One bar a trading day.
    Daily,
    /// One bar a week.
    Weekly,
    /// One bar a month, dated the first of the month.
    Monthly,
    /// One bar a quarter.
    Quarterly,
    /// One bar a year.
    Annual,
}

impl Interval {
    /// Every interval, finest first.
    pub const ALL: [Interval; 6] = [
        Interval::Intraday,
        Interval::Daily,
        Interval::Weekly,
        Interval::Monthly,
        Interval::Quarterly,
        Interval::Annual,
    ];

    /// The lowercase name used in URLs, the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Intraday => "intraday",
            Interval::Daily => "daily",
            Interval::Weekly => "weekly",
            Interval::Monthly => "monthly",
            Interval::Quarterly => "quarterly",
            Interval::Annual => "annual",
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Interval {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Interval::ALL
            .into_iter()
            .find(|i| i.as_str() == lower)
            .or(match lower.as_str() {
                "yearly" | "annually" => Some(Interval::Annual),
                _ => None,
            })
            .ok_or_else(|| {
                format!(
                    "unknown interval '{s}': expected one of intraday, daily, weekly, monthly, quarterly, annual"
                )
            })
    }
}

/// One price observation. `close` is always present; the rest only when the source gives them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", schema(example = json!({"date": "2024-01-02", "open": 2063.1, "high": 2071.4, "low": 2058.9, "close": 2069.2, "volume": null})))]
pub struct PriceBar {
    /// The trading day (or the first day of the week/month/period the bar covers).
    pub date: NaiveDate,
    /// Opening price in the series' unit (USD for every stored series).
    pub open: Option<f64>,
    /// Highest price.
    pub high: Option<f64>,
    /// Lowest price.
    pub low: Option<f64>,
    /// Closing (or only) price.
    pub close: f64,
    /// Traded volume.
    pub volume: Option<f64>,
}

impl PriceBar {
    /// A bar that has only a closing price, as most commodity series do.
    pub fn close_only(date: NaiveDate, close: f64) -> Self {
        Self {
            date,
            open: None,
            high: None,
            low: None,
            close,
            volume: None,
        }
    }
}

/// Which series a bar belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeriesKey {
    /// The source id (`alpha_vantage`, `demo`, `csv`, ...).
    pub source: String,
    /// Our stable symbol (`GOLD`, `WTI`, ...).
    pub symbol: String,
    /// The sampling interval.
    pub interval: Interval,
}

impl SeriesKey {
    /// A key from its three parts.
    pub fn new(source: impl Into<String>, symbol: impl Into<String>, interval: Interval) -> Self {
        Self {
            source: source.into(),
            symbol: symbol.into(),
            interval,
        }
    }
}

impl fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.source, self.symbol, self.interval)
    }
}
