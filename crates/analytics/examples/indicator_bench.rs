//! Times our indicators on a series given as raw little-endian f64 files, for
//! `scripts/bench/indicators.py`, which runs TA-Lib on the same data and prints the ratios.
//!
//! Usage: `cargo run --release -p analytics --example indicator_bench -- DIR [REPEATS [NAME..]]`,
//! where DIR holds `high.f64`, `low.f64` and `close.f64`. Prints one `name ns_per_bar` line per
//! indicator (all, or the NAMEs given): the best of REPEATS runs (default 5), since the slowest
//! runs measure the noise of a shared machine, not the code.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use analytics::indicators::{
    MaType, adx, adx_into, bbands, bbands_into, cci, cci_into, ema, ema_into, macd, macd_into, rsi,
    rsi_into, stoch, stoch_into, willr, willr_into,
};

#[path = "common/raw_series.rs"]
mod raw_series;
use raw_series::read_series;

fn best_ns_per_bar(repeats: usize, bars: usize, mut run: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        let started = Instant::now();
        run();
        best = best.min(started.elapsed().as_nanos() as f64 / bars as f64);
    }
    best
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: indicator_bench DIR [REPEATS]");
        std::process::exit(2);
    };
    let repeats = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let only: Vec<String> = args.collect();
    let dir = Path::new(&dir);
    let high = read_series(&dir.join("high.f64"));
    let low = read_series(&dir.join("low.f64"));
    let close = read_series(&dir.join("close.f64"));
    let bars = close.len();
    // Outputs reused across runs by the `_into` variants: the measure of the computation
    // alone, without the page faults of a fresh 80 MB allocation per output.
    let mut buffers = vec![vec![0.0; bars]; 3];
    let (h, l, c) = (&high[..], &low[..], &close[..]);
    type Allocating = fn(&[f64], &[f64], &[f64]);
    type Reusing = fn(&[f64], &[f64], &[f64], &mut [Vec<f64>]);
    let cases: [(&str, Allocating, Reusing); 8] = [
        (
            "rsi",
            |_, _, c| drop(black_box(rsi(c, 14).unwrap())),
            |_, _, c, out| rsi_into(c, 14, &mut out[0]).unwrap(),
        ),
        (
            "ema",
            |_, _, c| drop(black_box(ema(c, 30).unwrap())),
            |_, _, c, out| ema_into(c, 30, &mut out[0]).unwrap(),
        ),
        (
            "macd",
            |_, _, c| drop(black_box(macd(c, 12, 26, 9).unwrap())),
            |_, _, c, out| {
                let [a, b, d] = out else { unreachable!() };
                macd_into(c, 12, 26, 9, [a, b, d]).unwrap()
            },
        ),
        (
            "stoch",
            |h, l, c| {
                drop(black_box(
                    stoch(h, l, c, 5, 3, MaType::Sma, 3, MaType::Sma).unwrap(),
                ))
            },
            |h, l, c, out| {
                let [a, b, _] = out else { unreachable!() };
                stoch_into(h, l, c, (5, 3, MaType::Sma, 3, MaType::Sma), [a, b]).unwrap()
            },
        ),
        (
            "bbands",
            |_, _, c| drop(black_box(bbands(c, 5, 2.0, 2.0, MaType::Sma).unwrap())),
            |_, _, c, out| {
                let [a, b, d] = out else { unreachable!() };
                bbands_into(c, (5, 2.0, 2.0, MaType::Sma), [a, b, d]).unwrap()
            },
        ),
        (
            "cci",
            |h, l, c| drop(black_box(cci(h, l, c, 14).unwrap())),
            |h, l, c, out| cci_into(h, l, c, 14, &mut out[0]).unwrap(),
        ),
        (
            "willr",
            |h, l, c| drop(black_box(willr(h, l, c, 14).unwrap())),
            |h, l, c, out| willr_into(h, l, c, 14, &mut out[0]).unwrap(),
        ),
        (
            "adx",
            |h, l, c| drop(black_box(adx(h, l, c, 14).unwrap())),
            |h, l, c, out| adx_into(h, l, c, 14, &mut out[0]).unwrap(),
        ),
    ];
    for (name, allocating, reusing) in cases {
        if !only.is_empty() && !only.iter().any(|wanted| wanted == name) {
            continue;
        }
        let fresh = best_ns_per_bar(repeats, bars, || allocating(h, l, c));
        let reused = best_ns_per_bar(repeats, bars, || reusing(h, l, c, &mut buffers));
        black_box(&buffers);
        println!("{name} {fresh:.3} {reused:.3}");
    }
}
