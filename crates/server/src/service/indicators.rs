//! Indicator requests: parsing specs and computing them over a series.

use crate::service::Error;
use analytics::indicators::{IndicatorSpec, Ohlcv};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use store::PriceBar;
use utoipa::ToSchema;

/// Most indicators one request may ask for: each is a full pass over the series.
pub const MAX_INDICATORS: usize = 20;

/// Parsed specs, each with the text the client gave (which names its output columns).
pub type ParsedSpecs = Vec<(String, IndicatorSpec)>;

/// Parses the requested specs; at least one, at most [`MAX_INDICATORS`].
pub fn parse_specs(texts: &[String]) -> Result<ParsedSpecs, Error> {
    if texts.is_empty() {
        return Err(Error::invalid(
            "at least one indicator is required, e.g. indicator=rsi(14)",
        ));
    }
    if texts.len() > MAX_INDICATORS {
        return Err(Error::invalid(format!(
            "at most {MAX_INDICATORS} indicators a request"
        )));
    }
    texts
        .iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<IndicatorSpec>()
                .map(|spec| (text.to_string(), spec))
                .map_err(|error| {
                    Error::invalid_with(
                        format!("indicator '{text}': {error}"),
                        serde_json::json!({
                            "known_indicators": analytics::indicators::KNOWN_INDICATORS,
                        }),
                    )
                })
        })
        .collect()
}

/// Indicator values beside their dates; `null` during each indicator's lookback.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"dates": ["2024-01-02", "2024-01-03"], "indicators": {"rsi(14)": [null, null], "macd(12,26,9).macd": [null, null]}}))]
pub struct IndicatorTable {
    /// The dates of the series, ascending.
    pub dates: Vec<NaiveDate>,
    /// One column per output, named as the CLI names them: the spec as given, with
    /// `.output` for multi-output indicators (`macd(12,26,9).signal`). NaN is written as null.
    pub indicators: BTreeMap<String, Vec<Option<f64>>>,
}

/// Computes every spec over `bars` (in date order). CPU-bound: call it off the async threads.
pub fn compute(specs: &ParsedSpecs, bars: &[PriceBar]) -> Result<IndicatorTable, Error> {
    let columns = Columns::from_bars(bars);
    let input = columns.ohlcv();
    let mut indicators = BTreeMap::new();
    for (text, spec) in specs {
        let outputs = spec
            .compute(&input)
            .map_err(|error| Error::invalid(format!("indicator '{text}': {error}")))?;
        for (column, values) in spec.column_names(text).into_iter().zip(outputs) {
            let values = values
                .into_iter()
                .map(|v| v.is_finite().then_some(v))
                .collect();
            indicators.insert(column, values);
        }
    }
    Ok(IndicatorTable {
        dates: bars.iter().map(|b| b.date).collect(),
        indicators,
    })
}

/// A series' columns as the indicators take them; a column is there only when every bar has
/// it, so an indicator needing a missing one says so instead of reading made-up values.
pub struct Columns {
    /// The bars' dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// Opens, when every bar has one.
    pub open: Option<Vec<f64>>,
    /// Highs, when every bar has one.
    pub high: Option<Vec<f64>>,
    /// Lows, when every bar has one.
    pub low: Option<Vec<f64>>,
    /// Closes.
    pub close: Vec<f64>,
    /// Volumes, when every bar has one.
    pub volume: Option<Vec<f64>>,
}

impl Columns {
    /// The columns of `bars` (in date order).
    pub fn from_bars(bars: &[PriceBar]) -> Self {
        fn column(bars: &[PriceBar], pick: impl Fn(&PriceBar) -> Option<f64>) -> Option<Vec<f64>> {
            bars.iter().map(pick).collect()
        }
        Self {
            dates: bars.iter().map(|b| b.date).collect(),
            open: column(bars, |b| b.open),
            high: column(bars, |b| b.high),
            low: column(bars, |b| b.low),
            close: bars.iter().map(|b| b.close).collect(),
            volume: column(bars, |b| b.volume),
        }
    }

    /// The columns borrowed as the analytics take them.
    pub fn ohlcv(&self) -> Ohlcv<'_> {
        Ohlcv {
            open: self.open.as_deref(),
            high: self.high.as_deref(),
            low: self.low.as_deref(),
            close: &self.close,
            volume: self.volume.as_deref(),
        }
    }
}
