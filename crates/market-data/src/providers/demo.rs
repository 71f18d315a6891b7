//! The `demo` source: deterministic simulated prices for the whole catalog, daily history since
//! 2010 and live ticks, so that Commodex works offline with no keys. Everything it serves is
//! simulated and must be labelled so ([`SIMULATED`]).
//!
//! # Model
//! Each commodity's log-price `x` is an Ornstein–Uhlenbeck process around a moving anchor `m(t)`
//! (log-linear between the knots in `params.rs`), stepped once per business day (Mon–Fri) with
//! `dt = 1/252`:
//!
//! `x[t] = x[t-1] + κ·(m[t] − x[t-1])·dt + σ·√dt·ε[t]`, with `κ = max(σ²/(2·0.18²), 0.5)` so that
//! prices stay within about ±18% (one standard deviation) of the anchor line,
//! `ε[t] = g·G[t] + b·C[t] + √(1 − g² − b²)·η[t]`
//!
//! where `G` is one market-wide factor, `C` the commodity's category factor, `η` its own noise (all
//! standard normal), `g` = `GLOBAL_LOADING` (0.2) and `b` its category loading. So daily returns
//! have annualised volatility ≈ σ, two commodities of a category correlate ≈ `b₁b₂ + g²`, and two of
//! different categories ≈ `g²`. Mean reversion keeps prices in realistic ranges for decades.
//!
//! # Determinism
//! Every random stream is a ChaCha8 generator seeded from a fixed hash of its name (the category, the
//! symbol), and each symbol's whole path from 2010-01-01 to 2040-12-31 is generated once per process
//! and cached, so the bar of a (symbol, date) never depends on the range asked or the call order.
//! History stops at yesterday: today's bar is still forming, and [`DemoSource::tick`] walks from
//! yesterday's close towards it during the day.

mod params;

use crate::catalog::{Catalog, Category, DEMO_SOURCE};
use crate::error::MarketDataError;
use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc, Weekday};
use params::{GLOBAL_LOADING, SymbolParams, params_for};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use store::PriceBar;

/// Everything the demo source serves is simulated; APIs must say so (`"simulated": true`).
pub const SIMULATED: bool = true;

/// Trading days a year, used both to step the model and to annualise (as SPEC's metrics do).
const PERIODS_PER_YEAR: f64 = 252.0;

/// The first simulated day.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2010, 1, 1).expect("valid constant date")
}

/// The last simulated day: far enough ahead that a long-running process never runs out.
fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2040, 12, 31).expect("valid constant date")
}

/// The deterministic simulated source over a catalog's commodities.
#[derive(Debug, Clone)]
pub struct DemoSource {
    /// Upper-cased symbol → category, which picks the common factor and fallback parameters.
    categories: HashMap<String, Category>,
    /// Symbols in catalog order, for error messages.
    symbols: Vec<String>,
}

impl DemoSource {
    /// The source id, as in the catalog and configuration.
    pub const ID: &'static str = DEMO_SOURCE;

    /// A demo source offering every commodity of the catalog.
    pub fn new(catalog: &Catalog) -> Self {
        let commodities = catalog.commodities();
        Self {
            categories: commodities
                .iter()
                .map(|c| (c.symbol.clone(), c.category))
                .collect(),
            symbols: commodities.iter().map(|c| c.symbol.clone()).collect(),
        }
    }

    /// Always true: what this source serves is simulated, never market data.
    pub fn is_simulated(&self) -> bool {
        SIMULATED
    }

    /// Stores the history of `symbols` (all of the catalog's when empty) up to yesterday,
    /// writing only what is missing: a fresh data folder has demo prices with no network.
    pub async fn ensure_history(
        &self,
        store: &store::Store,
        symbols: &[&str],
    ) -> Result<(), MarketDataError> {
        let wanted: Vec<&str> = if symbols.is_empty() {
            self.symbols.iter().map(String::as_str).collect()
        } else {
            symbols.to_vec()
        };
        let yesterday = Utc::now().date_naive() - Days::new(1);
        for symbol in wanted {
            let key = store::SeriesKey::new(Self::ID, symbol, store::Interval::Daily);
            let start = match store.series_summary(&key).await? {
                // A weekend can make the last business day older than yesterday: nothing to add.
                Some(summary) if summary.last + Days::new(4) > yesterday => continue,
                Some(summary) => summary.last + Days::new(1),
                None => Self::first_date(),
            };
            let bars = self.history(symbol, start, yesterday)?;
            if !bars.is_empty() {
                store.upsert_series(&key, &bars).await?;
            }
        }
        Ok(())
    }

    /// The symbols it offers, in catalog order.
    pub fn symbols(&self) -> &[String] {
        &self.symbols
    }

    /// The first date that has a bar.
    pub fn first_date() -> NaiveDate {
        first_day()
    }

    /// Daily bars (business days) from `start` to `end` inclusive, never later than yesterday (UTC).
    pub fn history(
        &self,
        symbol: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<PriceBar>, MarketDataError> {
        if start > end {
            return Err(MarketDataError::InvalidRange { start, end });
        }
        let path = self.path(symbol)?;
        let end = end.min(last_complete_day(Utc::now()));
        let from = path.partition_point(|bar| bar.date < start);
        let to = path.partition_point(|bar| bar.date <= end);
        Ok(path.get(from..to).map(<[_]>::to_vec).unwrap_or_default())
    }

    /// The last complete daily bar (yesterday's, or Friday's at a weekend).
    pub fn latest(&self, symbol: &str) -> Result<PriceBar, MarketDataError> {
        self.latest_on(symbol, last_complete_day(Utc::now()))
    }

    /// The last bar on or before `date` (the first bar if `date` is earlier than the history).
    pub fn latest_on(&self, symbol: &str, date: NaiveDate) -> Result<PriceBar, MarketDataError> {
        let path = self.path(symbol)?;
        let index = path.partition_point(|bar| bar.date <= date).max(1) - 1;
        Ok(path[index])
    }

    /// A live price at `at`, deterministic for each (symbol, second): on a business day it moves
    /// from the previous close towards the day's close with a small random wobble, so the source
    /// "ticks" on every poll and ends the day where tomorrow's history says it closed.
    pub fn tick(&self, symbol: &str, at: DateTime<Utc>) -> Result<f64, MarketDataError> {
        let category = self.category(symbol)?;
        let symbol = symbol.trim().to_ascii_uppercase();
        let params = params_for(&symbol, category);
        let path = self.path(&symbol)?;
        let day = at.date_naive();
        let daily_volatility = params.volatility / PERIODS_PER_YEAR.sqrt();
        let seed = fnv1a(&format!("tick:{symbol}")) ^ (at.timestamp() as u64);
        let wobble: f64 = ChaCha8Rng::seed_from_u64(seed).sample(StandardNormal);

        let today = path.partition_point(|bar| bar.date < day);
        let is_trading_day = path.get(today).is_some_and(|bar| bar.date == day);
        if is_trading_day && today > 0 {
            let previous_close = path[today - 1].close.ln();
            let close = path[today].close.ln();
            let fraction = f64::from(at.num_seconds_from_midnight()) / 86_400.0;
            // A Brownian bridge's spread, largest at midday and zero at both ends of the day.
            let spread = 2.0 * (fraction * (1.0 - fraction)).sqrt();
            let log_price = previous_close
                + fraction * (close - previous_close)
                + 0.25 * daily_volatility * spread * wobble;
            Ok(log_price.exp())
        } else {
            // Markets are shut: a much smaller drift around the last close keeps the feed alive.
            let last = path[today.max(1) - 1].close;
            Ok(last * (0.05 * daily_volatility * wobble).exp())
        }
    }

    fn category(&self, symbol: &str) -> Result<Category, MarketDataError> {
        self.categories
            .get(&symbol.trim().to_ascii_uppercase())
            .copied()
            .ok_or_else(|| MarketDataError::UnknownSymbol {
                source_id: Self::ID.to_string(),
                symbol: symbol.to_string(),
                known: self.symbols.join(", "),
            })
    }

    /// The whole cached path of a symbol, generating it on first use.
    fn path(&self, symbol: &str) -> Result<Arc<Vec<PriceBar>>, MarketDataError> {
        let category = self.category(symbol)?;
        let symbol = symbol.trim().to_ascii_uppercase();
        static PATHS: OnceLock<Mutex<PathCache>> = OnceLock::new();
        let paths = PATHS.get_or_init(Default::default);
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        let mut paths = paths.lock().unwrap_or_else(PoisonError::into_inner);
        let path = paths
            .entry((symbol.clone(), category))
            .or_insert_with(|| Arc::new(simulate(&symbol, category)));
        Ok(Arc::clone(path))
    }
}

/// Generated paths by (symbol, category): the category is part of the key because a user's catalog
/// may file a symbol elsewhere, which changes its common factor.
type PathCache = HashMap<(String, Category), Arc<Vec<PriceBar>>>;

/// The last day whose bar is complete at `now`: yesterday.
fn last_complete_day(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive()
        .checked_sub_days(Days::new(1))
        .unwrap_or(NaiveDate::MIN)
}

/// Every business day of the simulation, shared by all symbols.
fn business_days() -> &'static [NaiveDate] {
    static DAYS: OnceLock<Vec<NaiveDate>> = OnceLock::new();
    DAYS.get_or_init(|| {
        first_day()
            .iter_days()
            .take_while(|d| *d <= last_day())
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .collect()
    })
}

/// The market-wide factor and one factor per category, one standard normal draw per business day.
struct Factors {
    global: Vec<f64>,
    by_category: HashMap<Category, Vec<f64>>,
}

fn factors() -> &'static Factors {
    static FACTORS: OnceLock<Factors> = OnceLock::new();
    FACTORS.get_or_init(|| {
        let days = business_days().len();
        Factors {
            global: normals("factor:global", days),
            by_category: Category::ALL
                .into_iter()
                .map(|c| (c, normals(&format!("factor:{c}"), days)))
                .collect(),
        }
    })
}

fn normals(stream: &str, count: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(fnv1a(stream));
    (0..count).map(|_| rng.sample(StandardNormal)).collect()
}

/// A symbol's whole simulated path, one OHLCV bar per business day.
fn simulate(symbol: &str, category: Category) -> Vec<PriceBar> {
    let params = params_for(symbol, category);
    let days = business_days();
    let factors = factors();
    let category_factor = &factors.by_category[&category];
    let mut rng = ChaCha8Rng::seed_from_u64(fnv1a(&format!("symbol:{symbol}")));

    let dt = 1.0 / PERIODS_PER_YEAR;
    let daily_volatility = params.volatility * dt.sqrt();
    let loading = params.loading;
    let own_loading = (1.0 - loading * loading - GLOBAL_LOADING * GLOBAL_LOADING)
        .max(0.0)
        .sqrt();

    let mut bars = Vec::with_capacity(days.len());
    let mut log_close = log_anchor(&params, days[0]);
    for (t, &date) in days.iter().enumerate() {
        // Draw all five numbers every day, so that each day consumes the stream identically.
        let own: f64 = rng.sample(StandardNormal);
        let gap: f64 = rng.sample(StandardNormal);
        let up: f64 = rng.sample(StandardNormal);
        let down: f64 = rng.sample(StandardNormal);
        let activity: f64 = rng.sample(StandardNormal);

        let shock =
            GLOBAL_LOADING * factors.global[t] + loading * category_factor[t] + own_loading * own;
        let previous = log_close;
        if t > 0 {
            let pull = params.mean_reversion() * (log_anchor(&params, date) - previous) * dt;
            log_close = previous + pull + daily_volatility * shock;
        }
        // The open gaps away from the previous close by a fraction of a day's move; high and low
        // reach beyond the open/close body by a half-normal excursion, so low ≤ open, close ≤ high.
        let log_open = previous + 0.2 * daily_volatility * gap;
        let body_high = log_open.max(log_close);
        let body_low = log_open.min(log_close);
        let high = (body_high + 0.4 * daily_volatility * up.abs()).exp();
        let low = (body_low - 0.4 * daily_volatility * down.abs()).exp();
        // Volume is lognormal around the typical level and busier on big-move days.
        let volume = (params.volume * (0.3 * activity - 0.045).exp() * (1.0 + 0.3 * shock.abs()))
            .round()
            .max(1.0);
        bars.push(PriceBar {
            date,
            open: Some(log_open.exp()),
            high: Some(high),
            low: Some(low),
            close: log_close.exp(),
            volume: Some(volume),
        });
    }
    bars
}

/// The log of the anchor level on `date`, linear in log-price between knots and flat beyond them.
fn log_anchor(params: &SymbolParams, date: NaiveDate) -> f64 {
    let year = f64::from(date.year()) + f64::from(date.ordinal0()) / 365.25;
    let anchors = params.anchors;
    let after = anchors.partition_point(|&(knot, _)| knot <= year);
    match (after.checked_sub(1).map(|i| anchors[i]), anchors.get(after)) {
        (Some((t0, p0)), Some(&(t1, p1))) => {
            let w = (year - t0) / (t1 - t0);
            (1.0 - w) * p0.ln() + w * p1.ln()
        }
        (Some((_, p)), None) | (None, Some(&(_, p))) => p.ln(),
        (None, None) => 100f64.ln(),
    }
}

/// FNV-1a: a fixed, documented hash, so seeds never change between Rust releases (std's hasher may).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> DemoSource {
        DemoSource::new(&Catalog::embedded().unwrap())
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn history_skips_weekends() {
        let bars = demo()
            .history("GOLD", date(2020, 1, 1), date(2020, 1, 31))
            .unwrap();
        assert_eq!(bars.len(), 23);
        assert!(
            bars.iter()
                .all(|b| b.date.weekday().number_from_monday() <= 5)
        );
    }

    #[test]
    fn reversed_range_is_an_error() {
        let err = demo().history("GOLD", date(2020, 2, 1), date(2020, 1, 1));
        assert!(matches!(err, Err(MarketDataError::InvalidRange { .. })));
    }

    #[test]
    fn unknown_symbol_error_names_it_and_lists_known_ones() {
        let err = demo()
            .history("UNOBTAINIUM", date(2020, 1, 1), date(2020, 2, 1))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("UNOBTAINIUM") && err.contains("GOLD") && err.contains("demo"),
            "{err}"
        );
    }

    #[test]
    fn symbols_are_case_insensitive() {
        let source = demo();
        let upper = source
            .history("WTI", date(2021, 3, 1), date(2021, 3, 5))
            .unwrap();
        let lower = source
            .history("wti", date(2021, 3, 1), date(2021, 3, 5))
            .unwrap();
        assert_eq!(upper, lower);
    }

    #[test]
    fn tick_is_deterministic_per_second_and_moves_between_seconds() {
        let source = demo();
        let at = DateTime::parse_from_rfc3339("2024-03-05T14:30:00Z")
            .unwrap()
            .to_utc();
        let later = at + chrono::Duration::seconds(5);
        assert_eq!(
            source.tick("GOLD", at).unwrap(),
            source.tick("GOLD", at).unwrap()
        );
        assert_ne!(
            source.tick("GOLD", at).unwrap(),
            source.tick("GOLD", later).unwrap()
        );
    }

    #[test]
    fn tick_stays_near_the_days_closes() {
        let source = demo();
        let day = date(2024, 3, 5);
        let previous = source.latest_on("WTI", date(2024, 3, 4)).unwrap().close;
        let close = source.latest_on("WTI", day).unwrap().close;
        let (lo, hi) = (previous.min(close) * 0.97, previous.max(close) * 1.03);
        for hour in 0..24 {
            let at = day.and_hms_opt(hour, 17, 0).unwrap().and_utc();
            let price = source.tick("WTI", at).unwrap();
            assert!(
                (lo..=hi).contains(&price),
                "{price} outside {lo}..{hi} at {hour}h"
            );
        }
    }

    #[test]
    fn weekend_tick_wobbles_around_fridays_close() {
        let source = demo();
        let friday = source.latest_on("CORN", date(2024, 3, 8)).unwrap().close;
        let at = date(2024, 3, 9).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let price = source.tick("CORN", at).unwrap();
        assert!((price / friday - 1.0).abs() < 0.01, "{price} vs {friday}");
    }

    #[test]
    fn anchor_interpolates_in_log_space() {
        let params = SymbolParams {
            anchors: &[(2010.0, 100.0), (2012.0, 400.0)],
            volatility: 0.2,
            loading: 0.5,
            volume: 1.0,
        };
        let mid = log_anchor(&params, date(2011, 1, 1)).exp();
        assert!((mid - 200.0).abs() < 1.0, "{mid}");
        assert!((log_anchor(&params, date(2030, 1, 1)).exp() - 400.0).abs() < 1e-9);
    }

    #[test]
    fn fnv1a_matches_the_reference_vector() {
        // The published FNV-1a 64-bit value for "a".
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
