#!/usr/bin/env python3
"""Side-by-side speed of our 61 candlestick patterns and TA-Lib's C functions.

Builds a deterministic OHLC series (the splitmix64 random walk of scripts/bench/indicators.py,
with opens near the previous close and a doji-rich stretch every 1,000 bars so the patterns'
branches are taken), times TA-Lib's `TA_CDL*` C functions through ctypes from the library the
PyPI wheel ships (integer outputs allocated once), runs our release-mode example
`pattern_bench` on the same bars (outputs allocated once), and prints ns/bar per pattern,
the ratio ours / TA-Lib (below 1: we are faster) and the geometric mean of the ratios.

Usage: pip install TA-Lib==0.8.2 numpy && python3 scripts/bench/patterns.py [BARS] [REPEATS]
"""

import ctypes
import math
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import talib

assert talib.__version__ == "0.8.2", f"needs TA-Lib 0.8.2, found {talib.__version__}"

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts/bench"))
from indicators import best_ns_per_bar, splitmix64_uniform, talib_c_library  # noqa: E402

PENETRATION = {"CDLABANDONEDBABY": 0.3, "CDLDARKCLOUDCOVER": 0.5, "CDLEVENINGDOJISTAR": 0.3,
               "CDLEVENINGSTAR": 0.3, "CDLMATHOLD": 0.5, "CDLMORNINGDOJISTAR": 0.3,
               "CDLMORNINGSTAR": 0.3}


def make_bars(bars):
    steps = (splitmix64_uniform(1, bars) - 0.5) * 0.02
    close = 100.0 * np.exp(np.cumsum(steps))
    open_ = np.empty(bars)
    open_[0] = close[0]
    open_[1:] = close[:-1] * (1.0 + (splitmix64_uniform(4, bars - 1) - 0.5) * 0.004)
    # Doji-rich stretches: the close pinned to the open on 200 bars of every 1,000.
    doji = (np.arange(bars) % 1000) < 200
    close = np.where(doji, open_ * (1.0 + (splitmix64_uniform(5, bars) - 0.5) * 1e-4), close)
    top, bottom = np.maximum(open_, close), np.minimum(open_, close)
    high = top * (1.0 + splitmix64_uniform(2, bars) * 0.01)
    low = bottom * (1.0 - splitmix64_uniform(3, bars) * 0.01)
    return open_, high, low, close


def main():
    bars = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    series = make_bars(bars)
    lib = talib_c_library()
    ptr = lambda a: a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    o, h, l, c = (ptr(a) for a in series)
    out = np.zeros(bars, dtype=np.int32)
    out_ptr = out.ctypes.data_as(ctypes.POINTER(ctypes.c_int))
    beg, count = ctypes.c_int(), ctypes.c_int()
    refs = (ctypes.byref(beg), ctypes.byref(count))
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "analytics", "--example", "pattern_bench"],
        cwd=ROOT, check=True,
    )
    binary = str(ROOT / "target/release/examples/pattern_bench")
    names = talib.get_function_groups()["Pattern Recognition"]
    theirs, ours = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, values in zip(("open", "high", "low", "close"), series):
            values.astype("<f8").tofile(pathlib.Path(tmp) / f"{name}.f64")
        for name in names:
            fn = getattr(lib, f"TA_{name}")
            extra = (ctypes.c_double(PENETRATION[name]),) if name in PENETRATION else ()

            def call(fn=fn, extra=extra):
                code = fn(0, bars - 1, o, h, l, c, *extra, *refs, out_ptr)
                if code != 0:
                    sys.exit(f"TA_{name} returned TA_RetCode {code}")

            theirs[name] = best_ns_per_bar(call, bars, repeats)
            line = subprocess.run([binary, tmp, str(repeats), name.lower()], check=True,
                                  capture_output=True, text=True).stdout.split()
            ours[name] = float(line[1])
    print(f"{bars} bars, best of {repeats}; ns/bar; both write into outputs allocated once")
    print(f"{'pattern':<22}{'TA-Lib C':>10}{'ours':>8}{'ours/C':>8}")
    ratios = []
    for name in names:
        ratio = ours[name] / theirs[name]
        ratios.append(ratio)
        print(f"{name.lower():<22}{theirs[name]:>10.2f}{ours[name]:>8.2f}{ratio:>8.2f}")
    geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"geometric mean of ours/C over {len(ratios)} patterns: {geomean:.2f}")


if __name__ == "__main__":
    main()
