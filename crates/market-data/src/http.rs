//! The HTTP transport shared by every provider: rate-limit slot, send, classify, retry, parse,
//! log one line per call, and keep the source's health.
//!
//! The key never leaves this module in text: requests are logged through [`Request`]'s redacting
//! `Display` (the path only), and reqwest's errors, which quote the URL with `?apikey=`, are
//! rebuilt without any URL and with every credential value replaced by `***`.

use crate::error::MarketDataError;
use crate::provider::{Outcome, ParseContext, Parsed, Provider, Request, is_secret_name};
use crate::rate_limit::{LimitPolicy, RateLimiter, next_utc_midnight};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{Interval, PriceBar};

/// The `tracing` target of the one-line-per-call provider log (`providers.log`).
pub const PROVIDER_CALLS_TARGET: &str = "provider_calls";

/// Longest backoff between two retries, whatever the attempt number.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Most redirects followed for one request (within its origin).
const MAX_REDIRECTS: usize = 5;

/// Follows a redirect only within the origin (scheme, host and port) the request was sent
/// to. A key travels in a header (`X-Api-Key`) or the query: reqwest drops `Authorization`
/// and cookies on a redirect to another host, but not a provider's own header, so following
/// one would hand the key to whichever host the answer names. A redirect elsewhere is left
/// unanswered and fails the call.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let next = attempt.url();
        let same_origin = attempt.previous().first().is_some_and(|first| {
            next.scheme() == first.scheme()
                && next.host_str() == first.host_str()
                && next.port_or_known_default() == first.port_or_known_default()
        });
        let too_many = attempt.previous().len() > MAX_REDIRECTS;
        if !same_origin || too_many {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// How one source is reached.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Where its API lives; request paths are appended to it.
    pub base_url: String,
    /// A request taking longer fails as a timeout (and may be retried).
    pub timeout: Duration,
    /// Retries of a 5xx, a timeout or a connection error.
    pub max_retries: u32,
    /// The sliding window and daily quota of the key.
    pub limits: LimitPolicy,
    /// The longest a call waits for a rate-limit slot before failing `rate_limited`.
    pub max_wait: Duration,
    /// The first retry's backoff; each further retry doubles it, with jitter.
    pub backoff_base: Duration,
}

impl SourceConfig {
    /// A config for `base_url` with a 10 s timeout, 2 retries, no limits, a 30 s wait bound and
    /// a 250 ms backoff base.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            timeout: Duration::from_secs(10),
            max_retries: 2,
            limits: LimitPolicy::default(),
            max_wait: Duration::from_secs(30),
            backoff_base: Duration::from_millis(250),
        }
    }
}

/// A source's health, as `GET /api/v1/sources` will show it. Every text is key-free.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceHealth {
    /// The source id.
    pub source_id: String,
    /// False once the source rejected its key, until a call succeeds again.
    pub healthy: bool,
    /// When a call last returned data.
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure, key-free.
    pub last_error: Option<String>,
    /// When the last failure happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// Requests counted against the key today (UTC).
    pub requests_today: u32,
    /// Requests left today, when the source has a daily quota.
    pub quota_left: Option<u32>,
}

/// A parsed history and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// Bars in ascending date order, one per date, scaled to USD.
    pub bars: Vec<PriceBar>,
    /// Observations skipped because the provider marked them missing.
    pub skipped_missing: usize,
    /// HTTP requests sent, retries included.
    pub requests: u32,
}

/// The FNV-1a hash of an API key, in hex: names the key in limiter keys without revealing it,
/// so two processes using the same key share one budget.
pub fn key_fingerprint(api_key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in api_key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// One source reached over HTTP: its provider, settings, limiter and health.
pub struct SourceClient {
    provider: Arc<dyn Provider>,
    config: SourceConfig,
    http: reqwest::Client,
    limiter: Arc<RateLimiter>,
    limiter_key: String,
    health: Mutex<SourceHealth>,
    requests_sent: AtomicU32,
    /// Until when the provider asked not to be called (its `Retry-After`, or the end of its
    /// day when a daily quota ran out), with when that quota resets.
    cooldown: Mutex<Option<Cooldown>>,
}

/// A provider's own request to wait, remembered so that no request is sent before it ends.
#[derive(Debug, Clone, Copy)]
struct Cooldown {
    until: Instant,
    resets_at: Option<DateTime<Utc>>,
}

/// The longest wait a `Retry-After` is honoured for: a provider's bad header must not silence it
/// for days.
const MAX_COOLDOWN: Duration = Duration::from_secs(24 * 60 * 60);

impl std::fmt::Debug for SourceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceClient")
            .field("source", &self.provider.id())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Why one attempt failed, before deciding whether to retry.
enum AttemptError {
    Timeout,
    Connection(String),
    Outcome(Outcome),
}

impl SourceClient {
    /// A client for `provider`, whose key has the given [`key_fingerprint`]; rate limits are
    /// taken from `limiter` under the key `<source>:<fingerprint>`.
    pub fn new(
        provider: Arc<dyn Provider>,
        key_fingerprint: &str,
        config: SourceConfig,
        limiter: Arc<RateLimiter>,
    ) -> Result<Self, MarketDataError> {
        let source_id = provider.id();
        let http = reqwest::Client::builder()
            .redirect(same_origin_redirects())
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("commodex/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MarketDataError::Transport {
                source_id: source_id.to_string(),
                message: error_chain(&e.without_url(), &[]),
            })?;
        Ok(Self {
            limiter_key: format!("{source_id}:{key_fingerprint}"),
            health: Mutex::new(SourceHealth {
                source_id: source_id.to_string(),
                healthy: true,
                last_success: None,
                last_error: None,
                last_error_at: None,
                requests_today: 0,
                quota_left: config.limits.daily_quota,
            }),
            provider,
            config,
            http,
            limiter,
            requests_sent: AtomicU32::new(0),
            cooldown: Mutex::new(None),
        })
    }

    /// The source id.
    pub fn id(&self) -> &'static str {
        self.provider.id()
    }

    /// The provider behind this client.
    pub fn provider(&self) -> &dyn Provider {
        self.provider.as_ref()
    }

    /// False once the source rejected its key: the fallback then skips it rather than ask again
    /// with a key that cannot work.
    pub fn is_healthy(&self) -> bool {
        self.health
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .healthy
    }

    /// The settings this client was built with.
    pub fn config(&self) -> &SourceConfig {
        &self.config
    }

    /// HTTP requests this client has sent, retries included.
    pub fn requests_sent(&self) -> u32 {
        self.requests_sent.load(Ordering::Relaxed)
    }

    /// The source's health now, with today's request count read from the limiter.
    pub async fn health(&self) -> SourceHealth {
        let used = self.limiter.used_today(&self.limiter_key).await.ok();
        let mut health = self.health_snapshot();
        if let Some(used) = used {
            health.requests_today = used;
            health.quota_left = self
                .config
                .limits
                .daily_quota
                .map(|quota| quota.saturating_sub(used));
        }
        health
    }

    fn health_snapshot(&self) -> SourceHealth {
        self.health
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn record_success(&self) {
        let mut health = self.health.lock().unwrap_or_else(|e| e.into_inner());
        health.healthy = true;
        health.last_success = Some(Utc::now());
    }

    fn record_error(&self, error: &MarketDataError) {
        let mut health = self.health.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(error, MarketDataError::BadKey { .. }) {
            // Reported once, when the source turns unhealthy: the fallback skips it from now
            // on, so the same rejection does not fill the log on every request.
            if health.healthy {
                tracing::error!(source = self.id(), %error, "source disabled until its key is fixed");
            }
            health.healthy = false;
        }
        health.last_error = Some(error.to_string());
        health.last_error_at = Some(Utc::now());
    }

    /// How many requests a history of `start..=end` takes from this provider (its chunks).
    pub fn history_requests(&self, start: NaiveDate, end: NaiveDate) -> u64 {
        crate::series::Chunks::new(start, end, self.provider.history_chunk_days()).remaining()
    }

    /// Fetches `code` over `start..=end` at `interval`, prices multiplied by `scale`: every
    /// chunk the provider needs, merged into one ascending series. Any chunk failing fails the
    /// whole call, so a caller never stores half a range believing it whole.
    pub async fn history(
        &self,
        code: &str,
        scale: f64,
        start: NaiveDate,
        end: NaiveDate,
        interval: Interval,
    ) -> Result<History, MarketDataError> {
        let chunks = self.provider.plan_history(code, start, end, interval)?;
        let context = ParseContext::new(code, scale).with_range(start, end);
        let sent_before = self.requests_sent();
        let mut by_date = BTreeMap::new();
        let mut skipped_missing = 0;
        for (from, to) in chunks {
            let request = self
                .provider
                .signed_history_request(code, from, to, interval)?;
            let parsed = self
                .call(&request, |body| {
                    let parsed = self.provider.parse_history(body, &context)?;
                    let rows = parsed.bars.len();
                    Ok((parsed, rows))
                })
                .await?;
            if let Some(Parsed {
                bars,
                skipped_missing: skipped,
            }) = parsed
            {
                skipped_missing += skipped;
                for bar in bars {
                    by_date.insert(bar.date, bar);
                }
            }
        }
        Ok(History {
            bars: by_date.into_values().collect(),
            skipped_missing,
            requests: self.requests_sent() - sent_before,
        })
    }

    /// Sends one request through the limiter with retries, classifies the answer, and hands a
    /// data body to `parse` (which returns its value and the row count for the log).
    /// `Ok(None)` is a well-formed empty answer.
    pub async fn call<T>(
        &self,
        request: &Request,
        parse: impl Fn(&[u8]) -> Result<(T, usize), crate::provider::ProviderError>,
    ) -> Result<Option<T>, MarketDataError> {
        if let Some(waiting) = self.cooling_down() {
            return Err(waiting);
        }
        let result = self.call_inner(request, parse).await;
        match &result {
            Ok(_) => self.record_success(),
            Err(error) => self.record_error(error),
        }
        result
    }

    async fn call_inner<T>(
        &self,
        request: &Request,
        parse: impl Fn(&[u8]) -> Result<(T, usize), crate::provider::ProviderError>,
    ) -> Result<Option<T>, MarketDataError> {
        let source_id = self.id();
        let mut attempt: u32 = 0;
        loop {
            let permit = self
                .limiter
                .acquire(
                    source_id,
                    &self.limiter_key,
                    &self.config.limits,
                    self.config.max_wait,
                )
                .await?;
            self.requests_sent.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
            let answer = self.send_once(request).await;
            let latency_ms = started.elapsed().as_millis() as u64;
            if let Err(error) = self
                .limiter
                .release(&self.limiter_key, &self.config.limits, permit.ticket)
                .await
            {
                // The slot stays dated at its grant: the limit still holds as we count it.
                tracing::warn!(source = source_id, %error, "could not re-date a rate-limit slot");
            }
            let failure = match answer {
                Ok((status, _, _)) if (300..400).contains(&status) => {
                    log_call(source_id, request, &status.to_string(), latency_ms, 0);
                    AttemptError::Outcome(Outcome::Malformed {
                        description: format!(
                            "HTTP {status}: a redirect away from the configured host, not \
                             followed so that the key is sent nowhere else"
                        ),
                    })
                }
                Ok((status, headers, body)) => {
                    match self.provider.classify(status, &headers, &body) {
                        Outcome::Data => {
                            let parsed = parse(&body);
                            let rows = parsed.as_ref().map_or(0, |(_, rows)| *rows);
                            log_call(source_id, request, &status.to_string(), latency_ms, rows);
                            return Ok(Some(parsed?.0));
                        }
                        Outcome::NoData => {
                            log_call(source_id, request, &status.to_string(), latency_ms, 0);
                            return Ok(None);
                        }
                        outcome => {
                            log_call(source_id, request, &status.to_string(), latency_ms, 0);
                            AttemptError::Outcome(outcome)
                        }
                    }
                }
                Err(error) => {
                    let label = match &error {
                        AttemptError::Timeout => "timeout",
                        _ => "error",
                    };
                    log_call(source_id, request, label, latency_ms, 0);
                    error
                }
            };
            let retryable = matches!(
                failure,
                AttemptError::Timeout
                    | AttemptError::Connection(_)
                    | AttemptError::Outcome(Outcome::Upstream { .. })
            );
            if retryable && attempt < self.config.max_retries {
                tokio::time::sleep(backoff(self.config.backoff_base, attempt)).await;
                attempt += 1;
                continue;
            }
            return Err(self.error_for(failure, attempt + 1));
        }
    }

    /// One HTTP exchange, with reqwest's errors turned into key-free text.
    async fn send_once(
        &self,
        request: &Request,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), AttemptError> {
        let mut builder = self
            .http
            .get(request.url(&self.config.base_url))
            .query(&request.query);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| self.attempt_error(e, request))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.attempt_error(e, request))?;
        Ok((status, headers, body.to_vec()))
    }

    fn attempt_error(&self, error: reqwest::Error, request: &Request) -> AttemptError {
        if error.is_timeout() {
            AttemptError::Timeout
        } else {
            AttemptError::Connection(error_chain(&error.without_url(), &secret_values(request)))
        }
    }

    /// The error to answer without calling, while the provider's last throttle lasts.
    fn cooling_down(&self) -> Option<MarketDataError> {
        let mut cooldown = self.cooldown.lock().unwrap_or_else(|e| e.into_inner());
        let current = (*cooldown)?;
        let left = current.until.checked_duration_since(Instant::now());
        match left {
            Some(left) if !left.is_zero() => Some(MarketDataError::RateLimited {
                source_id: self.id().to_string(),
                message: "not asked: the provider asked us to wait".to_string(),
                retry_after: Some(Duration::from_secs(left.as_secs_f64().ceil() as u64)),
                resets_at: current.resets_at,
            }),
            _ => {
                *cooldown = None;
                None
            }
        }
    }

    /// Remembers a provider's throttle so that nothing is sent before it says.
    fn start_cooldown(&self, retry_after: Option<Duration>, resets_at: Option<DateTime<Utc>>) {
        let until_reset = resets_at.and_then(|at| (at - Utc::now()).to_std().ok());
        let Some(wait) = retry_after.max(until_reset) else {
            return;
        };
        let until = Instant::now() + wait.min(MAX_COOLDOWN);
        *self.cooldown.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Cooldown { until, resets_at });
    }

    fn error_for(&self, failure: AttemptError, attempts: u32) -> MarketDataError {
        let source_id = self.id().to_string();
        match failure {
            AttemptError::Timeout => MarketDataError::Timeout {
                source_id,
                timeout_secs: self.config.timeout.as_secs(),
                attempts,
            },
            AttemptError::Connection(message) => MarketDataError::Connection {
                source_id,
                message: format!("{message} ({attempts} attempts)"),
            },
            AttemptError::Outcome(outcome) => match outcome {
                Outcome::Throttled {
                    retry_after,
                    quota_exhausted,
                    message,
                } => {
                    // The provider's own day may not be UTC, but UTC midnight is the earliest
                    // moment a retry can make sense.
                    let resets_at = quota_exhausted.then(|| next_utc_midnight(Utc::now()));
                    self.start_cooldown(retry_after, resets_at);
                    MarketDataError::RateLimited {
                        source_id,
                        message: if message.is_empty() {
                            "throttled by the provider".to_string()
                        } else {
                            message
                        },
                        retry_after,
                        resets_at,
                    }
                }
                Outcome::BadKey { message } => MarketDataError::BadKey { source_id, message },
                Outcome::Upstream { .. } => MarketDataError::Upstream {
                    source_id,
                    message: format!("{outcome} ({attempts} attempts)"),
                },
                Outcome::Malformed { .. } => MarketDataError::Upstream {
                    source_id,
                    message: outcome.to_string(),
                },
                other => MarketDataError::Rejected {
                    source_id,
                    message: other.to_string(),
                },
            },
        }
    }
}

/// The wait before retry number `attempt + 1`: `base * 2^attempt`, times a random factor in
/// [0.5, 1.5) so that clients failing together do not retry together, capped at 10 s.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exponential = base.saturating_mul(2u32.saturating_pow(attempt.min(16)));
    let jitter: f64 = rand::random_range(0.5..1.5);
    exponential.mul_f64(jitter).min(MAX_BACKOFF)
}

/// The values of a request's credential parameters and headers, to scrub from error text.
fn secret_values(request: &Request) -> Vec<String> {
    request
        .query
        .iter()
        .chain(&request.headers)
        .filter(|(name, value)| is_secret_name(name) && !value.is_empty())
        .map(|(_, value)| value.clone())
        .collect()
}

/// An error and its causes on one line, every URL redacted and every secret masked.
fn error_chain(error: &(dyn std::error::Error + 'static), secrets: &[String]) -> String {
    let mut parts = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = inner.source();
    }
    crate::redact::scrub(&parts.join(": "), secrets)
}

/// One line in the provider-call log: never the query string, which may hold the key.
fn log_call(source_id: &str, request: &Request, status: &str, latency_ms: u64, rows: usize) {
    record_call(source_id, status, latency_ms);
    tracing::info!(
        target: PROVIDER_CALLS_TARGET,
        source = source_id,
        endpoint = request.path.as_str(),
        status,
        latency_ms,
        rows,
        "provider call"
    );
}

/// Counts the call in `commodex_provider_calls_total{source,outcome}` and its latency in
/// `commodex_provider_call_duration_seconds{source}`; the outcome is the HTTP status,
/// `timeout` or `error`.
fn record_call(source_id: &str, status: &str, latency_ms: u64) {
    let source = source_id.to_string();
    metrics::counter!(
        "commodex_provider_calls_total",
        "source" => source.clone(),
        "outcome" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("commodex_provider_call_duration_seconds", "source" => source)
        .record(latency_ms as f64 / 1000.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let base = Duration::from_millis(100);
        for _ in 0..50 {
            let first = backoff(base, 0);
            assert!(first >= Duration::from_millis(50) && first < Duration::from_millis(150));
            let third = backoff(base, 2);
            assert!(third >= Duration::from_millis(200) && third < Duration::from_millis(600));
        }
        assert_eq!(backoff(base, 30), MAX_BACKOFF);
    }

    #[test]
    fn fingerprints_are_stable_and_do_not_contain_the_key() {
        let print = key_fingerprint("SECRETKEY");
        assert_eq!(print, key_fingerprint("SECRETKEY"));
        assert_ne!(print, key_fingerprint("OTHERKEY"));
        assert!(!print.contains("SECRETKEY"));
    }
}
