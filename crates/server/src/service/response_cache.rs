//! Serialised `GET /api/v1/prices` answers, kept as bytes so that a repeated query is served
//! without touching the database or serialising again.
//!
//! Entries live for the configured daily TTL (`[cache] daily_ttl_secs`), like the series
//! cache behind them. Every live price update an instance receives (the poller's own included,
//! through the fan-out) calls [`ResponseCache::invalidate_series`], which bumps that symbol's
//! epoch: an answer made before the bump is never served after it. Writes made outside the
//! live updates (an import, a fetch) are seen when the entry expires: checking the database on
//! every hit would cost the very round trip the cache exists to save.
//!
//! [`ResponseCache::get_or_compute`] makes one answer for all the concurrent misses of a key
//! and epoch (see [`SingleFlight`]): a request that starts after an update does not join a
//! computation started before it.

use crate::error::ApiError;
use crate::single_flight::SingleFlight;
use axum::body::Bytes;
use moka::future::Cache;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
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
    /// The symbol as served (trimmed, upper-cased).
    pub symbol: String,
    /// First date, as bounded for serving.
    pub start: Option<chrono::NaiveDate>,
    /// Last date, as bounded for serving.
    pub end: Option<chrono::NaiveDate>,
    /// The interval.
    pub interval: Interval,
}

/// A bounded, expiring map from a query to its serialised answer; cheap to clone (shared).
#[derive(Clone)]
pub struct ResponseCache {
    entries: Option<Cache<ResponseKey, Cached>>,
    /// Per upper-cased symbol, how many times its prices changed since start.
    epochs: Arc<Mutex<HashMap<String, u64>>>,
    /// Answers being computed, by query and the epoch they were asked at.
    flights: SingleFlight<(ResponseKey, Epoch), Result<Bytes, ApiError>>,
}

/// One kept answer and the epoch of its symbol when it was computed.
#[derive(Clone)]
struct Cached {
    epoch: u64,
    bytes: Bytes,
}

/// The epoch an answer must carry to be served; read before computing the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Epoch(u64);

/// A freshly computed answer and whether it may be kept (a stale stand-in may not).
#[derive(Debug, Clone)]
pub struct Computed {
    /// The serialised answer.
    pub bytes: Bytes,
    /// Whether later requests may be served these bytes.
    pub keep: bool,
}

impl ResponseCache {
    /// A cache whose entries live `ttl`; a zero `ttl` disables it.
    pub fn new(ttl: Duration) -> Self {
        let entries = (!ttl.is_zero()).then(|| {
            Cache::builder()
                .max_capacity(MAX_BYTES)
                // The key counts too: many small answers under long keys must not slip past
                // the cap.
                .weigher(|key: &ResponseKey, cached: &Cached| {
                    let weight = std::mem::size_of::<(ResponseKey, Cached)>()
                        + key.source.len()
                        + key.symbol.len()
                        + cached.bytes.len();
                    u32::try_from(weight).unwrap_or(u32::MAX)
                })
                .time_to_live(ttl)
                .build()
        });
        Self {
            entries,
            epochs: Arc::default(),
            flights: SingleFlight::default(),
        }
    }

    /// How many answers are kept (after the cache's pending bookkeeping is done).
    pub async fn entry_count(&self) -> u64 {
        match &self.entries {
            Some(entries) => {
                entries.run_pending_tasks().await;
                entries.entry_count()
            }
            None => 0,
        }
    }

    /// The current epoch of `symbol`: take it before loading the series an answer is made of,
    /// and give it to [`ResponseCache::insert`], so that a change during the load is not hidden.
    pub fn epoch(&self, symbol: &str) -> Epoch {
        let epochs = self.epochs.lock().unwrap_or_else(PoisonError::into_inner);
        Epoch(
            epochs
                .get(&symbol.to_ascii_uppercase())
                .copied()
                .unwrap_or(0),
        )
    }

    /// The cached answer to `key`, if any and not older than its symbol's last change
    /// (counted as a hit or a miss).
    pub async fn get(&self, key: &ResponseKey) -> Option<Bytes> {
        let entries = self.entries.as_ref()?;
        let current = self.epoch(&key.symbol);
        let found = entries
            .get(key)
            .await
            .filter(|cached| Epoch(cached.epoch) == current)
            .map(|cached| cached.bytes);
        if found.is_some() {
            metrics::counter!("commodex_cache_hits_total", "layer" => LAYER).increment(1);
        } else {
            metrics::counter!("commodex_cache_misses_total", "layer" => LAYER).increment(1);
        }
        found
    }

    /// The cached answer to `key`, else the answer of `compute`, run once for all the requests
    /// of `key` that miss at the same epoch, and kept when it says so. The epoch is read
    /// before the look-up, so an answer computed before a live update is neither joined nor
    /// served by a request that came after it.
    pub async fn get_or_compute<F, Fut>(
        &self,
        key: ResponseKey,
        compute: F,
    ) -> Result<Bytes, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Computed, ApiError>>,
    {
        let epoch = self.epoch(&key.symbol);
        if let Some(answer) = self.get(&key).await {
            return Ok(answer);
        }
        let flight = (key.clone(), epoch);
        self.flights
            .run(flight, move || async move {
                let computed = compute().await?;
                // Kept before the flight ends, so a request arriving after it hits the cache.
                if computed.keep {
                    self.insert(key, epoch, computed.bytes.clone()).await;
                }
                Ok(computed.bytes)
            })
            .await
    }

    /// Keeps `answer` for `key`, computed at `epoch`, unless the symbol changed since. Intraday
    /// answers are not kept: they change within minutes.
    pub async fn insert(&self, key: ResponseKey, epoch: Epoch, answer: Bytes) {
        // An answer already out of date is not kept: it could only replace a newer one.
        if let Some(entries) = &self.entries
            && key.interval != Interval::Intraday
            && self.epoch(&key.symbol) == epoch
        {
            let cached = Cached {
                epoch: epoch.0,
                bytes: answer,
            };
            entries.insert(key, cached).await;
        }
    }

    /// Retires every answer that may hold `symbol`, whatever source it was asked of (an
    /// `auto` answer may come from any): call it when the symbol's prices change. O(1): the
    /// retired answers are dropped when next asked for, or by the TTL.
    pub fn invalidate_series(&self, symbol: &str) {
        let mut epochs = self.epochs.lock().unwrap_or_else(PoisonError::into_inner);
        *epochs.entry(symbol.to_ascii_uppercase()).or_insert(0) += 1;
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
    use std::sync::atomic::{AtomicUsize, Ordering};

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
        let start = cache.epoch("GOLD");
        cache
            .insert(key("demo", "GOLD"), start, Bytes::from_static(b"a"))
            .await;
        cache
            .insert(key("auto", "gold"), start, Bytes::from_static(b"b"))
            .await;
        cache
            .insert(
                key("demo", "WTI"),
                cache.epoch("WTI"),
                Bytes::from_static(b"c"),
            )
            .await;
        assert_eq!(
            cache.get(&key("demo", "GOLD")).await,
            Some(Bytes::from_static(b"a"))
        );
        cache.invalidate_series("GOLD");
        assert_eq!(cache.get(&key("demo", "GOLD")).await, None);
        assert_eq!(cache.get(&key("auto", "gold")).await, None);
        assert_eq!(
            cache.get(&key("demo", "WTI")).await,
            Some(Bytes::from_static(b"c"))
        );
    }

    #[tokio::test]
    async fn an_answer_computed_before_a_change_is_never_served_after_it() {
        let cache = ResponseCache::new(Duration::from_secs(60));
        let before = cache.epoch("GOLD");
        // The prices change while the answer is being computed from the old ones.
        cache.invalidate_series("GOLD");
        cache
            .insert(key("demo", "GOLD"), before, Bytes::from_static(b"old"))
            .await;
        assert_eq!(cache.get(&key("demo", "GOLD")).await, None);
        let after = cache.epoch("gold");
        cache
            .insert(key("demo", "GOLD"), after, Bytes::from_static(b"new"))
            .await;
        assert_eq!(
            cache.get(&key("demo", "GOLD")).await,
            Some(Bytes::from_static(b"new"))
        );
    }

    /// A computation of `GOLD` that counts itself and takes long enough for every caller to
    /// arrive while it runs.
    async fn slow_answer(
        computations: &AtomicUsize,
        text: &'static str,
    ) -> Result<Computed, ApiError> {
        computations.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(Computed {
            bytes: Bytes::from_static(text.as_bytes()),
            keep: true,
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sixty_four_concurrent_misses_after_an_update_compute_once() {
        let cache = ResponseCache::new(Duration::from_secs(60));
        cache
            .insert(
                key("demo", "GOLD"),
                cache.epoch("GOLD"),
                Bytes::from_static(b"old"),
            )
            .await;
        cache.invalidate_series("GOLD");
        let computations = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(tokio::sync::Barrier::new(64));
        let requests: Vec<_> = (0..64)
            .map(|_| {
                let (cache, computations, barrier) =
                    (cache.clone(), computations.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    cache
                        .get_or_compute(key("demo", "GOLD"), || slow_answer(&computations, "new"))
                        .await
                })
            })
            .collect();
        for request in requests {
            assert_eq!(request.await.unwrap().unwrap(), Bytes::from_static(b"new"));
        }
        assert_eq!(computations.load(Ordering::SeqCst), 1);
        // The answer was kept: the next request computes nothing.
        let next = cache
            .get_or_compute(key("demo", "GOLD"), || slow_answer(&computations, "other"))
            .await;
        assert_eq!(next.unwrap(), Bytes::from_static(b"new"));
        assert_eq!(computations.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_after_an_update_does_not_join_a_computation_from_before_it() {
        let cache = ResponseCache::new(Duration::from_secs(60));
        let computations = Arc::new(AtomicUsize::new(0));
        let before = {
            let (cache, computations) = (cache.clone(), computations.clone());
            tokio::spawn(async move {
                cache
                    .get_or_compute(key("demo", "GOLD"), || slow_answer(&computations, "before"))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        cache.invalidate_series("GOLD");
        let after = cache
            .get_or_compute(key("demo", "GOLD"), || slow_answer(&computations, "after"))
            .await;
        assert_eq!(after.unwrap(), Bytes::from_static(b"after"));
        assert_eq!(
            before.await.unwrap().unwrap(),
            Bytes::from_static(b"before")
        );
        assert_eq!(computations.load(Ordering::SeqCst), 2);
        // The answer from before the update was not kept over the one from after it.
        assert_eq!(
            cache.get(&key("demo", "GOLD")).await,
            Some(Bytes::from_static(b"after"))
        );
    }

    #[tokio::test]
    async fn a_failed_computation_is_shared_and_not_kept() {
        let cache = ResponseCache::new(Duration::from_secs(60));
        let failed = cache
            .get_or_compute(key("demo", "GOLD"), || async {
                Err(ApiError::new(crate::error::ErrorKind::NotFound, "no GOLD"))
            })
            .await;
        assert_eq!(failed.unwrap_err().message, "no GOLD");
        assert_eq!(cache.get(&key("demo", "GOLD")).await, None);
    }

    #[tokio::test]
    async fn a_zero_ttl_disables_the_cache_and_intraday_is_never_kept() {
        let off = ResponseCache::new(Duration::ZERO);
        off.insert(
            key("demo", "GOLD"),
            off.epoch("GOLD"),
            Bytes::from_static(b"a"),
        )
        .await;
        assert_eq!(off.get(&key("demo", "GOLD")).await, None);
        let on = ResponseCache::new(Duration::from_secs(60));
        let mut intraday = key("demo", "GOLD");
        intraday.interval = Interval::Intraday;
        on.insert(intraday.clone(), on.epoch("GOLD"), Bytes::from_static(b"a"))
            .await;
        assert_eq!(on.get(&intraday).await, None);
    }
}
