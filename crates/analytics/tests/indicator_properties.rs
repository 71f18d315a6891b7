//! Properties every indicator must keep, on random OHLCV series, plus input validation.

use analytics::AnalyticsError;
use analytics::indicators::{
    Group, IndicatorSpec, KNOWN_INDICATORS, MaType, Ohlcv, bbands, cci, ema, rsi, sma, stoch, willr,
};
use proptest::prelude::*;

/// Owned OHLCV columns (built here from random steps so that low <= open, close <= high always
/// holds); the streaming tests use it too.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub(crate) open: Vec<f64>,
    pub(crate) high: Vec<f64>,
    pub(crate) low: Vec<f64>,
    pub(crate) close: Vec<f64>,
    pub(crate) volume: Vec<f64>,
}

impl Series {
    pub(crate) fn ohlcv(&self) -> Ohlcv<'_> {
        self.slice(0, self.close.len())
    }

    /// Rows `start..end` of every column.
    pub(crate) fn slice(&self, start: usize, end: usize) -> Ohlcv<'_> {
        Ohlcv {
            open: Some(&self.open[start..end]),
            high: Some(&self.high[start..end]),
            low: Some(&self.low[start..end]),
            close: &self.close[start..end],
            volume: Some(&self.volume[start..end]),
        }
    }
}

fn series(max_len: usize) -> impl Strategy<Value = Series> {
    // Steps of 0 are frequent on purpose: flat stretches exercise the zero-range paths.
    let step = prop_oneof![Just(0.0), -0.05f64..0.05];
    (
        1e-3f64..1e4,
        prop::collection::vec((step, 0.0f64..0.02, 0.0f64..0.02, 0.0f64..1e6), 0..max_len),
    )
        .prop_map(|(start, steps)| {
            let mut s = Series {
                open: vec![],
                high: vec![],
                low: vec![],
                close: vec![],
                volume: vec![],
            };
            let mut price = start;
            for (change, up, down, volume) in steps {
                let open = price;
                price *= 1.0 + change;
                s.open.push(open);
                s.close.push(price);
                s.high.push(open.max(price) * (1.0 + up));
                s.low.push(open.min(price) * (1.0 - down));
                s.volume.push(volume.floor());
            }
            s
        })
}

/// Whether a function is undefined on part of its domain, where TA-Lib (and so this crate)
/// writes NaN or an infinity after the lookback: the math transforms (`ln` of a negative,
/// `exp` overflowing), DIV by a zero low, RVOL after bars of no volume.
fn partial_domain(spec: &IndicatorSpec) -> bool {
    spec.definition().group == Group::MathTransform || matches!(spec.name(), "div" | "rvol")
}

fn default_specs() -> Vec<IndicatorSpec> {
    KNOWN_INDICATORS
        .iter()
        .map(|name| name.parse().expect("known indicator parses"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_output_has_input_length_and_nan_exactly_during_lookback(s in series(120)) {
        for spec in default_specs() {
            let outputs = spec.compute(&s.ohlcv()).unwrap();
            prop_assert_eq!(outputs.len(), spec.outputs().len());
            for output in outputs {
                prop_assert_eq!(output.len(), s.close.len(), "{}", spec);
                let lookback = spec.lookback().min(output.len());
                prop_assert!(output[..lookback].iter().all(|v| v.is_nan()), "{}", spec);
                prop_assert!(partial_domain(&spec) || output[lookback..].iter().all(|v| v.is_finite()), "{}", spec);
            }
        }
    }

    #[test]
    fn bbands_middle_band_is_the_sma_and_bands_are_symmetric(s in series(200), period in 2usize..30) {
        let (upper, middle, lower) = bbands(&s.close, period, 2.0, 2.0, MaType::Sma).unwrap();
        let average = sma(&s.close, period).unwrap();
        for i in 0..s.close.len() {
            prop_assert!(middle[i].to_bits() == average[i].to_bits() || (middle[i].is_nan() && average[i].is_nan()));
            if !middle[i].is_nan() {
                prop_assert!(upper[i] >= middle[i] && lower[i] <= middle[i]);
                let spread = (upper[i] - middle[i]) - (middle[i] - lower[i]);
                prop_assert!(spread.abs() <= 1e-9 * middle[i].abs().max(1.0));
            }
        }
    }

    #[test]
    fn bounded_oscillators_stay_in_their_ranges(s in series(200), period in 2usize..30) {
        let tolerance = 1e-9;
        for value in rsi(&s.close, period).unwrap().into_iter().filter(|v| !v.is_nan()) {
            prop_assert!((0.0..=100.0).contains(&value), "rsi {}", value);
        }
        for value in willr(&s.high, &s.low, &s.close, period).unwrap().into_iter().filter(|v| !v.is_nan()) {
            prop_assert!((-100.0..=0.0).contains(&value), "willr {}", value);
        }
        let (k, d) = stoch(&s.high, &s.low, &s.close, period, 3, MaType::Sma, 3, MaType::Sma).unwrap();
        for value in k.into_iter().chain(d).filter(|v| !v.is_nan()) {
            prop_assert!((-tolerance..=100.0 + tolerance).contains(&value), "stoch {}", value);
        }
        for name in ["mfi", "aroon", "ultosc", "adx", "stochrsi", "plus_di", "minus_di"] {
            let spec: IndicatorSpec = name.parse().unwrap();
            for output in spec.compute(&s.ohlcv()).unwrap() {
                for value in output.into_iter().filter(|v| !v.is_nan()) {
                    prop_assert!((-tolerance..=100.0 + tolerance).contains(&value), "{} {}", name, value);
                }
            }
        }
    }

    #[test]
    fn moving_averages_of_a_constant_are_that_constant(level in 1e-6f64..1e7, len in 0usize..200) {
        let flat = vec![level; len];
        for name in ["sma", "ema", "wma", "dema", "tema", "kama", "trima(10)", "t3(5)", "bbands(10)"] {
            let spec: IndicatorSpec = name.parse().unwrap();
            for output in spec.compute(&Ohlcv::from_close(&flat)).unwrap() {
                for value in output.into_iter().filter(|v| !v.is_nan()) {
                    prop_assert!((value - level).abs() <= 1e-9 * level, "{} {} vs {}", name, value, level);
                }
            }
        }
    }

    #[test]
    fn ema_stays_between_the_extremes_of_its_input(s in series(200), period in 2usize..50) {
        let lowest = s.close.iter().cloned().fold(f64::INFINITY, f64::min);
        let highest = s.close.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        for value in ema(&s.close, period).unwrap().into_iter().filter(|v| !v.is_nan()) {
            prop_assert!(value >= lowest * (1.0 - 1e-12) && value <= highest * (1.0 + 1e-12));
        }
    }
}

#[test]
fn flat_prices_give_zero_not_nan_for_range_oscillators() {
    let flat = vec![42.0; 60];
    let (high, low, close) = (&flat, &flat, &flat);
    assert!(rsi(close, 14).unwrap()[14..].iter().all(|&v| v == 0.0));
    assert!(
        willr(high, low, close, 14).unwrap()[13..]
            .iter()
            .all(|&v| v == 0.0)
    );
    assert!(
        cci(high, low, close, 14).unwrap()[13..]
            .iter()
            .all(|&v| v == 0.0)
    );
    let (k, d) = stoch(high, low, close, 5, 3, MaType::Sma, 3, MaType::Sma).unwrap();
    assert!(k[8..].iter().chain(&d[8..]).all(|&v| v == 0.0));
}

#[test]
fn nan_inside_a_series_is_rejected_naming_the_row() {
    let mut close: Vec<f64> = (0..30).map(|i| 100.0 + i as f64).collect();
    close[17] = f64::NAN;
    assert_eq!(
        rsi(&close, 14).unwrap_err(),
        AnalyticsError::InvalidInput("close has a missing or non-finite value at row 17".into())
    );
}

#[test]
fn high_below_low_is_rejected_naming_the_row() {
    let high = vec![10.0, 11.0, 9.0, 12.0];
    let low = vec![9.0, 10.0, 9.5, 11.0];
    let close = vec![9.5, 10.5, 9.2, 11.5];
    let message = willr(&high, &low, &close, 2).unwrap_err().to_string();
    assert_eq!(message, "high is below low at row 2 (9 < 9.5)");
}

#[test]
fn mismatched_lengths_are_rejected() {
    let error = willr(&[2.0, 3.0], &[1.0], &[1.5, 2.5], 2).unwrap_err();
    assert!(matches!(error, AnalyticsError::InvalidInput(_)), "{error}");
}

#[test]
fn fewer_rows_than_the_lookback_give_all_nan_not_an_error() {
    let close = [1.0, 2.0, 3.0];
    for spec in default_specs() {
        let flat = [1.0, 2.0, 3.0];
        let series = Ohlcv {
            open: Some(&flat),
            high: Some(&flat),
            low: Some(&flat),
            close: &close,
            volume: Some(&flat),
        };
        let outputs = spec.compute(&series).unwrap();
        if spec.lookback() >= close.len() {
            assert!(outputs.iter().flatten().all(|v| v.is_nan()), "{spec}");
        }
        let empty = spec.compute(&Ohlcv {
            open: Some(&[]),
            high: Some(&[]),
            low: Some(&[]),
            close: &[],
            volume: Some(&[]),
        });
        assert!(empty.unwrap().iter().all(Vec::is_empty), "{spec}");
    }
}

#[test]
fn invalid_period_in_plain_function_is_an_error_not_a_panic() {
    assert!(matches!(
        rsi(&[1.0, 2.0], 0),
        Err(AnalyticsError::InvalidParameter(_))
    ));
    assert!(matches!(
        sma(&[1.0, 2.0], 1),
        Err(AnalyticsError::InvalidParameter(_))
    ));
    assert!(matches!(
        bbands(&[1.0, 2.0], 5, f64::NAN, 2.0, MaType::Sma),
        Err(AnalyticsError::InvalidParameter(_))
    ));
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn into_variants_overwrite_a_dirty_buffer_exactly_like_the_allocating_ones(s in series(150)) {
        use analytics::indicators::{adx_into, bbands_into, cci_into, ema_into, macd_into, rsi_into, stoch_into, willr_into};
        let len = s.close.len();
        let dirty = || vec![12345.0; len];
        let (h, l, c) = (&s.high, &s.low, &s.close);

        let mut out = dirty();
        rsi_into(c, 14, &mut out).unwrap();
        prop_assert!(same_bits(&out, &rsi(c, 14).unwrap()));
        ema_into(c, 30, &mut out).unwrap();
        prop_assert!(same_bits(&out, &ema(c, 30).unwrap()));
        let mut out = dirty();
        cci_into(h, l, c, 14, &mut out).unwrap();
        prop_assert!(same_bits(&out, &cci(h, l, c, 14).unwrap()));
        let mut out = dirty();
        willr_into(h, l, c, 14, &mut out).unwrap();
        prop_assert!(same_bits(&out, &willr(h, l, c, 14).unwrap()));
        let mut out = dirty();
        adx_into(h, l, c, 14, &mut out).unwrap();
        prop_assert!(same_bits(&out, &analytics::indicators::adx(h, l, c, 14).unwrap()));

        let (mut a, mut b, mut d) = (dirty(), dirty(), dirty());
        macd_into(c, 12, 26, 9, [&mut a, &mut b, &mut d]).unwrap();
        let (x, y, z) = analytics::indicators::macd(c, 12, 26, 9).unwrap();
        prop_assert!(same_bits(&a, &x) && same_bits(&b, &y) && same_bits(&d, &z));

        let (mut a, mut b, mut d) = (dirty(), dirty(), dirty());
        bbands_into(c, (5, 2.0, 2.0, MaType::Sma), [&mut a, &mut b, &mut d]).unwrap();
        let (x, y, z) = bbands(c, 5, 2.0, 2.0, MaType::Sma).unwrap();
        prop_assert!(same_bits(&a, &x) && same_bits(&b, &y) && same_bits(&d, &z));

        let (mut a, mut b) = (dirty(), dirty());
        stoch_into(h, l, c, (5, 3, MaType::Sma, 3, MaType::Sma), [&mut a, &mut b]).unwrap();
        let (x, y) = stoch(h, l, c, 5, 3, MaType::Sma, 3, MaType::Sma).unwrap();
        prop_assert!(same_bits(&a, &x) && same_bits(&b, &y));
    }
}

#[test]
fn into_variants_reject_an_output_of_the_wrong_length() {
    let close = [1.0, 2.0, 3.0];
    let mut short = [0.0; 2];
    let error = analytics::indicators::rsi_into(&close, 2, &mut short).unwrap_err();
    assert_eq!(
        error.to_string(),
        "rsi output has 2 rows where the input has 3"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsing_any_text_returns_a_spec_or_an_error_never_panics(text in ".{0,40}") {
        let _ = text.parse::<IndicatorSpec>();
    }

    #[test]
    fn any_valid_spec_computes_on_any_series_without_panicking(
        s in series(80),
        index in 0usize..512,
        a in 1usize..40,
        b in 1usize..40,
        c in 1usize..40,
        matype in 0usize..14,
    ) {
        let name = KNOWN_INDICATORS[index % KNOWN_INDICATORS.len()];
        let candidates = [
            format!("{name}({a},{b},{c})"),
            format!("{name}({a},{b})"),
            format!("{name}({a})"),
            format!("{name}({a},{b},matype={matype})"),
            format!("{name}({a},slowd_matype={matype})"),
        ];
        for text in candidates {
            if let Ok(spec) = text.parse::<IndicatorSpec>() {
                let outputs = spec.compute(&s.ohlcv()).unwrap();
                for output in outputs {
                    prop_assert_eq!(output.len(), s.close.len());
                    let lookback = spec.lookback().min(output.len());
                    prop_assert!(output[..lookback].iter().all(|v| v.is_nan()), "{}", spec);
                    prop_assert!(partial_domain(&spec) || output[lookback..].iter().all(|v| v.is_finite()), "{}", spec);
                }
            }
        }
    }
}
