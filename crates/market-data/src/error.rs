//! The one error type of the market-data crate.

use chrono::{DateTime, NaiveDate, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Everything that can go wrong in market-data: bad catalog input, unknown sources or symbols, bad
/// ranges. Marked non-exhaustive because provider clients add their own variants (HTTP, throttles,
/// quotas); callers should keep a catch-all arm.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum MarketDataError {
    /// The catalog file could not be read.
    #[error("cannot read catalog file {path}: {cause}")]
    CatalogRead {
        /// The file we tried to read.
        path: PathBuf,
        /// Why the read failed (shared, so that the error can be cloned for every waiter of
        /// a single-flight load).
        #[source]
        cause: Arc<std::io::Error>,
    },

    /// The catalog is not valid TOML, or does not have the catalog's shape.
    #[error("catalog {origin} is not valid: {message}")]
    CatalogParse {
        /// The file name, or "embedded config/catalog.toml".
        origin: String,
        /// The parser's message, which names the line, column and key.
        message: String,
    },

    /// The catalog parses but one entry breaks a rule (duplicate symbol, empty code, unknown source...).
    #[error("catalog {origin}: {entry}: {key}: {problem}")]
    CatalogInvalid {
        /// The file name, or "embedded config/catalog.toml".
        origin: String,
        /// The entry at fault, as `category SYMBOL` (e.g. `energy WTI`).
        entry: String,
        /// The key at fault within the entry (e.g. `sources.fmp.code`).
        key: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A source id that the catalog does not know.
    #[error("unknown source '{source_id}'; known sources: {known}")]
    UnknownSource {
        /// The id asked for.
        source_id: String,
        /// The known ids, comma-separated.
        known: String,
    },

    /// A symbol that the source does not offer.
    #[error("unknown symbol '{symbol}' for source {source_id}; known symbols: {known}")]
    UnknownSymbol {
        /// The source asked.
        source_id: String,
        /// The symbol asked for.
        symbol: String,
        /// The symbols the source offers, comma-separated.
        known: String,
    },

    /// A date range whose start is after its end.
    #[error("invalid date range: start {start} is after end {end}")]
    InvalidRange {
        /// First day asked for.
        start: NaiveDate,
        /// Last day asked for.
        end: NaiveDate,
    },

    /// The source refuses for now (a throttle body, a 429, a spent quota), or no request slot
    /// came free within the wait bound.
    #[error("rate_limited: {source_id}: {message}{}", reset_note(*retry_after, *resets_at))]
    RateLimited {
        /// The source.
        source_id: String,
        /// Why, key-free.
        message: String,
        /// How long the source (or the limiter) asked us to wait, when known.
        retry_after: Option<Duration>,
        /// When a spent daily quota resets, when known.
        resets_at: Option<DateTime<Utc>>,
    },

    /// The source has no API key configured.
    #[error(
        "config: source {source_id} needs an API key: set sources.{source_id}.api_key or COMMODEX_SOURCES__{}__API_KEY",
        source_id.to_ascii_uppercase()
    )]
    MissingKey {
        /// The source.
        source_id: String,
    },

    /// The source rejected the configured API key: a configuration error, never retried.
    #[error(
        "config: {source_id} rejected its API key (sources.{source_id}.api_key / COMMODEX_SOURCES__{}__API_KEY): {message}",
        source_id.to_ascii_uppercase()
    )]
    BadKey {
        /// The source.
        source_id: String,
        /// The provider's explanation, key-free.
        message: String,
    },

    /// The source refused the request itself: not in the plan, bad parameter, unknown symbol.
    #[error("{source_id}: {message}")]
    Rejected {
        /// The source.
        source_id: String,
        /// What the provider said, key-free.
        message: String,
    },

    /// The source failed: 5xx after the retries, or an answer that is not what it sends.
    #[error("upstream: {source_id}: {message}")]
    Upstream {
        /// The source.
        source_id: String,
        /// What went wrong, key-free.
        message: String,
    },

    /// No answer within the source's timeout, after the retries.
    #[error("upstream: {source_id}: no answer within {timeout_secs} s ({attempts} attempts)")]
    Timeout {
        /// The source.
        source_id: String,
        /// The configured timeout.
        timeout_secs: u64,
        /// Attempts made.
        attempts: u32,
    },

    /// The source could not be reached (connection refused, DNS, TLS), after the retries.
    #[error("upstream: {source_id}: cannot connect: {message}")]
    Connection {
        /// The source.
        source_id: String,
        /// The cause, with every URL removed.
        message: String,
    },

    /// A body classified as data could not be parsed.
    #[error(transparent)]
    Provider(#[from] crate::provider::ProviderError),

    /// The transport could not be set up (bad base URL, TLS initialisation).
    #[error("config: source {source_id}: {message}")]
    Transport {
        /// The source.
        source_id: String,
        /// What is wrong.
        message: String,
    },

    /// Redis (shared rate limits) failed.
    #[error("redis: {message}")]
    Redis {
        /// The cause, credentials removed.
        message: String,
    },

    /// The database under the cache failed, kept whole so that a caller can tell a missing
    /// row from an unreachable database. The text may name tables or SQL: log it, and show
    /// users a sentence of your own.
    #[error("database: {0}")]
    Store(#[source] Arc<store::StoreError>),

    /// Every source of the fallback failed and nothing is stored: one entry per source tried
    /// or skipped, in order, with why.
    #[error(
        "upstream: no source could serve {symbol} ({interval}): {}",
        attempts_text(attempts)
    )]
    AllSourcesFailed {
        /// Our symbol.
        symbol: String,
        /// The interval asked for.
        interval: store::Interval,
        /// What happened at each source, in the order tried.
        attempts: Vec<crate::fallback::Attempt>,
    },

    /// The whole fallback ran out of time before a source answered.
    #[error("upstream: {source_id}: no answer within the fallback's deadline of {deadline_ms} ms")]
    Deadline {
        /// The source being waited for when time ran out.
        source_id: String,
        /// The deadline.
        deadline_ms: u64,
    },
}

fn attempts_text(attempts: &[crate::fallback::Attempt]) -> String {
    if attempts.is_empty() {
        return "no source offers it".to_string();
    }
    attempts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<store::StoreError> for MarketDataError {
    fn from(error: store::StoreError) -> Self {
        MarketDataError::Store(Arc::new(error))
    }
}

fn reset_note(retry_after: Option<Duration>, resets_at: Option<DateTime<Utc>>) -> String {
    match (resets_at, retry_after) {
        (Some(at), _) => format!(" (resets at {})", at.format("%Y-%m-%dT%H:%M:%SZ")),
        (None, Some(wait)) => format!(" (retry after {} s)", wait.as_secs().max(1)),
        (None, None) => String::new(),
    }
}

impl MarketDataError {
    /// Whether this is a `rate_limited` error.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, MarketDataError::RateLimited { .. })
    }

    /// Whether this is a configuration error (missing or rejected key, bad transport settings).
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            MarketDataError::MissingKey { .. }
                | MarketDataError::BadKey { .. }
                | MarketDataError::Transport { .. }
        )
    }
}
