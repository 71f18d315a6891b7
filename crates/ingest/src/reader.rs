//! The streaming reader: one pass over a file of any supported dialect, yielding each row's
//! date and one bar per series, in bounded memory (apart from the per-series date memory
//! that duplicate detection needs, 16 bytes a date).

use crate::dedup::{self, DateMemory, Verdict};
use crate::dialect::{self, ColumnRole, Dialect, Layout};
use crate::error::{ColumnRef, IngestError, Result};
use crate::number::{Cell, parse_cell};
use crate::source::{self, ByteCounter, CountingReader, Input, LineEndings};
use chrono::NaiveDate;
use std::io::BufReader;
use std::path::Path;
use store::PriceBar;

/// One data row: its line, its date and the bars it holds, as `(series index, bar)`.
///
/// A series whose value is missing on this row has no entry; neither has a series for which
/// this row repeats an earlier row exactly.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The 1-based line number (the header is line 1).
    pub line: u64,
    /// The row's date.
    pub date: NaiveDate,
    /// One entry per series that has a new value on this row.
    pub bars: &'a [(usize, PriceBar)],
}

/// What a finished (or partly read) file held, for the import summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Data rows read (blank lines excluded).
    pub rows: u64,
    /// Per series, in the order of [`PriceReader::series`].
    pub series: Vec<SeriesSummary>,
    /// Per value column: how many cells held a missing marker.
    pub missing: Vec<ColumnMissing>,
}

/// Counts for one series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSummary {
    /// The series' symbol.
    pub symbol: String,
    /// Bars yielded.
    pub bars: u64,
    /// Rows skipped because the series' value (its close) was missing.
    pub skipped: u64,
    /// Rows that repeated an earlier date with identical values, and were not yielded again.
    pub duplicates: u64,
}

/// Missing cells in one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMissing {
    /// The column, as the header names it.
    pub column: ColumnRef,
    /// Cells holding a missing marker (`.`, empty, `null`, `NaN`, `N/A`, ...).
    pub count: u64,
}

/// Where each part of a bar comes from, worked out once from the layout.
#[derive(Debug)]
enum Plan {
    /// One OHLC series: column indices of open, high, low, close, volume.
    Ohlc([Option<usize>; 5]),
    /// Single-value series: (column index, series index).
    Values(Vec<(usize, usize)>),
}

/// Streams the rows of a price file. See the crate docs for the dialects it understands.
pub struct PriceReader {
    file: String,
    csv: csv::Reader<LineEndings<Input>>,
    record: csv::ByteRecord,
    layout: Layout,
    plan: Plan,
    memories: Vec<DateMemory>,
    series_counts: Vec<SeriesSummary>,
    missing_by_column: Vec<u64>,
    rows: u64,
    bars: Vec<(usize, PriceBar)>,
    bytes: ByteCounter,
    finished: bool,
}

impl std::fmt::Debug for PriceReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriceReader")
            .field("file", &self.file)
            .field("layout", &self.layout)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl PriceReader {
    /// Opens a file (`.csv` or gzip-compressed) and reads its header.
    ///
    /// Error messages name the file as `path` is written.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let counter = ByteCounter::default();
        let input = source::open(path, counter.clone())?;
        Self::from_input(input, &path.display().to_string(), counter)
    }

    /// [`Self::open`] for a file expected in ascending date order, in constant memory: instead
    /// of remembering every date to find repeats anywhere, the reader remembers the last
    /// one, and a date before it ends the read with [`IngestError::NotAscending`]. On an
    /// ascending file it yields, counts and rejects exactly what [`Self::open`]'s does.
    pub fn open_ascending(path: impl AsRef<Path>) -> Result<Self> {
        let mut reader = Self::open(path)?;
        for memory in &mut reader.memories {
            *memory = DateMemory::ascending_only();
        }
        Ok(reader)
    }

    /// Reads from any byte stream (not decompressed); `name` stands for the file in error
    /// messages and, for a generic value header, gives the series its symbol.
    pub fn from_reader(input: impl std::io::Read + Send + 'static, name: &str) -> Result<Self> {
        let counter = ByteCounter::default();
        let buffered = BufReader::new(CountingReader::new(input, counter.clone()));
        let input = source::skip_bom(buffered).map_err(|cause| IngestError::Io {
            file: name.to_string(),
            cause,
        })?;
        Self::from_input(Box::new(input), name, counter)
    }

    fn from_input(input: Input, name: &str, bytes: ByteCounter) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(LineEndings::new(input));
        let mut record = csv::ByteRecord::new();
        let file = name.to_string();
        if !csv
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(&file, e))?
        {
            return Err(IngestError::NoData {
                file,
                what: "no header either",
            });
        }
        let header_line = record_line(&csv, &record);
        let headers: Vec<String> = record
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        let layout = dialect::detect(&headers, &dialect::stem_symbol(name)).map_err(|reason| {
            IngestError::BadHeader {
                file: file.clone(),
                line: header_line,
                reason,
            }
        })?;
        let plan = match layout.dialect {
            Dialect::Ohlc => {
                let find = |role| layout.roles.iter().position(|r| *r == role);
                Plan::Ohlc([
                    find(ColumnRole::Open),
                    find(ColumnRole::High),
                    find(ColumnRole::Low),
                    find(ColumnRole::Close),
                    find(ColumnRole::Volume),
                ])
            }
            Dialect::Single | Dialect::Wide => Plan::Values(
                layout
                    .roles
                    .iter()
                    .enumerate()
                    .filter_map(|(column, role)| match role {
                        ColumnRole::Value(series) => Some((column, *series)),
                        _ => None,
                    })
                    .collect(),
            ),
        };
        let series_counts = layout
            .series
            .iter()
            .map(|symbol| SeriesSummary {
                symbol: symbol.clone(),
                bars: 0,
                skipped: 0,
                duplicates: 0,
            })
            .collect();
        Ok(Self {
            file,
            csv,
            record,
            memories: layout
                .series
                .iter()
                .map(|_| DateMemory::default())
                .collect(),
            missing_by_column: vec![0; layout.headers.len()],
            series_counts,
            layout,
            plan,
            rows: 0,
            bars: Vec::new(),
            bytes,
            finished: false,
        })
    }

    /// The layout recognised from the header.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The symbols of the series in the file; bars refer to them by index.
    pub fn series(&self) -> &[String] {
        &self.layout.series
    }

    /// The file's name as given, for messages.
    pub fn file_name(&self) -> &str {
        &self.file
    }

    /// Bytes read so far from the file on disk (compressed bytes for gzip), for progress.
    pub fn bytes_read(&self) -> u64 {
        self.bytes.get()
    }

    /// A counter of [`Self::bytes_read`] that another thread can poll while this one reads.
    pub fn byte_counter(&self) -> ByteCounter {
        self.bytes.clone()
    }

    /// Counts so far; complete once [`Self::next_row`] has returned `None`.
    pub fn summary(&self) -> Summary {
        Summary {
            rows: self.rows,
            series: self.series_counts.clone(),
            missing: self
                .layout
                .roles
                .iter()
                .enumerate()
                .filter(|(_, role)| !matches!(role, ColumnRole::Date | ColumnRole::Ignored))
                .map(|(i, _)| ColumnMissing {
                    column: self.column(i),
                    count: self.missing_by_column[i],
                })
                .collect(),
        }
    }

    /// Appends the bars of the following rows to `out` until `max` bars have been appended
    /// or the file ends, and returns how many were appended: 0 only at the end of the file
    /// (for `max > 0`). A batch may pass `max` by less than one row's worth of bars, since
    /// rows are not split; `out` is not cleared, so the caller decides when to reuse it.
    pub fn next_batch(&mut self, out: &mut Vec<(usize, PriceBar)>, max: usize) -> Result<usize> {
        let before = out.len();
        while out.len() - before < max {
            match self.next_row()? {
                Some(row) => out.extend_from_slice(row.bars),
                None => break,
            }
        }
        Ok(out.len() - before)
    }

    /// Reads the next data row; `None` at the end of the file. Blank lines (and lines of
    /// only commas) are skipped. A file without any data row is an error at its end.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        loop {
            if self.finished {
                return Ok(None);
            }
            let more = self
                .csv
                .read_byte_record(&mut self.record)
                .map_err(|e| csv_error(&self.file, e))?;
            if !more {
                self.finished = true;
                if self.rows == 0 {
                    return Err(IngestError::NoData {
                        file: self.file.clone(),
                        what: "only a header",
                    });
                }
                return Ok(None);
            }
            let line = record_line(&self.csv, &self.record);
            let expected = self.layout.headers.len();
            let found = self.record.len();
            let extra_cells_empty = || {
                self.record
                    .iter()
                    .skip(expected)
                    .all(|f| f.trim_ascii().is_empty())
            };
            if found < expected || !extra_cells_empty() {
                if is_blank(&self.record) {
                    continue;
                }
                return Err(IngestError::ColumnCount {
                    file: self.file.clone(),
                    line,
                    expected,
                    found,
                });
            }
            let date_cell = &self.record[self.layout.date_column];
            let Some(date) = crate::date::parse_date(date_cell) else {
                if is_blank(&self.record) {
                    continue;
                }
                return Err(IngestError::BadDate {
                    file: self.file.clone(),
                    line,
                    column: self.column(self.layout.date_column),
                    text: cell_text(date_cell),
                });
            };
            self.rows += 1;
            self.collect_bars(line, date)?;
            return Ok(Some(Row {
                line,
                date,
                bars: &self.bars,
            }));
        }
    }

    /// Parses the row's value cells into `self.bars`, counting missing cells and dropping
    /// exact repeats.
    fn collect_bars(&mut self, line: u64, date: NaiveDate) -> Result<()> {
        self.bars.clear();
        let (record, missing) = (&self.record, &mut self.missing_by_column);
        let outcome = match &self.plan {
            Plan::Ohlc(columns) => (|| {
                let mut values = [None; 5];
                for (slot, column) in values.iter_mut().zip(columns) {
                    if let Some(column) = *column {
                        *slot = value_at(record, missing, column)?;
                    }
                }
                match values[3] {
                    Some(close) => self.bars.push((
                        0,
                        PriceBar {
                            date,
                            open: values[0],
                            high: values[1],
                            low: values[2],
                            close,
                            volume: values[4],
                        },
                    )),
                    None => self.series_counts[0].skipped += 1,
                }
                Ok(())
            })(),
            Plan::Values(columns) => columns.iter().try_for_each(|&(column, series)| {
                match value_at(record, missing, column)? {
                    Some(close) => self.bars.push((series, PriceBar::close_only(date, close))),
                    None => self.series_counts[series].skipped += 1,
                }
                Ok(())
            }),
        };
        if let Err(column) = outcome {
            return Err(IngestError::BadNumber {
                file: self.file.clone(),
                line,
                column: self.column(column),
                text: cell_text(&self.record[column]),
            });
        }
        let mut kept = 0;
        for i in 0..self.bars.len() {
            let (series, bar) = self.bars[i];
            let print =
                dedup::fingerprint([bar.open, bar.high, bar.low, Some(bar.close), bar.volume]);
            match self.memories[series].check(date, line, print) {
                Verdict::New => {
                    self.series_counts[series].bars += 1;
                    self.bars[kept] = (series, bar);
                    kept += 1;
                }
                Verdict::SameAsBefore => self.series_counts[series].duplicates += 1,
                Verdict::Conflicts { first_line } => {
                    return Err(IngestError::ConflictingDuplicate {
                        file: self.file.clone(),
                        line,
                        first_line,
                        series: self.layout.series[series].clone(),
                        date,
                    });
                }
                Verdict::OutOfOrder => {
                    return Err(IngestError::NotAscending {
                        file: self.file.clone(),
                        line,
                        date,
                    });
                }
            }
        }
        self.bars.truncate(kept);
        Ok(())
    }

    fn column(&self, index: usize) -> ColumnRef {
        ColumnRef {
            name: self.layout.headers[index].clone(),
            index: index + 1,
        }
    }
}

/// The 1-based line on which `record`, just read, starts.
///
/// The record's position is where the previous record ended, before any blank lines the
/// parser skipped; the reader's position is one line past the record's end (line endings
/// are normalised to one LF after every record). Usually they are one line apart and the
/// first is the answer; otherwise count back from the end past the line breaks inside
/// quoted fields.
fn record_line<R: std::io::Read>(csv: &csv::Reader<R>, record: &csv::ByteRecord) -> u64 {
    let start = record.position().map_or(1, |p| p.line());
    let after = csv.position().line();
    if after <= start + 1 {
        return start;
    }
    let inner_breaks = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    after - 1 - inner_breaks
}

/// The number in `column` of `record`; `Ok(None)` if missing (and counted in `missing`),
/// `Err(column)` if the cell is not a number.
fn value_at(
    record: &csv::ByteRecord,
    missing: &mut [u64],
    column: usize,
) -> std::result::Result<Option<f64>, usize> {
    match parse_cell(&record[column]) {
        Cell::Number(value) => Ok(Some(value)),
        Cell::Missing => {
            missing[column] += 1;
            Ok(None)
        }
        Cell::Invalid => Err(column),
    }
}

fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|f| f.trim_ascii().is_empty())
}

/// A cell as text for an error message, trimmed and cut short if huge.
fn cell_text(cell: &[u8]) -> String {
    let text = String::from_utf8_lossy(cell.trim_ascii());
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.into_owned(),
    }
}

fn csv_error(file: &str, error: csv::Error) -> IngestError {
    let line = error.position().map_or(0, |p| p.line());
    let message = error.to_string();
    match error.into_kind() {
        csv::ErrorKind::Io(cause) => IngestError::Io {
            file: file.to_string(),
            cause,
        },
        _ => IngestError::Csv {
            file: file.to_string(),
            line,
            message,
        },
    }
}
