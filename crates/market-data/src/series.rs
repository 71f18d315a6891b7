//! Parsing helpers shared by the providers: numbers that may be strings or missing markers,
//! dates, and the collection of rows into an ordered, deduplicated, scaled series.

use crate::provider::{ParseContext, Parsed, ProviderError};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use store::PriceBar;

/// How providers write "no observation": FRED's `"."`, Python's `"None"`, empty strings, null.
const MISSING_MARKERS: [&str; 6] = ["", ".", "none", "null", "nan", "n/a"];

/// A numeric field that may be a JSON number, a number in a string (Alpha Vantage), or a
/// missing marker (`Ok(None)`). Anything else is an error: silently skipping an unreadable
/// value would hide a change of format.
pub(crate) fn number(value: Option<&Value>) -> Result<Option<f64>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => {
            let t = s.trim();
            if MISSING_MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m)) {
                Ok(None)
            } else {
                t.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| format!("`{}` is not a number", short(t)))
            }
        }
        Some(other) => Err(format!("expected a number, found {}", kind(other))),
    }
}

/// A date written `YYYY-MM-DD`, possibly followed by a time (`YYYY-MM-DD HH:MM:SS`).
pub(crate) fn date(value: Option<&Value>) -> Result<NaiveDate, String> {
    let s = value
        .and_then(Value::as_str)
        .ok_or_else(|| "a row has no date".to_string())?;
    let day = s.get(..10).unwrap_or(s);
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| format!("`{}` is not a date", short(s)))
}

/// A unix timestamp in seconds (a number or a numeric string).
pub(crate) fn unix_seconds(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let secs = match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        _ => return None,
    };
    DateTime::from_timestamp(secs, 0)
}

/// The JSON type's name, for error messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first 40 characters of a value for an error message (values are prices and dates, never
/// keys, but a runaway string should not fill a log line).
fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// A parse error of `provider`.
pub(crate) fn parse_error(provider: &'static str, reason: impl Into<String>) -> ProviderError {
    ProviderError::Parse {
        provider,
        reason: reason.into(),
    }
}

/// One row as read from a body, prices not yet scaled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawRow {
    pub date: NaiveDate,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub close: Option<f64>,
    pub volume: Option<f64>,
}

impl RawRow {
    /// A row with only a closing value.
    pub fn close_only(date: NaiveDate, close: Option<f64>) -> Self {
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

/// Turns raw rows into a [`Parsed`] series: drops rows outside the context's range, skips and
/// counts rows whose close is missing, scales prices, sorts by date and keeps one bar a date.
///
/// On a duplicated date the row that came later in the body wins: providers list revisions
/// after the originals when they list both, and any fixed rule beats an arbitrary one.
pub(crate) fn collect(rows: impl IntoIterator<Item = RawRow>, ctx: &ParseContext) -> Parsed {
    let mut skipped_missing = 0;
    let mut bars: Vec<PriceBar> = Vec::new();
    for row in rows {
        if !ctx.contains(row.date) {
            continue;
        }
        let Some(close) = row.close else {
            skipped_missing += 1;
            continue;
        };
        let scale = |v: Option<f64>| v.map(|x| x * ctx.scale);
        bars.push(PriceBar {
            date: row.date,
            open: scale(row.open),
            high: scale(row.high),
            low: scale(row.low),
            close: close * ctx.scale,
            volume: row.volume,
        });
    }
    // Stable sort, then keep the last of each run of equal dates.
    bars.sort_by_key(|b| b.date);
    let mut deduped: Vec<PriceBar> = Vec::with_capacity(bars.len());
    for bar in bars {
        match deduped.last_mut() {
            Some(last) if last.date == bar.date => *last = bar,
            _ => deduped.push(bar),
        }
    }
    Parsed {
        bars: deduped,
        skipped_missing,
    }
}

/// Splits `start..=end` into consecutive inclusive chunks of at most `max_days` days each, with
/// no gap and no overlap: each chunk starts the day after the previous one ends.
pub fn chunk_range(start: NaiveDate, end: NaiveDate, max_days: u32) -> Vec<(NaiveDate, NaiveDate)> {
    Chunks::new(start, end, Some(max_days)).collect()
}

/// The chunks of [`chunk_range`], made one at a time as they are asked for: a provider's
/// requests for a long range are built as they are sent, not all up front.
#[derive(Debug, Clone)]
pub struct Chunks {
    next: Option<NaiveDate>,
    end: NaiveDate,
    days: i64,
}

impl Chunks {
    /// Chunks of at most `max_days` days (one chunk for the whole range when `None`).
    pub fn new(start: NaiveDate, end: NaiveDate, max_days: Option<u32>) -> Self {
        let days = match max_days {
            Some(days) => i64::from(days.max(1)),
            None => (end - start).num_days().saturating_add(1).max(1),
        };
        Self {
            next: (start <= end).then_some(start),
            end,
            days,
        }
    }

    /// How many chunks are left, computed without making them.
    pub fn remaining(&self) -> u64 {
        match self.next {
            Some(next) => {
                let days = (self.end - next).num_days() + 1;
                u64::try_from((days + self.days - 1) / self.days).unwrap_or(u64::MAX)
            }
            None => 0,
        }
    }
}

impl Iterator for Chunks {
    type Item = (NaiveDate, NaiveDate);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.next?;
        let end = start
            .checked_add_days(chrono::Days::new((self.days - 1) as u64))
            .map_or(self.end, |end| end.min(self.end));
        self.next = end.succ_opt().filter(|next| *next <= self.end);
        Some((start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn number_reads_strings_numbers_and_missing_markers() {
        assert_eq!(number(Some(&json!("72.98"))), Ok(Some(72.98)));
        assert_eq!(number(Some(&json!(4170))), Ok(Some(4170.0)));
        assert_eq!(number(Some(&json!("-37.63"))), Ok(Some(-37.63)));
        for missing in [json!("."), json!("None"), json!(""), json!(null)] {
            assert_eq!(number(Some(&missing)), Ok(None));
        }
        assert!(number(Some(&json!("abc"))).is_err());
    }

    #[test]
    fn collect_sorts_dedupes_scales_and_counts_missing() {
        let rows = vec![
            RawRow::close_only(d("2025-01-03"), Some(300.0)),
            RawRow::close_only(d("2025-01-02"), None),
            RawRow::close_only(d("2025-01-01"), Some(100.0)),
            RawRow::close_only(d("2025-01-03"), Some(310.0)),
        ];
        let parsed = collect(rows, &ParseContext::new("X", 0.01));
        assert_eq!(parsed.skipped_missing, 1);
        assert_eq!(parsed.bars.len(), 2);
        assert_eq!(parsed.bars[0].date, d("2025-01-01"));
        assert!((parsed.bars[0].close - 1.0).abs() < 1e-12);
        assert!((parsed.bars[1].close - 3.1).abs() < 1e-12);
    }

    #[test]
    fn chunk_range_single_day_and_exact_multiple() {
        assert_eq!(
            chunk_range(d("2025-01-01"), d("2025-01-01"), 30),
            vec![(d("2025-01-01"), d("2025-01-01"))]
        );
        let chunks = chunk_range(d("2025-01-01"), d("2025-02-28"), 30);
        assert_eq!(
            chunks,
            vec![
                (d("2025-01-01"), d("2025-01-30")),
                (d("2025-01-31"), d("2025-02-28"))
            ]
        );
        assert!(chunk_range(d("2025-01-02"), d("2025-01-01"), 30).is_empty());
    }

    #[test]
    fn chunks_count_what_they_will_make_and_reach_the_ends_of_the_calendar() {
        let chunks = Chunks::new(d("2025-01-01"), d("2025-03-01"), Some(30));
        assert_eq!(chunks.remaining(), 2);
        assert_eq!(chunks.clone().count(), 2);
        let whole = Chunks::new(d("2025-01-01"), d("2025-03-01"), None);
        assert_eq!(
            whole.collect::<Vec<_>>(),
            [(d("2025-01-01"), d("2025-03-01"))]
        );
        // The whole calendar is counted without being walked, and walking its end stops.
        let all = Chunks::new(NaiveDate::MIN, NaiveDate::MAX, Some(30));
        assert!(all.remaining() > 2_000_000);
        let last = Chunks::new(
            NaiveDate::MAX - chrono::Days::new(3),
            NaiveDate::MAX,
            Some(30),
        );
        assert_eq!(last.collect::<Vec<_>>().len(), 1);
    }
}
