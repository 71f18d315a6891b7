//! `commodex fetch`: one series from one named source, stored, with a one-line summary.
//!
//! Only what is missing is asked for: with history stored, a fetch without `--start` asks from
//! the day after the last stored bar, and one with `--start` asks for the parts of the range
//! outside the stored span; either way it also asks for the widest few holes inside the stored
//! span that a closed market does not explain ([`market_data::backfill::holes`]). A throttle
//! is `rate_limited` (exit 3) and nothing is stored.

use crate::cli::FetchArgs;
use crate::config::Settings;
use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use market_data::backfill::{MAX_HOLES_PER_FETCH, default_start, holes, missing_ranges};
use market_data::{Catalog, DemoSource, MarketDataError};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use store::{Interval, PriceBar, SeriesKey};

/// Exit code of a fetch refused by the source's rate limit or quota, so scripts can wait and
/// try again rather than treat it as a failure of ours.
const EXIT_RATE_LIMITED: u8 = 3;

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
    /// Holes inside the stored span left for a later fetch.
    holes_left: usize,
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
        )?;
        if self.holes_left > 0 {
            write!(
                f,
                "; {} more gaps in the stored history left for the next fetch",
                self.holes_left
            )?;
        }
        Ok(())
    }
}

async fn fetch(settings: &Settings, args: &FetchArgs) -> anyhow::Result<Summary> {
    let series = &args.series;
    let source = series.source.trim().to_ascii_lowercase();
    let symbol = series.symbol.trim().to_ascii_uppercase();
    let catalog = Catalog::embedded()?;
    let (_, entry) = catalog.require(&source, &symbol)?;
    let interval = series.interval.unwrap_or(entry.interval);
    let (start_flag, end_flag) = series.range()?;
    let end = end_flag.unwrap_or_else(|| Utc::now().date_naive());
    if let Some(start) = start_flag
        && start > end
    {
        bail!("--start {start} is after today, {end}");
    }
    let descriptor = market_data::sources::descriptor(&source).with_context(|| {
        format!(
            "unknown source '{source}': expected one of {}",
            market_data::sources::ids_text()
        )
    })?;
    let defaults = market_data::SourceSettings::default();
    let source_settings = settings.sources.get(&source).unwrap_or(&defaults);
    if !source_settings.enabled {
        bail!("config: source {source} is disabled (sources.{source}.enabled = false)");
    }

    let store = server::startup::open_store(settings).await?;
    let key = SeriesKey::new(&source, &symbol, interval);
    let stored = store
        .series_summary(&key)
        .await?
        .map(|summary| (summary.first, summary.last));
    let start = start_flag.unwrap_or_else(|| default_start(&source, end));
    let mut ranges = missing_ranges(start, end, stored, start_flag.is_some());
    let mut holes_left = 0;
    if stored.is_some() {
        let dates: Vec<NaiveDate> = store
            .prices(&key, start_flag, Some(end))
            .await?
            .iter()
            .map(|bar| bar.date)
            .collect();
        let (inside, more) = holes(&dates, interval, MAX_HOLES_PER_FETCH);
        ranges.extend(inside);
        ranges.sort_unstable();
        holes_left = more;
    }

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
        let limiter = Arc::new(server::startup::limiter(settings).await?);
        let client = market_data::sources::source_client(
            descriptor,
            source_settings,
            limiter,
            MAX_SLOT_WAIT,
        )?;
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
        holes_left,
        new: counts.new,
        updated: counts.updated,
        unchanged: counts.unchanged,
        skipped_missing,
        requests,
        quota_left,
    })
}
