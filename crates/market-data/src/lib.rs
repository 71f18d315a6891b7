//! Market-data providers for Commodex, and the way to them: rate limits, retries, caching, fallback.

pub mod backfill;
pub mod cache;
pub mod catalog;
pub mod classify;
pub mod error;
pub mod fallback;
pub mod http;
pub mod provider;
pub mod providers;
pub mod rate_limit;
pub mod registry;
pub mod secret;
mod series;

pub use catalog::{Catalog, Category, CategoryGroup, Commodity, SourceEntry};
pub use error::MarketDataError;
pub use providers::demo::DemoSource;
pub use secret::Secret;
pub use series::chunk_range;
