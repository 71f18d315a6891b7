//! `commodex fetch`: one series from one named source, stored, with a one-line summary.
//!
//! Only what is missing is asked for: with history stored, a fetch without `--start` asks from
//! the day after the last stored bar, and one with `--start` asks for the parts of the range
//! outside the stored span. A throttle is `rate_limited` (exit 3) and nothing is stored.

use crate::cli::FetchArgs;
use crate::config::{Settings, SourceSettings};
use anyhow::{Context, bail};
use chrono::{Days, Months, NaiveDate, Utc};
use market_data::http::{SourceClient, SourceConfig, key_fingerprint};
use market_data::provider::RateLimit;
use market_data::rate_limit::{LimitPolicy, RateLimiter, RedisLimiter};
use market_data::{Catalog, DemoSource, MarketDataError, providers};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use store::{Interval, PriceBar, SeriesKey};

/// Exit code of a fetch refused by the source's rate limit or quota, so scripts can wait and
/// try again rather than treat it as a failure of ours.
const EXIT_RATE_LIMITED: u8 = 3;

/// The prefix of every Redis key the command line's limiter writes.
const REDIS_PREFIX: &str = "commodex";

/// How long a fetch waits for a rate-limit slot before giving up as `rate_limited`.
const MAX_SLOT_WAIT: Duration = Duration::from_secs(60);

/// Fetches, stores and prints the summary.
pub async fn run(settings: &Settings, args: FetchArgs) -> anyhow::Result<ExitCode> {
    match fetch(settings, &args).await {
        Ok(summary) => {
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => match error.downcast_ref::<MarketDataError>() {
            Some(inner) if inner.is_rate_limited() => {
                eprintln!("error: {inner}; nothing stored");
                Ok(ExitCode::from(EXIT_RATE_LIMITED))
            }
            _ => Err(error),
        },
    }
}

/// What one fetch did, printed as one line.
struct Summary {
    key: SeriesKey,
    ranges: Vec<(NaiveDate, NaiveDate)>,
    new: u64,
    updated: u64,
    unchanged: u64,
    skipped_missing: usize,
    requests: u32,
    quota_left: Option<u32>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let asked = if self.ranges.is_empty() {
            "already stored".to_string()
        } else {
            self.ranges
                .iter()
                .map(|(start, end)| format!("{start}..{end}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "fetched {} ({asked}): rows new {}, updated {}, unchanged {}; skipped missing {}; requests {}; quota left {}",
            self.key,
            self.new,
            self.updated,
            self.unchanged,
            self.skipped_missing,
            self.requests,
            self.quota_left
                .map_or_else(|| "unlimited".to_string(), |q| q.to_string())
        )
    }
}

async fn fetch(settings: &Settings, args: &FetchArgs) -> anyhow::Result<Summary> {
    let source = args.source.trim().to_ascii_lowercase();
    let symbol = args.symbol.trim().to_ascii_uppercase();
    let catalog = Catalog::embedded()?;
    let (_, entry) = catalog.require(&source, &symbol)?;
    let interval: Interval = match &args.interval {
        Some(text) => text
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--interval: {e}"))?,
        None => entry.interval,
    };
    let start_flag = super::parse_date_flag("--start", args.start.as_deref())?;
    let end = super::parse_date_flag("--end", args.end.as_deref())?
        .unwrap_or_else(|| Utc::now().date_naive());
    if let Some(start) = start_flag
        && start > end
    {
        bail!("--start {start} is after --end {end}");
    }
    let source_settings = settings
        .sources
        .get(&source)
        .with_context(|| format!("source {source} has no [sources.{source}] settings"))?;
    if !source_settings.enabled {
        bail!("config: source {source} is disabled (sources.{source}.enabled = false)");
    }

    let store = super::open_store(settings).await?;
    let key = SeriesKey::new(&source, &symbol, interval);
    let stored = store
        .series_summary(&key)
        .await?
        .map(|summary| (summary.first, summary.last));
    let start = start_flag.unwrap_or_else(|| default_start(&source, end));
    let ranges = missing_ranges(start, end, stored, start_flag.is_some());

    let (bars, skipped_missing, requests, quota_left) = if ranges.is_empty() {
        (Vec::new(), 0, 0, None)
    } else if source == DemoSource::ID {
        if interval != Interval::Daily {
            bail!("demo offers daily data only, not {interval}");
        }
        let demo = DemoSource::new(&catalog);
        let mut bars = Vec::new();
        for (from, to) in &ranges {
            bars.extend(demo.history(&symbol, *from, *to)?);
        }
        (bars, 0, 0, None)
    } else {
        let client = source_client(settings, &source, source_settings).await?;
        let mut bars: Vec<PriceBar> = Vec::new();
        let mut skipped = 0;
        // Every range is fetched before anything is stored: a throttle halfway stores nothing.
        for (from, to) in &ranges {
            let history = client
                .history(&entry.code, entry.scale, *from, *to, interval)
                .await?;
            skipped += history.skipped_missing;
            bars.extend(history.bars);
        }
        let health = client.health().await;
        (bars, skipped, client.requests_sent(), health.quota_left)
    };

    let counts = if bars.is_empty() {
        store::UpsertCounts::default()
    } else {
        store.upsert_series(&key, &bars).await?
    };
    store.close().await;
    Ok(Summary {
        key,
        ranges,
        new: counts.new,
        updated: counts.updated,
        unchanged: counts.unchanged,
        skipped_missing,
        requests,
        quota_left,
    })
}

/// The client of an HTTP source from its settings: key, base URL, limits (configured, else the
/// provider's free-tier defaults), timeout, retries, and the shared limiter when Redis is set.
async fn source_client(
    settings: &Settings,
    source: &str,
    source_settings: &SourceSettings,
) -> anyhow::Result<SourceClient> {
    let api_key = source_settings
        .api_key
        .as_ref()
        .map(|k| k.expose().to_string())
        .filter(|k| !k.trim().is_empty())
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
    config.max_wait = MAX_SLOT_WAIT;
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
    let limiter = match &settings.redis.url {
        Some(url) => RateLimiter::Redis(RedisLimiter::connect(url, REDIS_PREFIX).await?),
        None => RateLimiter::in_process(),
    };
    Ok(SourceClient::new(
        provider,
        &key_fingerprint(&api_key),
        config,
        Arc::new(limiter),
    )?)
}

/// Where "everything the provider offers" starts when `--start` is not given: Alpha Vantage
/// sends its whole series in one call whatever the range; FMP's free plan keeps 5 years;
/// CommodityPriceAPI pays one call per 30 days, so a month; API Ninjas one year.
fn default_start(source: &str, end: NaiveDate) -> NaiveDate {
    let months = match source {
        "alpha_vantage" => return NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(end),
        "fmp" | "demo" => 60,
        "commodity_price_api" => 1,
        _ => 12,
    };
    end.checked_sub_months(Months::new(months)).unwrap_or(end)
}

/// The parts of `start..=end` to ask for, given the stored span `first..=last`. Without an
/// explicit start, only what follows the last stored bar: the provider's oldest date is unknown,
/// and asking again for the years before the first stored bar would spend the quota every time.
fn missing_ranges(
    start: NaiveDate,
    end: NaiveDate,
    stored: Option<(NaiveDate, NaiveDate)>,
    explicit_start: bool,
) -> Vec<(NaiveDate, NaiveDate)> {
    let Some((first, last)) = stored else {
        return vec![(start, end)];
    };
    let mut ranges = Vec::new();
    if explicit_start && start < first {
        let before_end = (first - Days::new(1)).min(end);
        ranges.push((start, before_end));
    }
    let after_start = (last + Days::new(1)).max(start);
    if after_start <= end {
        ranges.push((after_start, end));
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn nothing_stored_asks_for_the_whole_range() {
        assert_eq!(
            missing_ranges(d("2025-01-01"), d("2025-03-01"), None, true),
            [(d("2025-01-01"), d("2025-03-01"))]
        );
    }

    #[test]
    fn stored_history_is_not_asked_for_again() {
        let stored = Some((d("2025-02-01"), d("2025-02-20")));
        assert_eq!(
            missing_ranges(d("2025-01-01"), d("2025-03-01"), stored, true),
            [
                (d("2025-01-01"), d("2025-01-31")),
                (d("2025-02-21"), d("2025-03-01"))
            ]
        );
        assert!(missing_ranges(d("2025-02-05"), d("2025-02-10"), stored, true).is_empty());
        assert_eq!(
            missing_ranges(d("2020-01-01"), d("2025-03-01"), stored, false),
            [(d("2025-02-21"), d("2025-03-01"))]
        );
    }
}
