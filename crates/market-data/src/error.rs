//! The one error type of the market-data crate.

use chrono::NaiveDate;
use std::path::PathBuf;

/// Everything that can go wrong in market-data: bad catalog input, unknown sources or symbols, bad
/// ranges. Marked non-exhaustive because provider clients add their own variants (HTTP, throttles,
/// quotas); callers should keep a catch-all arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MarketDataError {
    /// The catalog file could not be read.
    #[error("cannot read catalog file {path}: {cause}")]
    CatalogRead {
        /// The file we tried to read.
        path: PathBuf,
        /// Why the read failed.
        #[source]
        cause: std::io::Error,
    },

    /// The catalog is not valid TOML, or does not have the catalog's shape.
    #[error("catalog {origin} is not valid: {message}")]
    CatalogParse {
        /// The file name, or "embedded config/catalog.toml".
        origin: String,
        /// The parser's message, which names the line, column and key.
        message: String,
    },

    /// The catalog parses but one entry breaks a rule (duplicate symbol, empty code, unknown source...).
    #[error("catalog {origin}: {entry}: {key}: {problem}")]
    CatalogInvalid {
        /// The file name, or "embedded config/catalog.toml".
        origin: String,
        /// The entry at fault, as `category SYMBOL` (e.g. `energy WTI`).
        entry: String,
        /// The key at fault within the entry (e.g. `sources.fmp.code`).
        key: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A source id that the catalog does not know.
    #[error("unknown source '{source_id}'; known sources: {known}")]
    UnknownSource {
        /// The id asked for.
        source_id: String,
        /// The known ids, comma-separated.
        known: String,
    },

    /// A symbol that the source does not offer.
    #[error("unknown symbol '{symbol}' for source {source_id}; known symbols: {known}")]
    UnknownSymbol {
        /// The source asked.
        source_id: String,
        /// The symbol asked for.
        symbol: String,
        /// The symbols the source offers, comma-separated.
        known: String,
    },

    /// A date range whose start is after its end.
    #[error("invalid date range: start {start} is after end {end}")]
    InvalidRange {
        /// First day asked for.
        start: NaiveDate,
        /// Last day asked for.
        end: NaiveDate,
    },
}
