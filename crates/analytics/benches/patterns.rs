//! Criterion benchmark of all 61 candlestick patterns on a 1M-bar series.
//!
//! `cargo bench -p analytics --bench patterns`. The series is that of
//! `scripts/bench/patterns.py` (splitmix64 random walk, opens near the previous close, a
//! doji-rich stretch every 1,000 bars), which times TA-Lib's C functions on the same bars;
//! each benchmark writes into one output allocated once, as TA-Lib's calls there do.

use std::hint::black_box;

use analytics::indicators::pattern::{Pattern, PatternParams};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const BARS: usize = 1_000_000;

/// Uniform in [0, 1) from splitmix64 over the counter `seed + i·golden`, as the script does.
fn uniform(seed: u64, i: u64) -> f64 {
    let mut z = seed.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// The script's `make_bars`: open, high, low, close.
fn bars() -> [Vec<f64>; 4] {
    let mut log_price = 0.0;
    let walk: Vec<f64> = (1..=BARS as u64)
        .map(|i| {
            log_price += (uniform(1, i) - 0.5) * 0.02;
            100.0 * f64::exp(log_price)
        })
        .collect();
    let mut open = vec![walk[0]; BARS];
    for i in 1..BARS {
        open[i] = walk[i - 1] * (1.0 + (uniform(4, i as u64) - 0.5) * 0.004);
    }
    let close: Vec<f64> = (0..BARS)
        .map(|i| {
            if i % 1000 < 200 {
                open[i] * (1.0 + (uniform(5, i as u64 + 1) - 0.5) * 1e-4)
            } else {
                walk[i]
            }
        })
        .collect();
    let high = (0..BARS)
        .map(|i| open[i].max(close[i]) * (1.0 + uniform(2, i as u64 + 1) * 0.01))
        .collect();
    let low = (0..BARS)
        .map(|i| open[i].min(close[i]) * (1.0 - uniform(3, i as u64 + 1) * 0.01))
        .collect();
    [open, high, low, close]
}

fn patterns(c: &mut Criterion) {
    let [open, high, low, close] = bars();
    let mut out = vec![None; BARS];
    let mut group = c.benchmark_group("patterns_1M");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BARS as u64));
    for &pattern in Pattern::ALL {
        group.bench_function(pattern.name(), |bench| {
            bench.iter(|| {
                pattern
                    .compute_into(
                        black_box(&open),
                        &high,
                        &low,
                        &close,
                        PatternParams::default(),
                        &mut out,
                    )
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, patterns);
criterion_main!(benches);
