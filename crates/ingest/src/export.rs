//! Writing series out: `commodex export` (CSV and JSON) and `commodex indicators` (CSV).
//!
//! Numbers are printed as the shortest decimal that parses back to the same `f64` (ryu),
//! with a trailing `.0` removed: `100` rather than `100.0`, since both read back as the
//! same float and spreadsheets and people prefer the former. Dates are ISO `yyyy-mm-dd`.
//! Absent values are empty CSV cells or JSON `null`; so is a non-finite number, which JSON
//! cannot carry and which no price should be.

use crate::date::push_iso_date;
use chrono::NaiveDate;
use std::io::{self, Write};
use store::PriceBar;

/// Appends the shortest round-trip text of `value` (no trailing `.0`), nothing if not finite.
pub fn push_number(out: &mut Vec<u8>, value: f64) {
    if !value.is_finite() {
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(value);
    out.extend_from_slice(text.strip_suffix(".0").unwrap_or(text).as_bytes());
}

/// The bars in date order, borrowing when they already are (the usual case).
fn in_date_order(bars: &[PriceBar]) -> std::borrow::Cow<'_, [PriceBar]> {
    if bars.windows(2).all(|w| w[0].date <= w[1].date) {
        std::borrow::Cow::Borrowed(bars)
    } else {
        let mut sorted = bars.to_vec();
        sorted.sort_by_key(|bar| bar.date);
        std::borrow::Cow::Owned(sorted)
    }
}

/// Flush threshold for the reused line buffer: big writes, bounded memory.
const FLUSH_BYTES: usize = 64 * 1024;

/// Writes `date,open,high,low,close,volume` and one line per bar in date order, with empty
/// cells where a value is absent.
pub fn write_csv<W: Write>(mut writer: W, bars: &[PriceBar]) -> io::Result<()> {
    let mut out = Vec::with_capacity(FLUSH_BYTES + 256);
    out.extend_from_slice(b"date,open,high,low,close,volume\n");
    for bar in in_date_order(bars).iter() {
        push_iso_date(&mut out, bar.date);
        for value in [bar.open, bar.high, bar.low, Some(bar.close), bar.volume] {
            out.push(b',');
            if let Some(value) = value {
                push_number(&mut out, value);
            }
        }
        out.push(b'\n');
        if out.len() >= FLUSH_BYTES {
            writer.write_all(&out)?;
            out.clear();
        }
    }
    writer.write_all(&out)?;
    writer.flush()
}

/// Writes a JSON array of `{"date","open","high","low","close","volume"}` objects in date
/// order, `null` where a value is absent.
pub fn write_json<W: Write>(mut writer: W, bars: &[PriceBar]) -> io::Result<()> {
    let mut out = Vec::with_capacity(FLUSH_BYTES + 256);
    out.push(b'[');
    for (i, bar) in in_date_order(bars).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"date\":\"");
        push_iso_date(&mut out, bar.date);
        out.push(b'"');
        let fields = [
            ("open", bar.open),
            ("high", bar.high),
            ("low", bar.low),
            ("close", Some(bar.close)),
            ("volume", bar.volume),
        ];
        for (name, value) in fields {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            match value.filter(|v| v.is_finite()) {
                Some(value) => push_number(&mut out, value),
                None => out.extend_from_slice(b"null"),
            }
        }
        out.push(b'}');
        if out.len() >= FLUSH_BYTES {
            writer.write_all(&out)?;
            out.clear();
        }
    }
    out.extend_from_slice(b"]\n");
    writer.write_all(&out)?;
    writer.flush()
}

/// A fast CSV writer for `date` plus N numeric columns (the indicators command's output),
/// reusing one buffer; NaN cells (the lookback) are written empty.
#[derive(Debug)]
pub struct IndicatorCsvWriter<W: Write> {
    writer: W,
    out: Vec<u8>,
    width: usize,
}

impl<W: Write> IndicatorCsvWriter<W> {
    /// Writes the header `date,<names...>`, quoting names that need it (`macd(12,26,9).macd`
    /// holds commas).
    pub fn new(writer: W, names: &[&str]) -> io::Result<Self> {
        let mut this = Self {
            writer,
            out: Vec::with_capacity(FLUSH_BYTES + 256),
            width: names.len(),
        };
        this.out.extend_from_slice(b"date");
        for name in names {
            this.out.push(b',');
            push_csv_text(&mut this.out, name);
        }
        this.out.push(b'\n');
        Ok(this)
    }

    /// Writes one row; `values` must have one entry per column named in [`Self::new`].
    pub fn write_row(&mut self, date: NaiveDate, values: &[f64]) -> io::Result<()> {
        debug_assert_eq!(values.len(), self.width, "one value per column");
        push_iso_date(&mut self.out, date);
        for &value in values {
            self.out.push(b',');
            push_number(&mut self.out, value);
        }
        self.out.push(b'\n');
        if self.out.len() >= FLUSH_BYTES {
            self.writer.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(())
    }

    /// Writes every row of column-major data: `columns[c][i]` is column `c` on `dates[i]`.
    pub fn write_columns(&mut self, dates: &[NaiveDate], columns: &[&[f64]]) -> io::Result<()> {
        let mut row = vec![0.0; columns.len()];
        for (i, &date) in dates.iter().enumerate() {
            for (cell, column) in row.iter_mut().zip(columns) {
                *cell = column[i];
            }
            self.write_row(date, &row)?;
        }
        Ok(())
    }

    /// Flushes what is buffered and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.writer.write_all(&self.out)?;
        self.out.clear();
        self.writer.flush()?;
        Ok(self.writer)
    }
}

/// Appends `text` as a CSV field, quoted when it holds a comma, a quote or a line break.
fn push_csv_text(out: &mut Vec<u8>, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 4, d).unwrap()
    }

    #[test]
    fn csv_export_has_empty_cells_for_absent_values_and_sorts_by_date() {
        let bars = [
            PriceBar::close_only(day(21), 10.01),
            PriceBar {
                date: day(20),
                open: Some(17.73),
                high: Some(17.85),
                low: Some(-40.32),
                close: -37.63,
                volume: Some(247_947.0),
            },
        ];
        let mut out = Vec::new();
        write_csv(&mut out, &bars).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "date,open,high,low,close,volume\n\
             2020-04-20,17.73,17.85,-40.32,-37.63,247947\n\
             2020-04-21,,,,10.01,\n"
        );
    }

    #[test]
    fn json_export_uses_null_for_absent_values() {
        let mut out = Vec::new();
        write_json(&mut out, &[PriceBar::close_only(day(1), 100.0)]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "[{\"date\":\"2020-04-01\",\"open\":null,\"high\":null,\"low\":null,\"close\":100,\"volume\":null}]\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[0]["close"], 100);
    }

    #[test]
    fn indicator_writer_quotes_names_and_leaves_nan_empty() {
        let mut writer =
            IndicatorCsvWriter::new(Vec::new(), &["rsi(14)", "macd(12,26,9).macd"]).unwrap();
        writer
            .write_columns(&[day(1), day(2)], &[&[f64::NAN, 55.5], &[f64::NAN, -0.25]])
            .unwrap();
        let out = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "date,rsi(14),\"macd(12,26,9).macd\"\n2020-04-01,,\n2020-04-02,55.5,-0.25\n"
        );
    }
}
