#!/usr/bin/env python3
"""Golden data for the analytics crate's backtests, computed by vectorbt 1.2.0.

Makes small deterministic OHLCV series (date gaps, opening gaps, a flat stretch, volume
spikes on the first and last bars, a price that triples under a short), evaluates rules of
every construct of the rule language with TA-Lib (signals on the first and last bars
included), and runs each case through vectorbt's `Portfolio.from_signals(close, price=open,
size=inf, fees, slippage, init_cash, direction)` on the signals shifted one bar, as the
Rust side does. Random signal cases stress the execution without rules. Writes
crates/analytics/tests/golden/backtest/backtest.json.gz: the bars, and per case the rules,
the signals, the orders, the exit trades, the equity, the totals and the trade statistics.
Floats are written by repr() (json), so they round-trip exactly; NaN is null.

vectorbt pins numpy and numba versions: give it its own venv.
Usage: python3 -m venv /tmp/vbt && /tmp/vbt/bin/pip install vectorbt==1.2.0 TA-Lib==0.8.2 \
       && /tmp/vbt/bin/python scripts/golden/backtest.py
"""

import gzip
import json
import math
import pathlib

import numpy as np
import pandas as pd
import talib
import vectorbt as vbt

assert vbt.__version__ == "1.2.0", f"vectorbt 1.2.0 expected, found {vbt.__version__}"
assert talib.__version__ == "0.8.2", f"TA-Lib 0.8.2 expected, found {talib.__version__}"

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates/analytics/tests/golden/backtest"
INIT_CASH = 10000.0


def make_main(rows=320, seed=20261207):
    """A random walk with an opening gap, a flat stretch, volume spikes and date gaps."""
    rng = np.random.default_rng(seed)
    close = 50.0 * np.exp(np.cumsum(rng.normal(0.0005, 0.02, rows)))
    open_ = np.empty(rows)
    open_[0] = close[0] * 0.995
    open_[1:] = close[:-1] * np.exp(rng.normal(0, 0.006, rows - 1))
    open_[150] = close[149] * 1.08  # an opening gap up
    open_[230] = close[229] * 0.9  # and one down
    spread = np.abs(rng.normal(0, 0.01, rows)) * close
    high = np.maximum(open_, close) + spread * rng.uniform(0.1, 1.0, rows)
    low = np.minimum(open_, close) - spread * rng.uniform(0.1, 1.0, rows)
    volume = np.round(rng.lognormal(7, 0.5, rows))
    # Flat stretch: every price equal, so `<=` and `>=` meet equality.
    level = round(close[99], 2)
    open_[100:118] = high[100:118] = low[100:118] = close[100:118] = level
    # Volume spikes on the first and last bars and a few inside.
    for i in (0, 40, 41, 180, rows - 1):
        volume[i] = 20000.0
    # Business days with a three-week gap and a single missing day.
    dates = pd.bdate_range("2021-01-04", periods=rows + 16)
    dates = dates.delete(list(range(60, 75)) + [200])
    return dates[:rows], open_, high, low, close, volume


def make_spike(rows=60, seed=7):
    """A price that triples: a short opened before it cannot be bought back in full."""
    rng = np.random.default_rng(seed)
    path = np.concatenate([np.full(15, 0.0), np.full(20, 0.06), np.full(rows - 35, -0.01)])
    close = 20.0 * np.exp(np.cumsum(path + rng.normal(0, 0.01, rows)))
    open_ = np.empty(rows)
    open_[0] = close[0]
    open_[1:] = close[:-1] * np.exp(rng.normal(0, 0.004, rows - 1))
    high = np.maximum(open_, close) * 1.01
    low = np.minimum(open_, close) * 0.99
    volume = np.full(rows, 1000.0)
    dates = pd.bdate_range("2022-03-01", periods=rows)
    return dates, open_, high, low, close, volume


def crosses_above(a, b):
    out = np.zeros(len(a), dtype=bool)
    with np.errstate(invalid="ignore"):
        out[1:] = (a[1:] > b[1:]) & (a[:-1] <= b[:-1])
    return out


def crosses_below(a, b):
    out = np.zeros(len(a), dtype=bool)
    with np.errstate(invalid="ignore"):
        out[1:] = (a[1:] < b[1:]) & (a[:-1] >= b[:-1])
    return out


def rule_cases(o, h, l, c, v):
    """(name, entry rule, exit rule, entry signals, exit signals, direction, fees, slippage)."""
    n = len(c)
    rsi = talib.RSI(c, 14)
    sma5, sma20 = talib.SMA(c, 5), talib.SMA(c, 20)
    _, _, hist = talib.MACD(c, 12, 26, 9)
    ema30 = talib.EMA(c, 30)
    upper, middle, lower = talib.BBANDS(c, 20, 2, 2)
    k, d = talib.STOCH(h, l, c, 5, 3, 0, 3, 0)
    willr = talib.WILLR(h, l, c, 14)
    sma3, sma10 = talib.SMA(c, 3), talib.SMA(c, 10)
    cmo = talib.CMO(c, 9)
    always = np.full(n, 0.0)
    with np.errstate(invalid="ignore"):
        return [
            ("rsi_long", "rsi(14) < 35", "rsi(14) > 65",
             rsi < 35, rsi > 65, "long", 0.001, 0.0),
            ("sma_cross_both", "crosses_above(sma(5), sma(20))", "crosses_below(sma(5), sma(20))",
             crosses_above(sma5, sma20), crosses_below(sma5, sma20), "both", 0.0005, 0.001),
            ("macd_short", "macd(12,26,9).hist < 0 and close < ema(30)",
             "macd(12,26,9).hist > 0 or not (close <= open)",
             (hist < 0) & (c < ema30), (hist > 0) | ~(c <= o), "short", 0.002, 0.002),
            ("bbands_long",
             "close <= bbands(20,2).lower or (low < bbands(20,2).lower and volume >= 1000)",
             "close >= bbands(20,2).middle",
             (c <= lower) | ((l < lower) & (v >= 1000)), c >= middle, "long", 0.0, 0.005),
            ("entry_on_every_bar", "close > 0", "volume >= 20000",
             c > always, v >= 20000, "long", 0.001, 0.001),
            ("first_and_last_bars", "volume >= 20000", "crosses_below(close, sma(5))",
             v >= 20000, crosses_below(c, talib.SMA(c, 5)), "long", 0.001, 0.001),
            ("flat_prices_both", "high <= low and close >= open", "crosses_above(close, sma(3))",
             (h <= l) & (c >= o), crosses_above(c, sma3), "both", 0.0, 0.0),
            ("stoch_willr_both", "stoch(5,3,3).k < 20 or willr(14) <= -90",
             "stoch(5,3,3).d > 80 and not willr(14) < -10",
             (k < 20) | (willr <= -90), (d > 80) & ~(willr < -10), "both", 0.001, 0.0),
            ("same_bar_conflicts_long", "close > sma(10)", "close > sma(20)",
             c > sma10, c > sma20, "long", 0.001, 0.0),
            ("same_bar_conflicts_short", "crosses_below(cmo(9), 0) or close < sma(10)",
             "crosses_above(cmo(9), 0) or close < sma(20)",
             crosses_below(cmo, always) | (c < sma10), crosses_above(cmo, always) | (c < sma20),
             "short", 0.0005, 0.0005),
        ]


def random_cases(n, seed):
    rng = np.random.default_rng(seed)
    out = []
    for direction, fees, slippage, density in (
        ("long", 0.001, 0.002, 0.08),
        ("short", 0.0025, 0.0, 0.08),
        ("both", 0.001, 0.001, 0.05),
        ("both", 0.0, 0.0, 0.3),
        ("long", 0.01, 0.01, 0.3),
    ):
        entries = rng.random(n) < density
        exits = rng.random(n) < density
        entries[0] = exits[-1] = True
        out.append((f"random_{direction}_{len(out)}", None, None, entries, exits, direction, fees, slippage))
    return out


def clean(value):
    value = float(value)
    return None if math.isnan(value) else (("inf" if value > 0 else "-inf") if math.isinf(value) else value)


def run(dates, o, c, case):
    name, entry_rule, exit_rule, entries, exits, direction, fees, slippage = case
    entries = np.asarray(entries, dtype=bool)
    exits = np.asarray(exits, dtype=bool)
    # A signal on bar t's close trades at bar t+1's open.
    shifted_entries = np.concatenate([[False], entries[:-1]])
    shifted_exits = np.concatenate([[False], exits[:-1]])
    vbt_direction = {"long": "longonly", "short": "shortonly", "both": "both"}[direction]
    pf = vbt.Portfolio.from_signals(
        close=pd.Series(c, index=dates),
        entries=pd.Series(shifted_entries, index=dates),
        exits=pd.Series(shifted_exits, index=dates),
        price=pd.Series(o, index=dates),
        size=np.inf,
        fees=fees,
        slippage=slippage,
        init_cash=INIT_CASH,
        direction=vbt_direction,
        freq="1D",  # drawdowns need a frequency; business days have none fixed
    )
    orders = pf.orders.values
    trades = pf.trades.values
    closed = pf.trades.closed
    stats = {
        "total_trades": int(pf.trades.count()),
        "closed_trades": int(closed.count()),
        "open_trades": int(pf.trades.open.count()),
        "open_trade_pnl": clean(pf.trades.open.pnl.sum()),
        "win_rate": clean(closed.win_rate()),
        "profit_factor": clean(closed.profit_factor()),
        "expectancy": clean(closed.expectancy()),
        "average_trade": clean(closed.returns.mean()),
        "best_trade": clean(closed.returns.max()),
        "worst_trade": clean(closed.returns.min()),
        "average_winning_trade": clean(closed.winning.returns.mean()),
        "average_losing_trade": clean(closed.losing.returns.mean()),
        "exposure": clean(pf.position_coverage()),
        "total_fees": clean(pf.orders.fees.sum()),
    }
    return {
        "name": name,
        "entry_rule": entry_rule,
        "exit_rule": exit_rule,
        "entries": [int(x) for x in entries],
        "exits": [int(x) for x in exits],
        "direction": direction,
        "fees": fees,
        "slippage": slippage,
        "init_cash": INIT_CASH,
        "orders": [
            {"index": int(r["idx"]), "size": float(r["size"]), "price": float(r["price"]),
             "fees": float(r["fees"]), "side": "buy" if r["side"] == 0 else "sell"}
            for r in orders
        ],
        "trades": [
            {"entry_index": int(t["entry_idx"]), "entry_date": str(dates[t["entry_idx"]].date()),
             "entry_price": float(t["entry_price"]), "entry_fees": float(t["entry_fees"]),
             "exit_index": int(t["exit_idx"]) if t["status"] == 1 else None,
             "exit_date": str(dates[t["exit_idx"]].date()) if t["status"] == 1 else None,
             "exit_price": float(t["exit_price"]), "exit_fees": float(t["exit_fees"]),
             "size": float(t["size"]), "short": bool(t["direction"] == 1),
             "pnl": float(t["pnl"]), "return": float(t["return"])}
            for t in trades
        ],
        "equity": [float(x) for x in pf.value().values],
        "final_value": float(pf.final_value()),
        "total_return": float(pf.total_return()),
        "max_drawdown": float(pf.max_drawdown()),
        "benchmark_return": float(pf.total_benchmark_return()),
        "stats": stats,
    }


def series(name, data, cases):
    dates, o, h, l, c, v = data
    return {
        "name": name,
        "dates": [str(d.date()) for d in dates],
        "open": [float(x) for x in o],
        "high": [float(x) for x in h],
        "low": [float(x) for x in l],
        "close": [float(x) for x in c],
        "volume": [float(x) for x in v],
        "cases": [run(dates, o, c, case) for case in cases],
    }


def main():
    main_data = make_main()
    spike = make_spike()
    _, o, h, l, c, v = main_data
    spike_cases = [
        ("spike_short_cannot_cover", None, None,
         np.arange(60) == 10, np.arange(60) == 40, "short", 0.001, 0.0),
        ("spike_both_reversals", None, None,
         np.isin(np.arange(60), [3, 20, 44]), np.isin(np.arange(60), [10, 30, 50]), "both", 0.002, 0.001),
    ]
    golden = {
        "vectorbt": vbt.__version__,
        "series": [
            series("main", main_data, rule_cases(o, h, l, c, v) + random_cases(len(c), 11)),
            series("spike", spike, spike_cases),
        ],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "backtest.json.gz"
    with gzip.open(path, "wt", compresslevel=9) as f:
        json.dump(golden, f, separators=(",", ":"))
    for s in golden["series"]:
        for case in s["cases"]:
            print(f"{s['name']}/{case['name']}: {len(case['trades'])} trades, final {case['final_value']:.4f}")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
