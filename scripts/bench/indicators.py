#!/usr/bin/env python3
"""Side-by-side speed of our indicators and TA-Lib's, on the same 10M-bar series.

Generates a deterministic OHLC random walk (splitmix64, the generator the criterion bench in
crates/analytics/benches/indicators.rs uses too), times TA-Lib two ways, writes the series as
raw f64 files, runs our release-mode example binary on them, and prints ns/bar and the ratios
(ours / TA-Lib; below 1 means we are faster). Every figure is the best of REPEATS runs.

The kernels are compared kernel to kernel: TA-Lib's C functions (`TA_RSI`, ...) called through
ctypes from the shared library the PyPI wheel ships, writing into output arrays allocated once,
against our `_into` variants writing into buffers allocated once. The wrapper's figures
(`talib.RSI(...)`, a fresh numpy output per call) are printed beside ours with a fresh `Vec`
per call. numpy asks the kernel for transparent huge pages on large arrays
(`madvise(MADV_HUGEPAGE)`), a plain `Vec` takes 4 KiB pages, so at 80 MB per output the fresh
columns compare page-fault costs as much as kernels. So that both sides' arrays sit on the same
kind of pages, our binary runs with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, under which glibc
makes the same `madvise` call for its large allocations (measured: without it, a 10M-bar MACD
with its four 80 MB streams runs about 15% slower on 4 KiB pages).

Usage: pip install TA-Lib numpy && python3 scripts/bench/indicators.py [BARS] [REPEATS]
"""

import ctypes
import os
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


def talib_c_library():
    """The TA-Lib C library the wheel bundles (already initialised by `import talib`)."""
    libs = pathlib.Path(talib.__file__).resolve().parent.parent / "ta_lib.libs"
    candidates = sorted(libs.glob("libta-lib*.so*")) if libs.is_dir() else []
    if not candidates:
        sys.exit(f"no bundled libta-lib under {libs}: install TA-Lib from PyPI's binary wheel")
    return ctypes.CDLL(str(candidates[0]))


def talib_c_cases(lib, high, low, close):
    """Calls of TA-Lib's C kernels writing into outputs allocated once, as our `_into` do."""
    bars = len(close)
    out = [np.zeros(bars) for _ in range(3)]
    ptr = lambda a: a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    h, l, c = ptr(high), ptr(low), ptr(close)
    o = [ptr(a) for a in out]
    beg, count = ctypes.c_int(), ctypes.c_int()
    refs = (ctypes.byref(beg), ctypes.byref(count))
    end = bars - 1
    d = ctypes.c_double

    def call(name, *args):
        code = getattr(lib, name)(*args)
        if code != 0:
            sys.exit(f"{name} returned TA_RetCode {code}")

    return {
        "rsi": lambda: call("TA_RSI", 0, end, c, 14, *refs, o[0]),
        "ema": lambda: call("TA_EMA", 0, end, c, 30, *refs, o[0]),
        "macd": lambda: call("TA_MACD", 0, end, c, 12, 26, 9, *refs, o[0], o[1], o[2]),
        "stoch": lambda: call("TA_STOCH", 0, end, h, l, c, 5, 3, 0, 3, 0, *refs, o[0], o[1]),
        "bbands": lambda: call("TA_BBANDS", 0, end, c, 5, d(2.0), d(2.0), 0, *refs, o[0], o[1], o[2]),
        "cci": lambda: call("TA_CCI", 0, end, h, l, c, 14, *refs, o[0]),
        "willr": lambda: call("TA_WILLR", 0, end, h, l, c, 14, *refs, o[0]),
        "adx": lambda: call("TA_ADX", 0, end, h, l, c, 14, *refs, o[0]),
    }


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
    c_cases = talib_c_cases(talib_c_library(), high, low, close)
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "analytics", "--example", "indicator_bench"],
        cwd=ROOT, check=True,
    )
    binary = str(ROOT / "target/release/examples/indicator_bench")
    theirs, theirs_c, ours = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, series in (("high", high), ("low", low), ("close", close)):
            series.astype("<f8").tofile(pathlib.Path(tmp) / f"{name}.f64")
        # Interleaved per indicator, so both sides see the same load on a shared machine.
        for name, fn in talib_cases.items():
            theirs[name] = best_ns_per_bar(fn, bars, repeats)
            theirs_c[name] = best_ns_per_bar(c_cases[name], bars, repeats)
            output = subprocess.run(
                [binary, tmp, str(repeats), name], check=True, capture_output=True, text=True,
                env={**os.environ, "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"},
            ).stdout.split()
            ours[name] = (float(output[1]), float(output[2]))

    print(f"{bars} bars, best of {repeats}; ns/bar")
    print("kernels: TA-Lib's C (ctypes) and our _into variants, each writing into outputs allocated once")
    print("fresh: talib.RSI(...) allocating numpy outputs vs ours allocating Vecs; every array on huge pages")
    print(f"{'indicator':<10}{'TA-Lib C':>10}{'ours':>8}{'ours/C':>8}   "
          f"{'talib.X':>8}{'ours':>8}{'ours/X':>8}")
    for name in talib_cases:
        fresh, reused = ours[name]
        print(
            f"{name:<10}{theirs_c[name]:>10.2f}{reused:>8.2f}{reused / theirs_c[name]:>8.2f}   "
            f"{theirs[name]:>8.2f}{fresh:>8.2f}{fresh / theirs[name]:>8.2f}"
        )

if __name__ == "__main__":
    main()
