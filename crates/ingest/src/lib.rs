//! CSV dialects in, price series out (streaming); export back to CSV and JSON.
//!
//! Three ways in, for three consumers:
//! - [`PriceReader`] streams any supported file row by row (or in batches) for
//!   `commodex import`, which writes series into the database as it reads.
//! - [`read_columns`] loads a single-series file into column vectors for `indicators`.
//! - [`read_wide`] / [`read_many`] load closes of one or several series onto common
//!   dates for `metrics` and `simulate`.
//!
//! The dialects and how they are told apart are described in [`dialect`]. Decisions shared
//! by all readers:
//! - Missing cells (`.`, empty, `null`, `NaN`, `NA`, `N/A`, `#N/A`, `-`, `None`) are skipped and
//!   counted per column, never read as zero; any other non-number is an error.
//! - Negative prices are accepted: WTI settled at −37.63 on 2020-04-20.
//! - A date repeated within a series with identical values is counted and dropped; with
//!   different values it is an error naming both lines.
//! - Errors name the file, the 1-based line (header = line 1) and the column by header name
//!   and 1-based index.

pub mod chunks;
pub mod columns;
pub mod date;
pub mod dedup;
pub mod dialect;
pub mod error;
pub mod export;
pub mod interval;
pub mod number;
pub mod reader;
pub mod source;
pub mod wide;

pub use chunks::{ColumnChunk, ColumnChunks, ColumnScan, HighBelowLow, scan_columns};
pub use columns::{
    ColumnarSeries, KeepColumns, read_columns, read_columns_from, read_columns_keeping,
};
pub use dialect::{ColumnRole, Dialect, Layout};
pub use error::{ColumnRef, IngestError, Result};
pub use export::{IndicatorCsvWriter, write_csv, write_json};
pub use interval::infer_interval;
pub use reader::{ColumnMissing, PriceReader, Row, SeriesSummary, Summary};
pub use source::ByteCounter;
pub use wide::{
    SeriesColumn, WideTable, join_on_common_dates, read_many, read_wide, read_wide_from,
};
