//! Price rows in PostgreSQL's binary `COPY` format, for the bulk loader.
//!
//! Binary rows spare the server the text parsing of CSV (dates and `float8` from text are most
//! of its CPU in a `COPY ... csv`), and every value goes over the wire exactly: an `f64` is
//! its eight bytes, not a decimal rendering of it.

use crate::error::{Result, StoreError};
use crate::model::{PriceBar, SeriesKey};
use crate::prices::storable_bar;
use chrono::NaiveDate;

/// The columns, in the order each encoded row holds them.
pub(crate) const COPY_BINARY_STATEMENT: &str = "COPY prices (source, symbol, date, interval, open, high, low, close, volume) \
     FROM STDIN WITH (FORMAT binary)";

/// Signature, flags (no OIDs) and an empty header extension.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// A field count of -1 ends the data.
const TRAILER: &[u8] = &(-1i16).to_be_bytes();
/// Columns per row.
const FIELDS: i16 = 9;
/// PostgreSQL counts dates in days from this one.
const PG_EPOCH: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");

/// Encodes rows of a fixed set of series; the parts that only depend on the series are encoded
/// once.
pub(crate) struct BinaryRows {
    /// Per series: the field count, source and symbol (everything before the date).
    heads: Vec<Vec<u8>>,
    /// Per series: the interval field (between the date and the prices).
    intervals: Vec<Vec<u8>>,
    keys: Vec<SeriesKey>,
}

impl BinaryRows {
    /// An encoder for rows of `keys`, indexed as the rows index them.
    pub(crate) fn new(keys: &[SeriesKey]) -> Self {
        let heads = keys
            .iter()
            .map(|key| {
                let mut head = FIELDS.to_be_bytes().to_vec();
                push_text(&mut head, &key.source);
                push_text(&mut head, &key.symbol);
                head
            })
            .collect();
        let intervals = keys
            .iter()
            .map(|key| {
                let mut field = Vec::new();
                push_text(&mut field, key.interval.as_str());
                field
            })
            .collect();
        Self {
            heads,
            intervals,
            keys: keys.to_vec(),
        }
    }

    /// Appends the header that must open the data.
    pub(crate) fn push_header(out: &mut Vec<u8>) {
        out.extend_from_slice(HEADER);
    }

    /// Appends the trailer that must close the data.
    pub(crate) fn push_trailer(out: &mut Vec<u8>) {
        out.extend_from_slice(TRAILER);
    }

    /// Appends rows as `(series index, bar)`, each as [`storable_bar`] makes it: a missing or
    /// non-finite open, high, low or volume becomes NULL, and a close that is not a finite
    /// number is an error.
    pub(crate) fn push_rows(&self, out: &mut Vec<u8>, rows: &[(usize, PriceBar)]) -> Result<()> {
        // 2 + 2 x (4 + 8) + 8 + 4 + 8 for the fixed parts, the texts at most as long as keys'.
        out.reserve(rows.len() * 72);
        for (index, bar) in rows {
            let (Some(head), Some(interval), Some(key)) = (
                self.heads.get(*index),
                self.intervals.get(*index),
                self.keys.get(*index),
            ) else {
                return Err(StoreError::InvalidPrice(format!(
                    "a row refers to series {index} but only {} were given",
                    self.keys.len()
                )));
            };
            let bar = storable_bar(key, bar)?;
            out.extend_from_slice(head);
            out.extend_from_slice(&4i32.to_be_bytes());
            out.extend_from_slice(&pg_days(bar.date).to_be_bytes());
            out.extend_from_slice(interval);
            push_float(out, bar.open);
            push_float(out, bar.high);
            push_float(out, bar.low);
            push_float(out, Some(bar.close));
            push_float(out, bar.volume);
        }
        Ok(())
    }
}

/// Days since PostgreSQL's epoch. chrono's dates span ±262,143 years, well inside `i32` days;
/// dates PostgreSQL cannot hold are refused by the server.
fn pg_days(date: NaiveDate) -> i32 {
    date.signed_duration_since(PG_EPOCH).num_days() as i32
}

fn push_text(out: &mut Vec<u8>, text: &str) {
    // Keys are short names; PostgreSQL would refuse a text of 1 GB anyway.
    out.extend_from_slice(&(text.len() as i32).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// Appends a `float8`, or NULL for an absent value (non-finite ones are absent by now).
fn push_float(out: &mut Vec<u8>, value: Option<f64>) {
    match value {
        Some(value) => {
            out.extend_from_slice(&8i32.to_be_bytes());
            out.extend_from_slice(&value.to_bits().to_be_bytes());
        }
        None => out.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Interval;

    fn key() -> SeriesKey {
        SeriesKey::new("csv", "GOLD", Interval::Daily)
    }

    #[test]
    fn a_row_is_nine_length_prefixed_fields() {
        let bar = PriceBar {
            date: "2000-01-03".parse().unwrap(),
            open: Some(1.5),
            high: None,
            low: Some(f64::NAN),
            close: 2.0,
            volume: Some(f64::INFINITY),
        };
        let mut out = Vec::new();
        BinaryRows::new(&[key()])
            .push_rows(&mut out, &[(0, bar)])
            .unwrap();
        let mut expected = vec![0, 9];
        expected.extend_from_slice(&[0, 0, 0, 3]);
        expected.extend_from_slice(b"csv");
        expected.extend_from_slice(&[0, 0, 0, 4]);
        expected.extend_from_slice(b"GOLD");
        expected.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 2]);
        expected.extend_from_slice(&[0, 0, 0, 5]);
        expected.extend_from_slice(b"daily");
        expected.extend_from_slice(&[0, 0, 0, 8]);
        expected.extend_from_slice(&1.5f64.to_be_bytes());
        expected.extend_from_slice(&[0xff; 4]);
        expected.extend_from_slice(&[0xff; 4]);
        expected.extend_from_slice(&[0, 0, 0, 8]);
        expected.extend_from_slice(&2.0f64.to_be_bytes());
        expected.extend_from_slice(&[0xff; 4]);
        assert_eq!(out, expected);
    }

    #[test]
    fn dates_before_the_epoch_are_negative_days() {
        assert_eq!(pg_days("1999-12-31".parse().unwrap()), -1);
        assert_eq!(pg_days("1800-01-01".parse().unwrap()), -73_048);
    }

    #[test]
    fn a_close_that_is_not_finite_is_refused_with_the_series_and_date() {
        let rows = [(
            0,
            PriceBar::close_only("2024-05-01".parse().unwrap(), f64::NAN),
        )];
        let error = BinaryRows::new(&[key()])
            .push_rows(&mut Vec::new(), &rows)
            .unwrap_err()
            .to_string();
        assert!(error.contains("csv/GOLD/daily"), "{error}");
        assert!(error.contains("2024-05-01"), "{error}");
    }

    #[test]
    fn header_and_trailer_frame_the_data() {
        let mut out = Vec::new();
        BinaryRows::push_header(&mut out);
        BinaryRows::push_trailer(&mut out);
        assert_eq!(&out[..11], b"PGCOPY\n\xff\r\n\0");
        assert_eq!(out.len(), 19 + 2);
        assert_eq!(&out[19..], &[0xff, 0xff]);
    }
}
