//! Times our 61 candlestick patterns on a series given as raw little-endian f64 files, for
//! `scripts/bench/patterns.py`, which times TA-Lib's C functions on the same data.
//!
//! Usage: `cargo run --release -p analytics --example pattern_bench -- DIR [REPEATS [NAME..]]`,
//! where DIR holds `open.f64`, `high.f64`, `low.f64` and `close.f64`. Prints one
//! `name ns_per_bar` line per pattern (all, or the NAMEs given): the best of REPEATS runs
//! (default 5), each writing into one output allocated once.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use analytics::indicators::pattern::{Pattern, PatternParams};

#[path = "common/raw_series.rs"]
mod raw_series;
use raw_series::read_series;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: pattern_bench DIR [REPEATS [NAME..]]");
        std::process::exit(2);
    };
    let repeats: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let only: Vec<String> = args.collect();
    let dir = Path::new(&dir);
    let [open, high, low, close] =
        ["open", "high", "low", "close"].map(|name| read_series(&dir.join(format!("{name}.f64"))));
    let bars = close.len();
    let mut out = vec![None; bars];
    for &pattern in Pattern::ALL {
        if !only.is_empty() && !only.iter().any(|name| name == pattern.name()) {
            continue;
        }
        let mut best = f64::INFINITY;
        for _ in 0..repeats {
            let started = Instant::now();
            let result = pattern.compute_into(
                black_box(&open),
                &high,
                &low,
                &close,
                PatternParams::default(),
                &mut out,
            );
            if let Err(error) = result {
                eprintln!("error: {}: {error}", pattern.name());
                std::process::exit(1);
            }
            black_box(&out);
            best = best.min(started.elapsed().as_nanos() as f64 / bars as f64);
        }
        println!("{} {best:.3}", pattern.name());
    }
}
