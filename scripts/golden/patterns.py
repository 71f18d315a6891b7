#!/usr/bin/env python3
"""Golden data for the 61 candlestick patterns, computed by TA-Lib 0.8.2 (C library 0.8.1).

Builds a deterministic OHLC series (>= 5,000 bars) in which every pattern fires both ways
where TA-Lib lets it: random stretches (doji-rich, gaps up and down, long and short bodies,
equal highs and lows, flat stretches, prices on a 0.01 tick and off it), and, for each pattern
and each sign it can give, bars found by a seeded random search over candle shapes until TA-Lib
says the pattern fires on the last bar. Writes into crates/analytics/tests/golden/patterns/:

- inputs.csv.gz: open,high,low,close, every float by repr() (round-trips exactly);
- talib.csv.gz: a header of our names (`cdlengulfing`, `cdlmorningstar(0.5)` for a
  non-default penetration), a second line with each function's lookback as TA-Lib's abstract
  interface reports it, then TA-Lib's integer output of every row (its zeros in the lookback
  included);
- prints how often each pattern fires each way.

Usage: pip install TA-Lib==0.8.2 numpy && python3 scripts/golden/patterns.py
"""

import gzip
import pathlib
import sys

import numpy as np
import talib
from talib import abstract

assert talib.__version__ == "0.8.2", f"needs TA-Lib 0.8.2, found {talib.__version__}"

OUT_DIR = pathlib.Path(__file__).resolve().parents[2] / "crates/analytics/tests/golden/patterns"
FUNCTIONS = talib.get_function_groups()["Pattern Recognition"]
# Non-default penetrations, on top of every function with its defaults.
EXTRA = [
    ("CDLABANDONEDBABY", 0.0), ("CDLABANDONEDBABY", 0.8),
    ("CDLDARKCLOUDCOVER", 0.2), ("CDLDARKCLOUDCOVER", 0.0),
    ("CDLEVENINGDOJISTAR", 0.1), ("CDLEVENINGSTAR", 0.6),
    ("CDLMATHOLD", 0.2), ("CDLMATHOLD", 0.0),
    ("CDLMORNINGDOJISTAR", 0.1), ("CDLMORNINGSTAR", 0.6),
]
# How many bars each pattern spans (the search draws that many); the rest span 4 or 5.
ONE_BAR = {"CDLBELTHOLD", "CDLCLOSINGMARUBOZU", "CDLDOJI", "CDLDRAGONFLYDOJI", "CDLGRAVESTONEDOJI",
           "CDLHIGHWAVE", "CDLLONGLEGGEDDOJI", "CDLLONGLINE", "CDLMARUBOZU", "CDLRICKSHAWMAN",
           "CDLSHORTLINE", "CDLSPINNINGTOP", "CDLTAKURI"}
TWO_BAR = {"CDLCOUNTERATTACK", "CDLDARKCLOUDCOVER", "CDLDOJISTAR", "CDLENGULFING", "CDLHAMMER",
           "CDLHANGINGMAN", "CDLHARAMI", "CDLHARAMICROSS", "CDLHOMINGPIGEON", "CDLINNECK",
           "CDLINVERTEDHAMMER", "CDLKICKING", "CDLKICKINGBYLENGTH", "CDLMATCHINGLOW", "CDLONNECK",
           "CDLPIERCING", "CDLSEPARATINGLINES", "CDLSHOOTINGSTAR", "CDLTHRUSTING"}
THREE_BAR = {"CDL2CROWS", "CDL3INSIDE", "CDL3OUTSIDE", "CDL3STARSINSOUTH", "CDL3WHITESOLDIERS",
             "CDLABANDONEDBABY", "CDLADVANCEBLOCK", "CDLEVENINGDOJISTAR", "CDLEVENINGSTAR",
             "CDLGAPSIDESIDEWHITE", "CDLIDENTICAL3CROWS", "CDLMORNINGDOJISTAR", "CDLMORNINGSTAR",
             "CDLSTALLEDPATTERN", "CDLSTICKSANDWICH", "CDLTASUKIGAP", "CDLTRISTAR",
             "CDLUNIQUE3RIVER", "CDLUPSIDEGAP2CROWS", "CDLXSIDEGAP3METHODS"}
# Hand-built bars for patterns the random search rarely meets: (function, value wanted on
# the last bar, bars as (open, high, low, close) in units of the recent average range, from
# the last close). Each is checked with TA-Lib when it is placed.
TEMPLATES = [
    ("CDL3BLACKCROWS", -100, [(0, 1.5, -0.1, 1), (1.2, 1.3, 0.2, 0.2), (0.8, 0.85, -0.6, -0.6),
                              (0.2, 0.25, -1.4, -1.4)]),
    ("CDL3LINESTRIKE", 100, [(0, 1.05, -0.05, 1), (0.5, 1.55, 0.45, 1.5), (1, 2.05, 0.95, 2),
                             (2.2, 2.3, -0.3, -0.2)]),
    ("CDL3LINESTRIKE", -100, [(0, 0.05, -1.05, -1), (-0.5, -0.45, -1.55, -1.5), (-1, -0.95, -2.05, -2),
                              (-2.2, 0.3, -2.3, 0.2)]),
    ("CDL3STARSINSOUTH", 100, [(2, 2.1, -2.5, 0), (1, 1.1, -1.5, -0.2), (-0.3, -0.3, -0.6, -0.6)]),
    ("CDLBREAKAWAY", 100, [(2, 2.1, -0.1, 0), (-0.5, -0.4, -1.1, -1.0), (-1.2, -1.1, -1.6, -1.5),
                           (-1.6, -1.55, -2.1, -2.0), (-2.0, -0.2, -2.05, -0.25)]),
    ("CDLBREAKAWAY", -100, [(-2, 0.1, -2.1, 0), (0.5, 1.1, 0.4, 1.0), (1.2, 1.6, 1.1, 1.5),
                            (1.6, 2.1, 1.55, 2.0), (2.0, 2.05, 0.2, 0.25)]),
    ("CDLCONCEALBABYSWALL", 100, [(2, 2, 1, 1), (1, 1, 0, 0), (-0.3, 0.3, -0.9, -0.8),
                                  (0.4, 0.5, -1.3, -1.2)]),
    ("CDLHIKKAKEMOD", 100, [(0, 2, -2, 0.5), (-0.5, 1.5, -1.5, -1.4), (0.2, 1, -1, -0.2),
                            (0, 0.5, -1.3, -1.0)]),
    ("CDLHIKKAKEMOD", 200, [(0, 1.6, -0.1, 1.5)]),
    ("CDLHIKKAKEMOD", -100, [(0, 2, -2, -0.5), (0.5, 1.5, -1.5, 1.4), (-0.2, 1, -1, 0.2),
                             (0, 1.3, -0.5, 1.0)]),
    ("CDLHIKKAKEMOD", -200, [(0, 0.1, -1.6, -1.5)]),
    ("CDLKICKING", 100, [(2, 2, 0, 0), (2.5, 4.5, 2.5, 4.5)]),
    ("CDLKICKING", -100, [(0, 2, 0, 2), (-0.5, -0.5, -2.5, -2.5)]),
    ("CDLKICKINGBYLENGTH", 100, [(2, 2, 0, 0), (2.5, 5, 2.5, 5)]),
    ("CDLKICKINGBYLENGTH", -100, [(0, 3, 0, 3), (-0.5, -0.5, -2.5, -2.5)]),
    ("CDLKICKINGBYLENGTH", -100, [(3, 3, 0, 0), (3.5, 5.5, 3.5, 5.5)]),  # the longer one is black
    ("CDLMATHOLD", 100, [(0, 3.05, -0.05, 3), (3.6, 3.7, 3.25, 3.3), (3.2, 3.3, 2.75, 2.8),
                         (3.0, 3.1, 2.55, 2.6), (2.8, 4.3, 2.75, 4.2)]),
    ("CDLRISEFALL3METHODS", 100, [(0, 3.1, -0.1, 3), (2.8, 2.85, 2.45, 2.5), (2.5, 2.55, 2.05, 2.1),
                                  (2.1, 2.15, 1.75, 1.8), (1.9, 4.6, 1.85, 4.5)]),
    ("CDLRISEFALL3METHODS", -100, [(0, 0.1, -3.1, -3), (-2.8, -2.45, -2.85, -2.5),
                                   (-2.5, -2.05, -2.55, -2.1), (-2.1, -1.75, -2.15, -1.8),
                                   (-1.9, -1.85, -4.6, -4.5)]),
    ("CDLTASUKIGAP", 100, [(0, 1.1, -0.1, 1), (1.5, 2.6, 1.45, 2.5), (2.0, 2.1, 1.1, 1.2)]),
    ("CDLTASUKIGAP", -100, [(0, 0.1, -1.1, -1), (-1.5, -1.45, -2.6, -2.5), (-2.0, -1.1, -2.1, -1.2)]),
    ("CDLXSIDEGAP3METHODS", -100, [(1, 1.1, -0.1, 0), (-0.5, -0.4, -1.6, -1.5), (-1, 0.6, -1.1, 0.5)]),
    ("CDLXSIDEGAP3METHODS", 100, [(-1, 0.1, -1.1, 0), (0.5, 1.6, 0.4, 1.5), (1, 1.1, -0.6, -0.5)]),
]
CONTEXT = 24  # bars before a candidate: every lookback (at most 14) plus its averages
TICK = 0.01


def call(name, o, h, l, c, penetration=None):
    fn = getattr(talib, name)
    if penetration is None:
        return fn(o, h, l, c)
    return fn(o, h, l, c, penetration=penetration)


class Series:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.o, self.h, self.l, self.c = [], [], [], []

    def push(self, o, h, l, c, tick=True):
        if tick:
            o, h, l, c = (round(x / TICK) * TICK for x in (o, h, l, c))
            o, h, l, c = (float(f"{x:.2f}") for x in (o, h, l, c))
        h = max(h, o, c)
        l = min(l, o, c)
        self.o.append(o), self.h.append(h), self.l.append(l), self.c.append(c)

    def last_close(self):
        return self.c[-1] if self.c else 100.0

    def arrays(self, tail=None):
        sl = slice(-tail, None) if tail else slice(None)
        return tuple(np.array(x[sl], dtype=float) for x in (self.o, self.h, self.l, self.c))

    # Random stretches -------------------------------------------------------------------
    def walk(self, n, body=1.0, shadow=0.6, gap=0.3, doji=0.1, tick=True, unit=1.0):
        rng = self.rng
        for _ in range(n):
            prev = self.last_close()
            o = prev + rng.normal(0, gap) * unit
            if rng.random() < doji:
                b = rng.choice([0.0, 0.01, -0.01, 0.02]) * unit
            else:
                b = rng.normal(0, body) * unit
            c = o + b
            h = max(o, c) + abs(rng.normal(0, shadow)) * unit * rng.choice([0, 1, 1, 1])
            l = min(o, c) - abs(rng.normal(0, shadow)) * unit * rng.choice([0, 1, 1, 1])
            self.push(o, h, l, c, tick)

    def flat(self, n):
        level = self.last_close()
        for _ in range(n):
            self.push(level, level, level, level)

    def equal_extremes(self, n):
        """Bars sharing one high and one low (ties in every comparison of highs and lows)."""
        base = self.last_close()
        hi, lo = base + 1.0, base - 1.0
        for _ in range(n):
            o, c = self.rng.uniform(lo, hi, 2)
            self.push(o, hi, lo, c)

    def ties(self, n, level, range_, white):
        """Bars of one shape whose body is a tenth of their range: every doji, short-body and
        long-body test then sits on its threshold, and only the last bits of TA-Lib's running
        totals (moved by `total += new - old` since the series began) decide it."""
        body = round(range_ / 10, 2)
        lower = round((range_ - body) / 2, 2)
        upper = round(range_ - body - lower, 2)
        for _ in range(n):
            o, c = (level, level + body) if white else (level + body, level)
            self.push(o, level + body + upper, level - lower, c)

    # Searched bars ----------------------------------------------------------------------
    def candidate(self, k, unit):
        """k bars drawn from a small grammar of shapes, so that ties and gaps are common."""
        rng = self.rng
        bars = []
        prev_o, prev_c = self.o[-1], self.c[-1]
        prev_h, prev_l = self.h[-1], self.l[-1]
        for _ in range(k):
            r = rng.random()
            if r < 0.25:
                o = prev_c
            elif r < 0.35:
                o = prev_o
            elif r < 0.45:
                o = prev_h + rng.choice([0.0, 0.25, 1.0]) * unit
            elif r < 0.55:
                o = prev_l - rng.choice([0.0, 0.25, 1.0]) * unit
            else:
                o = prev_c + rng.choice([-3, -2, -1, -0.5, -0.25, 0.25, 0.5, 1, 2, 3]) * unit
            b = rng.choice([0.0, 0.0, 0.05, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0]) * unit
            b *= rng.choice([-1, 1])
            c = o + b
            up = rng.choice([0.0, 0.0, 0.02, 0.1, 0.5, 1.0, 2.0, 3.0]) * unit
            dn = rng.choice([0.0, 0.0, 0.02, 0.1, 0.5, 1.0, 2.0, 3.0]) * unit
            h, l = max(o, c) + up, min(o, c) - dn
            if rng.random() < 0.1:
                h = prev_h
            if rng.random() < 0.1:
                l = prev_l
            h, l = max(h, o, c), min(l, o, c)
            bars.append((o, h, l, c))
            prev_o, prev_c, prev_h, prev_l = o, c, h, l
        return bars

    def place(self, name, wanted, bars):
        """Appends a template scaled to the recent range; says whether TA-Lib gives `wanted`."""
        ctx = self.arrays(10)
        unit = max(float(np.mean(ctx[1] - ctx[2])), 0.05) * self.rng.choice([0.8, 1.0, 1.3])
        base = self.last_close() + float(self.rng.choice([0.0, 0.5])) * unit
        for bar in bars:
            self.push(*(base + x * unit for x in bar))
        o, h, l, c = self.arrays(CONTEXT + 6)
        return int(getattr(talib, name)(o, h, l, c)[-1]) == wanted

    def search(self, name, wanted, k, tries):
        """Appends k bars on whose last `name` gives a value `wanted` accepts, if found."""
        ctx = self.arrays(CONTEXT)
        unit = max(float(np.mean(ctx[1] - ctx[2])), 0.05)
        fn = getattr(talib, name)
        for _ in range(tries):
            bars = np.round(np.array(self.candidate(k, unit)) / TICK) * TICK
            o, h, l, c = (np.concatenate([ctx[j], bars[:, j]]) for j in range(4))
            h = np.maximum(np.maximum(h, o), c)
            l = np.minimum(np.minimum(l, o), c)
            if wanted(fn(o, h, l, c)[-1]):
                for j in range(CONTEXT, CONTEXT + k):
                    self.push(*(float(f"{x[j]:.2f}") for x in (o, h, l, c)), tick=False)
                return True
        return False


def build(seed=20261207):
    s = Series(seed)
    s.walk(300)
    # A few plain stretches of every kind first.
    s.walk(200, doji=0.6, shadow=1.0)          # doji-rich
    s.flat(30)
    s.walk(200, gap=1.5)                       # gaps up and down
    s.equal_extremes(40)
    s.walk(200, body=2.5, shadow=0.2)          # long bodies, short shadows
    s.walk(200, body=0.2, shadow=1.2)          # short bodies, long shadows
    s.walk(150, tick=False)                    # prices off the tick grid
    s.flat(15)
    s.walk(150, unit=0.01)                     # tiny ranges around the same level
    lengths = {name: 1 for name in ONE_BAR} | {name: 2 for name in TWO_BAR} | {name: 3 for name in THREE_BAR}
    targets = []
    for name in FUNCTIONS:
        targets += [(name, "+", lambda v: v > 0), (name, "-", lambda v: v < 0)]
        if name.startswith("CDLHIKKAKE"):  # the confirmations too
            targets += [(name, "+200", lambda v: v == 200), (name, "-200", lambda v: v == -200)]
    found = {}
    for round_ in range(5):
        for name, label, wanted in targets:
            if round_ and not found[(name, label)]:
                continue  # never found in the first, long round: TA-Lib cannot give it
            ok = s.search(name, wanted, lengths.get(name, 5), tries=3000 if round_ == 0 else 400)
            found[(name, label)] = found.get((name, label), 0) + ok
            if ok:
                s.walk(int(s.rng.integers(1, 6)), doji=0.3 if round_ % 2 else 0.05)
        print(f"round {round_}: {len(s.c)} bars", file=sys.stderr, flush=True)
        s.walk(60, doji=0.4, gap=1.0)
        s.flat(12)
    for rep in range(4):
        for name, wanted, bars in TEMPLATES:
            s.walk(int(s.rng.integers(10, 16)), doji=0.05, gap=0.2, body=0.6, shadow=0.4)
            if not s.place(name, wanted, bars) and wanted in (100, -100) and len(bars) > 1:
                print(f"template {name} {wanted} did not fire (rep {rep})", file=sys.stderr)
    # Threshold ties at several price levels and ranges (prices off powers of two, so the
    # sums round), each stretch long enough to refill every average.
    for level, range_ in ((1.37, 0.3), (0.83, 0.7), (12.41, 0.5), (101.37, 1.1), (3.07, 0.9),
                          (57.13, 0.3), (0.29, 0.11), (7.77, 2.3)):
        for white in (True, False):
            s.walk(8)
            s.ties(14, level, range_, white)
    while len(s.c) < 5000:
        s.walk(100, doji=0.3, gap=0.8)
    return s, found


def fmt_row(values):
    return ",".join(values)


def write(path, lines):
    with gzip.GzipFile(path, "wb", mtime=0) as raw:
        raw.write(("\n".join(lines) + "\n").encode())


def main():
    s, found = build()
    o, h, l, c = s.arrays()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write(OUT_DIR / "inputs.csv.gz",
          ["open,high,low,close"] + [",".join(repr(float(x[i])) for x in (o, h, l, c)) for i in range(len(c))])
    header, lookbacks, columns = [], [], []
    for name in FUNCTIONS:
        header.append(name.lower())
        lookbacks.append(str(abstract.Function(name).lookback))
        columns.append(call(name, o, h, l, c))
    for name, pen in EXTRA:
        header.append(f"{name.lower()}({pen!r})")
        fn = abstract.Function(name)
        fn.set_parameters(penetration=pen)
        lookbacks.append(str(fn.lookback))
        columns.append(call(name, o, h, l, c, pen))
    rows = [fmt_row(header), fmt_row(lookbacks)]
    rows += [",".join(str(int(col[i])) for col in columns) for i in range(len(c))]
    write(OUT_DIR / "talib.csv.gz", rows)
    print(f"{len(c)} bars", file=sys.stderr)
    for name, col in zip(header, columns):
        values, counts = np.unique(col, return_counts=True)
        fires = {int(v): int(n) for v, n in zip(values, counts) if v != 0}
        print(f"{name:32s} {fires}")
    missing = [f"{n}{label}" for (n, label), ok in found.items() if not ok]
    print("not found by the search:", " ".join(missing) or "none", file=sys.stderr)


if __name__ == "__main__":
    main()
