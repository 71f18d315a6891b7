//! Market-data providers for Commodex, and the way to them: rate limits, retries, caching, fallback.

pub mod anonymous_budget;
pub mod backfill;
pub mod cache;
pub mod catalog;
pub mod classify;
pub mod error;
pub mod fallback;
pub mod http;
pub mod limits;
pub mod provider;
pub mod providers;
pub mod rate_limit;
pub mod redis_connection;
pub mod registry;
pub mod secret;
mod series;
pub mod sources;

pub use catalog::{Catalog, Category, CategoryGroup, Commodity, SourceEntry};
pub use error::MarketDataError;
pub use limits::{Limits, RateLimit};
pub use providers::demo::DemoSource;
pub use secret::{ApiKey, KeyPlacement, Secret};
pub use series::chunk_range;
pub use sources::{SourceDescriptor, SourceSettings};
/// Keeping secrets out of text, shared with the store (where it lives, as the lowest crate
/// that needs it).
pub use store::redact;
