//! The HTTP sources built from the settings, shared by `fetch` and `serve`: one client per
//! provider with a key, all on one rate limiter (in-process, or Redis under the configured
//! prefix so that every instance and every `commodex fetch` spend the same budget).

use crate::config::{Settings, SourceSettings};
use anyhow::Context;
use market_data::http::{SourceClient, SourceConfig, key_fingerprint};
use market_data::provider::RateLimit;
use market_data::rate_limit::{LimitPolicy, RateLimiter, RedisLimiter};
use market_data::registry::SourceRegistry;
use market_data::{MarketDataError, providers};
use std::sync::Arc;
use std::time::Duration;

/// The limiter of this process: shared through Redis when it is configured.
pub async fn limiter(settings: &Settings) -> anyhow::Result<Arc<RateLimiter>> {
    Ok(Arc::new(match &settings.redis.url {
        Some(url) => RateLimiter::Redis(
            RedisLimiter::connect(url, &settings.redis.key_prefix)
                .await
                .with_context(|| format!("redis.url '{}'", store::redact_url(url)))?,
        ),
        None => RateLimiter::in_process(),
    }))
}

/// The client of an HTTP source from its settings: key, base URL, limits (configured, else the
/// provider's free-tier defaults), timeout, retries; `max_wait` bounds the wait for a slot.
pub fn source_client(
    source: &str,
    source_settings: &SourceSettings,
    limiter: Arc<RateLimiter>,
    max_wait: Duration,
) -> anyhow::Result<SourceClient> {
    let api_key = source_settings
        .api_key()
        .map(str::to_string)
        .ok_or_else(|| MarketDataError::MissingKey {
            source_id: source.to_string(),
        })?;
    let provider = providers::http_provider(source, &api_key)
        .with_context(|| format!("source {source} cannot be fetched over HTTP"))?;
    let defaults = provider.default_limits();
    let base_url = source_settings
        .base_url
        .clone()
        .or_else(|| providers::default_base_url(source).map(str::to_string))
        .with_context(|| format!("config: sources.{source}.base_url is not set"))?;
    let mut config = SourceConfig::new(base_url);
    config.timeout = Duration::from_secs(source_settings.timeout_secs.max(1));
    config.max_retries = source_settings.max_retries;
    config.max_wait = max_wait;
    config.limits = LimitPolicy {
        window: source_settings
            .rate_limit
            .map(|r| RateLimit {
                max_requests: r.requests,
                per: Duration::from_secs(r.per_secs),
            })
            .or(defaults.rate_limit),
        daily_quota: source_settings.daily_quota.or(defaults.daily_quota),
    };
    Ok(SourceClient::new(
        provider,
        &key_fingerprint(&api_key),
        config,
        limiter,
    )?)
}

/// Every HTTP source: a client for each enabled one with a key, the reason for the others.
/// `max_wait` bounds each client's wait for a rate-limit slot.
pub fn registry(
    settings: &Settings,
    limiter: &Arc<RateLimiter>,
    max_wait: Duration,
) -> SourceRegistry {
    let mut registry = SourceRegistry::new();
    for source in providers::HTTP_SOURCE_IDS {
        let Some(source_settings) = settings.sources.get(source) else {
            registry.add_unavailable(source, format!("no [sources.{source}] settings"));
            continue;
        };
        if !source_settings.enabled {
            registry.add_unavailable(
                source,
                format!("disabled (sources.{source}.enabled = false)"),
            );
            continue;
        }
        match source_client(source, source_settings, Arc::clone(limiter), max_wait) {
            Ok(client) => registry.add_client(client),
            // The error names the setting to fix and never the key.
            Err(error) => registry.add_unavailable(source, format!("{error:#}")),
        }
    }
    registry
}
