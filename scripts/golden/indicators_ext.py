#!/usr/bin/env python3
"""Golden data for the functions of TA-Lib 0.8.2 beyond the first 35, and every MA type.

Reads the inputs `indicators.py` wrote (crates/analytics/tests/golden/{main,tiny,huge}_input)
and writes `{name}_ext_talib.csv.gz`: a `row` column, then one column per output headed by our
spec string (`minmaxindex(30).maxidx`). To keep the committed data small, only some rows are
kept: every row up to KEEP_HEAD (all lookbacks and seeds), then every KEEP_EVERY-th row, plus
the rows around the flat stretches and spikes. Floats are written with repr() so they
round-trip; integer outputs are written as integers, empty during the lookback.

TA-Lib's abstract interface computes every column, so inputs are mapped as TA-Lib maps them by
default (ADD, SUB, MULT, DIV, BETA, CORREL on high and low...).

Usage: pip install TA-Lib==0.8.2 numpy && python3 scripts/golden/indicators_ext.py
"""

import gzip
import pathlib

import numpy as np
import talib
from talib import abstract

assert talib.__version__ == "0.8.2", f"TA-Lib 0.8.2 expected, found {talib.__version__}"

GOLDEN = pathlib.Path(__file__).resolve().parents[2] / "crates/analytics/tests/golden"
KEEP_HEAD = 130
KEEP_EVERY = 11
# Rows around the main series' flat stretches, spikes and jumps (see indicators.py).
EVENTS = (700, 900, 1000, 1120, 1200, 1500, 2000, 2100, 2222, 2600, 3000, 3060, 3333, 3700,
          3900, 4100, 4500, 4545)

MA_NAMES = ["sma", "ema", "wma", "dema", "tema", "trima", "kama", "mama", "t3", "hma", "none",
            "default", "zlema", "rma"]

# (our spec, TA-Lib function, TA-Lib parameters, our short output names or None for one)
SPECS = [
    # Math transforms and operators.
    *[(f"{n.lower()}", n, {}, None) for n in
      ["ACOS", "ASIN", "ATAN", "CEIL", "COS", "COSH", "EXP", "FLOOR", "LN", "LOG10", "SIN",
       "SINH", "SQRT", "TAN", "TANH"]],
    ("add", "ADD", {}, None),
    ("sub", "SUB", {}, None),
    ("mult", "MULT", {}, None),
    ("div", "DIV", {}, None),
    ("cumsum", "CUMSUM", {}, None),
    ("max", "MAX", {}, None),
    ("max(5)", "MAX", {"timeperiod": 5}, None),
    ("min", "MIN", {}, None),
    ("min(2)", "MIN", {"timeperiod": 2}, None),
    ("maxindex", "MAXINDEX", {}, None),
    ("minindex(7)", "MININDEX", {"timeperiod": 7}, None),
    ("minmax(10)", "MINMAX", {"timeperiod": 10}, ["min", "max"]),
    ("minmaxindex", "MINMAXINDEX", {}, ["minidx", "maxidx"]),
    ("sum", "SUM", {}, None),
    ("sum(3)", "SUM", {"timeperiod": 3}, None),
]


def ma_specs():
    """MA with every type of TA-Lib 0.8, at two periods."""
    out = []
    for code, name in enumerate(MA_NAMES):
        for period in (10, 3):
            spec = f"ma({period},matype={name})" if name != "sma" else f"ma({period})"
            out.append((spec, "MA", {"timeperiod": period, "matype": code}, None))
    for name in ("hma", "zlema", "rma"):
        out.append((f"{name}", name.upper(), {}, None))
        out.append((f"{name}(7)", name.upper(), {"timeperiod": 7}, None))
    out.append(("wma(5)", "WMA", {"timeperiod": 5}, None))
    out.append(("apo", "APO", {}, None))
    out.append(("ppo", "PPO", {}, None))
    out.append(("bbands", "BBANDS", {}, ["upper", "middle", "lower"]))
    out.append(("apo(5,20,matype=wma)", "APO", {"fastperiod": 5, "slowperiod": 20, "matype": 2}, None))
    return out


def read(path):
    with gzip.open(path, "rt") as f:
        header = f.readline().strip().split(",")
        rows = [[float(x) if x else np.nan for x in line.strip().split(",")] for line in f]
    data = np.array(rows, dtype=float)
    return {name: np.ascontiguousarray(data[:, i]) for i, name in enumerate(header)}


def kept_rows(n):
    keep = set(range(min(n, KEEP_HEAD))) | set(range(0, n, KEEP_EVERY))
    for event in EVENTS:
        keep |= {r for r in range(event - 3, event + 4) if 0 <= r < n}
    return sorted(keep)


def fmt(x, integer):
    if np.isnan(x):
        return ""
    return str(int(x)) if integer else repr(float(x))


def run(inputs, specs):
    header, columns, integer = [], [], []
    for spec, name, params, outputs in specs:
        fn = abstract.Function(name)
        fn.set_parameters(params)
        lookback = fn.lookback
        result = fn(inputs)
        if not isinstance(result, list):
            result = [result]
        names = outputs or [None]
        assert len(names) == len(result), spec
        for out_name, values, flag in zip(names, result, fn.output_flags.values()):
            is_int = np.issubdtype(np.asarray(values).dtype, np.integer)
            values = np.asarray(values, dtype=float)
            if is_int:
                values[:lookback] = np.nan
            header.append(spec if out_name is None else f"{spec}.{out_name}")
            columns.append(values)
            integer.append(is_int)
    return header, columns, integer


def write(path, header, columns, integer, rows):
    lines = [",".join(["row"] + header)]
    for i in rows:
        lines.append(",".join([str(i)] + [fmt(col[i], flag) for col, flag in zip(columns, integer)]))
    with gzip.GzipFile(path, "wb", mtime=0) as raw:
        raw.write(("\n".join(lines) + "\n").encode())


def main():
    specs = SPECS + ma_specs()
    for name in ("main", "tiny", "huge"):
        inputs = read(GOLDEN / f"{name}_input.csv.gz")
        header, columns, integer = run(inputs, specs)
        rows = kept_rows(len(inputs["close"]))
        path = GOLDEN / f"{name}_ext_talib.csv.gz"
        write(path, header, columns, integer, rows)
        print(f"{name}: {len(rows)} of {len(inputs['close'])} rows, {len(header)} columns, "
              f"{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
