#!/usr/bin/env python3
"""Golden data for the functions of TA-Lib 0.8.2 beyond the first 35, and every MA type.

Reads the inputs `indicators.py` wrote (crates/analytics/tests/golden/{main,tiny,huge}_input)
and writes `{name}_ext_talib.csv.gz`: a `row` column, then one column per output headed by our
spec string (`minmaxindex(30).maxidx`). To keep the committed data small, only some rows are
kept: every row up to KEEP_HEAD (all lookbacks and seeds), then every KEEP_EVERY-th row, plus
the rows around the flat stretches and spikes; the tiny and huge series get TA-Lib's defaults
only. Floats are written with repr() so they
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
KEEP_EVERY = 23
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
    # Momentum.
    ("bop", "BOP", {}, None),
    ("dx", "DX", {}, None),
    ("dx(5)", "DX", {"timeperiod": 5}, None),
    ("macdext", "MACDEXT", {}, ["macd", "signal", "hist"]),
    ("macdext(5,20,4,fastmatype=ema,slowmatype=wma,signalmatype=dema)", "MACDEXT",
     {"fastperiod": 5, "fastmatype": 1, "slowperiod": 20, "slowmatype": 2, "signalperiod": 4,
      "signalmatype": 3}, ["macd", "signal", "hist"]),
    ("macdext(10,6,3,fastmatype=tema,slowmatype=kama,signalmatype=ema)", "MACDEXT",
     {"fastperiod": 10, "fastmatype": 4, "slowperiod": 6, "slowmatype": 6, "signalperiod": 3,
      "signalmatype": 1}, ["macd", "signal", "hist"]),
    ("macdfix", "MACDFIX", {}, ["macd", "signal", "hist"]),
    ("macdfix(4)", "MACDFIX", {"signalperiod": 4}, ["macd", "signal", "hist"]),
    ("plus_dm", "PLUS_DM", {}, None),
    ("plus_dm(1)", "PLUS_DM", {"timeperiod": 1}, None),
    ("minus_dm", "MINUS_DM", {}, None),
    ("minus_dm(5)", "MINUS_DM", {"timeperiod": 5}, None),
    ("rocp", "ROCP", {}, None),
    ("rocr(3)", "ROCR", {"timeperiod": 3}, None),
    ("rocr100", "ROCR100", {}, None),
    # Volume.
    ("ad", "AD", {}, None),
    ("adosc", "ADOSC", {}, None),
    ("adosc(5,20)", "ADOSC", {"fastperiod": 5, "slowperiod": 20}, None),
    ("pvo", "PVO", {}, None),
    ("pvo(5,10,matype=sma)", "PVO", {"fastperiod": 5, "slowperiod": 10, "matype": 0}, None),
    # Volatility.
    ("trange", "TRANGE", {}, None),
    # Price transforms.
    ("avgdev", "AVGDEV", {}, None),
    ("avgdev(5)", "AVGDEV", {"timeperiod": 5}, None),
    ("avgprice", "AVGPRICE", {}, None),
    ("ha", "HA", {}, ["open", "high", "low", "close"]),
    ("medprice", "MEDPRICE", {}, None),
    ("typprice", "TYPPRICE", {}, None),
    ("wclprice", "WCLPRICE", {}, None),
    # Statistic functions.
    ("beta", "BETA", {}, None),
    ("beta(2)", "BETA", {"timeperiod": 2}, None),
    ("beta(20)", "BETA", {"timeperiod": 20}, None),
    ("correl", "CORREL", {}, None),
    ("correl(5)", "CORREL", {"timeperiod": 5}, None),
    ("linearreg", "LINEARREG", {}, None),
    ("linearreg_angle", "LINEARREG_ANGLE", {}, None),
    ("linearreg_intercept(5)", "LINEARREG_INTERCEPT", {"timeperiod": 5}, None),
    ("linearreg_slope", "LINEARREG_SLOPE", {}, None),
    ("stddev", "STDDEV", {}, None),
    ("stddev(20,2)", "STDDEV", {"timeperiod": 20, "nbdev": 2.0}, None),
    ("tsf", "TSF", {}, None),
    ("var", "VAR", {}, None),
    ("var(30)", "VAR", {"timeperiod": 30}, None),
    # Functions TA-Lib 0.8 added.
    ("ac", "AC", {}, None),
    ("ao", "AO", {}, None),
    ("ao(3,10)", "AO", {"fastperiod": 3, "slowperiod": 10}, None),
    ("cmou", "CMOU", {}, None),
    ("coppock", "COPPOCK", {}, None),
    ("dpo", "DPO", {}, None),
    ("dpo(5)", "DPO", {"timeperiod": 5}, None),
    ("er", "ER", {}, None),
    ("eri", "ERI", {}, ["bull", "bear"]),
    ("fosc", "FOSC", {}, None),
    ("fractal", "FRACTAL", {}, ["high", "low"]),
    ("fractal(3,1)", "FRACTAL", {"leftbars": 3, "rightbars": 1}, ["high", "low"]),
    ("imi", "IMI", {}, None),
    ("kdj", "KDJ", {}, ["k", "d", "j"]),
    ("kdj(5,3,3,slowk_matype=sma,slowd_matype=ema)", "KDJ",
     {"fastk_period": 5, "slowk_period": 3, "slowk_matype": 0, "slowd_period": 3, "slowd_matype": 1},
     ["k", "d", "j"]),
    ("smi", "SMI", {}, ["smi", "signal"]),
    ("tsi", "TSI", {}, None),
    ("vhf", "VHF", {}, None),
    ("vortex", "VORTEX", {}, ["plus", "minus"]),
    ("wad", "WAD", {}, None),
    ("cmf", "CMF", {}, None),
    ("efi", "EFI", {}, None),
    ("marketfi", "MARKETFI", {}, None),
    ("nvi", "NVI", {}, None),
    ("pvi", "PVI", {}, None),
    ("pvt", "PVT", {}, None),
    ("rvol", "RVOL", {}, None),
    ("vwap", "VWAP", {}, None),
    ("accbands", "ACCBANDS", {}, ["upper", "middle", "lower"]),
    ("donchian", "DONCHIAN", {}, ["upper", "middle", "lower"]),
    ("kc", "KC", {}, ["upper", "middle", "lower"]),
    ("kc(10,20,1.5)", "KC", {"timeperiod": 10, "atrperiod": 20, "nbdev": 1.5}, ["upper", "middle", "lower"]),
    ("supertrend", "SUPERTREND", {}, ["value", "trend"]),
    ("supertrend(7,2)", "SUPERTREND", {"timeperiod": 7, "multiplier": 2.0}, ["value", "trend"]),
    ("vwma", "VWMA", {}, None),
    ("adr", "ADR", {}, None),
    ("cvi", "CVI", {}, None),
    ("massi", "MASSI", {}, None),
    ("rvi", "RVI", {}, None),
    ("percentile", "PERCENTILE", {}, None),
    ("percentile(20,90)", "PERCENTILE", {"timeperiod": 20, "percentile": 90.0}, None),
    ("percentile(10,33)", "PERCENTILE", {"timeperiod": 10, "percentile": 33.0}, None),
    ("percentrank", "PERCENTRANK", {}, None),
    ("percentrank(10)", "PERCENTRANK", {"timeperiod": 10}, None),
    ("sarext", "SAREXT", {}, None),
    ("sarext(0,0.01,0.01,0.02,0.1,0.03,0.03,0.3)", "SAREXT",
     {"startvalue": 0.0, "offsetonreverse": 0.01, "accelerationinitlong": 0.01, "accelerationlong": 0.02,
      "accelerationmaxlong": 0.1, "accelerationinitshort": 0.03, "accelerationshort": 0.03,
      "accelerationmaxshort": 0.3}, None),
    ("ht_dcperiod", "HT_DCPERIOD", {}, None),
    ("ht_dcphase", "HT_DCPHASE", {}, None),
    ("ht_phasor", "HT_PHASOR", {}, ["inphase", "quadrature"]),
    ("ht_sine", "HT_SINE", {}, ["sine", "leadsine"]),
    ("ht_trendmode", "HT_TRENDMODE", {}, None),
    ("ht_trendline", "HT_TRENDLINE", {}, None),
    # Overlap studies.
    ("midpoint", "MIDPOINT", {}, None),
    ("midprice(5)", "MIDPRICE", {"timeperiod": 5}, None),
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
        # Every parameter set on the main series; TA-Lib's defaults (bare names) on the tiny
        # and huge ones, whose point is the zero thresholds and the magnitudes.
        chosen = specs if name == "main" else [s for s in specs if "(" not in s[0]]
        header, columns, integer = run(inputs, chosen)
        rows = kept_rows(len(inputs["close"]))
        path = GOLDEN / f"{name}_ext_talib.csv.gz"
        write(path, header, columns, integer, rows)
        print(f"{name}: {len(rows)} of {len(inputs['close'])} rows, {len(header)} columns, "
              f"{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
