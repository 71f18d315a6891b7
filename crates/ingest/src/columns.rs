//! Loading one series into column vectors, for the indicators command.
//!
//! Decisions for indicator input:
//! - A row whose close is missing is dropped (TA-Lib functions cannot step over a NaN) and
//!   counted in [`ColumnarSeries::skipped_rows`].
//! - An open/high/low/volume column that is missing on every row is reported as absent
//!   (`None`); one missing on only some rows makes those rows dropped and counted too, so
//!   every returned column is complete and the same length as `dates`.
//! - Rows come out in ascending date order whatever the file's order (some providers export
//!   newest first); exact repeats are dropped and counted.

use crate::dialect::Dialect;
use crate::error::{IngestError, Result};
use crate::reader::{PriceReader, Summary};
use chrono::NaiveDate;
use std::ops::Range;
use std::path::Path;

/// One series as parallel columns, in ascending date order, every column complete.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnarSeries {
    /// The series' symbol (from its header or the file name).
    pub symbol: String,
    /// The dates, strictly ascending.
    pub dates: Vec<NaiveDate>,
    /// Opening prices, when the file has them.
    pub open: Option<Vec<f64>>,
    /// Highs, when the file has them.
    pub high: Option<Vec<f64>>,
    /// Lows, when the file has them.
    pub low: Option<Vec<f64>>,
    /// Closing prices.
    pub close: Vec<f64>,
    /// Volumes, when the file has them.
    pub volume: Option<Vec<f64>>,
    /// Data rows dropped because a value was missing.
    pub skipped_rows: u64,
    /// Rows that repeated an earlier date with identical values.
    pub duplicate_rows: u64,
    /// The reader's counts, including missing cells per column.
    pub summary: Summary,
}

impl ColumnarSeries {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
}

/// Which of the optional columns a caller wants stored (close always is).
///
/// A column not kept comes back as `None` and costs no memory (16 MB per 2M rows), but its
/// holes still drop rows exactly as if it were kept, so the rows returned never depend on
/// which columns a caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepColumns {
    /// Keep opening prices.
    pub open: bool,
    /// Keep highs.
    pub high: bool,
    /// Keep lows.
    pub low: bool,
    /// Keep volumes.
    pub volume: bool,
}

impl KeepColumns {
    /// Every column the file has.
    pub const ALL: Self = Self {
        open: true,
        high: true,
        low: true,
        volume: true,
    };

    fn as_array(self) -> [bool; 4] {
        [self.open, self.high, self.low, self.volume]
    }
}

/// Loads a single-series file (OHLC or one value column; plain or gzip) into columns.
pub fn read_columns(path: impl AsRef<Path>) -> Result<ColumnarSeries> {
    read_columns_from(PriceReader::open(path)?, KeepColumns::ALL)
}

/// [`read_columns`] storing only the optional columns in `keep` (see [`KeepColumns`]).
pub fn read_columns_keeping(path: impl AsRef<Path>, keep: KeepColumns) -> Result<ColumnarSeries> {
    read_columns_from(PriceReader::open(path)?, keep)
}

/// Loads the rest of an already opened reader into columns, storing the optional columns in
/// `keep` (see [`read_columns`], [`KeepColumns`]).
pub fn read_columns_from(mut reader: PriceReader, keep: KeepColumns) -> Result<ColumnarSeries> {
    if reader.layout().dialect == Dialect::Wide {
        return Err(IngestError::WrongShape {
            file: reader.file_name().to_string(),
            reason: format!(
                "holds {} series ({}); this command reads one",
                reader.series().len(),
                reader.series().join(", ")
            ),
        });
    }
    let keep = keep.as_array();
    let mut dates = Vec::new();
    // Columns 0..4 are open, high, low, volume; NaN marks a missing cell until the end.
    let mut extra: [Vec<f64>; 4] = Default::default();
    // The holes of a column not kept, as runs of row indices: one run for a column absent
    // from the whole file, none for a complete one.
    let mut holes: [Vec<Range<usize>>; 4] = Default::default();
    let mut close = Vec::new();
    let mut extra_seen = [false; 4];
    while let Some(row) = reader.next_row()? {
        let Some(&(_, bar)) = row.bars.first() else {
            continue;
        };
        let index = dates.len();
        dates.push(bar.date);
        close.push(bar.close);
        for (k, value) in [bar.open, bar.high, bar.low, bar.volume]
            .into_iter()
            .enumerate()
        {
            extra_seen[k] |= value.is_some();
            if keep[k] {
                extra[k].push(value.unwrap_or(f64::NAN));
            } else if value.is_none() {
                match holes[k].last_mut() {
                    Some(run) if run.end == index => run.end += 1,
                    _ => holes[k].push(index..index + 1),
                }
            }
        }
    }
    let summary = reader.summary();
    let counts = &summary.series[0];
    let mut skipped_rows = counts.skipped;

    // Keep only the columns that hold something; then drop rows with a hole in a column that
    // holds something, kept or not.
    let mut kept: [Option<Vec<f64>>; 4] = Default::default();
    for (((slot, column), seen), wanted) in kept.iter_mut().zip(extra).zip(extra_seen).zip(keep) {
        *slot = (seen && wanted).then_some(column);
    }
    let mut complete: Vec<bool> = (0..dates.len())
        .map(|i| kept.iter().flatten().all(|column| !column[i].is_nan()))
        .collect();
    for (runs, seen) in holes.iter().zip(extra_seen) {
        if seen {
            for run in runs {
                complete[run.clone()].fill(false);
            }
        }
    }
    if complete.contains(&false) {
        skipped_rows += complete.iter().filter(|c| !**c).count() as u64;
        retain_rows(&mut dates, &complete);
        retain_rows(&mut close, &complete);
        for column in kept.iter_mut().flatten() {
            retain_rows(column, &complete);
        }
    }
    drop(complete);

    let duplicate_rows = counts.duplicates;
    let [open, high, low, volume] = kept;
    let mut series = ColumnarSeries {
        symbol: reader.series()[0].clone(),
        dates,
        open,
        high,
        low,
        volume,
        close,
        skipped_rows,
        duplicate_rows,
        summary,
    };
    sort_by_date(&mut series);
    Ok(series)
}

fn retain_rows<T: Copy>(values: &mut Vec<T>, keep: &[bool]) {
    let mut i = 0;
    values.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Puts rows in ascending date order: nothing to do for an ascending file, a reversal for a
/// descending one, a sort otherwise.
fn sort_by_date(series: &mut ColumnarSeries) {
    let dates = &series.dates;
    if dates.windows(2).all(|w| w[0] < w[1]) {
        return;
    }
    let columns = [
        Some(&mut series.close),
        series.open.as_mut(),
        series.high.as_mut(),
        series.low.as_mut(),
        series.volume.as_mut(),
    ];
    if dates.windows(2).all(|w| w[0] > w[1]) {
        series.dates.reverse();
        for column in columns.into_iter().flatten() {
            column.reverse();
        }
        return;
    }
    let order = crate::wide::ascending_order(dates);
    let sorted_dates = order.iter().map(|&i| dates[i]).collect();
    series.dates = sorted_dates;
    for column in columns.into_iter().flatten() {
        *column = order.iter().map(|&i| column[i]).collect();
    }
}
