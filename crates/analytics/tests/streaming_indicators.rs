//! Streaming indicators against the batch ones: for every indicator of the catalog, on the
//! golden inputs with every parameter set of the golden files and on random series, feeding
//! the series in chunks of any sizes must give the batch outputs bit for bit (lookback NaNs
//! included), and a bad row must be reported as the batch reports it, by its row in the
//! whole series.

use crate::golden_indicators::{golden_dir, legacy_spec, read_csv};
use crate::indicator_properties::Series;
use analytics::indicators::{IndicatorSpec, KNOWN_INDICATORS, Ohlcv};
use proptest::prelude::*;

/// Streams `series` through `spec` in chunks of the given sizes (cycled; 0 is an empty
/// chunk) and returns the outputs.
pub(crate) fn streamed(spec: &IndicatorSpec, series: &Series, sizes: &[usize]) -> Vec<Vec<f64>> {
    let len = series.close.len();
    let mut stream = spec.stream();
    let mut outputs = vec![vec![f64::NAN; len]; spec.outputs().len()];
    let mut start = 0;
    let mut sizes = sizes.iter().cycle();
    while start < len {
        let end = (start + sizes.next().copied().unwrap_or(len)).min(len);
        let mut slices: Vec<&mut [f64]> = outputs
            .iter_mut()
            .map(|column| &mut column[start..end])
            .collect();
        stream
            .push(&series.slice(start, end), &mut slices)
            .unwrap_or_else(|e| panic!("{spec}: {e}"));
        start = end;
    }
    assert_eq!(stream.rows(), len);
    outputs
}

/// Panics unless streaming in each of `splits` gives the batch bits.
fn assert_streams_like_batch(spec: &IndicatorSpec, series: &Series, splits: &[Vec<usize>]) {
    let batch = spec
        .compute(&series.ohlcv())
        .unwrap_or_else(|e| panic!("{spec}: {e}"));
    for sizes in splits {
        let streamed = streamed(spec, series, sizes);
        for (output, (ours, theirs)) in spec.outputs().iter().zip(streamed.iter().zip(&batch)) {
            if let Some(row) = (0..theirs.len()).find(|&i| ours[i].to_bits() != theirs[i].to_bits())
            {
                panic!(
                    "{spec}.{output} in chunks {sizes:?}: row {row} streams {} where the batch gives {}",
                    ours[row], theirs[row]
                );
            }
        }
    }
}

/// Chunk sizes from a seeded splitmix64: lengths 0 to `max`.
fn random_sizes(seed: u64, count: usize, max: usize) -> Vec<usize> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % (max as u64 + 1)) as usize
        })
        .collect()
}

pub(crate) fn splits() -> Vec<Vec<usize>> {
    vec![
        vec![1],
        vec![2, 3, 5],
        vec![64],
        vec![4096],
        random_sizes(1, 200, 40),
        random_sizes(2, 50, 700),
    ]
}

/// The spec part of a golden header (`macd(12,26,9).signal` → `macd(12,26,9)`).
fn spec_of(header: &str) -> &str {
    &header[..=header.rfind(')').expect("spec with parentheses")]
}

#[test]
fn every_golden_spec_streams_exactly_like_the_batch_in_any_chunks() {
    let dir = golden_dir();
    let mut checked = 0;
    for dataset in ["main", "params", "tiny", "huge"] {
        let (names, input) = read_csv(&dir.join(format!("{dataset}_input.csv.gz")));
        let column = |wanted: &str| input[names.iter().position(|n| n == wanted).unwrap()].clone();
        let series = Series {
            open: column("open"),
            high: column("high"),
            low: column("low"),
            close: column("close"),
            volume: column("volume"),
        };
        let (headers, _) = read_csv(&dir.join(format!("{dataset}_talib.csv.gz")));
        let mut specs: Vec<&str> = headers.iter().map(|h| spec_of(h)).collect();
        specs.dedup();
        for text in specs {
            let spec: IndicatorSpec = legacy_spec(text).parse().expect("golden spec parses");
            assert_streams_like_batch(&spec, &series, &splits());
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} golden specs");
}

/// Parameter sets beyond the golden files': period 1 where allowed, long periods, every MA
/// type where there is one.
fn extra_specs() -> Vec<IndicatorSpec> {
    let mut texts: Vec<String> = KNOWN_INDICATORS.iter().map(|n| n.to_string()).collect();
    texts.extend(
        [
            "sma(2)",
            "ema(2)",
            "wma(2)",
            "dema(3)",
            "tema(2)",
            "trima(2)",
            "trima(3)",
            "trima(8)",
            "trima(9)",
            "kama(2)",
            "t3(2,0)",
            "t3(3,1)",
            "mama(0.9,0.01)",
            "bbands(2,1,3)",
            "bbands(7,nbdevdn=0)",
            "rsi(2)",
            "cmo(3)",
            "roc(1)",
            "mom(1)",
            "macd(2,3,1)",
            "macd(3,40,12)",
            "stoch(1,1,1)",
            "stoch(3,1,4)",
            "stochf(1,1)",
            "stochrsi(2,1,1)",
            "willr(2)",
            "cci(2)",
            "cci(5)",
            "atr(1)",
            "natr(1)",
            "adx(2)",
            "adxr(2)",
            "plus_di(1)",
            "minus_di(1)",
            "plus_di(2)",
            "mfi(2)",
            "ultosc(1,1,1)",
            "ultosc(5,2,9)",
            "apo(2,3)",
            "ppo(2,3)",
            "trix(1)",
            "trix(2)",
            "aroon(2)",
            "aroonosc(3)",
            "sar(0.3,0.2)",
            "sar(0,0)",
        ]
        .map(str::to_string),
    );
    for ma in [
        "sma", "ema", "wma", "dema", "tema", "trima", "kama", "mama", "t3",
    ] {
        texts.push(format!("bbands(6,matype={ma})"));
        texts.push(format!("stoch(4,3,slowk_matype={ma},slowd_matype={ma})"));
        texts.push(format!("stoch(4,1,3,slowd_matype={ma})"));
        texts.push(format!("stochf(4,2,fastd_matype={ma})"));
        texts.push(format!("stochrsi(5,4,3,fastd_matype={ma})"));
        texts.push(format!("apo(3,7,matype={ma})"));
        texts.push(format!("ppo(3,7,matype={ma})"));
    }
    texts
        .iter()
        .map(|t| t.parse().unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect()
}

fn series(max_len: usize) -> impl Strategy<Value = Series> {
    // Steps of 0 are frequent, and some prices are exactly 0 or -0: flat windows, ties and
    // the sign of zero are where a different order of operations would show.
    let step = prop_oneof![4 => Just(0.0), 8 => -0.05f64..0.05, 1 => Just(-1.0)];
    (
        prop_oneof![Just(0.0), 1e-3f64..1e4, -1e3f64..-1e-3],
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
            let mut price: f64 = start;
            for (change, up, down, volume) in steps {
                let open = price;
                price = if change == -1.0 {
                    -0.0
                } else {
                    (price * (1.0 + change)).max(-1e6)
                };
                let (top, bottom) = (open.max(price), open.min(price));
                s.open.push(open);
                s.close.push(price);
                s.high.push(top + top.abs() * up);
                s.low.push(bottom - bottom.abs() * down);
                s.volume.push(volume.floor());
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_series_stream_exactly_like_the_batch_in_random_chunks(
        s in series(300),
        // Empty chunks are part of the test, but a cycle of nothing but empty chunks would
        // never reach the end of the series.
        sizes in prop::collection::vec(0usize..50, 1..20)
            .prop_filter("some chunk must hold rows", |sizes| sizes.iter().any(|&size| size > 0)),
    ) {
        for spec in extra_specs() {
            assert_streams_like_batch(&spec, &s, std::slice::from_ref(&sizes));
        }
    }
}

fn message(spec: &IndicatorSpec, series: &Series, sizes: &[usize]) -> String {
    let mut stream = spec.stream();
    let len = series.close.len();
    let mut buffers = vec![vec![0.0; len]; spec.outputs().len()];
    let mut start = 0;
    for &size in sizes.iter().cycle() {
        let end = (start + size).min(len);
        let mut slices: Vec<&mut [f64]> = buffers.iter_mut().map(|b| &mut b[start..end]).collect();
        if let Err(error) = stream.push(&series.slice(start, end), &mut slices) {
            assert_eq!(
                stream.rows(),
                start,
                "a failed chunk leaves the state as it was"
            );
            return error.to_string();
        }
        start = end;
        assert!(start < len, "{spec} accepted a bad series");
    }
    unreachable!()
}

fn clean_series(len: usize) -> Series {
    let close: Vec<f64> = (0..len).map(|i| 100.0 + (i as f64 * 0.37).sin()).collect();
    Series {
        open: close.clone(),
        high: close.iter().map(|c| c + 1.0).collect(),
        low: close.iter().map(|c| c - 1.0).collect(),
        volume: vec![1000.0; len],
        close,
    }
}

#[test]
fn a_bad_row_is_named_by_its_row_in_the_series_as_the_batch_names_it() {
    let mut nan = clean_series(100);
    nan.close[57] = f64::NAN;
    let mut inverted = clean_series(100);
    inverted.high[83] = inverted.low[83] - 0.5;
    let mut infinite_volume = clean_series(100);
    infinite_volume.volume[61] = f64::INFINITY;
    let cases = [
        ("rsi", &nan),
        ("stoch", &nan),
        ("stoch", &inverted),
        ("sar", &inverted),
        ("mfi", &infinite_volume),
        ("obv", &infinite_volume),
    ];
    for (name, series) in cases {
        let spec: IndicatorSpec = name.parse().unwrap();
        let batch = spec.compute(&series.ohlcv()).unwrap_err().to_string();
        assert!(batch.contains(" at row "), "{batch}");
        for sizes in [vec![1], vec![10], vec![33, 7], vec![100]] {
            assert_eq!(message(&spec, series, &sizes), batch, "{name} in {sizes:?}");
        }
    }
}

#[test]
fn missing_columns_and_wrong_output_slices_are_errors() {
    let close = [1.0, 2.0, 3.0];
    let spec: IndicatorSpec = "cci".parse().unwrap();
    let error = spec
        .stream()
        .push(&Ohlcv::from_close(&close), &mut [&mut [0.0; 3]])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cci needs high prices, which the series does not have"
    );
    let spec: IndicatorSpec = "macd".parse().unwrap();
    let error = spec
        .stream()
        .push(&Ohlcv::from_close(&close), &mut [&mut [0.0; 3]])
        .unwrap_err();
    assert!(error.to_string().contains("3 outputs"), "{error}");
    let error = spec
        .stream()
        .push(
            &Ohlcv::from_close(&close),
            &mut [&mut [0.0; 3], &mut [0.0; 2], &mut [0.0; 3]],
        )
        .unwrap_err();
    assert!(error.to_string().contains("2 rows"), "{error}");
}
