//! Times every function of the definition table at TA-Lib's defaults on one OHLCV series, for
//! `scripts/bench/functions.py`, which runs TA-Lib's C kernels on the same data.
//!
//! Usage: `function_bench DIR [REPEATS [NAME..]]`, where DIR holds `open.f64`, `high.f64`,
//! `low.f64`, `close.f64` and `volume.f64` (raw little-endian f64). `function_bench --list`
//! prints each function's name, group and output kinds instead. Otherwise prints one
//! `name ns_per_bar` line per function: the best of REPEATS runs (default 5) of
//! `IndicatorSpec::compute` on the bare name. Outputs are allocated per run as `compute`
//! does; from the second run glibc serves those sizes from memory the first run freed, so the
//! best run measures the computation, as TA-Lib's preallocated outputs do.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use analytics::indicators::{IndicatorSpec, Ohlcv, definitions};

#[path = "common/raw_series.rs"]
mod raw_series;
use raw_series::read_series;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: function_bench DIR [REPEATS [NAME..]] | function_bench --list");
        std::process::exit(2);
    };
    if dir == "--list" {
        for definition in definitions() {
            let kinds: Vec<&str> = (0..definition.outputs.len())
                .map(|i| {
                    if definition.is_integer(i) {
                        "integer"
                    } else {
                        "real"
                    }
                })
                .collect();
            println!(
                "{} {} {}",
                definition.name,
                definition.group.name().replace(' ', "_"),
                kinds.join(",")
            );
        }
        return;
    }
    let repeats = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let only: Vec<String> = args.collect();
    let dir = Path::new(&dir);
    let [open, high, low, close, volume] = ["open", "high", "low", "close", "volume"]
        .map(|name| read_series(&dir.join(format!("{name}.f64"))));
    let input = Ohlcv {
        open: Some(&open),
        high: Some(&high),
        low: Some(&low),
        close: &close,
        volume: Some(&volume),
    };
    let bars = close.len();
    for definition in definitions() {
        if !only.is_empty() && !only.iter().any(|n| n == definition.name) {
            continue;
        }
        let spec: IndicatorSpec = match definition.name.parse() {
            Ok(spec) => spec,
            Err(error) => {
                eprintln!("{}: {error}", definition.name);
                continue;
            }
        };
        let mut best = f64::INFINITY;
        for _ in 0..repeats {
            let started = Instant::now();
            let outputs = spec.compute(black_box(&input));
            let elapsed = started.elapsed().as_nanos() as f64 / bars as f64;
            black_box(&outputs);
            if let Err(error) = outputs {
                eprintln!("{}: {error}", definition.name);
                break;
            }
            drop(outputs);
            best = best.min(elapsed);
        }
        if best.is_finite() {
            println!("{} {best:.4}", definition.name);
        }
    }
}
