//! Market-data providers for Commodex, and the way to them: rate limits, retries, caching, fallback.

pub mod catalog;
pub mod error;
pub mod providers;

pub use catalog::{Catalog, Category, CategoryGroup, Commodity, SourceEntry};
pub use error::MarketDataError;
pub use providers::demo::DemoSource;
