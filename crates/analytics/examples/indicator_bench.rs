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

use analytics::indicators::{MaType, adx, bbands, cci, ema, macd, rsi, stoch, willr};

fn read_series(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        std::process::exit(2);
    });
    bytes
        .chunks_exact(8)
        .map(|chunk| f64::from_le_bytes(chunk.try_into().expect("8 bytes")))
        .collect()
}

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
    let cases: Vec<(&str, Box<dyn FnMut()>)> = vec![
        (
            "rsi",
            Box::new(|| drop(black_box(rsi(&close, 14).unwrap()))),
        ),
        (
            "ema",
            Box::new(|| drop(black_box(ema(&close, 30).unwrap()))),
        ),
        (
            "macd",
            Box::new(|| drop(black_box(macd(&close, 12, 26, 9).unwrap()))),
        ),
        (
            "stoch",
            Box::new(|| {
                let result = stoch(&high, &low, &close, 5, 3, MaType::Sma, 3, MaType::Sma);
                drop(black_box(result.unwrap()))
            }),
        ),
        (
            "bbands",
            Box::new(|| drop(black_box(bbands(&close, 5, 2.0, 2.0, MaType::Sma).unwrap()))),
        ),
        (
            "cci",
            Box::new(|| drop(black_box(cci(&high, &low, &close, 14).unwrap()))),
        ),
        (
            "willr",
            Box::new(|| drop(black_box(willr(&high, &low, &close, 14).unwrap()))),
        ),
        (
            "adx",
            Box::new(|| drop(black_box(adx(&high, &low, &close, 14).unwrap()))),
        ),
    ];
    for (name, mut run) in cases {
        if !only.is_empty() && !only.iter().any(|wanted| wanted == name) {
            continue;
        }
        println!("{name} {:.3}", best_ns_per_bar(repeats, bars, &mut run));
    }
}
