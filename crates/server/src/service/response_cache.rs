//! Serialised `GET /api/v1/prices` answers, kept as bytes so that a repeated query is served
//! without touching the database or serialising again.
//!
//! Entries live for the configured daily TTL (`[cache] daily_ttl_secs`), like the series
//! cache behind them. A writer in this process that stores new prices calls
//! [`ResponseCache::invalidate_series`]; writes made by other processes (an import, another
//! instance) are seen when the entry expires: checking the database on every hit would cost
//! the very round trip the cache exists to save.

use axum::body::Bytes;
use moka::future::Cache;
use std::time::Duration;
use store::Interval;

/// Most bytes of answers kept; about 250 ten-year daily series.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The label of this layer in `commodex_cache_hits_total` / `commodex_cache_misses_total`.
const LAYER: &str = "response";

/// What a cached answer was asked with: every parameter that changes the answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponseKey {
    /// The source asked for (`auto` when none).
    pub source: String,
    /// The symbol as given.
    pub symbol: String,
    /// First date, as given.
    pub start: Option<chrono::NaiveDate>,
    /// Last date, as given.
    pub end: Option<chrono::NaiveDate>,
    /// The interval.
    pub interval: Interval,
}

/// A bounded, expiring map from a query to its serialised answer; cheap to clone (shared).
#[derive(Clone)]
pub struct ResponseCache {
    entries: Option<Cache<ResponseKey, Bytes>>,
}

impl ResponseCache {
    /// A cache whose entries live `ttl`; a zero `ttl` disables it.
    pub fn new(ttl: Duration) -> Self {
        let entries = (!ttl.is_zero()).then(|| {
            Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|_key: &ResponseKey, bytes: &Bytes| {
                    u32::try_from(bytes.len()).unwrap_or(u32::MAX)
                })
                .time_to_live(ttl)
                .support_invalidation_closures()
                .build()
        });
        Self { entries }
    }

    /// The cached answer to `key`, if any (counted as a hit or a miss).
    pub async fn get(&self, key: &ResponseKey) -> Option<Bytes> {
        let entries = self.entries.as_ref()?;
        let found = entries.get(key).await;
        if found.is_some() {
            metrics::counter!("commodex_cache_hits_total", "layer" => LAYER).increment(1);
        } else {
            metrics::counter!("commodex_cache_misses_total", "layer" => LAYER).increment(1);
        }
        found
    }

    /// Keeps `answer` for `key`. Intraday answers are not kept: they change within minutes.
    pub async fn insert(&self, key: ResponseKey, answer: Bytes) {
        if let Some(entries) = &self.entries
            && key.interval != Interval::Intraday
        {
            entries.insert(key, answer).await;
        }
    }

    /// Drops every answer that may hold `symbol` from `source`: those asked of that source and
    /// those asked of `auto`. Call it after storing prices.
    pub fn invalidate_series(&self, source: &str, symbol: &str) {
        let Some(entries) = &self.entries else {
            return;
        };
        let source = source.to_string();
        let symbol = symbol.to_string();
        let result = entries.invalidate_entries_if(move |key, _| {
            (key.source == source || key.source == crate::service::prices::AUTO)
                && key.symbol.eq_ignore_ascii_case(&symbol)
        });
        if let Err(error) = result {
            // Only possible when closures are not supported, which `new` turns on; drop all
            // rather than serve an old answer.
            tracing::warn!(%error, "cannot invalidate selectively; clearing the response cache");
            entries.invalidate_all();
        }
    }
}

impl Default for ResponseCache {
    /// SPEC's daily TTL, 30 minutes.
    fn default() -> Self {
        Self::new(Duration::from_secs(30 * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(source: &str, symbol: &str) -> ResponseKey {
        ResponseKey {
            source: source.to_string(),
            symbol: symbol.to_string(),
            start: None,
            end: None,
            interval: Interval::Daily,
        }
    }

    #[tokio::test]
    async fn answers_are_kept_and_invalidated_by_source_and_symbol() {
        let cache = ResponseCache::new(Duration::from_secs(60));
        cache
            .insert(key("demo", "GOLD"), Bytes::from_static(b"a"))
            .await;
        cache
            .insert(key("auto", "gold"), Bytes::from_static(b"b"))
            .await;
        cache
            .insert(key("demo", "WTI"), Bytes::from_static(b"c"))
            .await;
        assert_eq!(
            cache.get(&key("demo", "GOLD")).await,
            Some(Bytes::from_static(b"a"))
        );
        cache.invalidate_series("demo", "GOLD");
        // Invalidation closures run lazily: a get after them never sees a dropped entry.
        assert_eq!(cache.get(&key("demo", "GOLD")).await, None);
        assert_eq!(cache.get(&key("auto", "gold")).await, None);
        assert_eq!(
            cache.get(&key("demo", "WTI")).await,
            Some(Bytes::from_static(b"c"))
        );
    }

    #[tokio::test]
    async fn a_zero_ttl_disables_the_cache_and_intraday_is_never_kept() {
        let off = ResponseCache::new(Duration::ZERO);
        off.insert(key("demo", "GOLD"), Bytes::from_static(b"a"))
            .await;
        assert_eq!(off.get(&key("demo", "GOLD")).await, None);
        let on = ResponseCache::new(Duration::from_secs(60));
        let mut intraday = key("demo", "GOLD");
        intraday.interval = Interval::Intraday;
        on.insert(intraday.clone(), Bytes::from_static(b"a")).await;
        assert_eq!(on.get(&intraday).await, None);
    }
}
