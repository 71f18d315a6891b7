//! Fetching through tiers: primary sources, then secondary ones, then stored data, then an error
//! listing every attempt and why it failed.
//!
//! A source is skipped when the catalog has nothing of the symbol at that interval there, when
//! it is not configured (no key, disabled), or when it rejected its key earlier (reported once
//! by the transport, never asked again). A throttle, a 429, an error body, a timeout or
//! exhausted retries move on to the next source. The whole walk through the tiers is bounded by
//! one deadline, so a hanging provider cannot stretch it past what the configuration allows.
//!
//! Every answer says which source served it and whether it is stale (stored data standing in
//! because the sources that could have refreshed it failed).
//!
//! Metric: `commodex_fallback_attempts_total`, labels `source` and `outcome`.

use crate::anonymous_budget::Caller;
use crate::cache::{SeriesCache, SeriesQuery, Upstream};
use crate::catalog::Catalog;
use crate::error::MarketDataError;
use crate::registry::{SourceRegistry, SourceState};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use store::{Interval, PriceBar, SeriesKey};
use tokio::time::Instant;

/// Counter of sources tried or skipped by the fallback, by `source` and `outcome`.
pub const FALLBACK_ATTEMPTS: &str = "commodex_fallback_attempts_total";

/// How the fallback walks the sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FallbackConfig {
    /// Tried first, in order.
    pub primary: Vec<String>,
    /// Tried when every primary source failed.
    pub secondary: Vec<String>,
    /// Sources whose stored data may stand in, in order, when every tier failed.
    pub stored: Vec<String>,
    /// The longest the tiers may take together; stored data is read after it.
    pub deadline: Duration,
}

impl Default for FallbackConfig {
    /// SPEC's tiers, stored data from them then from `csv` and `demo`, and a 20 s deadline
    /// (below the server's 30 s request timeout, so the answer beats the gateway's).
    fn default() -> Self {
        use crate::providers::{alpha_vantage, api_ninjas, commodity_price_api, fmp};
        let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Self {
            primary: ids(&[alpha_vantage::ID, fmp::ID]),
            secondary: ids(&[commodity_price_api::ID, api_ninjas::ID]),
            stored: crate::sources::ids().map(str::to_string).collect(),
            deadline: Duration::from_secs(20),
        }
    }
}

/// How one source fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// It served the answer.
    Served,
    /// It answered with no bars for the range; the next source was asked.
    Empty,
    /// Stored data of this source stood in.
    Stored,
    /// The catalog has nothing of the symbol there, at that interval.
    NotOffered,
    /// Not configured (no key) or disabled.
    NotConfigured,
    /// Skipped: it rejected its key earlier.
    Unhealthy,
    /// Throttled, 429, or quota spent.
    RateLimited,
    /// It rejected its key just now.
    BadKey,
    /// It refused the request (not in the plan, unknown symbol, bad parameter).
    Rejected,
    /// 5xx after the retries, an unreadable answer, or no connection.
    Upstream,
    /// No answer within its timeout, after the retries.
    Timeout,
    /// The fallback's deadline ran out while waiting for it, or before it could be asked.
    Deadline,
    /// Our side failed (the database under the cache).
    Internal,
}

impl AttemptOutcome {
    /// The snake_case name, as in the metric label and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Served => "served",
            AttemptOutcome::Empty => "empty",
            AttemptOutcome::Stored => "stored",
            AttemptOutcome::NotOffered => "not_offered",
            AttemptOutcome::NotConfigured => "not_configured",
            AttemptOutcome::Unhealthy => "unhealthy",
            AttemptOutcome::RateLimited => "rate_limited",
            AttemptOutcome::BadKey => "bad_key",
            AttemptOutcome::Rejected => "rejected",
            AttemptOutcome::Upstream => "upstream",
            AttemptOutcome::Timeout => "timeout",
            AttemptOutcome::Deadline => "deadline",
            AttemptOutcome::Internal => "internal",
        }
    }

    /// The outcome an error stands for.
    pub fn of(error: &MarketDataError) -> Self {
        match error {
            MarketDataError::RateLimited { .. } => AttemptOutcome::RateLimited,
            MarketDataError::BadKey { .. } | MarketDataError::MissingKey { .. } => {
                AttemptOutcome::BadKey
            }
            MarketDataError::Rejected { .. }
            | MarketDataError::UnknownSymbol { .. }
            | MarketDataError::InvalidRange { .. }
            | MarketDataError::Provider(_) => AttemptOutcome::Rejected,
            MarketDataError::Timeout { .. } => AttemptOutcome::Timeout,
            MarketDataError::Deadline { .. } => AttemptOutcome::Deadline,
            MarketDataError::Store(_) => AttemptOutcome::Internal,
            _ => AttemptOutcome::Upstream,
        }
    }
}

/// One source tried or skipped, with why (key-free).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The source id.
    pub source: String,
    /// How it fared.
    pub outcome: AttemptOutcome,
    /// What happened, in a sentence.
    pub message: String,
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

/// A series as served, with where it came from and what was tried first.
#[derive(Debug, Clone)]
pub struct Served {
    /// The bars, in date order.
    pub bars: Arc<[PriceBar]>,
    /// The source whose data this is.
    pub served_by: String,
    /// Whether stored data stood in because the sources that could refresh it failed.
    pub stale: bool,
    /// Every source tried or skipped, in order, the one that served included.
    pub attempts: Vec<Attempt>,
}

/// What is asked of the fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask<'a> {
    /// Our symbol, as the catalog spells it.
    pub symbol: &'a str,
    /// The interval.
    pub interval: Interval,
    /// First date wanted (`None`: everything stored, or the provider's default depth).
    pub start: Option<NaiveDate>,
    /// Last date wanted.
    pub end: NaiveDate,
    /// Who asks: an anonymous caller's fetches spend the series' daily budget.
    pub caller: Caller,
}

/// The fallback over a process's sources, cache and catalog.
#[derive(Debug, Clone)]
pub struct Fallback {
    config: FallbackConfig,
    registry: Arc<SourceRegistry>,
    cache: Arc<SeriesCache>,
    catalog: Arc<Catalog>,
}

/// Collects attempts and counts each in the metric as it is recorded.
#[derive(Default)]
struct Attempts(Vec<Attempt>);

impl Attempts {
    fn record(&mut self, source: &str, outcome: AttemptOutcome, message: impl Into<String>) {
        metrics::counter!(
            FALLBACK_ATTEMPTS,
            "source" => source.to_string(),
            "outcome" => outcome.as_str()
        )
        .increment(1);
        self.0.push(Attempt {
            source: source.to_string(),
            outcome,
            message: message.into(),
        });
    }
}

/// Whether a source can be asked for the symbol at the interval, or why not.
enum Reach<'a> {
    Ready(Upstream<'a>),
    Skip(AttemptOutcome, String),
}

impl Fallback {
    /// A fallback walking `config`'s tiers over `registry`'s sources through `cache`.
    pub fn new(
        config: FallbackConfig,
        registry: Arc<SourceRegistry>,
        cache: Arc<SeriesCache>,
        catalog: Arc<Catalog>,
    ) -> Self {
        Self {
            config,
            registry,
            cache,
            catalog,
        }
    }

    /// The sources and their health.
    pub fn registry(&self) -> &SourceRegistry {
        &self.registry
    }

    /// The cache in front of the sources.
    pub fn cache(&self) -> &SeriesCache {
        &self.cache
    }

    /// The tiers and deadline in use.
    pub fn config(&self) -> &FallbackConfig {
        &self.config
    }

    /// Whether `source_id` is one the fallback can fetch from (an HTTP source it knows of,
    /// configured or not), as opposed to stored-only sources such as `csv` and `demo`.
    pub fn is_fetchable(source_id: &str) -> bool {
        crate::sources::descriptor(source_id).is_some_and(|source| source.is_http())
    }

    /// The series through the tiers: the first source that serves it, else stored data
    /// (`stale` when a configured source failed), else an error listing every attempt.
    pub async fn auto(&self, ask: &Ask<'_>) -> Result<Served, MarketDataError> {
        let started = Instant::now();
        let deadline = started + self.config.deadline;
        let mut attempts = Attempts::default();
        let mut configured_failed = false;
        let mut first_empty: Option<String> = None;
        if let Some(served) = self.cached(ask).await {
            return Ok(served);
        }
        let tiers = self.config.primary.iter().chain(&self.config.secondary);
        for source in tiers {
            let upstream = match self.reach(source, ask) {
                Reach::Ready(upstream) => upstream,
                Reach::Skip(outcome, message) => {
                    configured_failed |= outcome == AttemptOutcome::Unhealthy;
                    attempts.record(source, outcome, message);
                    continue;
                }
            };
            configured_failed = true;
            if Instant::now() >= deadline {
                attempts.record(
                    source,
                    AttemptOutcome::Deadline,
                    format!(
                        "not asked: the deadline of {} ms was spent",
                        self.deadline_ms()
                    ),
                );
                continue;
            }
            match self.fetch(source, ask, upstream, deadline).await {
                Ok(bars) if bars.is_empty() => {
                    attempts.record(source, AttemptOutcome::Empty, "no bars in the range");
                    first_empty.get_or_insert_with(|| source.clone());
                }
                Ok(bars) => {
                    attempts.record(source, AttemptOutcome::Served, "served");
                    return Ok(Served {
                        bars,
                        served_by: source.clone(),
                        stale: false,
                        attempts: attempts.0,
                    });
                }
                Err(error) => {
                    attempts.record(source, AttemptOutcome::of(&error), error.to_string())
                }
            }
        }
        if let Some(served) = self.stored(ask, &mut attempts, configured_failed).await? {
            return Ok(served);
        }
        if let Some(source) = first_empty {
            return Ok(Served {
                bars: Arc::from(Vec::new()),
                served_by: source,
                stale: false,
                attempts: attempts.0,
            });
        }
        Err(MarketDataError::AllSourcesFailed {
            symbol: ask.symbol.to_string(),
            interval: ask.interval,
            attempts: attempts.0,
        })
    }

    /// The series from one named HTTP source: what is stored, plus what is missing fetched
    /// from it and stored. When the source fails (or cannot be called), its stored data stands
    /// in (`stale` when it failed); with nothing stored, its error.
    pub async fn from_source(
        &self,
        source: &str,
        ask: &Ask<'_>,
    ) -> Result<Served, MarketDataError> {
        let deadline = Instant::now() + self.config.deadline;
        let mut attempts = Attempts::default();
        let failure = match self.reach(source, ask) {
            Reach::Ready(upstream) => match self.fetch(source, ask, upstream, deadline).await {
                Ok(bars) => {
                    attempts.record(source, AttemptOutcome::Served, "served");
                    return Ok(Served {
                        bars,
                        served_by: source.to_string(),
                        stale: false,
                        attempts: attempts.0,
                    });
                }
                Err(error) => {
                    attempts.record(source, AttemptOutcome::of(&error), error.to_string());
                    Some(error)
                }
            },
            Reach::Skip(outcome, message) => {
                attempts.record(source, outcome, message.clone());
                // A source that rejected its key is a configured source failing: its stored
                // data is stale, and with none the caller gets the configuration error.
                (outcome == AttemptOutcome::Unhealthy).then(|| MarketDataError::BadKey {
                    source_id: source.to_string(),
                    message,
                })
            }
        };
        let key = SeriesKey::new(source, ask.symbol, ask.interval);
        let stored = self.cache.store().series_summary(&key).await?;
        if stored.is_some() {
            let bars = self
                .cache
                .store()
                .prices(&key, ask.start, Some(ask.end))
                .await?;
            if failure.is_none() || !bars.is_empty() {
                let stale = failure.is_some();
                if stale {
                    attempts.record(source, AttemptOutcome::Stored, "stored data stood in");
                }
                return Ok(Served {
                    bars: bars.into(),
                    served_by: source.to_string(),
                    stale,
                    attempts: attempts.0,
                });
            }
        }
        Err(match failure {
            Some(error) => error,
            None => MarketDataError::AllSourcesFailed {
                symbol: ask.symbol.to_string(),
                interval: ask.interval,
                attempts: attempts.0,
            },
        })
    }

    /// An answer a tier source gave recently, still in memory: served again without asking
    /// the sources before it, which failed moments ago and would most likely fail again.
    async fn cached(&self, ask: &Ask<'_>) -> Option<Served> {
        for source in self.config.primary.iter().chain(&self.config.secondary) {
            if !matches!(self.reach(source, ask), Reach::Ready(_)) {
                continue;
            }
            let query = SeriesQuery {
                key: SeriesKey::new(source.as_str(), ask.symbol, ask.interval),
                start: ask.start,
                end: ask.end,
            };
            if let Some(bars) = self.cache.peek(&query).await
                && !bars.is_empty()
            {
                let mut attempts = Attempts::default();
                attempts.record(source, AttemptOutcome::Served, "served from the cache");
                return Some(Served {
                    bars,
                    served_by: source.clone(),
                    stale: false,
                    attempts: attempts.0,
                });
            }
        }
        None
    }

    fn deadline_ms(&self) -> u64 {
        self.config.deadline.as_millis() as u64
    }

    /// The source's client and catalog entry, or why it is skipped.
    fn reach(&self, source: &str, ask: &Ask<'_>) -> Reach<'_> {
        let Some(entry) = self.catalog.entry(source, ask.symbol) else {
            return Reach::Skip(
                AttemptOutcome::NotOffered,
                format!("does not offer {}", ask.symbol),
            );
        };
        let client = match self.registry.state(source) {
            Some(SourceState::Ready(client)) => client,
            Some(SourceState::Unavailable { reason }) => {
                return Reach::Skip(AttemptOutcome::NotConfigured, reason.clone());
            }
            None => {
                return Reach::Skip(AttemptOutcome::NotConfigured, "not configured".to_string());
            }
        };
        if !client
            .provider()
            .intervals_for(&entry.code)
            .contains(&ask.interval)
        {
            return Reach::Skip(
                AttemptOutcome::NotOffered,
                format!("does not offer {} {} data", ask.symbol, ask.interval),
            );
        }
        if !client.is_healthy() {
            return Reach::Skip(
                AttemptOutcome::Unhealthy,
                format!(
                    "not asked: it rejected its API key earlier (fix sources.{source}.api_key)"
                ),
            );
        }
        Reach::Ready(Upstream {
            client,
            code: &entry.code,
            scale: entry.scale,
        })
    }

    /// The series through the cache tiers, bounded by what is left of the deadline.
    async fn fetch(
        &self,
        source: &str,
        ask: &Ask<'_>,
        upstream: Upstream<'_>,
        deadline: Instant,
    ) -> Result<Arc<[PriceBar]>, MarketDataError> {
        let query = SeriesQuery {
            key: SeriesKey::new(source, ask.symbol, ask.interval),
            start: ask.start,
            end: ask.end,
        };
        match tokio::time::timeout_at(deadline, self.cache.series(&query, upstream, ask.caller))
            .await
        {
            Ok(result) => result,
            Err(_) => Err(MarketDataError::Deadline {
                source_id: source.to_string(),
                deadline_ms: self.deadline_ms(),
            }),
        }
    }

    /// The first stored series with bars in the range, in the configured order.
    async fn stored(
        &self,
        ask: &Ask<'_>,
        attempts: &mut Attempts,
        stale: bool,
    ) -> Result<Option<Served>, MarketDataError> {
        let store = self.cache.store();
        for source in &self.config.stored {
            let key = SeriesKey::new(source.as_str(), ask.symbol, ask.interval);
            if store.series_summary(&key).await?.is_none() {
                continue;
            }
            let bars = store.prices(&key, ask.start, Some(ask.end)).await?;
            if bars.is_empty() {
                continue;
            }
            attempts.record(source, AttemptOutcome::Stored, "stored data stood in");
            return Ok(Some(Served {
                bars: bars.into(),
                served_by: source.clone(),
                stale,
                attempts: std::mem::take(&mut attempts.0),
            }));
        }
        Ok(None)
    }
}
