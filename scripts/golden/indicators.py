#!/usr/bin/env python3
"""Golden data for the analytics crate's indicators, computed by TA-Lib.

Writes deterministic OHLCV inputs and TA-Lib's outputs for every indicator (defaults plus
non-default parameter sets) into crates/analytics/tests/golden/ as gzipped CSV, with every
float written by repr() so it round-trips exactly. Column headers are our spec strings
(`macd(12,26,9).signal`), so the Rust test parses the header to know what to compute.

Usage: pip install TA-Lib==0.8.2 numpy && python3 scripts/golden/indicators.py
"""

import gzip
import pathlib

import numpy as np
import talib

# The golden files are TA-Lib 0.8.2's answers (its defaults differ from 0.4's): refuse any other.
assert talib.__version__ == "0.8.2", f"TA-Lib {talib.__version__}: this generator needs 0.8.2"

OUT_DIR = pathlib.Path(__file__).resolve().parents[2] / "crates/analytics/tests/golden"
MA = {"sma": 0, "ema": 1, "wma": 2, "dema": 3, "tema": 4, "trima": 5, "kama": 6, "mama": 7, "t3": 8}


def make_main(rows=5000, seed=20261124):
    """A random walk with trend regimes, flat stretches, gaps, jumps and spikes."""
    rng = np.random.default_rng(seed)
    drift = np.repeat(rng.normal(0, 0.002, rows // 250 + 1), 250)[:rows]
    returns = drift + rng.normal(0, 0.015, rows)
    close = 100.0 * np.exp(np.cumsum(returns))
    # Jumps and gaps.
    close[1500:] *= 1.25
    close[2600:] *= 0.8
    close[4100:] *= 1.5
    open_ = np.empty(rows)
    open_[0] = close[0]
    open_[1:] = close[:-1] * np.exp(rng.normal(0, 0.004, rows - 1))
    open_[2600] = close[2600] * 1.01  # a gap down opening near the new level
    spread = np.abs(rng.normal(0, 0.01, rows)) * close
    high = np.maximum(open_, close) + spread * rng.uniform(0.1, 1.0, rows)
    low = np.minimum(open_, close) - spread * rng.uniform(0.1, 1.0, rows)
    volume = np.round(rng.lognormal(11, 0.6, rows))
    # Spikes: single bars with an extreme high or low.
    for i in (700, 2222, 3333):
        high[i] = close[i] * 1.3
    for i in (900, 3700):
        low[i] = close[i] * 0.7
    # Flat stretches: every price equal, long enough to flatten every window.
    for start, length in ((1000, 120), (3000, 60), (4500, 45)):
        level = round(close[start - 1], 2)
        sl = slice(start, start + length)
        open_[sl] = high[sl] = low[sl] = close[sl] = level
    # Close pinned at the high, then at the low, for a while.
    close[2000:2030] = high[2000:2030]
    close[2100:2130] = low[2100:2130]
    low[2100:2130] = np.minimum(low[2100:2130], close[2100:2130])
    # Zero volume bars, and a stretch of repeated closes with moving highs and lows.
    volume[1200:1220] = 0.0
    close[3900:3920] = close[3899]
    high[3900:3920] = np.maximum(high[3900:3920], close[3899])
    low[3900:3920] = np.minimum(low[3900:3920], close[3899])
    return open_, high, low, close, volume


def scaled(data, rows, factor):
    return tuple(series[:rows] * (factor if k < 4 else 1.0) for k, series in enumerate(data))


# (spec, outputs, function of (o, h, l, c, v) returning a tuple of arrays)
def specs_default():
    return [
        ("sma(30)", None, lambda o, h, l, c, v: talib.SMA(c, 30)),
        ("ema(30)", None, lambda o, h, l, c, v: talib.EMA(c, 30)),
        ("wma(30)", None, lambda o, h, l, c, v: talib.WMA(c, 30)),
        ("dema(30)", None, lambda o, h, l, c, v: talib.DEMA(c, 30)),
        ("tema(30)", None, lambda o, h, l, c, v: talib.TEMA(c, 30)),
        ("kama(30)", None, lambda o, h, l, c, v: talib.KAMA(c, 30)),
        ("bbands(5,2,2)", ["upper", "middle", "lower"], lambda o, h, l, c, v: talib.BBANDS(c, 5, 2, 2, 0)),
        ("rsi(14)", None, lambda o, h, l, c, v: talib.RSI(c, 14)),
        ("macd(12,26,9)", ["macd", "signal", "hist"], lambda o, h, l, c, v: talib.MACD(c, 12, 26, 9)),
        ("stoch(5,3,3)", ["k", "d"], lambda o, h, l, c, v: talib.STOCH(h, l, c, 5, 3, 0, 3, 0)),
        ("stochf(5,3)", ["k", "d"], lambda o, h, l, c, v: talib.STOCHF(h, l, c, 5, 3, 0)),
        ("stochrsi(14,5,3)", ["k", "d"], lambda o, h, l, c, v: talib.STOCHRSI(c, 14, 5, 3, 0)),
        ("willr(14)", None, lambda o, h, l, c, v: talib.WILLR(h, l, c, 14)),
        ("cci(14)", None, lambda o, h, l, c, v: talib.CCI(h, l, c, 14)),
        ("roc(10)", None, lambda o, h, l, c, v: talib.ROC(c, 10)),
        ("mom(10)", None, lambda o, h, l, c, v: talib.MOM(c, 10)),
        ("atr(14)", None, lambda o, h, l, c, v: talib.ATR(h, l, c, 14)),
        ("natr(14)", None, lambda o, h, l, c, v: talib.NATR(h, l, c, 14)),
        ("adx(14)", None, lambda o, h, l, c, v: talib.ADX(h, l, c, 14)),
        ("adxr(14)", None, lambda o, h, l, c, v: talib.ADXR(h, l, c, 14)),
        ("plus_di(14)", None, lambda o, h, l, c, v: talib.PLUS_DI(h, l, c, 14)),
        ("minus_di(14)", None, lambda o, h, l, c, v: talib.MINUS_DI(h, l, c, 14)),
        ("mfi(14)", None, lambda o, h, l, c, v: talib.MFI(h, l, c, v, 14)),
        ("obv()", None, lambda o, h, l, c, v: talib.OBV(c, v)),
        ("ultosc(7,14,28)", None, lambda o, h, l, c, v: talib.ULTOSC(h, l, c, 7, 14, 28)),
        ("apo(12,26,matype=sma)", None, lambda o, h, l, c, v: talib.APO(c, 12, 26, 0)),
        ("ppo(12,26,matype=sma)", None, lambda o, h, l, c, v: talib.PPO(c, 12, 26, 0)),
        ("trix(30)", None, lambda o, h, l, c, v: talib.TRIX(c, 30)),
        ("aroon(14)", ["down", "up"], lambda o, h, l, c, v: talib.AROON(h, l, 14)),
        ("aroonosc(14)", None, lambda o, h, l, c, v: talib.AROONOSC(h, l, 14)),
        ("cmo(14)", None, lambda o, h, l, c, v: talib.CMO(c, 14)),
        ("sar(0.02,0.2)", None, lambda o, h, l, c, v: talib.SAR(h, l, 0.02, 0.2)),
        ("trima(30)", None, lambda o, h, l, c, v: talib.TRIMA(c, 30)),
        ("t3(5,0.7)", None, lambda o, h, l, c, v: talib.T3(c, 5, 0.7)),
        ("mama(0.5,0.05)", ["mama", "fama"], lambda o, h, l, c, v: talib.MAMA(c, 0.5, 0.05)),
    ]


def specs_params():
    """Non-default parameters, every MA type we support in the MA-taking indicators."""
    out = [
        ("sma(5)", None, lambda o, h, l, c, v: talib.SMA(c, 5)),
        ("sma(200)", None, lambda o, h, l, c, v: talib.SMA(c, 200)),
        ("ema(2)", None, lambda o, h, l, c, v: talib.EMA(c, 2)),
        ("ema(50)", None, lambda o, h, l, c, v: talib.EMA(c, 50)),
        ("wma(9)", None, lambda o, h, l, c, v: talib.WMA(c, 9)),
        ("dema(10)", None, lambda o, h, l, c, v: talib.DEMA(c, 10)),
        ("tema(7)", None, lambda o, h, l, c, v: talib.TEMA(c, 7)),
        ("kama(10)", None, lambda o, h, l, c, v: talib.KAMA(c, 10)),
        ("bbands(20,2,2)", ["upper", "middle", "lower"], lambda o, h, l, c, v: talib.BBANDS(c, 20, 2, 2, 0)),
        ("bbands(10,1.5,2.5,matype=ema)", ["upper", "middle", "lower"], lambda o, h, l, c, v: talib.BBANDS(c, 10, 1.5, 2.5, 1)),
        ("bbands(8,1,1,matype=t3)", ["upper", "middle", "lower"], lambda o, h, l, c, v: talib.BBANDS(c, 8, 1, 1, 8)),
        ("rsi(2)", None, lambda o, h, l, c, v: talib.RSI(c, 2)),
        ("rsi(30)", None, lambda o, h, l, c, v: talib.RSI(c, 30)),
        ("macd(5,35,5)", ["macd", "signal", "hist"], lambda o, h, l, c, v: talib.MACD(c, 5, 35, 5)),
        ("macd(3,10,1)", ["macd", "signal", "hist"], lambda o, h, l, c, v: talib.MACD(c, 3, 10, 1)),
        ("stoch(14,3,3)", ["k", "d"], lambda o, h, l, c, v: talib.STOCH(h, l, c, 14, 3, 0, 3, 0)),
        ("stoch(9,4,5,slowk_matype=ema,slowd_matype=wma)", ["k", "d"], lambda o, h, l, c, v: talib.STOCH(h, l, c, 9, 4, 1, 5, 2)),
        ("stoch(5,1,1)", ["k", "d"], lambda o, h, l, c, v: talib.STOCH(h, l, c, 5, 1, 0, 1, 0)),
        ("stochf(14,3,fastd_matype=dema)", ["k", "d"], lambda o, h, l, c, v: talib.STOCHF(h, l, c, 14, 3, 3)),
        ("stochrsi(14,14,3,fastd_matype=tema)", ["k", "d"], lambda o, h, l, c, v: talib.STOCHRSI(c, 14, 14, 3, 4)),
        ("willr(5)", None, lambda o, h, l, c, v: talib.WILLR(h, l, c, 5)),
        ("cci(20)", None, lambda o, h, l, c, v: talib.CCI(h, l, c, 20)),
        ("cci(5)", None, lambda o, h, l, c, v: talib.CCI(h, l, c, 5)),
        ("roc(1)", None, lambda o, h, l, c, v: talib.ROC(c, 1)),
        ("mom(1)", None, lambda o, h, l, c, v: talib.MOM(c, 1)),
        ("atr(1)", None, lambda o, h, l, c, v: talib.ATR(h, l, c, 1)),
        ("atr(5)", None, lambda o, h, l, c, v: talib.ATR(h, l, c, 5)),
        ("natr(7)", None, lambda o, h, l, c, v: talib.NATR(h, l, c, 7)),
        ("adx(5)", None, lambda o, h, l, c, v: talib.ADX(h, l, c, 5)),
        ("adxr(7)", None, lambda o, h, l, c, v: talib.ADXR(h, l, c, 7)),
        ("plus_di(1)", None, lambda o, h, l, c, v: talib.PLUS_DI(h, l, c, 1)),
        ("minus_di(30)", None, lambda o, h, l, c, v: talib.MINUS_DI(h, l, c, 30)),
        ("mfi(5)", None, lambda o, h, l, c, v: talib.MFI(h, l, c, v, 5)),
        ("ultosc(28,7,14)", None, lambda o, h, l, c, v: talib.ULTOSC(h, l, c, 28, 7, 14)),
        ("apo(5,20,matype=ema)", None, lambda o, h, l, c, v: talib.APO(c, 5, 20, 1)),
        ("ppo(10,21,matype=kama)", None, lambda o, h, l, c, v: talib.PPO(c, 10, 21, 6)),
        ("ppo(3,9,matype=trima)", None, lambda o, h, l, c, v: talib.PPO(c, 3, 9, 5)),
        ("apo(4,10,matype=t3)", None, lambda o, h, l, c, v: talib.APO(c, 4, 10, 8)),
        ("trix(5)", None, lambda o, h, l, c, v: talib.TRIX(c, 5)),
        ("aroon(25)", ["down", "up"], lambda o, h, l, c, v: talib.AROON(h, l, 25)),
        ("aroonosc(5)", None, lambda o, h, l, c, v: talib.AROONOSC(h, l, 5)),
        ("cmo(5)", None, lambda o, h, l, c, v: talib.CMO(c, 5)),
        ("sar(0.01,0.1)", None, lambda o, h, l, c, v: talib.SAR(h, l, 0.01, 0.1)),
        ("sar(0.3,0.2)", None, lambda o, h, l, c, v: talib.SAR(h, l, 0.3, 0.2)),
        ("trima(9)", None, lambda o, h, l, c, v: talib.TRIMA(c, 9)),
        ("trima(2)", None, lambda o, h, l, c, v: talib.TRIMA(c, 2)),
        ("t3(10,0.5)", None, lambda o, h, l, c, v: talib.T3(c, 10, 0.5)),
        ("mama(0.3,0.1)", ["mama", "fama"], lambda o, h, l, c, v: talib.MAMA(c, 0.3, 0.1)),
        ("bbands(40,2,2,matype=mama)", ["upper", "middle", "lower"], lambda o, h, l, c, v: talib.BBANDS(c, 40, 2, 2, 7)),
        ("stoch(5,3,4,slowd_matype=mama)", ["k", "d"], lambda o, h, l, c, v: talib.STOCH(h, l, c, 5, 3, 0, 4, 7)),
        ("ppo(12,26,matype=mama)", None, lambda o, h, l, c, v: talib.PPO(c, 12, 26, 7)),
    ]
    for name, code in MA.items():
        out.append((f"bbands(6,2,2,matype={name})" if name != "sma" else "bbands(6,2,2)",
                    ["upper", "middle", "lower"],
                    lambda o, h, l, c, v, code=code: talib.BBANDS(c, 6, 2, 2, code)))
    return out


def fmt(x):
    return "" if np.isnan(x) else repr(float(x))


def write(path, header, columns):
    rows = len(columns[0])
    with gzip.GzipFile(path, "wb", mtime=0) as raw:
        lines = [",".join(header)]
        for i in range(rows):
            lines.append(",".join(fmt(col[i]) for col in columns))
        raw.write(("\n".join(lines) + "\n").encode())


def run(data, specs):
    header, columns = [], []
    for spec, outputs, fn in specs:
        result = fn(*data)
        if not isinstance(result, tuple):
            result = (result,)
        names = outputs or [None]
        assert len(names) == len(result), spec
        for name, values in zip(names, result):
            header.append(spec if name is None else f"{spec}.{name}")
            columns.append(np.asarray(values, dtype=float))
    return header, columns


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    main_data = make_main()
    datasets = {
        # name: (inputs, spec list)
        "main": (main_data, specs_default()),
        "params": (scaled(main_data, 2000, 1.0), specs_params()),
        "tiny": (scaled(main_data, 1500, 1e-8), specs_default()),
        "huge": (scaled(main_data, 1500, 1e5), specs_default()),
    }
    for name, (data, specs) in datasets.items():
        o, h, l, c, v = (np.ascontiguousarray(x, dtype=float) for x in data)
        write(OUT_DIR / f"{name}_input.csv.gz", ["open", "high", "low", "close", "volume"], [o, h, l, c, v])
        header, columns = run((o, h, l, c, v), specs)
        write(OUT_DIR / f"{name}_talib.csv.gz", header, columns)
        print(f"{name}: {len(c)} rows, {len(header)} output columns")


if __name__ == "__main__":
    main()
