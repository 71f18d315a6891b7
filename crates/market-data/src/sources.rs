//! Who each source is, said once: one [`SourceDescriptor`] per source (id, default base URL,
//! where its key goes, its free tier's limits, how far back a fetch reaches without a start
//! date) and [`ALL`], the one list of them. Configuration only overrides a descriptor
//! ([`SourceSettings`]); clients and the registry of a process are built here from both.

use crate::error::MarketDataError;
use crate::http::{SourceClient, SourceConfig, key_fingerprint};
use crate::limits::{Limits, RateLimit};
use crate::provider::Provider;
use crate::providers::{alpha_vantage, api_ninjas, commodity_price_api, fmp};
use crate::rate_limit::{LimitPolicy, RateLimiter};
use crate::registry::SourceRegistry;
use crate::secret::{ApiKey, KeyPlacement, Secret};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How far back "everything the provider offers" reaches when a fetch names no start date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultHistory {
    /// The whole series comes in one call whatever the range: ask from the earliest date.
    Everything,
    /// This many months before the end: what the free plan keeps, or what is worth its calls.
    Months(u32),
}

/// A date in a `const` (a descriptor's); the calendar dates written here are all valid.
pub const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => NaiveDate::MIN,
    }
}

/// The floor of the sources that keep what was imported or generated: any date a price file
/// can carry with a four-digit year.
pub const STORED_EARLIEST: NaiveDate = date(1, 1, 1);

/// The floor of the providers whose documentation gives none: no commodity has exchange
/// prices before it.
pub const PROVIDER_EARLIEST: NaiveDate = date(1900, 1, 1);

/// One source, as every part of Commodex knows it.
#[derive(Debug)]
pub struct SourceDescriptor {
    /// The id in config, the database and the API (`alpha_vantage`, `csv`...).
    pub id: &'static str,
    /// Where its API lives; `None` for the sources not reached over HTTP (`demo`, `csv`).
    pub base_url: Option<&'static str>,
    /// Where its key goes; `None` when it needs no key.
    pub key: Option<KeyPlacement>,
    /// The free tier's limits, used unless configuration overrides them.
    pub limits: Limits,
    /// How far back a fetch without a start date reaches.
    pub default_history: DefaultHistory,
    /// The earliest date it can have prices for: requests are bounded to start no earlier, so
    /// a client's year 1000 (or -200000) costs no request and no date arithmetic overflows.
    pub earliest: NaiveDate,
    /// Whether its prices are simulated (only `demo`).
    pub simulated: bool,
    /// Builds its provider signed with a key; `None` for sources not reached over HTTP.
    pub provider: Option<fn(ApiKey) -> Arc<dyn Provider>>,
}

impl SourceDescriptor {
    /// Whether it is reached over HTTP (and so has a provider and needs a key).
    pub fn is_http(&self) -> bool {
        self.provider.is_some()
    }

    /// Where a fetch without a start date begins, for a fetch ending on `end`; never before
    /// [`SourceDescriptor::earliest`].
    pub fn default_start(&self, end: NaiveDate) -> NaiveDate {
        self.unbounded_default_start(end).max(self.earliest)
    }

    fn unbounded_default_start(&self, end: NaiveDate) -> NaiveDate {
        match self.default_history {
            DefaultHistory::Everything => self.earliest,
            DefaultHistory::Months(months) => {
                end.checked_sub_months(Months::new(months)).unwrap_or(end)
            }
        }
    }
}

/// The earliest date `source_id` can have prices for ([`SourceDescriptor::earliest`]); for
/// `auto` or a source Commodex does not know, [`STORED_EARLIEST`].
pub fn earliest(source_id: &str) -> NaiveDate {
    descriptor(source_id).map_or(STORED_EARLIEST, |source| source.earliest)
}

/// The sources of imported files: stored data only, nothing to fetch.
pub const CSV: SourceDescriptor = SourceDescriptor {
    id: "csv",
    base_url: None,
    key: None,
    limits: Limits {
        rate_limit: None,
        daily_quota: None,
    },
    default_history: DefaultHistory::Months(12),
    earliest: STORED_EARLIEST,
    simulated: false,
    provider: None,
};

/// Deterministic simulated prices for the whole catalog: the offline default.
pub const DEMO: SourceDescriptor = SourceDescriptor {
    id: crate::catalog::DEMO_SOURCE,
    base_url: None,
    key: None,
    limits: Limits {
        rate_limit: None,
        daily_quota: None,
    },
    default_history: DefaultHistory::Months(60),
    earliest: STORED_EARLIEST,
    simulated: true,
    provider: None,
};

/// Every source, in the order the fallback tiers try them and `GET /api/v1/sources` lists
/// them: the providers, then `csv`, then `demo`.
pub const ALL: [&SourceDescriptor; 6] = [
    &alpha_vantage::DESCRIPTOR,
    &fmp::DESCRIPTOR,
    &commodity_price_api::DESCRIPTOR,
    &api_ninjas::DESCRIPTOR,
    &CSV,
    &DEMO,
];

/// The descriptor of `id`, if it is a source Commodex knows.
pub fn descriptor(id: &str) -> Option<&'static SourceDescriptor> {
    ALL.iter().copied().find(|source| source.id == id)
}

/// Every source id, in [`ALL`]'s order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|source| source.id)
}

/// Every source id, comma-separated, for messages that say what was expected.
pub fn ids_text() -> String {
    ids().collect::<Vec<_>>().join(", ")
}

/// The provider of an HTTP source signed with `api_key`; `None` for other ids.
pub fn http_provider(id: &str, api_key: &str) -> Option<Arc<dyn Provider>> {
    let descriptor = descriptor(id)?;
    let build = descriptor.provider?;
    let placement = descriptor.key?;
    Some(build(ApiKey::new(api_key, placement)))
}

/// One source's section of the configuration: each value left out keeps the descriptor's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceSettings {
    /// Whether the source is used at all.
    pub enabled: bool,
    /// The provider's key.
    pub api_key: Option<Secret>,
    /// Where its API lives (tests and proxies point it elsewhere); the descriptor's otherwise.
    pub base_url: Option<String>,
    /// At most this many requests in any window of the period; the free tier's otherwise.
    pub rate_limit: Option<RateLimit>,
    /// At most this many requests a day; the free tier's otherwise.
    pub daily_quota: Option<u32>,
    /// A request taking longer fails as a timeout.
    pub timeout_secs: u64,
    /// Retries of a 5xx or a timeout before moving on.
    pub max_retries: u32,
}

impl Default for SourceSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            api_key: None,
            base_url: None,
            rate_limit: None,
            daily_quota: None,
            timeout_secs: 10,
            max_retries: 2,
        }
    }
}

impl SourceSettings {
    /// The API key, unless it is absent or blank (an empty `COMMODEX_..._API_KEY=` is no key).
    pub fn api_key(&self) -> Option<&str> {
        self.api_key
            .as_ref()
            .filter(|key| !key.is_blank())
            .map(Secret::expose)
    }

    /// The limits in force: configured, else the descriptor's.
    pub fn limits(&self, descriptor: &SourceDescriptor) -> Limits {
        Limits {
            rate_limit: self.rate_limit.or(descriptor.limits.rate_limit),
            daily_quota: self.daily_quota.or(descriptor.limits.daily_quota),
        }
    }

    /// The base URL in force: configured, else the descriptor's.
    pub fn base_url<'a>(&'a self, descriptor: &'a SourceDescriptor) -> Option<&'a str> {
        self.base_url.as_deref().or(descriptor.base_url)
    }

    /// Whether the source has what it needs to be called: enabled, and a key if it needs one.
    pub fn is_configured(&self, descriptor: &SourceDescriptor) -> bool {
        self.enabled && (descriptor.key.is_none() || self.api_key().is_some())
    }
}

/// The client of an HTTP source from its descriptor and settings; `max_wait` bounds each
/// call's wait for a rate-limit slot.
pub fn source_client(
    descriptor: &'static SourceDescriptor,
    settings: &SourceSettings,
    limiter: Arc<RateLimiter>,
    max_wait: Duration,
) -> Result<SourceClient, MarketDataError> {
    let source_id = descriptor.id.to_string();
    let (Some(build), Some(placement)) = (descriptor.provider, descriptor.key) else {
        return Err(MarketDataError::Transport {
            source_id,
            message: "it is not reached over HTTP".to_string(),
        });
    };
    let api_key = settings
        .api_key()
        .ok_or_else(|| MarketDataError::MissingKey {
            source_id: source_id.clone(),
        })?;
    let base_url = settings
        .base_url(descriptor)
        .ok_or_else(|| MarketDataError::Transport {
            source_id: source_id.clone(),
            message: format!("sources.{source_id}.base_url is not set"),
        })?;
    let mut config = SourceConfig::new(base_url);
    config.timeout = Duration::from_secs(settings.timeout_secs.max(1));
    config.max_retries = settings.max_retries;
    config.max_wait = max_wait;
    let limits = settings.limits(descriptor);
    config.limits = LimitPolicy {
        window: limits.rate_limit,
        daily_quota: limits.daily_quota,
    };
    SourceClient::new(
        build(ApiKey::new(api_key, placement)),
        &key_fingerprint(api_key),
        config,
        limiter,
    )
}

/// Every HTTP source of a process: a client for each enabled one with a key, the reason for
/// the others. A source without a section of its own takes [`SourceSettings::default`].
pub fn registry(
    settings: &BTreeMap<String, SourceSettings>,
    limiter: &Arc<RateLimiter>,
    max_wait: Duration,
) -> SourceRegistry {
    let mut registry = SourceRegistry::new();
    let defaults = SourceSettings::default();
    for descriptor in ALL.iter().copied().filter(|source| source.is_http()) {
        let id = descriptor.id;
        let source_settings = settings.get(id).unwrap_or(&defaults);
        if !source_settings.enabled {
            registry.add_unavailable(id, format!("disabled (sources.{id}.enabled = false)"));
            continue;
        }
        match source_client(descriptor, source_settings, Arc::clone(limiter), max_wait) {
            Ok(client) => registry.add_client(client),
            // The error names the setting to fix and never the key.
            Err(error) => registry.add_unavailable(id, error.to_string()),
        }
    }
    registry
}

/// The settings every source starts from: a section per source, each value the descriptor's.
pub fn default_settings() -> BTreeMap<String, SourceSettings> {
    ids()
        .map(|id| (id.to_string(), SourceSettings::default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_listed_once_and_found() {
        let ids: Vec<&str> = ids().collect();
        for id in &ids {
            assert_eq!(ids.iter().filter(|other| *other == id).count(), 1, "{id}");
            assert_eq!(descriptor(id).unwrap().id, *id);
        }
        assert!(descriptor("nope").is_none());
    }

    #[test]
    fn http_sources_have_a_base_url_a_key_place_and_a_provider_of_their_id() {
        for descriptor in ALL.iter().filter(|source| source.is_http()) {
            assert!(descriptor.base_url.is_some(), "{}", descriptor.id);
            let provider = http_provider(descriptor.id, "K").unwrap();
            assert_eq!(provider.id(), descriptor.id);
            assert_eq!(provider.default_limits(), descriptor.limits);
        }
        assert!(http_provider("demo", "K").is_none());
        assert!(http_provider("csv", "K").is_none());
    }

    #[test]
    fn settings_override_the_descriptor_only_where_given() {
        let fmp = descriptor("fmp").unwrap();
        let mut settings = SourceSettings::default();
        assert_eq!(settings.limits(fmp), fmp.limits);
        assert_eq!(settings.base_url(fmp), fmp.base_url);
        settings.daily_quota = Some(10);
        settings.base_url = Some("http://127.0.0.1:1".to_string());
        assert_eq!(settings.limits(fmp).daily_quota, Some(10));
        assert_eq!(settings.limits(fmp).rate_limit, fmp.limits.rate_limit);
        assert_eq!(settings.base_url(fmp), Some("http://127.0.0.1:1"));
    }

    #[test]
    fn a_blank_key_is_no_key() {
        let settings = SourceSettings {
            api_key: Some(Secret::new("  ")),
            ..SourceSettings::default()
        };
        assert_eq!(settings.api_key(), None);
        assert!(!settings.is_configured(descriptor("fmp").unwrap()));
        assert!(settings.is_configured(descriptor("demo").unwrap()));
    }

    #[test]
    fn registry_says_why_a_source_has_no_client_without_the_key() {
        let limiter = Arc::new(RateLimiter::in_process());
        let mut settings = default_settings();
        settings.get_mut("fmp").unwrap().api_key = Some(Secret::new("SECRET-K"));
        settings.get_mut("api_ninjas").unwrap().enabled = false;
        let registry = registry(&settings, &limiter, Duration::from_secs(1));
        assert!(registry.client("fmp").is_some());
        let missing = registry.unavailable_reason("alpha_vantage").unwrap();
        assert!(missing.contains("needs an API key"), "{missing}");
        let disabled = registry.unavailable_reason("api_ninjas").unwrap();
        assert!(disabled.contains("disabled"), "{disabled}");
    }
}
