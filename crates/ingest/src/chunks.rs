//! A single-series file as column chunks in bounded memory, for `commodex indicators`.
//!
//! Two passes over the file, each in constant memory whatever its length:
//! - [`scan_columns`] reads it once and finds every error a load by
//!   [`crate::read_columns`] would, plus what streaming needs to know in advance: which
//!   optional columns hold a value somewhere (a column empty on every row is absent), how
//!   many rows survive, the counts, and the first surviving row whose high is below its low.
//! - [`ColumnChunks`] then reads it again and yields the surviving rows in chunks.
//!
//! The rows are exactly those [`crate::read_columns`] returns, in the same order, and the
//! counts are its counts, provided the dates ascend (exact repeats aside). A file whose dates
//! do not (newest first, or shuffled) needs sorting, which needs the whole series in memory:
//! [`scan_columns`] answers `None` and the caller loads it with [`crate::read_columns`].

use crate::columns::KeepColumns;
use crate::dialect::Dialect;
use crate::error::{IngestError, Result};
use crate::reader::{PriceReader, Summary};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use store::PriceBar;

/// The optional columns as bits, in the order open, high, low, volume.
const OPEN: u8 = 1;
const HIGH: u8 = 2;
const LOW: u8 = 4;
const VOLUME: u8 = 8;

/// The bits of the optional columns missing from a bar (its "holes").
#[inline]
fn holes(bar: &PriceBar) -> u8 {
    let mut bits = 0;
    for (value, bit) in [
        (bar.open, OPEN),
        (bar.high, HIGH),
        (bar.low, LOW),
        (bar.volume, VOLUME),
    ] {
        if value.is_none() {
            bits |= bit;
        }
    }
    bits
}

/// Column bits as [`KeepColumns`].
fn as_columns(bits: u8) -> KeepColumns {
    KeepColumns {
        open: bits & OPEN != 0,
        high: bits & HIGH != 0,
        low: bits & LOW != 0,
        volume: bits & VOLUME != 0,
    }
}

fn as_bits(columns: KeepColumns) -> u8 {
    let mut bits = 0;
    for (wanted, bit) in [
        (columns.open, OPEN),
        (columns.high, HIGH),
        (columns.low, LOW),
        (columns.volume, VOLUME),
    ] {
        if wanted {
            bits |= bit;
        }
    }
    bits
}

/// A row whose high is below its low.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HighBelowLow {
    /// The row's index among the rows [`ColumnChunks`] yields (0-based, the header aside).
    pub row: u64,
    /// Its high.
    pub high: f64,
    /// Its low.
    pub low: f64,
}

/// What [`scan_columns`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnScan {
    /// The series' symbol (from its header or the file name).
    pub symbol: String,
    /// The optional columns that hold a value on some row; the others are absent.
    pub present: KeepColumns,
    /// Rows [`ColumnChunks`] will yield.
    pub rows: u64,
    /// Data rows dropped because a value was missing (as [`crate::ColumnarSeries`] counts).
    pub skipped_rows: u64,
    /// Rows that repeated an earlier date with identical values.
    pub duplicate_rows: u64,
    /// The reader's counts, including missing cells per column.
    pub summary: Summary,
    /// The first yielded row whose high is below its low, if any.
    pub high_below_low: Option<HighBelowLow>,
}

/// Reads a single-series file (OHLC or one value column; plain or gzip) once, in constant
/// memory, and reports what it holds; `Ok(None)` if its dates do not ascend. Every error
/// [`crate::read_columns`] would report for the file is reported, with the same message.
pub fn scan_columns(path: impl AsRef<Path>) -> Result<Option<ColumnScan>> {
    let mut reader = PriceReader::open_ascending(path)?;
    check_single_series(&reader)?;
    // Whether a row survives depends on which columns turn out to be present, known only at
    // the end; so rows are counted by their pattern of holes, and the first high-below-low
    // row of each pattern keeps the counts as they stood before it.
    let mut by_holes = [0u64; 16];
    let mut firsts: [Option<([u64; 16], f64, f64)>; 16] = [None; 16];
    let mut present = 0u8;
    loop {
        let row = match reader.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(IngestError::NotAscending { .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        let Some((_, bar)) = row.bars.first() else {
            continue;
        };
        let pattern = holes(bar);
        present |= !pattern & 0x0f;
        if let (Some(high), Some(low)) = (bar.high, bar.low)
            && high < low
            && firsts[usize::from(pattern)].is_none()
        {
            firsts[usize::from(pattern)] = Some((by_holes, high, low));
        }
        by_holes[usize::from(pattern)] += 1;
    }
    let survives = |pattern: usize| pattern as u8 & present == 0;
    let surviving = |counts: &[u64; 16]| {
        (0..16)
            .filter(|&p| survives(p))
            .map(|p| counts[p])
            .sum::<u64>()
    };
    let rows = surviving(&by_holes);
    let high_below_low = (0..16)
        .filter(|&p| survives(p))
        .filter_map(|p| firsts[p])
        .map(|(before, high, low)| HighBelowLow {
            row: surviving(&before),
            high,
            low,
        })
        .min_by_key(|found| found.row);
    let summary = reader.summary();
    let counts = &summary.series[0];
    let total: u64 = by_holes.iter().sum();
    Ok(Some(ColumnScan {
        symbol: reader.series()[0].clone(),
        present: as_columns(present),
        rows,
        skipped_rows: counts.skipped + (total - rows),
        duplicate_rows: counts.duplicates,
        high_below_low,
        summary,
    }))
}

fn check_single_series(reader: &PriceReader) -> Result<()> {
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
    Ok(())
}

/// One chunk of rows as columns; a column not stored is empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnChunk {
    /// The dates, ascending.
    pub dates: Vec<NaiveDate>,
    /// Opening prices, when stored.
    pub open: Vec<f64>,
    /// Highs, when stored.
    pub high: Vec<f64>,
    /// Lows, when stored.
    pub low: Vec<f64>,
    /// Closing prices.
    pub close: Vec<f64>,
    /// Volumes, when stored.
    pub volume: Vec<f64>,
}

impl ColumnChunk {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    fn clear(&mut self) {
        self.dates.clear();
        for column in [
            &mut self.open,
            &mut self.high,
            &mut self.low,
            &mut self.close,
            &mut self.volume,
        ] {
            column.clear();
        }
    }
}

/// The second pass: the rows of a scanned file, in chunks (see the module docs).
#[derive(Debug)]
pub struct ColumnChunks {
    reader: PriceReader,
    path: PathBuf,
    /// A hole in any of these columns drops the row.
    present: u8,
    /// The columns stored in chunks.
    stored: u8,
    expected_rows: u64,
    rows: u64,
}

impl ColumnChunks {
    /// Opens the file `scan` describes, storing the optional columns in `keep` that are
    /// present (close always is).
    pub fn open(path: impl AsRef<Path>, scan: &ColumnScan, keep: KeepColumns) -> Result<Self> {
        let path = path.as_ref();
        let reader = PriceReader::open_ascending(path)?;
        check_single_series(&reader)?;
        let present = as_bits(scan.present);
        Ok(Self {
            reader,
            path: path.to_path_buf(),
            present,
            stored: present & as_bits(keep),
            expected_rows: scan.rows,
            rows: 0,
        })
    }

    /// Replaces `chunk`'s rows with the next (at most) `max_rows` rows; no rows at the end.
    /// An error on a file that passed the scan means it changed in between.
    pub fn next_chunk(&mut self, chunk: &mut ColumnChunk, max_rows: usize) -> Result<()> {
        chunk.clear();
        let stored = self.stored;
        while chunk.len() < max_rows {
            let Some(row) = self.reader.next_row()? else {
                if self.rows != self.expected_rows {
                    return Err(self.changed());
                }
                break;
            };
            let Some(&(_, bar)) = row.bars.first() else {
                continue;
            };
            if holes(&bar) & self.present != 0 {
                continue;
            }
            self.rows += 1;
            chunk.dates.push(bar.date);
            chunk.close.push(bar.close);
            for (value, bit, column) in [
                (bar.open, OPEN, &mut chunk.open),
                (bar.high, HIGH, &mut chunk.high),
                (bar.low, LOW, &mut chunk.low),
                (bar.volume, VOLUME, &mut chunk.volume),
            ] {
                if stored & bit != 0 {
                    column.push(value.unwrap_or(f64::NAN));
                }
            }
        }
        if self.rows > self.expected_rows {
            return Err(self.changed());
        }
        Ok(())
    }

    fn changed(&self) -> IngestError {
        IngestError::Io {
            file: self.path.display().to_string(),
            cause: std::io::Error::other("the file changed while it was being read"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_columns;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        file
    }

    /// Every chunk size gives back the columns `read_columns` loads, and the same counts.
    fn assert_chunks_match_read_columns(text: &str) {
        let input = file(text);
        let loaded = read_columns(input.path()).unwrap();
        let scan = scan_columns(input.path()).unwrap().expect("ascending");
        assert_eq!(scan.rows as usize, loaded.len());
        assert_eq!(scan.skipped_rows, loaded.skipped_rows);
        assert_eq!(scan.duplicate_rows, loaded.duplicate_rows);
        assert_eq!(scan.summary, loaded.summary);
        assert_eq!(scan.present.open, loaded.open.is_some());
        assert_eq!(scan.present.high, loaded.high.is_some());
        assert_eq!(scan.present.low, loaded.low.is_some());
        assert_eq!(scan.present.volume, loaded.volume.is_some());
        for size in [1, 2, 3, 1000] {
            let mut chunks = ColumnChunks::open(input.path(), &scan, KeepColumns::ALL).unwrap();
            let mut all = ColumnChunk::default();
            let mut chunk = ColumnChunk::default();
            loop {
                chunks.next_chunk(&mut chunk, size).unwrap();
                if chunk.is_empty() {
                    break;
                }
                assert!(chunk.len() <= size);
                all.dates.extend(&chunk.dates);
                all.open.extend(&chunk.open);
                all.high.extend(&chunk.high);
                all.low.extend(&chunk.low);
                all.close.extend(&chunk.close);
                all.volume.extend(&chunk.volume);
            }
            assert_eq!(all.dates, loaded.dates);
            assert_eq!(all.close, loaded.close);
            assert_eq!(all.open, loaded.open.clone().unwrap_or_default());
            assert_eq!(all.high, loaded.high.clone().unwrap_or_default());
            assert_eq!(all.low, loaded.low.clone().unwrap_or_default());
            assert_eq!(all.volume, loaded.volume.clone().unwrap_or_default());
        }
    }

    #[test]
    fn chunks_hold_the_rows_read_columns_loads() {
        assert_chunks_match_read_columns(
            "\u{feff}Date,Open,High,Low,Close,Adj Close,Volume\r\n\
             2024-01-02,1,2,0.5,1.5,1.5,100\r\n\
             2024-01-02,1,2,0.5,1.5,1.5,100\r\n\
             2024-01-03,null,null,null,null,null,null\r\n\
             2024-01-04,1.5,2.5,1,2,2,\r\n\
             2024-01-05,2,3,1.5,2.5,2.5,300\r\n\
             \r\n\
             2024-01-08,2.5,3.5,2,3,3,400\r\n",
        );
        assert_chunks_match_read_columns(
            "DATE,DCOILWTICO\n2020-04-17,18.27\n2020-04-20,-36.98\n2020-04-21,.\n2020-04-22,13.78\n",
        );
        assert_chunks_match_read_columns(
            "Date,Close,Volume\n1/2/2024,10,\n1/3/2024,11,\n1/4/2024,12,\n",
        );
    }

    #[test]
    fn a_column_empty_on_some_rows_drops_them_and_moves_the_high_low_row() {
        let input = file(
            "Date,Open,High,Low,Close,Volume\n\
             2024-01-01,1,2,1,1,\n\
             2024-01-02,1,1,2,1,5\n\
             2024-01-03,1,2,1,1,5\n\
             2024-01-04,1,1,3,1,5\n",
        );
        let scan = scan_columns(input.path()).unwrap().unwrap();
        assert_eq!(scan.rows, 3);
        assert_eq!(scan.skipped_rows, 1);
        assert_eq!(
            scan.high_below_low,
            Some(HighBelowLow {
                row: 0,
                high: 1.0,
                low: 2.0
            })
        );
    }

    #[test]
    fn dates_not_ascending_are_left_to_read_columns() {
        let input = file("date,close\n2024-01-03,3\n2024-01-02,2\n2024-01-01,1\n");
        assert_eq!(scan_columns(input.path()).unwrap(), None);
    }

    #[test]
    fn bad_cells_and_conflicting_repeats_are_reported_as_read_columns_reports_them() {
        for text in [
            "date,close\n2024-01-01,1\n2024-01-02,abc\n",
            "date,close\n2024-01-01,1\n2024-01-01,2\n",
            "date,close\n",
            "date,GOLD,WTI\n2024-01-01,1,2\n",
        ] {
            let input = file(text);
            assert_eq!(
                scan_columns(input.path()).unwrap_err().to_string(),
                read_columns(input.path()).unwrap_err().to_string(),
                "{text}"
            );
        }
    }
}
