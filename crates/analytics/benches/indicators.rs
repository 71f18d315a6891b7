//! Criterion benchmark of the indicators with TA-Lib speed targets, on a 10M-bar series.
//!
//! `cargo bench -p analytics --bench indicators`. The series is the splitmix64 random walk of
//! `scripts/bench/indicators.py` (which also times TA-Lib on it). Each benchmark writes into
//! output buffers allocated once, so it measures the computation; the time per iteration
//! divided by 10M is the cost per bar (criterion also prints the throughput in elements/s).

use std::hint::black_box;

use analytics::indicators::{
    MaType, adx_into, bbands_into, cci_into, ema_into, macd_into, rsi_into, stoch_into, willr_into,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const BARS: usize = 10_000_000;

/// Uniform in [0, 1) from splitmix64 over the counter `seed + i·golden`, as the script does.
fn uniform(seed: u64, i: u64) -> f64 {
    let mut z = seed.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

fn series() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut log_price = 0.0;
    let mut close = Vec::with_capacity(BARS);
    for i in 1..=BARS as u64 {
        log_price += (uniform(1, i) - 0.5) * 0.02;
        close.push(100.0 * f64::exp(log_price));
    }
    let high = (1..=BARS as u64)
        .zip(&close)
        .map(|(i, c)| c * (1.0 + uniform(2, i) * 0.01))
        .collect();
    let low = (1..=BARS as u64)
        .zip(&close)
        .map(|(i, c)| c * (1.0 - uniform(3, i) * 0.01))
        .collect();
    (high, low, close)
}

fn indicators(c: &mut Criterion) {
    let (high, low, close) = series();
    let (h, l, cl) = (&high[..], &low[..], &close[..]);
    let [mut a, mut b, mut d] = [vec![0.0; BARS], vec![0.0; BARS], vec![0.0; BARS]];
    let mut group = c.benchmark_group("indicators_10M");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BARS as u64));
    group.bench_function("rsi(14)", |bench| {
        bench.iter(|| rsi_into(black_box(cl), 14, &mut a).unwrap())
    });
    group.bench_function("ema(30)", |bench| {
        bench.iter(|| ema_into(black_box(cl), 30, &mut a).unwrap())
    });
    group.bench_function("macd(12,26,9)", |bench| {
        bench.iter(|| macd_into(black_box(cl), 12, 26, 9, [&mut a, &mut b, &mut d]).unwrap())
    });
    group.bench_function("stoch(5,3,3)", |bench| {
        let params = (5, 3, MaType::Sma, 3, MaType::Sma);
        bench.iter(|| stoch_into(black_box(h), l, cl, params, [&mut a, &mut b]).unwrap())
    });
    group.bench_function("bbands(5,2,2)", |bench| {
        let params = (5, 2.0, 2.0, MaType::Sma);
        bench.iter(|| bbands_into(black_box(cl), params, [&mut a, &mut b, &mut d]).unwrap())
    });
    group.bench_function("cci(14)", |bench| {
        bench.iter(|| cci_into(black_box(h), l, cl, 14, &mut a).unwrap())
    });
    group.bench_function("willr(14)", |bench| {
        bench.iter(|| willr_into(black_box(h), l, cl, 14, &mut a).unwrap())
    });
    group.bench_function("adx(14)", |bench| {
        bench.iter(|| adx_into(black_box(h), l, cl, 14, &mut a).unwrap())
    });
    group.finish();
}

criterion_group!(benches, indicators);
criterion_main!(benches);
