#!/usr/bin/env python3
"""Every function of our table against TA-Lib's C kernel, at TA-Lib's defaults, same series.

Generates a deterministic OHLCV random walk of BARS bars (default 1,000,000; splitmix64 as
scripts/bench/indicators.py), writes it as raw f64 files, and times:
  ours:   the release example `function_bench` (crates/analytics/examples): the best of
          REPEATS runs of `IndicatorSpec::compute` on the bare name (TA-Lib's defaults);
  TA-Lib: the C function `TA_<NAME>` of the library the PyPI wheel bundles, called through
          ctypes on the same arrays with its default parameters (from `talib.abstract`),
          writing into outputs allocated once; the best of REPEATS runs.
Prints ns/bar and ours/TA-Lib per function, grouped as TA-Lib groups them, the geometric
mean of the ratios per group and over all, and the functions slower than TA-Lib. Functions
only one side has are listed apart.

Usage: pip install TA-Lib==0.8.2 numpy && python3 scripts/bench/functions.py [BARS] [REPEATS]
"""

import collections
import ctypes
import math
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import talib
from talib import abstract

from indicators import best_ns_per_bar, splitmix64_uniform, talib_c_library

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "target" / "release" / "examples" / "function_bench"


def make_series(bars):
    steps = (splitmix64_uniform(1, bars) - 0.5) * 0.02
    close = 100.0 * np.exp(np.cumsum(steps))
    open_ = np.concatenate([[close[0]], close[:-1]]) * (1.0 + (splitmix64_uniform(4, bars) - 0.5) * 0.004)
    high = np.maximum(open_, close) * (1.0 + splitmix64_uniform(2, bars) * 0.01)
    low = np.minimum(open_, close) * (1.0 - splitmix64_uniform(3, bars) * 0.01)
    volume = 1000.0 + np.floor(splitmix64_uniform(5, bars) * 9000.0)
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


def c_call(lib, name, series, integer_outputs):
    """A no-argument callable running TA_<NAME> over the whole series, outputs preallocated."""
    function = abstract.Function(name.upper())
    info = function.info
    arrays = []
    for value in function.input_names.values():
        for column in value if isinstance(value, (list, tuple)) else [value]:
            arrays.append(series[column])
    params = []
    for key, default in info["parameters"].items():
        params.append(ctypes.c_double(default) if isinstance(default, float) else ctypes.c_int(int(default)))
    bars = len(series["close"])
    outputs = []
    for index, _ in enumerate(info["output_names"]):
        if index < len(integer_outputs) and integer_outputs[index]:
            outputs.append(np.zeros(bars, dtype=np.int32))
        else:
            outputs.append(np.zeros(bars))
    beg, count = ctypes.c_int(), ctypes.c_int()
    pointers = [a.ctypes.data_as(ctypes.POINTER(ctypes.c_double)) for a in arrays]
    out_pointers = [
        o.ctypes.data_as(ctypes.POINTER(ctypes.c_int if o.dtype == np.int32 else ctypes.c_double))
        for o in outputs
    ]
    target = getattr(lib, "TA_" + name.upper())
    arguments = [ctypes.c_int(0), ctypes.c_int(bars - 1), *pointers, *params,
                 ctypes.byref(beg), ctypes.byref(count), *out_pointers]

    def run():
        code = target(*arguments)
        if code != 0:
            raise RuntimeError(f"TA_{name.upper()} returned TA_RetCode {code}")

    return run


def geometric_mean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def main():
    bars = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "analytics", "--example", "function_bench"],
                   cwd=ROOT, check=True)
    listing = subprocess.run([str(EXAMPLE), "--list"], check=True, capture_output=True, text=True).stdout
    ours_table = {}
    for line in listing.split("\n"):
        if line.strip():
            name, group, kinds = line.split()
            ours_table[name] = (group.replace("_", " "), [k == "integer" for k in kinds.split(",")])
    theirs = {name.lower() for name in talib.get_functions()}
    both = [name for name in ours_table if name in theirs]
    series = make_series(bars)
    lib = talib_c_library()
    with tempfile.TemporaryDirectory() as tmp:
        for column, values in series.items():
            values.astype("<f8").tofile(pathlib.Path(tmp) / f"{column}.f64")
        out = subprocess.run([str(EXAMPLE), tmp, str(repeats), *both], check=True,
                             capture_output=True, text=True).stdout
    ours = {name: float(ns) for name, ns in (line.split() for line in out.split("\n") if line.strip())}
    by_group = collections.defaultdict(list)
    slower = []
    print(f"{bars:,} bars, best of {repeats}; ns/bar, ratio ours/TA-Lib (below 1: we are faster)")
    for name in both:
        if name not in ours:
            continue
        try:
            talib_ns = best_ns_per_bar(c_call(lib, name, series, ours_table[name][1]), bars, repeats)
        except (AttributeError, RuntimeError, KeyError, TypeError) as error:
            print(f"  {name}: TA-Lib side not run ({error})")
            continue
        ratio = ours[name] / talib_ns
        group = ours_table[name][0]
        by_group[group].append((name, ours[name], talib_ns, ratio))
        if ratio > 1.0:
            slower.append((name, ratio))
    all_ratios = []
    for group in sorted(by_group):
        rows = by_group[group]
        ratios = [r[3] for r in rows]
        all_ratios += ratios
        print(f"\n{group}: {len(rows)} functions, geometric mean {geometric_mean(ratios):.2f}x")
        for name, ours_ns, talib_ns, ratio in rows:
            print(f"  {name:<22} ours {ours_ns:8.3f}  TA-Lib {talib_ns:8.3f}  {ratio:6.2f}x")
    print(f"\nall {len(all_ratios)} functions: geometric mean {geometric_mean(all_ratios):.2f}x "
          f"(target <= 0.8); slower than TA-Lib: {len(slower)}")
    for name, ratio in sorted(slower, key=lambda s: -s[1]):
        print(f"  {name} {ratio:.2f}x")
    print(f"\nonly ours: {sorted(set(ours_table) - theirs)}")
    print(f"only TA-Lib: {sorted(theirs - set(ours_table))}")


if __name__ == "__main__":
    main()
