#!/usr/bin/env python3
"""Side-by-side benchmark: Monte Carlo simulation in vectorised numpy vs Commodex's Rust.

The numpy side is the original's algorithm made as fast as numpy allows: daily returns of 20
assets drawn from the multivariate normal with the sample mean and covariance through one
Cholesky factor, all paths at once in chunks, then the same outputs Commodex produces (final
return statistics, per-path max drawdown, histogram, fan percentiles for every day).
The Rust side is `crates/analytics/examples/simulate_bench.rs` in release mode on the same
prices (CSV parsing excluded from both timings). Both print their seconds; the ratio follows.

Usage: pip install numpy && python3 scripts/bench/simulate.py [--paths 100000] [--horizon 252]
"""

import argparse
import pathlib
import resource
import subprocess
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNS = 5


def make_prices(num_assets, num_days, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(num_assets, num_assets))
    cov = a @ a.T + num_assets * np.eye(num_assets)
    d = np.sqrt(np.diag(cov))
    chol = np.linalg.cholesky(cov / d[:, None] / d[None, :])
    vols = rng.uniform(0.006, 0.02, size=num_assets)
    log_returns = 0.0002 + vols[:, None] * (chol @ rng.normal(size=(num_assets, num_days - 1)))
    paths = np.concatenate([np.zeros((num_assets, 1)), np.cumsum(log_returns, axis=1)], axis=1)
    return rng.uniform(10, 1000, size=num_assets)[:, None] * np.exp(paths)


def numpy_simulation(prices, weights, paths, horizon, seed, chunk=2000):
    returns = prices[:, 1:] / prices[:, :-1] - 1.0
    mean = returns.mean(axis=1)
    chol = np.linalg.cholesky(np.cov(returns))
    rng = np.random.default_rng(seed)
    cumulative = np.empty((paths, horizon + 1))
    cumulative[:, 0] = 0.0
    max_drawdowns = np.empty(paths)
    for start in range(0, paths, chunk):
        stop = min(start + chunk, paths)
        z = rng.standard_normal((stop - start, horizon, len(mean)))
        daily = mean + z @ chol.T  # (paths, days, assets)
        portfolio = daily @ weights  # (paths, days)
        wealth = np.cumprod(1.0 + portfolio, axis=1)
        cumulative[start:stop, 1:] = wealth - 1.0
        peak = np.maximum.accumulate(np.maximum(wealth, 1.0), axis=1)
        max_drawdowns[start:stop] = np.minimum((wealth / peak - 1.0).min(axis=1), 0.0)
    final = cumulative[:, -1]
    p = np.percentile(final, [1, 5, 25, 50, 75, 95, 99])
    stats = {
        "mean": final.mean(), "median": p[3], "std": final.std(), "min": final.min(), "max": final.max(),
        "var_5": p[1], "var_1": p[0], "cvar_5": final[final <= p[1]].mean(),
        "cvar_1": final[final <= p[0]].mean(), "probability_of_loss": (final < 0).mean(),
        "expected_max_drawdown": max_drawdowns.mean(),
    }
    np.histogram(final, bins=50)
    fan = np.percentile(cumulative, [5, 25, 50, 75, 95], axis=0)
    stats["p50_final"] = fan[2, -1]
    return stats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--horizon", type=int, default=252)
    parser.add_argument("--assets", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    prices = make_prices(args.assets, 1001, 7)
    weights = np.full(args.assets, 1.0 / args.assets)
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "analytics", "--example", "simulate_bench"],
                   cwd=ROOT, check=True)

    with tempfile.TemporaryDirectory() as tmp:
        csv = pathlib.Path(tmp) / "prices.csv"
        with open(csv, "w") as f:
            f.write(",".join(f"A{i:02d}" for i in range(args.assets)) + "\n")
            for row in prices.T:
                f.write(",".join(f"{v:.17g}" for v in row) + "\n")
        prices = np.loadtxt(csv, delimiter=",", skiprows=1).T

        # CPU seconds are reported beside wall seconds: on a shared, loaded machine the wall
        # time mostly measures waiting for a core. process_time counts numpy's BLAS threads.
        start, start_cpu = time.perf_counter(), time.process_time()
        numpy_stats = numpy_simulation(prices, weights, args.paths, args.horizon, args.seed)
        numpy_seconds = time.perf_counter() - start
        numpy_cpu = time.process_time() - start_cpu

        # The Rust side runs RUNS times (0.1 s each, so one run is mostly noise of the moment)
        # and its median is reported; numpy, at 15 s a run, once.
        runs = []
        for _ in range(RUNS):
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            children_cpu = children.ru_utime + children.ru_stime
            output = subprocess.run(
                [str(ROOT / "target/release/examples/simulate_bench"), str(csv), str(args.paths),
                 str(args.horizon), str(args.seed), "normal"],
                check=True, capture_output=True, text=True).stdout
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            rust = dict(line.split("=", 1) for line in output.split())
            runs.append((float(rust["seconds"]), children.ru_utime + children.ru_stime - children_cpu, rust))
    runs.sort(key=lambda run: run[0])
    rust_seconds, rust_cpu, rust = runs[len(runs) // 2]
    print(f"rust runs (wall s): {', '.join(f'{run[0]:.4f}' for run in runs)}")

    print(f"{args.paths} paths x {args.horizon} days, {args.assets} assets, normal method")
    print(f"numpy {np.__version__}: wall {numpy_seconds:.3f} s, cpu {numpy_cpu:.3f} s")
    print(f"rust ({rust['threads']} rayon threads), median of {RUNS}: wall {rust_seconds:.4f} s (simulate only), "
          f"cpu {rust_cpu:.4f} s (whole process, CSV parsing included)")
    print(f"ratio numpy / rust: wall {numpy_seconds / rust_seconds:.1f}x, cpu {numpy_cpu / rust_cpu:.1f}x")
    print("same distribution, different random streams: statistics agree within sampling error")
    for key in ["mean", "std", "var_5", "probability_of_loss", "expected_max_drawdown", "p50_final"]:
        print(f"  {key:>22}: numpy {numpy_stats[key]: .5f}   rust {float(rust[key]): .5f}")


if __name__ == "__main__":
    main()
