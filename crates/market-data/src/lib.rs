//! Market-data providers for Commodex, and the way to them: rate limits, retries, caching, fallback.

pub mod classify;
pub mod provider;
pub mod providers;
mod series;

pub use series::chunk_range;
