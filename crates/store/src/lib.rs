//! Storage for Commodex on SQLite and PostgreSQL: prices, saved portfolios, import runs.

pub mod model;

pub use model::{Interval, PriceBar, SeriesKey};
