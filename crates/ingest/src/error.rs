//! The crate's one error type: every variant names the file and, for a bad row, where in it.

use std::fmt;

/// A column of the input file, named as the header names it and numbered from 1 as a
/// spreadsheet would show it, so that an error message points a user straight at the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    /// The header text of the column, trimmed.
    pub name: String,
    /// The 1-based position of the column in the header.
    pub index: usize,
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column \"{}\" ({})", self.name, self.index)
    }
}

/// Everything that can go wrong reading or writing price files.
///
/// Line numbers are 1-based and count the header as line 1, as a text editor shows them.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read (including a corrupt gzip stream).
    ///
    /// The OS error is part of the message and deliberately not also the error's `source`:
    /// printing the chain (`{:#}`, as the binary does) would otherwise repeat it.
    #[error("{file}: {cause}")]
    Io {
        /// The file as the caller named it.
        file: String,
        /// The underlying I/O error.
        cause: std::io::Error,
    },
    /// The CSV structure itself is broken (for example invalid quoting).
    #[error("{file}: line {line}: {message}")]
    Csv {
        /// The file as the caller named it.
        file: String,
        /// The line where the problem was found.
        line: u64,
        /// What the CSV parser reported.
        message: String,
    },
    /// The header cannot be understood as any supported layout.
    #[error("{file}: line {line}: {reason}")]
    BadHeader {
        /// The file as the caller named it.
        file: String,
        /// The header's line (1 unless blank lines precede it).
        line: u64,
        /// Why the header was rejected.
        reason: String,
    },
    /// The file has a header (or nothing at all) but no data rows.
    #[error("{file}: no data rows (the file has {what})")]
    NoData {
        /// The file as the caller named it.
        file: String,
        /// "only a header" or "no header either".
        what: &'static str,
    },
    /// A row has a different number of fields than the header.
    #[error("{file}: line {line}: {found} fields where the header has {expected}")]
    ColumnCount {
        /// The file as the caller named it.
        file: String,
        /// The offending line.
        line: u64,
        /// Number of columns in the header.
        expected: usize,
        /// Number of fields on the line.
        found: usize,
    },
    /// A cell that should hold a number holds something else.
    #[error("{file}: line {line}, {column}: \"{text}\" is not a number")]
    BadNumber {
        /// The file as the caller named it.
        file: String,
        /// The offending line.
        line: u64,
        /// The offending column.
        column: ColumnRef,
        /// The cell's text, trimmed.
        text: String,
    },
    /// A cell in the date column is not a date we accept.
    #[error(
        "{file}: line {line}, {column}: \"{text}\" is not a date (expected yyyy-mm-dd or m/d/yyyy)"
    )]
    BadDate {
        /// The file as the caller named it.
        file: String,
        /// The offending line.
        line: u64,
        /// The date column.
        column: ColumnRef,
        /// The cell's text, trimmed.
        text: String,
    },
    /// The same date appears twice in one series with different values.
    #[error(
        "{file}: line {line}: {date} for \"{series}\" repeats line {first_line} with a different value"
    )]
    ConflictingDuplicate {
        /// The file as the caller named it.
        file: String,
        /// The later line.
        line: u64,
        /// The earlier line holding the same date.
        first_line: u64,
        /// The series (symbol) concerned.
        series: String,
        /// The repeated date.
        date: chrono::NaiveDate,
    },
    /// A reader opened with [`crate::PriceReader::open_ascending`] met a date before the
    /// previous row's: the file is not in ascending date order, so the caller must read it
    /// some other way.
    #[error("{file}: line {line}: {date} comes before the date of the row above it")]
    NotAscending {
        /// The file as the caller named it.
        file: String,
        /// The line of the earlier date.
        line: u64,
        /// The date out of order.
        date: chrono::NaiveDate,
    },
    /// The caller asked for one series but the file holds several (or the reverse).
    #[error("{file}: {reason}")]
    WrongShape {
        /// The file as the caller named it.
        file: String,
        /// What was expected and what was found.
        reason: String,
    },
    /// Joining several series found no date on which all of them have a value.
    #[error("no date is shared by all of {symbols}")]
    NoCommonDates {
        /// The symbols joined, comma-separated.
        symbols: String,
    },
    /// Two inputs to a join carry the same symbol.
    #[error("symbol \"{symbol}\" appears in more than one input")]
    DuplicateSymbol {
        /// The repeated symbol.
        symbol: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = IngestError> = std::result::Result<T, E>;
