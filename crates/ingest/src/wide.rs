//! Closes of several series on shared dates, for the metrics and simulate commands.
//!
//! [`read_wide`] loads one file of any dialect (a wide table, or a single series as a table
//! of one column); [`read_many`] loads several files and keeps the dates all series share,
//! which is what portfolio metrics are defined on.

use crate::error::{IngestError, Result};
use crate::reader::{PriceReader, Summary};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

/// Dates by symbols: `columns[s][i]` is the close of `symbols[s]` on `dates[i]`, NaN where
/// that series has no value that day.
#[derive(Debug, Clone, PartialEq)]
pub struct WideTable {
    /// The dates, strictly ascending.
    pub dates: Vec<NaiveDate>,
    /// The series' symbols, in file (then argument) order.
    pub symbols: Vec<String>,
    /// One column of closes per symbol, each as long as `dates`.
    pub columns: Vec<Vec<f64>>,
    /// Data rows dropped because no series had a value on them.
    pub empty_rows: u64,
}

/// One series given as dates and closes, for [`join_on_common_dates`].
#[derive(Debug, Clone, Copy)]
pub struct SeriesColumn<'a> {
    /// The series' symbol.
    pub symbol: &'a str,
    /// Its dates (any order, no repeats).
    pub dates: &'a [NaiveDate],
    /// Its closes, one per date; NaN counts as no value.
    pub closes: &'a [f64],
}

impl WideTable {
    /// The columns as [`SeriesColumn`]s sharing this table's dates.
    pub fn series_columns(&self) -> impl Iterator<Item = SeriesColumn<'_>> {
        self.symbols
            .iter()
            .zip(&self.columns)
            .map(|(symbol, closes)| SeriesColumn {
                symbol,
                dates: &self.dates,
                closes,
            })
    }

    /// Only the rows on which every series has a value (the dates all assets share).
    pub fn complete_rows(&self) -> Result<WideTable> {
        let columns: Vec<SeriesColumn<'_>> = self.series_columns().collect();
        join_on_common_dates(&columns)
    }
}

/// Loads a file (wide table, or one series as a one-column table) with NaN for missing
/// values; rows where every series is missing are dropped and counted in `empty_rows`.
pub fn read_wide(path: impl AsRef<Path>) -> Result<WideTable> {
    Ok(read_wide_from(PriceReader::open(path)?)?.0)
}

/// Loads the rest of an opened reader as a [`WideTable`], with the reader's counts.
pub fn read_wide_from(mut reader: PriceReader) -> Result<(WideTable, Summary)> {
    let width = reader.series().len();
    let mut dates = Vec::new();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); width];
    let mut empty_rows = 0;
    while let Some(row) = reader.next_row()? {
        if row.bars.is_empty() {
            empty_rows += 1;
            continue;
        }
        dates.push(row.date);
        for column in columns.iter_mut() {
            column.push(f64::NAN);
        }
        let last = dates.len() - 1;
        for &(series, bar) in row.bars {
            columns[series][last] = bar.close;
        }
    }
    let mut table = WideTable {
        dates,
        symbols: reader.series().to_vec(),
        columns,
        empty_rows,
    };
    if !table.dates.windows(2).all(|w| w[0] < w[1]) {
        merge_repeated_dates_and_sort(&mut table);
    }
    Ok((table, reader.summary()))
}

/// Sorts rows by date and merges rows of the same date: a wide table may legitimately give
/// one series' value on one row and another's on a repeated row of the same date (the
/// reader has already rejected conflicting values and dropped exact repeats).
fn merge_repeated_dates_and_sort(table: &mut WideTable) {
    let order = ascending_order(&table.dates);
    let mut dates: Vec<NaiveDate> = Vec::with_capacity(order.len());
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(order.len()); table.columns.len()];
    for &i in &order {
        let date = table.dates[i];
        if dates.last() != Some(&date) {
            dates.push(date);
            for column in columns.iter_mut() {
                column.push(f64::NAN);
            }
        }
        let last = dates.len() - 1;
        for (out, column) in columns.iter_mut().zip(&table.columns) {
            if !column[i].is_nan() {
                out[last] = column[i];
            }
        }
    }
    table.dates = dates;
    table.columns = columns;
}

/// Indices that put `dates` in ascending order (stable).
pub(crate) fn ascending_order(dates: &[NaiveDate]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..dates.len()).collect();
    order.sort_by_key(|&i| dates[i]);
    order
}

/// Loads several files (each a single series or a wide table) and keeps only the dates on
/// which every series of every file has a value.
pub fn read_many<P: AsRef<Path>>(paths: &[P]) -> Result<WideTable> {
    let tables = paths
        .iter()
        .map(read_wide)
        .collect::<Result<Vec<WideTable>>>()?;
    let columns: Vec<SeriesColumn<'_>> =
        tables.iter().flat_map(WideTable::series_columns).collect();
    join_on_common_dates(&columns)
}

/// Joins series on the dates where all of them have a (non-NaN) value, ascending.
///
/// Errors when two series share a symbol or when no date is common to all.
pub fn join_on_common_dates(series: &[SeriesColumn<'_>]) -> Result<WideTable> {
    let symbols: Vec<String> = series.iter().map(|s| s.symbol.to_string()).collect();
    for (i, symbol) in symbols.iter().enumerate() {
        if symbols[..i].contains(symbol) {
            return Err(IngestError::DuplicateSymbol {
                symbol: symbol.clone(),
            });
        }
    }
    let Some((first, rest)) = series.split_first() else {
        return Ok(WideTable {
            dates: Vec::new(),
            symbols,
            columns: Vec::new(),
            empty_rows: 0,
        });
    };
    // Index every other series by date once; then walk the first series' dates.
    let lookups: Vec<HashMap<NaiveDate, f64>> = rest
        .iter()
        .map(|s| {
            s.dates
                .iter()
                .zip(s.closes)
                .filter(|(_, close)| !close.is_nan())
                .map(|(date, close)| (*date, *close))
                .collect()
        })
        .collect();
    let mut rows: Vec<(NaiveDate, usize)> = first
        .dates
        .iter()
        .enumerate()
        .filter(|&(i, date)| {
            !first.closes[i].is_nan() && lookups.iter().all(|l| l.contains_key(date))
        })
        .map(|(i, date)| (*date, i))
        .collect();
    rows.sort_unstable_by_key(|&(date, _)| date);
    rows.dedup_by_key(|&mut (date, _)| date);
    if rows.is_empty() {
        return Err(IngestError::NoCommonDates {
            symbols: symbols.join(", "),
        });
    }
    let mut columns = vec![
        rows.iter()
            .map(|&(_, i)| first.closes[i])
            .collect::<Vec<f64>>(),
    ];
    for lookup in &lookups {
        columns.push(rows.iter().map(|(date, _)| lookup[date]).collect());
    }
    Ok(WideTable {
        dates: rows.into_iter().map(|(date, _)| date).collect(),
        symbols,
        columns,
        empty_rows: 0,
    })
}
