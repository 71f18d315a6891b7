//! Storage for Commodex on SQLite and PostgreSQL: prices, saved portfolios, import runs.
//!
//! One schema, migrated on start, with the same behaviour on both backends; the repository
//! tests run against each.

pub mod advisory_lock;
mod database;
pub mod error;
pub mod import_runs;
mod migrations;
pub mod model;
pub mod notify;
mod pg_binary;
pub mod portfolios;
pub mod price_loader;
pub mod prices;
pub mod redact;
mod sqlite_bulk;
pub mod staged_import;
#[cfg(feature = "testing")]
pub mod testing;

pub use advisory_lock::AdvisoryLock;
pub use database::{ConnectOptions, Store};
pub use error::{Result, StoreError};
pub use import_runs::ImportRun;
pub use model::{Interval, PriceBar, SeriesKey};
pub use notify::{Heard, NotificationListener, Notifier};
pub use portfolios::{NewPortfolio, Portfolio, PortfolioAsset};
pub use price_loader::PriceLoader;
pub use prices::{SeriesSummary, StoreTx, UpsertCounts};
pub use redact::redact_url;
