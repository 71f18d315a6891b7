//! The `demo` source's live feed: a new simulated price for every commodity on every poll, and
//! the bars the poller stores (today's forming bar, and yesterday's once the day has turned).

use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc, Weekday};
use market_data::{Catalog, DemoSource};
use std::collections::HashMap;
use store::PriceBar;

/// One live price.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveQuote {
    /// Our symbol.
    pub symbol: String,
    /// The price now.
    pub price: f64,
    /// The last complete day's close, against which change is reported.
    pub previous_close: Option<f64>,
    /// The bar to store for today, when today is a trading day.
    pub today: Option<PriceBar>,
}

/// The demo ticker, remembering each day's running high and low.
pub struct DemoTicker {
    demo: DemoSource,
    /// Symbol → (day, high, low) of the prices seen today.
    ranges: HashMap<String, (NaiveDate, f64, f64)>,
    /// The last day whose complete bars have been handed out for storing.
    completed_through: Option<NaiveDate>,
}

impl DemoTicker {
    /// A ticker over every commodity of `catalog`.
    pub fn new(catalog: &Catalog) -> Self {
        Self {
            demo: DemoSource::new(catalog),
            ranges: HashMap::new(),
            completed_through: None,
        }
    }

    /// The prices of every symbol at `at`.
    pub fn quotes(&mut self, at: DateTime<Utc>) -> Vec<LiveQuote> {
        let day = at.date_naive();
        let trading_day = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let yesterday = day.checked_sub_days(Days::new(1)).unwrap_or(day);
        let mut quotes = Vec::with_capacity(self.demo.symbols().len());
        for symbol in self.demo.symbols().to_vec() {
            let Ok(price) = self.demo.tick(&symbol, at) else {
                continue;
            };
            let previous_close = self
                .demo
                .latest_on(&symbol, yesterday)
                .ok()
                .map(|b| b.close);
            let today = trading_day.then(|| {
                // The day's open is known in the morning; the high and low are those seen so far,
                // and the volume is the day's in proportion to the part of it gone by (so that
                // the forming bar has every column the completed ones have, and volume
                // indicators keep working on a range that ends today).
                let day_bar = self
                    .demo
                    .latest_on(&symbol, day)
                    .ok()
                    .filter(|bar| bar.date == day);
                let open = day_bar.and_then(|bar| bar.open).unwrap_or(price);
                let elapsed = f64::from(at.num_seconds_from_midnight()) / 86_400.0;
                let volume = day_bar
                    .and_then(|bar| bar.volume)
                    .map(|v| (v * elapsed).round());
                let range = self.ranges.entry(symbol.clone()).or_insert((
                    day,
                    open.max(price),
                    open.min(price),
                ));
                if range.0 != day {
                    *range = (day, open.max(price), open.min(price));
                }
                range.1 = range.1.max(price);
                range.2 = range.2.min(price);
                PriceBar {
                    date: day,
                    open: Some(open),
                    high: Some(range.1),
                    low: Some(range.2),
                    close: price,
                    volume,
                }
            });
            quotes.push(LiveQuote {
                symbol,
                price,
                previous_close,
                today,
            });
        }
        quotes
    }

    /// The complete bars of the last week up to yesterday, once per day (on the first poll and
    /// when the date turns): they replace the forming bars stored during those days.
    pub fn completed_bars(&mut self, at: DateTime<Utc>) -> Vec<(String, Vec<PriceBar>)> {
        let yesterday = at
            .date_naive()
            .checked_sub_days(Days::new(1))
            .unwrap_or(NaiveDate::MIN);
        if self.completed_through == Some(yesterday) {
            return Vec::new();
        }
        self.completed_through = Some(yesterday);
        let from = yesterday
            .checked_sub_days(Days::new(7))
            .unwrap_or(yesterday);
        self.demo
            .symbols()
            .iter()
            .filter_map(|symbol| {
                let bars = self.demo.history(symbol, from, yesterday).ok()?;
                (!bars.is_empty()).then(|| (symbol.clone(), bars))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticker() -> DemoTicker {
        DemoTicker::new(&Catalog::embedded().unwrap())
    }

    #[test]
    fn every_symbol_ticks_and_todays_bar_spans_the_prices_seen() {
        let mut ticker = ticker();
        let first = "2026-11-25T10:00:00Z".parse().unwrap();
        let second = "2026-11-25T10:00:07Z".parse().unwrap();
        let a = ticker.quotes(first);
        let b = ticker.quotes(second);
        assert_eq!(a.len(), 34);
        let (earlier, later_quote) = (&a[0], &b[0]);
        assert_eq!(earlier.symbol, later_quote.symbol);
        assert_ne!(earlier.price, later_quote.price);
        let bar = later_quote.today.unwrap();
        assert_eq!(bar.close, later_quote.price);
        assert!(bar.high.unwrap() >= earlier.price.max(later_quote.price));
        assert!(bar.low.unwrap() <= earlier.price.min(later_quote.price));
        assert!(later_quote.previous_close.is_some());
    }

    #[test]
    fn the_forming_bar_has_a_volume_that_grows_through_the_day() {
        let mut ticker = ticker();
        let morning = ticker.quotes("2026-11-25T06:00:00Z".parse().unwrap());
        let evening = ticker.quotes("2026-11-25T18:00:00Z".parse().unwrap());
        let (early, late) = (
            morning[0].today.unwrap().volume.unwrap(),
            evening[0].today.unwrap().volume.unwrap(),
        );
        assert!(early > 0.0 && late > early, "{early} then {late}");
    }

    #[test]
    fn nothing_is_stored_on_a_weekend() {
        let saturday = "2026-11-28T10:00:00Z".parse().unwrap();
        assert!(ticker().quotes(saturday).iter().all(|q| q.today.is_none()));
    }

    #[test]
    fn completed_bars_come_once_a_day() {
        let mut ticker = ticker();
        let morning = "2026-11-25T08:00:00Z".parse().unwrap();
        let later = "2026-11-25T18:00:00Z".parse().unwrap();
        let next_day = "2026-11-26T08:00:00Z".parse().unwrap();
        let bars = ticker.completed_bars(morning);
        assert_eq!(bars.len(), 34);
        assert!(
            bars.iter().all(|(_, bars)| bars.last().unwrap().date
                == NaiveDate::from_ymd_opt(2026, 11, 24).unwrap())
        );
        assert!(ticker.completed_bars(later).is_empty());
        assert_eq!(ticker.completed_bars(next_day).len(), 34);
    }
}
