//! The demo source: deterministic, long, well-formed and statistically realistic.

use chrono::NaiveDate;
use market_data::catalog::Catalog;
use market_data::providers::demo::{DemoSource, SIMULATED};
use store::PriceBar;

fn demo() -> DemoSource {
    DemoSource::new(&Catalog::embedded().unwrap())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The window the statistics are measured on: fifteen full years.
fn window(symbol: &str) -> Vec<PriceBar> {
    demo()
        .history(symbol, date(2010, 1, 1), date(2024, 12, 31))
        .unwrap()
}

fn log_returns(bars: &[PriceBar]) -> Vec<f64> {
    bars.windows(2)
        .map(|w| (w[1].close / w[0].close).ln())
        .collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn annualised_volatility(symbol: &str) -> f64 {
    let returns = log_returns(&window(symbol));
    let m = mean(&returns);
    let variance =
        returns.iter().map(|r| (r - m).powi(2)).sum::<f64>() / (returns.len() - 1) as f64;
    (variance * 252.0).sqrt()
}

fn correlation(a: &str, b: &str) -> f64 {
    let (x, y) = (log_returns(&window(a)), log_returns(&window(b)));
    assert_eq!(x.len(), y.len(), "demo series share their dates");
    let (mx, my) = (mean(&x), mean(&y));
    let cov: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn demo_is_labelled_simulated() {
    const { assert!(SIMULATED) };
    assert!(demo().is_simulated());
    assert_eq!(DemoSource::ID, "demo");
}

#[test]
fn same_range_twice_gives_identical_bars() {
    let source = demo();
    let first = source
        .history("SILVER", date(2015, 3, 1), date(2016, 3, 1))
        .unwrap();
    let second = source
        .history("SILVER", date(2015, 3, 1), date(2016, 3, 1))
        .unwrap();
    assert!(!first.is_empty());
    assert_eq!(first, second);
}

#[test]
fn a_sub_range_is_a_slice_of_a_larger_range() {
    // Ask for the small range first, from a fresh source, so no earlier call has primed it.
    let small = demo()
        .history("COFFEE", date(2018, 6, 4), date(2018, 9, 28))
        .unwrap();
    let large = demo()
        .history("COFFEE", date(2012, 1, 1), date(2022, 1, 1))
        .unwrap();
    let start = large.iter().position(|b| b.date == small[0].date).unwrap();
    assert_eq!(&large[start..start + small.len()], small.as_slice());
}

#[test]
fn a_bar_does_not_depend_on_which_symbols_were_asked_before() {
    let source = demo();
    let day = date(2019, 11, 12);
    let before = source.latest_on("BRENT", day).unwrap();
    for symbol in ["WTI", "GOLD", "CORN", "LEAN_HOGS"] {
        source
            .history(symbol, date(2010, 1, 1), date(2020, 1, 1))
            .unwrap();
    }
    assert_eq!(source.latest_on("BRENT", day).unwrap(), before);
}

#[test]
fn history_covers_more_than_ten_years_of_business_days() {
    let source = demo();
    let bars = source
        .history("GOLD", DemoSource::first_date(), date(2030, 1, 1))
        .unwrap();
    let first = bars.first().unwrap().date;
    let last = bars.last().unwrap().date;
    assert_eq!(first, date(2010, 1, 1));
    assert!((last - first).num_days() > 10 * 365, "{first}..{last}");
    assert!(bars.len() > 10 * 250);
}

#[test]
fn history_never_includes_today_or_the_future() {
    let source = demo();
    let today = chrono::Utc::now().date_naive();
    let bars = source
        .history("WTI", date(2024, 1, 1), date(2040, 1, 1))
        .unwrap();
    assert!(bars.last().unwrap().date < today);
    assert_eq!(source.latest("WTI").unwrap(), *bars.last().unwrap());
}

#[test]
fn every_bar_of_every_symbol_is_consistent_and_positive() {
    let source = demo();
    for symbol in source.symbols() {
        let bars = source
            .history(symbol, date(2010, 1, 1), date(2026, 1, 1))
            .unwrap();
        assert!(bars.len() > 4000, "{symbol}");
        assert!(
            bars.windows(2).all(|w| w[0].date < w[1].date),
            "{symbol} dates"
        );
        for bar in &bars {
            let (open, high, low) = (bar.open.unwrap(), bar.high.unwrap(), bar.low.unwrap());
            let volume = bar.volume.unwrap();
            for value in [open, high, low, bar.close, volume] {
                assert!(value.is_finite() && value > 0.0, "{symbol} {bar:?}");
            }
            assert!(low <= open && low <= bar.close, "{symbol} {bar:?}");
            assert!(high >= open && high >= bar.close, "{symbol} {bar:?}");
            assert_eq!(volume.fract(), 0.0, "{symbol} volume is whole contracts");
        }
    }
}

#[test]
fn prices_stay_in_realistic_ranges() {
    let ranges = [
        ("GOLD", 800.0, 5_000.0),
        ("SILVER", 9.0, 70.0),
        ("WTI", 10.0, 180.0),
        ("NATURAL_GAS", 0.8, 15.0),
        ("COPPER", 1.5, 7.5),
        ("WHEAT", 2.5, 17.0),
        ("CORN", 2.0, 12.0),
        ("LIVE_CATTLE", 0.5, 3.5),
    ];
    for (symbol, low, high) in ranges {
        for bar in window(symbol) {
            assert!(
                (low..=high).contains(&bar.close),
                "{symbol} closed at {} on {}",
                bar.close,
                bar.date
            );
        }
    }
}

#[test]
fn gold_rises_over_the_years_as_the_market_did() {
    let source = demo();
    let early = source.latest_on("GOLD", date(2010, 6, 30)).unwrap().close;
    let late = source.latest_on("GOLD", date(2024, 12, 31)).unwrap().close;
    assert!((900.0..1_600.0).contains(&early), "{early}");
    assert!((1_900.0..3_500.0).contains(&late), "{late}");
}

#[test]
fn realised_volatility_is_near_each_target() {
    let targets = [
        ("GOLD", 0.15),
        ("SILVER", 0.28),
        ("WTI", 0.38),
        ("BRENT", 0.35),
        ("NATURAL_GAS", 0.55),
        ("COPPER", 0.24),
        ("CORN", 0.25),
        ("WHEAT", 0.28),
        ("SOYBEANS", 0.20),
        ("LIVE_CATTLE", 0.15),
    ];
    for (symbol, target) in targets {
        let realised = annualised_volatility(symbol);
        assert!(
            (realised / target - 1.0).abs() < 0.15,
            "{symbol}: realised {realised:.3}, target {target}"
        );
    }
}

#[test]
fn commodities_of_a_category_move_together() {
    let pairs = [
        ("GOLD", "SILVER", 0.65, 0.9),
        ("WTI", "BRENT", 0.85, 1.0),
        ("CORN", "WHEAT", 0.45, 0.75),
        ("CORN", "SOYBEANS", 0.4, 0.75),
        ("LIVE_CATTLE", "FEEDER_CATTLE", 0.6, 0.9),
        ("COPPER", "ALUMINUM", 0.4, 0.8),
    ];
    for (a, b, low, high) in pairs {
        let rho = correlation(a, b);
        assert!((low..=high).contains(&rho), "{a}-{b}: {rho:.3}");
    }
}

#[test]
fn commodities_of_different_categories_barely_correlate() {
    let pairs = [
        ("GOLD", "WTI"),
        ("GOLD", "CORN"),
        ("COPPER", "WTI"),
        ("NATURAL_GAS", "WHEAT"),
        ("LEAN_HOGS", "SILVER"),
    ];
    for (a, b) in pairs {
        let rho = correlation(a, b);
        assert!(rho.abs() < 0.3, "{a}-{b}: {rho:.3}");
    }
}
