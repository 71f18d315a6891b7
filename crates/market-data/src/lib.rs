//! Market-data providers for Commodex, and the way to them: rate limits, retries, caching, fallback.
