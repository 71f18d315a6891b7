#!/usr/bin/env python3
"""A 50-point efficient frontier on 50 assets x 10 years of daily prices: analytics::optimize
(Clarabel, Rust) against PyPortfolioOpt 1.6.0 (cvxpy, its default solver), same file, same run.

Generates ASSETS x DAYS correlated random-walk prices (default 50 x 2520), writes them as a
wide CSV, then times, each REPEATS times back to back (the medians are printed):
  ours:   the release example `optimize_frontier` (crates/analytics/examples): compounded mean
          returns, sample covariance, long-only frontier of POINTS efficient-return portfolios
          from the min-volatility return to the highest return - 1e-4;
  pypfopt: mean_historical_return + sample_cov, then what plot_efficient_frontier does: the
          same targets (_ef_default_returns_range), efficient_return on one EfficientFrontier
          whose target parameter is updated (cvxpy reuses the compiled problem).
Both sides are timed in-process from returns estimation to the last frontier point (no CSV
parsing, no process start). Also prints how far apart the two frontiers' volatilities are.

Measured 2026-12-08 on a quiet machine (load 0.9), 50 points, 50 assets x 2520 days, medians
of 3: ours 0.004 s, PyPortfolioOpt 1.6.0 (cvxpy's default solver) 0.122 s, 31x. With bounds
only, ours traces the critical line (optimize/frontier_path.rs): the exact optimum at every
point, from one interior-point solve (the minimum-volatility start) and one linear solve per
turning point; with category bounds it solves each point (about 1 ms each). PyPortfolioOpt's
solver gave up on 1 of the 50 points; where its volatility is lower than ours, its return is
short of the target (35 points, by up to 3.8e-6) or, at 2 points, lower by at most 3.1e-8 with
a return higher by 4.7e-8: within its solver's tolerance on the constraints.

Usage:
  pip install pyportfolioopt==1.6.0
  cargo build --release -p analytics --example optimize_frontier
  python3 scripts/bench/optimize.py [--assets 50] [--days 2520] [--points 50] [--repeats 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from importlib.metadata import version

import numpy as np
import pandas as pd
from pypfopt import EfficientFrontier, expected_returns, risk_models
from pypfopt.exceptions import OptimizationError

assert version("pyportfolioopt") == "1.6.0", version("pyportfolioopt")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_prices(assets, days, seed=7):
    rng = np.random.default_rng(seed)
    loadings = rng.normal(scale=0.6, size=(assets, 3))
    returns = loadings @ rng.normal(size=(3, days - 1)) + rng.normal(size=(assets, days - 1))
    returns *= 0.012 / returns.std(axis=1, keepdims=True)
    returns += rng.uniform(-0.0002, 0.0008, size=(assets, 1))
    prices = 100.0 * np.cumprod(np.concatenate([np.ones((assets, 1)), 1 + returns], axis=1), axis=1)
    dates = pd.bdate_range("2015-01-01", periods=days)
    return pd.DataFrame(prices.T, index=dates, columns=[f"A{i:02d}" for i in range(assets)])


def pypfopt_frontier(prices, points):
    start = time.perf_counter()
    mu = expected_returns.mean_historical_return(prices)
    cov = risk_models.sample_cov(prices)
    ef_minvol = EfficientFrontier(mu, cov)
    ef_minvol.min_volatility()
    low = ef_minvol.portfolio_performance()[0]
    high = EfficientFrontier(mu, cov)._max_return()
    ef = EfficientFrontier(mu, cov)
    rets, vols = [], []
    for target in np.linspace(low, high - 0.0001, points):
        # As plot_efficient_frontier: a point the solver gives up on is skipped (NaN here).
        try:
            ef.efficient_return(float(target))
            r, v, _ = ef.portfolio_performance()
        except OptimizationError:
            r, v = float("nan"), float("nan")
        rets.append(r)
        vols.append(v)
    return time.perf_counter() - start, np.array(rets), np.array(vols)


def ours_frontier(binary, path, points):
    out = subprocess.run([binary, path, str(points)], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    seconds = result["estimate_seconds"] + result["frontier_seconds"]
    return seconds, np.array(result["returns"]), np.array(result["volatilities"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=50)
    parser.add_argument("--days", type=int, default=2520)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/examples/optimize_frontier"))
    args = parser.parse_args()
    prices = make_prices(args.assets, args.days)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "prices.csv")
        prices.to_csv(path, index_label="date", float_format="%.17g")
        ours, theirs = [], []
        for _ in range(args.repeats):
            load = os.getloadavg()[0]
            t_ours, r_ours, v_ours = ours_frontier(args.binary, path, args.points)
            t_theirs, r_theirs, v_theirs = pypfopt_frontier(prices, args.points)
            ours.append(t_ours)
            theirs.append(t_theirs)
            print(f"load {load:.1f}: ours {t_ours:.3f} s, PyPortfolioOpt {t_theirs:.3f} s")
    o, t = statistics.median(ours), statistics.median(theirs)
    print(f"{args.points}-point frontier, {args.assets} assets x {args.days} days: "
          f"ours {o:.3f} s, PyPortfolioOpt 1.6.0 {t:.3f} s, {t / o:.1f}x")
    ok = ~np.isnan(v_theirs)
    print(f"PyPortfolioOpt solved {ok.sum()} of {args.points} points; on those, returns differ by "
          f"at most {np.abs(r_ours - r_theirs)[ok].max():.2e}, volatilities by "
          f"{np.abs(v_ours - v_theirs)[ok].max():.2e}; ours lower or equal at every one: "
          f"{bool(np.all(v_ours[ok] <= v_theirs[ok] + 1e-9))}")
    # A point is only better if it also reaches the target: where PyPortfolioOpt's volatility is
    # lower, say whether its return fell short of ours (its solver stops at a tolerance).
    lower = ok & (v_theirs < v_ours - 1e-9)
    if lower.any():
        short = lower & (r_theirs < r_ours - 1e-12)
        print(f"  where PyPortfolioOpt's volatility is lower ({lower.sum()} points), its return is "
              f"below ours at {short.sum()} of them (by up to {np.max(r_ours[short] - r_theirs[short], initial=0):.2e})")
        rest = lower & ~short
        if rest.any():
            print(f"  at the other {rest.sum()}, its volatility is lower by up to "
                  f"{np.max(v_ours[rest] - v_theirs[rest]):.2e} with a return higher by up to "
                  f"{np.max(r_theirs[rest] - r_ours[rest]):.2e}")


if __name__ == "__main__":
    main()
