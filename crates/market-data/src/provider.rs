//! The provider trait and the pure types it speaks: requests to send, outcomes of classifying an
//! answer, parsed series and quotes, limits and errors.
//!
//! Everything here is synchronous and does no I/O. The HTTP transport (retries, rate limits,
//! caching) sits on top: it asks a provider for [`Request`]s, sends them to the configured
//! `base_url`, hands the answer back to [`Provider::classify`] and, on [`Outcome::Data`] only, to a
//! `parse_*` method.

use chrono::{DateTime, NaiveDate, Utc};
use std::fmt;
use std::time::Duration;
use store::{Interval, PriceBar};

pub use crate::limits::{Limits, RateLimit};
use crate::secret::ApiKey;
use crate::sources::SourceDescriptor;

/// The HTTP method of a [`Request`]. Every provider we use is read-only over GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// HTTP GET.
    Get,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
        }
    }
}

/// One HTTP request a provider wants sent, relative to the source's configured `base_url`.
///
/// The API key is already filled in (in `query` or `headers`, wherever the provider wants it), so
/// the transport can send it as is: `client.get(join_url(base_url, &req.path)).query(&req.query)`
/// plus each header. `Debug` and `Display` redact every credential (`apikey=***`), so a request
/// can be logged freely.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// The HTTP method.
    pub method: Method,
    /// The path appended to `base_url`, starting with `/` (e.g. `/query`, `/stable/quote`).
    pub path: String,
    /// Query parameters in order, not yet percent-encoded.
    pub query: Vec<(String, String)>,
    /// Extra request headers (the API key for header-authenticated providers).
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// A GET request for `path` with no parameters yet.
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds a query parameter.
    pub fn with_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The value of the first query parameter called `name`, if any.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of the first header called `name` (case-insensitive), if any.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The full URL without the query string: `base_url` and `path` joined by exactly one `/`.
    pub fn url(&self, base_url: &str) -> String {
        join_url(base_url, &self.path)
    }
}

/// The most requests one history call may make: 500 thirty-day chunks are 41 years, all of
/// CommodityPriceAPI's history (from 1990); more is a range no provider has.
pub const MAX_HISTORY_REQUESTS: u64 = 500;

/// Checks a history request: the range must not be reversed and `offered` must hold the
/// interval.
pub fn check_range(
    provider: &'static str,
    code: &str,
    start: NaiveDate,
    end: NaiveDate,
    interval: Interval,
    offered: &[Interval],
) -> Result<(), ProviderError> {
    if start > end {
        return Err(ProviderError::InvalidRange { start, end });
    }
    if !offered.contains(&interval) {
        return Err(ProviderError::UnsupportedInterval {
            provider,
            code: code.to_string(),
            interval,
        });
    }
    Ok(())
}

/// Joins a configured base URL and a request path with exactly one `/` between them, so
/// `https://x/v2/` + `/rates/latest` and `https://x/v2` + `rates/latest` both work.
pub fn join_url(base_url: &str, path: &str) -> String {
    let base = base_url.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{path}")
    }
}

/// Whether a query parameter or header of this name carries a credential. Matched by name, not
/// by value, so redaction works even when the transport logs a request it did not build.
pub fn is_secret_name(name: &str) -> bool {
    const SECRET_NAMES: [&str; 5] = ["apikey", "api_key", "x-api-key", "authorization", "token"];
    SECRET_NAMES.iter().any(|s| name.eq_ignore_ascii_case(s))
}

fn shown(name: &str, value: &str) -> String {
    if is_secret_name(name) {
        crate::redact::MASK.to_string()
    } else {
        value.to_string()
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.as_str(), self.path)?;
        for (i, (name, value)) in self.query.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{name}={}", shown(name, value))?;
        }
        for (name, value) in &self.headers {
            write!(f, " [{name}: {}]", shown(name, value))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Request {
    // Hand-written so that `{:?}` in a log line or a panic message cannot leak the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| (n.clone(), shown(n, v)))
                .collect()
        };
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redact(&self.query))
            .field("headers", &redact(&self.headers))
            .finish()
    }
}

/// What an answer from a provider turned out to be, decided from the status, headers and body
/// before any parsing. Every message inside is short, single-line and free of the API key.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The body holds data: hand it to a `parse_*` method.
    Data,
    /// A well-formed answer with an empty series: the code is unknown to the provider or it has
    /// nothing in the range (the providers do not say which).
    NoData,
    /// The provider refuses for now: a burst limit, a 429, or a spent quota.
    Throttled {
        /// How long the provider asked us to wait (`Retry-After`), when it said.
        retry_after: Option<Duration>,
        /// The day's (or plan period's) quota is spent: retrying before it resets only wastes calls.
        quota_exhausted: bool,
        /// The provider's explanation, redacted and shortened.
        message: String,
    },
    /// The API key is missing, wrong or disabled: a configuration error, never retried.
    BadKey {
        /// The provider's explanation, redacted and shortened.
        message: String,
    },
    /// The key is valid but its plan does not cover this endpoint, symbol or parameter.
    Entitlement {
        /// The provider's explanation, redacted and shortened.
        message: String,
    },
    /// The request itself is wrong (unknown function, bad parameter): a bug on our side or in
    /// the catalog, not worth retrying.
    BadRequest {
        /// The provider's explanation, redacted and shortened.
        message: String,
    },
    /// The provider said explicitly that it does not know the symbol.
    UnknownSymbol {
        /// The provider's explanation, redacted and shortened.
        message: String,
    },
    /// The provider failed (HTTP 5xx): worth retrying with backoff.
    Upstream {
        /// The HTTP status.
        status: u16,
        /// What the body said, redacted and shortened.
        message: String,
    },
    /// The body is not what this provider sends (HTML, empty, not JSON, unexpected JSON).
    Malformed {
        /// A short, key-free description of what came instead.
        description: String,
    },
}

impl Outcome {
    /// Whether the body should be handed to a parser.
    pub fn is_data(&self) -> bool {
        matches!(self, Outcome::Data)
    }

    /// Whether the same request may succeed later (throttles, 5xx, malformed answers), as opposed
    /// to configuration or request errors that will fail the same way every time.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Outcome::Throttled { .. } | Outcome::Upstream { .. } | Outcome::Malformed { .. }
        )
    }
}

/// `label` followed by `: message`, or `label` alone when the provider said nothing.
fn labelled(f: &mut fmt::Formatter<'_>, label: &str, message: &str) -> fmt::Result {
    if message.is_empty() {
        f.write_str(label)
    } else {
        write!(f, "{label}: {message}")
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Data => f.write_str("data"),
            Outcome::NoData => f.write_str("empty series"),
            Outcome::Throttled {
                retry_after,
                quota_exhausted,
                message,
            } => {
                let kind = if *quota_exhausted {
                    "quota exhausted"
                } else {
                    "rate limited"
                };
                match retry_after {
                    Some(wait) => {
                        let label = format!("{kind} (retry after {}s)", wait.as_secs());
                        labelled(f, &label, message)
                    }
                    None => labelled(f, kind, message),
                }
            }
            Outcome::BadKey { message } => labelled(f, "invalid API key", message),
            Outcome::Entitlement { message } => labelled(f, "not in the plan", message),
            Outcome::BadRequest { message } => labelled(f, "bad request", message),
            Outcome::UnknownSymbol { message } => labelled(f, "unknown symbol", message),
            Outcome::Upstream { status, message } => {
                labelled(f, &format!("provider error (HTTP {status})"), message)
            }
            Outcome::Malformed { description } => labelled(f, "malformed answer", description),
        }
    }
}

/// What a parser needs besides the body: the provider's code for the series and the factor that
/// turns its prices into USD (0.01 for a price quoted in US cents, `USX`; 1.0 otherwise), both
/// from the catalog, and optionally the inclusive date range asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseContext {
    /// The provider's own code (`WTI`, `GCUSD`, `gold`, `XAU`...), not our symbol.
    pub code: String,
    /// Multiplier applied to every price (not to volume).
    pub scale: f64,
    /// First date to keep, inclusive. Providers that return whole series are cut to the range.
    pub start: Option<NaiveDate>,
    /// Last date to keep, inclusive.
    pub end: Option<NaiveDate>,
}

impl ParseContext {
    /// A context for `code` with the given price scale and no date range.
    pub fn new(code: impl Into<String>, scale: f64) -> Self {
        Self {
            code: code.into(),
            scale,
            start: None,
            end: None,
        }
    }

    /// The same context cut to the inclusive range `start..=end`.
    pub fn with_range(mut self, start: NaiveDate, end: NaiveDate) -> Self {
        self.start = Some(start);
        self.end = Some(end);
        self
    }

    /// Whether `date` lies inside the requested range (always true without one).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start.is_none_or(|s| date >= s) && self.end.is_none_or(|e| date <= e)
    }
}

/// A parsed price series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// Bars in ascending date order, one per date, prices scaled to USD.
    pub bars: Vec<PriceBar>,
    /// Observations the provider marked as missing (`"."`, null, empty, `"None"`), skipped rather
    /// than stored as zero.
    pub skipped_missing: usize,
}

/// A latest price.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// The provider's code the quote is for.
    pub code: String,
    /// The price, scaled to USD.
    pub price: f64,
    /// When the provider says the price was observed; for a date-only series, midnight UTC.
    pub as_of: Option<DateTime<Utc>>,
    /// Change since the previous close, scaled to USD, when given.
    pub change: Option<f64>,
    /// Change since the previous close in percent, when given.
    pub change_percent: Option<f64>,
    /// Traded volume, when given.
    pub volume: Option<f64>,
    /// The currency the provider says it quoted in (`USD`, `USX`...), before scaling, so a caller
    /// can notice a catalog scale that disagrees with the provider.
    pub reported_currency: Option<String>,
}

/// One entry of a provider's list of commodities.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedCommodity {
    /// The provider's code (`GCUSD`).
    pub code: String,
    /// The provider's name for it.
    pub name: String,
    /// The currency its prices are quoted in (`USD`, or `USX` for US cents).
    pub currency: Option<String>,
}

/// Which operations a provider offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// A latest-price request exists.
    pub latest: bool,
    /// A history request exists.
    pub history: bool,
    /// A list of commodities can be fetched.
    pub list: bool,
    /// Every interval offered for some code, finest first; see [`Provider::intervals_for`].
    pub intervals: &'static [Interval],
}

/// Errors of request building and parsing. Messages never contain the key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// The provider has no such operation.
    #[error("{provider} does not support {operation}")]
    NotSupported {
        /// The provider's id.
        provider: &'static str,
        /// What was asked (`latest`, `history`, `list`).
        operation: &'static str,
    },
    /// The provider does not offer this interval for this code.
    #[error("{provider} does not offer {interval} data for {code}")]
    UnsupportedInterval {
        /// The provider's id.
        provider: &'static str,
        /// The provider's code.
        code: String,
        /// The interval asked for.
        interval: Interval,
    },
    /// The date range is empty (start after end).
    #[error("invalid date range: {start} is after {end}")]
    InvalidRange {
        /// First date asked for.
        start: NaiveDate,
        /// Last date asked for.
        end: NaiveDate,
    },
    /// The range needs more requests than one history call may make.
    #[error(
        "{provider} would need {needed} requests for {start}..{end}, more than the {MAX_HISTORY_REQUESTS} one fetch may make: ask for a shorter range"
    )]
    TooManyRequests {
        /// The provider's id.
        provider: &'static str,
        /// First date asked for.
        start: NaiveDate,
        /// Last date asked for.
        end: NaiveDate,
        /// Requests the range would take.
        needed: u64,
    },
    /// The body could not be read as the expected shape.
    #[error("{provider}: cannot parse the answer: {reason}")]
    Parse {
        /// The provider's id.
        provider: &'static str,
        /// What was wrong, short and key-free.
        reason: String,
    },
}

/// A market-data provider: what it offers, how to ask it, and how to read its answers.
///
/// Operations a provider lacks keep the default, which returns [`ProviderError::NotSupported`].
pub trait Provider: Send + Sync {
    /// Who the source is: id, default base URL, where its key goes, free-tier limits.
    fn descriptor(&self) -> &'static SourceDescriptor;

    /// The key this provider signs its requests with.
    fn api_key(&self) -> &ApiKey;

    /// The source id used in config, the database and the API (`alpha_vantage`, `fmp`...).
    fn id(&self) -> &'static str {
        self.descriptor().id
    }

    /// Which operations and intervals the provider offers.
    fn capabilities(&self) -> Capabilities;

    /// The free tier's limits, used when the configuration sets none.
    fn default_limits(&self) -> Limits {
        self.descriptor().limits
    }

    /// The intervals offered for one code, finest first (some providers differ per series).
    fn intervals_for(&self, _code: &str) -> Vec<Interval> {
        self.capabilities().intervals.to_vec()
    }

    /// The request for the latest price of `code`.
    fn build_latest_request(&self, _code: &str) -> Result<Request, ProviderError> {
        Err(self.not_supported("latest"))
    }

    /// Days one history request may cover; `None` for one request whatever the range.
    fn history_chunk_days(&self) -> Option<u32> {
        None
    }

    /// The unsigned request for one chunk `from..=to` of history (see
    /// [`Provider::history_chunk_days`]), the range and interval already checked.
    fn history_request(
        &self,
        _code: &str,
        _from: NaiveDate,
        _to: NaiveDate,
        _interval: Interval,
    ) -> Result<Request, ProviderError> {
        Err(self.not_supported("history"))
    }

    /// The chunks of `start..=end` that one request each covers at `interval`, made lazily,
    /// after checking the operation, the interval and the range: a range that would need more
    /// than [`MAX_HISTORY_REQUESTS`] requests is refused before any is made.
    fn plan_history(
        &self,
        code: &str,
        start: NaiveDate,
        end: NaiveDate,
        interval: Interval,
    ) -> Result<crate::series::Chunks, ProviderError> {
        if !self.capabilities().history {
            return Err(self.not_supported("history"));
        }
        check_range(
            self.id(),
            code,
            start,
            end,
            interval,
            &self.intervals_for(code),
        )?;
        let chunks = crate::series::Chunks::new(start, end, self.history_chunk_days());
        let needed = chunks.remaining();
        if needed > MAX_HISTORY_REQUESTS {
            return Err(ProviderError::TooManyRequests {
                provider: self.id(),
                start,
                end,
                needed,
            });
        }
        Ok(chunks)
    }

    /// The signed request for one chunk of [`Provider::plan_history`].
    fn signed_history_request(
        &self,
        code: &str,
        from: NaiveDate,
        to: NaiveDate,
        interval: Interval,
    ) -> Result<Request, ProviderError> {
        self.history_request(code, from, to, interval)
            .map(|request| self.api_key().sign(request))
    }

    /// The signed requests covering `start..=end` at `interval`, chunked to the provider's
    /// limits, in date order with no gap and no overlap.
    fn build_history_requests(
        &self,
        code: &str,
        start: NaiveDate,
        end: NaiveDate,
        interval: Interval,
    ) -> Result<Vec<Request>, ProviderError> {
        self.plan_history(code, start, end, interval)?
            .map(|(from, to)| self.signed_history_request(code, from, to, interval))
            .collect()
    }

    /// The request for the provider's list of commodities.
    fn build_list_request(&self) -> Result<Request, ProviderError> {
        Err(self.not_supported("list"))
    }

    /// Decides what an answer is before any parsing: `status` is the HTTP status, `headers`
    /// the response headers (names in any case), `body` the raw bytes.
    fn classify(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> Outcome;

    /// Parses a history answer classified as [`Outcome::Data`].
    fn parse_history(&self, _body: &[u8], _ctx: &ParseContext) -> Result<Parsed, ProviderError> {
        Err(self.not_supported("history"))
    }

    /// Parses a latest-price answer classified as [`Outcome::Data`].
    fn parse_latest(&self, _body: &[u8], _ctx: &ParseContext) -> Result<Quote, ProviderError> {
        Err(self.not_supported("latest"))
    }

    /// Parses a list-of-commodities answer classified as [`Outcome::Data`].
    fn parse_list(&self, _body: &[u8]) -> Result<Vec<ListedCommodity>, ProviderError> {
        Err(self.not_supported("list"))
    }

    /// The error for an operation this provider lacks.
    fn not_supported(&self, operation: &'static str) -> ProviderError {
        ProviderError::NotSupported {
            provider: self.id(),
            operation,
        }
    }
}
