//! The caching tiers in front of a provider: in-process (moka), then Redis when configured, then
//! the database, and only then the provider, for the part of the range that is missing.
//!
//! - **Memory** holds answers by exact request (source, symbol, interval, range) for the
//!   configured TTL (30 min daily, 5 min intraday by default). Concurrent requests for the
//!   same answer share one load (moka's `or_try_insert_with` runs one initialiser per key).
//! - **Redis** holds one copy of each series (every stored bar and the span known), shared by
//!   every instance, with the same TTL: a query it covers is sliced from it, so a client
//!   moving its dates makes no new entries there.
//! - **Database**: what is stored is never fetched again; the provider is asked only for the
//!   leading and trailing gaps ([`crate::backfill`]). Loads of one series are serialised, so
//!   two different ranges asked at once do not both fetch the part they share.
//!
//! A range asked of the provider is remembered for the TTL (memory and Redis) even when it
//! came back empty (a weekend, a holiday), so the trailing gap of a series is asked at most
//! once per TTL, not on every request.
//!
//! Metrics: `commodex_cache_hits_total` and `commodex_cache_misses_total`, label `layer`
//! (`memory`, `redis`, `database`); a database miss is a load that had to ask the provider.

use crate::anonymous_budget::{AnonymousBudget, Caller};
use crate::backfill::{DateRange, default_start, join_spans, missing_ranges};
use crate::error::MarketDataError;
use crate::http::SourceClient;
use crate::redis_connection::redis_error;
use chrono::NaiveDate;
use moka::Expiry;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{Interval, PriceBar, SeriesKey, Store};

/// Counter of answers found in a layer.
pub const CACHE_HITS: &str = "commodex_cache_hits_total";
/// Counter of answers a layer did not have.
pub const CACHE_MISSES: &str = "commodex_cache_misses_total";

/// Bars the in-process cache holds at most, all entries together (about 50 MB).
const MEMORY_MAX_BARS: u64 = 1_000_000;

/// How long cached answers live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// Daily and coarser series.
    pub daily_ttl: Duration,
    /// Intraday series.
    pub intraday_ttl: Duration,
}

impl Default for CacheConfig {
    /// SPEC's defaults: 30 minutes daily, 5 minutes intraday.
    fn default() -> Self {
        Self {
            daily_ttl: Duration::from_secs(30 * 60),
            intraday_ttl: Duration::from_secs(5 * 60),
        }
    }
}

impl CacheConfig {
    /// The lifetime of a cached answer at `interval`.
    pub fn ttl_for(&self, interval: Interval) -> Duration {
        if interval == Interval::Intraday {
            self.intraday_ttl
        } else {
            self.daily_ttl
        }
    }
}

/// One request for a series: which series, from when (`None`: everything the provider offers,
/// or everything stored) and until when.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesQuery {
    /// Source, symbol, interval.
    pub key: SeriesKey,
    /// First date wanted, inclusive.
    pub start: Option<NaiveDate>,
    /// Last date wanted, inclusive.
    pub end: NaiveDate,
}

/// What asks the provider for the missing part: a client and the catalog's code and price
/// scale for the symbol on that source.
#[derive(Debug, Clone, Copy)]
pub struct Upstream<'a> {
    /// The source's client (rate limits, retries, health).
    pub client: &'a SourceClient,
    /// The provider's code for the symbol.
    pub code: &'a str,
    /// The factor from the provider's number to ours (0.01 for US cents).
    pub scale: f64,
}

/// Per-entry lifetimes by interval.
struct ByInterval(CacheConfig);

impl Expiry<SeriesQuery, Arc<[PriceBar]>> for ByInterval {
    fn expire_after_create(
        &self,
        key: &SeriesQuery,
        _value: &Arc<[PriceBar]>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(self.0.ttl_for(key.key.interval))
    }
}

impl Expiry<SeriesKey, DateRange> for ByInterval {
    fn expire_after_create(
        &self,
        key: &SeriesKey,
        _value: &DateRange,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(self.0.ttl_for(key.interval))
    }
}

/// The shared Redis layer: answers and recently asked spans, under a key prefix of its own so
/// tests and deployments sharing a server do not see each other's entries.
#[derive(Clone)]
pub struct RedisCache {
    connection: redis::aio::ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisCache {
    /// Connects to `url`; every key written starts with `prefix:cache:`.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, MarketDataError> {
        let connection = crate::redis_connection::connect(url).await?;
        Ok(Self {
            connection,
            prefix: prefix.to_string(),
        })
    }

    /// The key of a series' copy: one per source, symbol and interval, whatever ranges are
    /// asked of it.
    pub fn series_key(&self, key: &SeriesKey) -> String {
        format!("{}:cache:series:{}", self.prefix, series_path(key))
    }

    fn span_key(&self, key: &SeriesKey) -> String {
        format!("{}:cache:asked:{}", self.prefix, series_path(key))
    }

    async fn get_copy(&self, key: &SeriesKey) -> Result<Option<SeriesCopy>, MarketDataError> {
        let mut connection = self.connection.clone();
        let text: Option<String> = redis::cmd("GET")
            .arg(self.series_key(key))
            .query_async(&mut connection)
            .await
            .map_err(redis_error)?;
        // An entry we cannot read (written by another version) is a miss, not a failure.
        Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
    }

    async fn put_copy(
        &self,
        key: &SeriesKey,
        copy: &SeriesCopy,
        ttl: Duration,
    ) -> Result<(), MarketDataError> {
        let text = serde_json::to_string(copy).map_err(|e| MarketDataError::Redis {
            message: e.to_string(),
        })?;
        let mut connection = self.connection.clone();
        let _: () = redis::cmd("SET")
            .arg(self.series_key(key))
            .arg(text)
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64)
            .query_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(())
    }

    async fn get_span(&self, key: &SeriesKey) -> Result<Option<DateRange>, MarketDataError> {
        let mut connection = self.connection.clone();
        let text: Option<String> = redis::cmd("GET")
            .arg(self.span_key(key))
            .query_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(text.and_then(|text| {
            let (first, last) = text.split_once('/')?;
            Some((first.parse().ok()?, last.parse().ok()?))
        }))
    }

    async fn put_span(
        &self,
        key: &SeriesKey,
        span: DateRange,
        ttl: Duration,
    ) -> Result<(), MarketDataError> {
        let mut connection = self.connection.clone();
        let _: () = redis::cmd("SET")
            .arg(self.span_key(key))
            .arg(format!("{}/{}", span.0, span.1))
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64)
            .query_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(())
    }
}

/// What Redis keeps of a series: every stored bar, and the span known when it was written
/// (the stored bars and the ranges recently asked of the provider). A query the known span
/// covers is answered from it as the database would answer; any other goes below.
#[derive(Debug, Serialize, Deserialize)]
struct SeriesCopy {
    known: Option<DateRange>,
    bars: Vec<PriceBar>,
}

impl SeriesCopy {
    /// The answer to `query`, when nothing of it would be fetched.
    fn answer(&self, query: &SeriesQuery) -> Option<Vec<PriceBar>> {
        let start = query
            .start
            .unwrap_or_else(|| default_start(&query.key.source, query.end));
        if !missing_ranges(start, query.end, self.known, query.start.is_some()).is_empty() {
            return None;
        }
        Some(
            self.bars
                .iter()
                .filter(|bar| query.start.is_none_or(|s| bar.date >= s) && bar.date <= query.end)
                .cloned()
                .collect(),
        )
    }
}

/// Bars a series may have to be copied to Redis: a longer one (years of intraday bars) is
/// read from the database each time rather than moved whole over the network.
const REDIS_MAX_BARS: usize = 200_000;

fn series_path(key: &SeriesKey) -> String {
    format!("{}:{}:{}", key.source, key.symbol, key.interval)
}

fn hit(layer: &'static str) {
    metrics::counter!(CACHE_HITS, "layer" => layer).increment(1);
}

fn miss(layer: &'static str) {
    metrics::counter!(CACHE_MISSES, "layer" => layer).increment(1);
}

/// The tiers in front of the providers; one per process, shared by every request.
pub struct SeriesCache {
    config: CacheConfig,
    store: Store,
    memory: moka::future::Cache<SeriesQuery, Arc<[PriceBar]>>,
    asked: moka::future::Cache<SeriesKey, DateRange>,
    redis: Option<RedisCache>,
    budget: AnonymousBudget,
    series_locks: moka::future::Cache<SeriesKey, Arc<tokio::sync::Mutex<()>>>,
}

impl std::fmt::Debug for SeriesCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeriesCache")
            .field("config", &self.config)
            .field("redis", &self.redis)
            .finish_non_exhaustive()
    }
}

impl SeriesCache {
    /// A cache over `store`, in-process only.
    pub fn new(store: Store, config: CacheConfig) -> Self {
        Self {
            config,
            store,
            memory: moka::future::Cache::builder()
                .weigher(|_, bars: &Arc<[PriceBar]>| {
                    u32::try_from(bars.len() + 1).unwrap_or(u32::MAX)
                })
                .max_capacity(MEMORY_MAX_BARS)
                .expire_after(ByInterval(config))
                .build(),
            asked: moka::future::Cache::builder()
                .max_capacity(100_000)
                .expire_after(ByInterval(config))
                .build(),
            redis: None,
            budget: AnonymousBudget::new(crate::anonymous_budget::DEFAULT_LIMIT),
            // A lock nobody has used for a while is dropped; one held is in use, so it stays.
            series_locks: moka::future::Cache::builder()
                .time_to_idle(Duration::from_secs(600))
                .build(),
        }
    }

    /// The same cache with the shared Redis layer.
    pub fn with_redis(mut self, redis: RedisCache) -> Self {
        self.budget
            .count_in_redis(redis.connection.clone(), &format!("{}:cache", redis.prefix));
        self.redis = Some(redis);
        self
    }

    /// The same cache letting anonymous clients cause at most `limit` provider requests per
    /// series and day (see [`crate::anonymous_budget`]).
    pub fn with_anonymous_limit(mut self, limit: u64) -> Self {
        let mut budget = AnonymousBudget::new(limit);
        if let Some(redis) = &self.redis {
            budget.count_in_redis(redis.connection.clone(), &format!("{}:cache", redis.prefix));
        }
        self.budget = budget;
        self
    }

    /// The database under the cache.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The lifetimes in use.
    pub fn config(&self) -> CacheConfig {
        self.config
    }

    /// The series asked for, from the first layer that has it, fetching from `upstream` only
    /// the dates neither the database nor a recent request covers, and storing them; for an
    /// anonymous `caller`, only within the series' daily budget.
    pub async fn series(
        &self,
        query: &SeriesQuery,
        upstream: Upstream<'_>,
        caller: Caller,
    ) -> Result<Arc<[PriceBar]>, MarketDataError> {
        let entry = self
            .memory
            .entry(query.clone())
            .or_try_insert_with(self.load(query, upstream, caller))
            .await;
        match entry {
            Ok(entry) => {
                if entry.is_fresh() {
                    miss("memory");
                } else {
                    hit("memory");
                }
                Ok(entry.into_value())
            }
            Err(shared) => {
                miss("memory");
                Err(Arc::unwrap_or_clone(shared))
            }
        }
    }

    /// The in-process answer to `query`, if one is cached, without loading anything.
    pub async fn peek(&self, query: &SeriesQuery) -> Option<Arc<[PriceBar]>> {
        let bars = self.memory.get(query).await?;
        hit("memory");
        Some(bars)
    }

    /// Redis, then the database and the provider.
    async fn load(
        &self,
        query: &SeriesQuery,
        upstream: Upstream<'_>,
        caller: Caller,
    ) -> Result<Arc<[PriceBar]>, MarketDataError> {
        if let Some(redis) = &self.redis {
            match redis.get_copy(&query.key).await {
                Ok(Some(copy)) => match copy.answer(query) {
                    Some(bars) => {
                        hit("redis");
                        return Ok(bars.into());
                    }
                    None => miss("redis"),
                },
                Ok(None) => miss("redis"),
                Err(error) => {
                    // Redis is a cache: without it, answers come from the database.
                    tracing::warn!(%error, "redis cache unavailable; reading the database");
                    miss("redis");
                }
            }
        }
        let bars = self.load_stored(query, upstream, caller).await?;
        if let Some(redis) = &self.redis
            && let Err(error) = self.copy_to_redis(redis, &query.key).await
        {
            tracing::warn!(%error, "could not write the redis cache");
        }
        Ok(bars.into())
    }

    /// Writes the series' copy to Redis: every stored bar and the span known now.
    async fn copy_to_redis(
        &self,
        redis: &RedisCache,
        key: &SeriesKey,
    ) -> Result<(), MarketDataError> {
        let bars = self.store.prices(key, None, None).await?;
        if bars.len() > REDIS_MAX_BARS {
            return Ok(());
        }
        let stored = bars.first().zip(bars.last()).map(|(f, l)| (f.date, l.date));
        let copy = SeriesCopy {
            known: join_spans(stored, self.asked_span(key).await),
            bars,
        };
        redis
            .put_copy(key, &copy, self.config.ttl_for(key.interval))
            .await
    }

    /// The database, after fetching and storing what it lacks.
    async fn load_stored(
        &self,
        query: &SeriesQuery,
        upstream: Upstream<'_>,
        caller: Caller,
    ) -> Result<Vec<PriceBar>, MarketDataError> {
        let key = &query.key;
        let lock = self
            .series_locks
            .get_with(key.clone(), async { Arc::new(tokio::sync::Mutex::new(())) })
            .await;
        let _one_load_per_series = lock.lock().await;
        let stored = self
            .store
            .series_summary(key)
            .await?
            .map(|summary| (summary.first, summary.last));
        let known = join_spans(stored, self.asked_span(key).await);
        let start = query
            .start
            .unwrap_or_else(|| default_start(&key.source, query.end));
        // Nothing before the source's history is asked for, whatever range came in (`auto`
        // is bounded only by the earliest of all sources).
        let earliest = crate::sources::earliest(&key.source);
        let missing: Vec<DateRange> =
            missing_ranges(start, query.end, known, query.start.is_some())
                .into_iter()
                .filter_map(|(from, to)| (to >= earliest).then_some((from.max(earliest), to)))
                .collect();
        if missing.is_empty() {
            hit("database");
        } else {
            miss("database");
            let requests: u64 = missing
                .iter()
                .map(|(from, to)| upstream.client.history_requests(*from, *to))
                .sum();
            self.budget.spend(caller, key, requests).await?;
            // Every range is fetched before anything is stored: a failure halfway stores
            // nothing, so a later backfill still sees the whole gap.
            let mut bars = Vec::new();
            for (from, to) in &missing {
                let history = upstream
                    .client
                    .history(upstream.code, upstream.scale, *from, *to, key.interval)
                    .await?;
                bars.extend(history.bars);
            }
            if !bars.is_empty() {
                self.store.upsert_series(key, &bars).await?;
            }
            let asked = missing
                .iter()
                .fold(known, |span, range| join_spans(span, Some(*range)));
            if let Some(span) = asked {
                self.remember_asked(key, span).await;
            }
        }
        Ok(self.store.prices(key, query.start, Some(query.end)).await?)
    }

    async fn asked_span(&self, key: &SeriesKey) -> Option<DateRange> {
        if let Some(span) = self.asked.get(key).await {
            return Some(span);
        }
        let redis = self.redis.as_ref()?;
        match redis.get_span(key).await {
            Ok(span) => span,
            Err(error) => {
                tracing::warn!(%error, "redis cache unavailable; reading the database");
                None
            }
        }
    }

    async fn remember_asked(&self, key: &SeriesKey, span: DateRange) {
        self.asked.insert(key.clone(), span).await;
        if let Some(redis) = &self.redis {
            let ttl = self.config.ttl_for(key.interval);
            if let Err(error) = redis.put_span(key, span, ttl).await {
                tracing::warn!(%error, "could not write the redis cache");
            }
        }
    }

    /// Forgets every in-process answer, so the next request reads the layers below. The record
    /// of ranges recently asked of providers is kept until its TTL: forgetting it would ask
    /// again for days the provider just said it has no bars for.
    pub fn clear_memory(&self) {
        self.memory.invalidate_all();
    }
}
