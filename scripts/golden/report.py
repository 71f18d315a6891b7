#!/usr/bin/env python3
"""Golden data for the analytics crate's report module (QuantStats 0.0.86's `qs.stats`).

Makes several daily return series (a long correlated pair, flat stretches, a benchmark equal
to the portfolio, stretches of losses only, no benchmark, a short series, a risk-free rate)
and computes with QuantStats every scalar statistic the Rust report keys by QuantStats'
function names, the benchmark measures, and the series and tables of the tearsheet.

Writes crates/analytics/tests/golden/report.json.gz: a list of cases, each with `dates`
(YYYY-MM-DD), `returns`, `benchmark` (or null), `risk_free`, and `expected`. Floats are written
with Python's repr (17 significant digits at most), so they round-trip exactly; NaN and
infinities are written as null.

Usage: python3 -m venv venv && venv/bin/pip install quantstats==0.0.86 &&
       venv/bin/python scripts/golden/report.py
"""

import gzip
import json
import math
import pathlib
import warnings

import numpy as np
import pandas as pd
import quantstats as qs

assert qs.__version__ == "0.0.86", f"QuantStats 0.0.86 expected, found {qs.__version__}"
warnings.filterwarnings("ignore")

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates/analytics/tests/golden/report.json.gz"
S = qs.stats


def clean(value):
    """A JSON-safe number: NaN and infinities become None, numpy scalars Python ones."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


def series_list(series):
    return [clean(v) for v in series.to_numpy()]


def scalars(r, rf):
    """Every scalar of qs.stats with its defaults; `rf` passed to the functions that take it."""
    return {
        "adjusted_sortino": S.adjusted_sortino(r, rf),
        "autocorr_penalty": S.autocorr_penalty(r),
        "avg_loss": S.avg_loss(r),
        "avg_return": S.avg_return(r),
        "avg_win": S.avg_win(r),
        "best": S.best(r),
        "cagr": S.cagr(r, rf),
        "calmar": S.calmar(r),
        "common_sense_ratio": S.common_sense_ratio(r),
        "comp": S.comp(r),
        "conditional_value_at_risk": S.conditional_value_at_risk(r),
        "consecutive_losses": S.consecutive_losses(r),
        "consecutive_wins": S.consecutive_wins(r),
        "cpc_index": S.cpc_index(r),
        "cvar": S.cvar(r),
        "expected_return": S.expected_return(r),
        "expected_shortfall": S.expected_shortfall(r),
        "exposure": S.exposure(r),
        "gain_to_pain_ratio": S.gain_to_pain_ratio(r, rf),
        "geometric_mean": S.geometric_mean(r),
        "ghpr": S.ghpr(r),
        "kelly_criterion": S.kelly_criterion(r),
        "kurtosis": S.kurtosis(r),
        "max_drawdown": S.max_drawdown(r),
        "omega": S.omega(r, rf),
        "outlier_loss_ratio": S.outlier_loss_ratio(r),
        "outlier_win_ratio": S.outlier_win_ratio(r),
        "payoff_ratio": S.payoff_ratio(r),
        "probabilistic_adjusted_sortino_ratio": S.probabilistic_adjusted_sortino_ratio(r, rf),
        "probabilistic_ratio": S.probabilistic_ratio(r, rf),
        "probabilistic_sharpe_ratio": S.probabilistic_sharpe_ratio(r, rf),
        "probabilistic_sortino_ratio": S.probabilistic_sortino_ratio(r, rf),
        "profit_factor": S.profit_factor(r),
        "profit_ratio": S.profit_ratio(r),
        "rar": S.rar(r, rf),
        "recovery_factor": S.recovery_factor(r, rf),
        "risk_of_ruin": S.risk_of_ruin(r),
        "risk_return_ratio": S.risk_return_ratio(r),
        "ror": S.ror(r),
        "serenity_index": S.serenity_index(r, rf),
        "sharpe": S.sharpe(r, rf),
        "skew": S.skew(r),
        "smart_sharpe": S.smart_sharpe(r, rf),
        "smart_sortino": S.smart_sortino(r, rf),
        "sortino": S.sortino(r, rf),
        "tail_ratio": S.tail_ratio(r),
        "ulcer_index": S.ulcer_index(r),
        "ulcer_performance_index": S.ulcer_performance_index(r, rf),
        "upi": S.upi(r, rf),
        "value_at_risk": S.value_at_risk(r),
        "var": S.var(r),
        "volatility": S.volatility(r),
        "win_loss_ratio": S.win_loss_ratio(r),
        "win_rate": S.win_rate(r),
        "worst": S.worst(r),
    }


def benchmark_scalars(r, b, rf):
    greeks = S.greeks(r, b)
    return {
        "information_ratio": S.information_ratio(r, b),
        "r_squared": S.r_squared(r, b),
        "r2": S.r2(r, b),
        "treynor_ratio": S.treynor_ratio(r, b, rf=rf),
        "greeks": {"alpha": clean(greeks["alpha"]), "beta": clean(greeks["beta"])},
    }


def drawdown_details(dd):
    details = S.drawdown_details(dd)
    return [
        {
            "start": row["start"],
            "valley": row["valley"],
            "end": row["end"],
            "days": int(row["days"]),
            "max_drawdown": clean(row["max drawdown"]),
            "max_drawdown_99": clean(row["99% max drawdown"]),
        }
        for _, row in details.iterrows()
    ]


def monthly_table(r):
    table = S.monthly_returns(r)
    return [
        {"year": int(year), "months": [clean(v) for v in row.iloc[:12]], "eoy": clean(row["EOY"])}
        for year, row in table.iterrows()
    ]


def yearly(r):
    grouped = qs.utils.group_returns(r, r.index.year, compounded=True)
    return [{"year": int(y), "return": clean(v)} for y, v in grouped.items()]


def distribution(r):
    dist = S.distribution(r)
    return {
        period.lower(): {
            "values": [clean(v) for v in dist[period]["values"]],
            "outliers": [clean(v) for v in dist[period]["outliers"]],
        }
        for period in ["Daily", "Weekly", "Monthly", "Quarterly", "Yearly"]
    }


def expected(r, b, rf):
    out = {"stats": {k: clean(v) for k, v in scalars(r, rf).items()}}
    if b is not None:
        out["stats"].update(
            {k: (v if isinstance(v, dict) else clean(v)) for k, v in benchmark_scalars(r, b, rf).items()}
        )
    dd = S.to_drawdown_series(r)
    out["cumulative_returns"] = series_list(S.compsum(r))
    out["drawdown"] = series_list(dd)
    out["drawdown_details"] = drawdown_details(dd)
    out["monthly_returns"] = monthly_table(r)
    out["eoy_returns"] = yearly(r)
    out["distribution"] = distribution(r)
    out["rolling_volatility"] = series_list(S.rolling_volatility(r))
    out["rolling_sharpe"] = series_list(S.rolling_sharpe(r, rf))
    out["rolling_sortino"] = series_list(S.rolling_sortino(r, rf))
    # One simulation is the historical path itself (QuantStats' sim_0), so its drawdown, final
    # return, bust and goal can be compared exactly; the shuffled paths use numpy's generator.
    mc = S.montecarlo(r, sims=1, bust=-0.1, goal=0.0, seed=1)
    out["montecarlo_history"] = {
        "terminal": clean(mc.stats["mean"]),
        "max_drawdown": clean(mc.maxdd["mean"]),
        "bust_probability": clean(mc.bust_probability),
        "goal_probability": clean(mc.goal_probability),
    }
    if b is not None:
        out["benchmark_cumulative_returns"] = series_list(S.compsum(b))
        out["benchmark_eoy_returns"] = yearly(b)
        for window in (126, 252):
            greeks = S.rolling_greeks(r, b, window)
            out[f"rolling_greeks_{window}"] = {
                "beta": series_list(greeks["beta"]),
                "alpha": series_list(greeks["alpha"]),
            }
    return out


def pair(rng, n, mean=0.0004, vol=0.011):
    """A portfolio and a benchmark correlated at about 0.7."""
    common = rng.normal(size=n)
    r = mean + vol * (0.7 * common + 0.71 * rng.normal(size=n))
    b = 0.0003 + 0.01 * common
    return r, b


def cases():
    rng = np.random.default_rng(20261207)
    out = []

    r, b = pair(rng, 1100)
    out.append(("main", "2015-03-02", r, b, 0.0))

    r, b = pair(rng, 500, mean=0.0006)
    out.append(("risk_free", "2018-06-01", r, b, 0.04))

    r, b = pair(rng, 700)
    r[:20] = 0.0  # starts flat: no trading yet
    r[300:340] = 0.0  # a flat stretch inside
    r[-25:] = 0.0  # ends flat
    b[310:315] = 0.0
    out.append(("flat_stretches", "2016-01-04", r, b, 0.0))

    r, _ = pair(rng, 400)
    out.append(("benchmark_equals_portfolio", "2019-02-01", r, r.copy(), 0.0))

    r, b = pair(rng, 600)
    r[200:280] = -np.abs(r[200:280]) - 1e-4  # losses only for 80 days
    r[-60:] = -np.abs(r[-60:]) - 1e-4  # ends in a drawdown that never recovers
    out.append(("negative_stretches", "2017-05-15", r, b, 0.01))

    r, _ = pair(rng, 300, mean=-0.0002)
    r[0] = -0.012  # in a drawdown from the first day
    out.append(("single_asset_no_benchmark", "2020-10-01", r, None, 0.0))

    r, b = pair(rng, 30)
    out.append(("short", "2021-12-10", r, b, 0.02))
    return out


def main():
    docs = []
    for name, start, r, b, rf in cases():
        index = pd.bdate_range(start, periods=len(r))
        returns = pd.Series(r, index=index, name="returns")
        bench = None if b is None else pd.Series(b, index=index, name="benchmark")
        docs.append(
            {
                "name": name,
                "dates": [d.strftime("%Y-%m-%d") for d in index],
                "returns": [float(v) for v in r],
                "benchmark": None if b is None else [float(v) for v in b],
                "risk_free": rf,
                "expected": expected(returns, bench, rf),
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"quantstats": qs.__version__, "cases": docs}, separators=(",", ":"))
    # mtime=0: no timestamp in the gzip header, so an unchanged script gives an identical file.
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
        f.write(text.encode("utf-8"))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(docs)} cases)")


if __name__ == "__main__":
    main()
