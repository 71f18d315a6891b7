#!/usr/bin/env python3
"""Side-by-side speed of our indicators and TA-Lib's, on the same 10M-bar series.

Generates a deterministic OHLC random walk (splitmix64, the generator the criterion bench in
crates/analytics/benches/indicators.rs uses too), times TA-Lib through its Python wrapper,
writes the series as raw f64 files, runs our release-mode example binary on them, and prints
ns/bar for both and the ratio (ours / TA-Lib; below 1 means we are faster). Both sides report
the best of REPEATS runs and include allocating their outputs.

Usage: pip install TA-Lib numpy && python3 scripts/bench/indicators.py [BARS] [REPEATS]
"""

import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import talib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def splitmix64_uniform(seed, n):
    """n uniforms in [0,1) from splitmix64 over counter seed + i·golden (vectorised)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def make_series(bars):
    steps = (splitmix64_uniform(1, bars) - 0.5) * 0.02
    close = 100.0 * np.exp(np.cumsum(steps))
    high = close * (1.0 + splitmix64_uniform(2, bars) * 0.01)
    low = close * (1.0 - splitmix64_uniform(3, bars) * 0.01)
    return high, low, close


def best_ns_per_bar(fn, bars, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - start) * 1e9 / bars)
    return best


def main():
    bars = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    high, low, close = make_series(bars)
    talib_cases = {
        "rsi": lambda: talib.RSI(close, 14),
        "ema": lambda: talib.EMA(close, 30),
        "macd": lambda: talib.MACD(close, 12, 26, 9),
        "stoch": lambda: talib.STOCH(high, low, close, 5, 3, 0, 3, 0),
        "bbands": lambda: talib.BBANDS(close, 5, 2, 2, 0),
        "cci": lambda: talib.CCI(high, low, close, 14),
        "willr": lambda: talib.WILLR(high, low, close, 14),
        "adx": lambda: talib.ADX(high, low, close, 14),
    }
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "analytics", "--example", "indicator_bench"],
        cwd=ROOT, check=True,
    )
    binary = str(ROOT / "target/release/examples/indicator_bench")
    theirs, ours = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, series in (("high", high), ("low", low), ("close", close)):
            series.astype("<f8").tofile(pathlib.Path(tmp) / f"{name}.f64")
        # Interleaved per indicator, so both sides see the same load on a shared machine.
        for name, fn in talib_cases.items():
            theirs[name] = best_ns_per_bar(fn, bars, repeats)
            output = subprocess.run(
                [binary, tmp, str(repeats), name], check=True, capture_output=True, text=True
            ).stdout.split()
            ours[name] = (float(output[1]), float(output[2]))

    print(f"{bars} bars, best of {repeats}; ns/bar")
    print("ours fresh: new output vectors every run (as TA-Lib's wrapper allocates numpy arrays);")
    print("ours reused: the _into variants writing into buffers kept across runs")
    print(f"{'indicator':<10}{'TA-Lib':>9}{'fresh':>9}{'reused':>9}{'fresh/TA':>10}{'reused/TA':>11}")
    for name in talib_cases:
        fresh, reused = ours[name]
        print(
            f"{name:<10}{theirs[name]:>9.2f}{fresh:>9.2f}{reused:>9.2f}"
            f"{fresh / theirs[name]:>10.2f}{reused / theirs[name]:>11.2f}"
        )


if __name__ == "__main__":
    main()
