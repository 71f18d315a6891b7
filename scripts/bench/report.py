#!/usr/bin/env python3
"""Side-by-side benchmark: QuantStats' HTML tearsheet vs Commodex's report, same returns.

Makes a 10-asset, 20-year daily price table plus a benchmark column, builds the equally
weighted portfolio's daily returns (rebalanced daily, as Commodex does), then times
`qs.reports.html(returns, benchmark)` (statistics, tables and matplotlib charts written to a
file) and `qs.reports.metrics(..., mode="full")` (the statistics alone). The Rust side is
`crates/analytics/examples/report_bench.rs` in release mode on the same prices (CSV parsing
excluded): the statistics, series and tables the tearsheet shows. With `--binary
target/release/commodex`, the whole `commodex report` command is timed too, JSON and HTML
(process start and CSV parsing included). Prints the seconds and ratios, and checks that a few
statistics agree.

Usage: python3 -m venv venv && venv/bin/pip install quantstats==0.0.86 &&
       venv/bin/python scripts/bench/report.py [--years 20] [--assets 10] [--binary PATH]
"""

import argparse
import pathlib
import subprocess
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import quantstats as qs

assert qs.__version__ == "0.0.86", f"QuantStats 0.0.86 expected, found {qs.__version__}"
warnings.filterwarnings("ignore")
ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNS = 5


def make_prices(num_assets, num_days, seed):
    rng = np.random.default_rng(seed)
    common = rng.normal(size=num_days - 1)
    vols = rng.uniform(0.006, 0.02, size=num_assets + 1)
    z = 0.6 * common + 0.8 * rng.normal(size=(num_assets + 1, num_days - 1))
    log_returns = 0.0002 + vols[:, None] * z
    paths = np.concatenate([np.zeros((num_assets + 1, 1)), np.cumsum(log_returns, axis=1)], axis=1)
    return rng.uniform(10, 1000, size=num_assets + 1)[:, None] * np.exp(paths)


def median_run(command):
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        runs.append((time.perf_counter() - start, output))
    runs.sort(key=lambda run: run[0])
    return runs[len(runs) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--assets", type=int, default=10)
    parser.add_argument("--binary", help="a release commodex binary, to time the whole command")
    args = parser.parse_args()

    num_days = args.years * 252 + 1
    prices = make_prices(args.assets, num_days, 11)
    dates = pd.bdate_range("2005-01-03", periods=num_days)
    symbols = [f"A{i:02d}" for i in range(args.assets)] + ["BENCH"]
    subprocess.run(["nice", "-n", "10", "cargo", "build", "--quiet", "--release", "-p", "analytics",
                    "--example", "report_bench"], cwd=ROOT, check=True)

    with tempfile.TemporaryDirectory() as tmp:
        csv = pathlib.Path(tmp) / "prices.csv"
        table = pd.DataFrame(prices.T, index=dates, columns=symbols)
        table.index.name = "date"
        table.to_csv(csv, float_format="%.17g", date_format="%Y-%m-%d")
        table = pd.read_csv(csv, index_col=0, parse_dates=True)
        asset_returns = table.iloc[:, :-1].pct_change().iloc[1:]
        returns = (asset_returns * (1.0 / args.assets)).sum(axis=1).rename("Strategy")
        benchmark = table["BENCH"].pct_change().iloc[1:].rename("Benchmark")

        start = time.perf_counter()
        qs.reports.html(returns, benchmark, output=str(pathlib.Path(tmp) / "qs.html"))
        html_seconds = time.perf_counter() - start
        start = time.perf_counter()
        qs.reports.metrics(returns, benchmark, mode="full", display=False)
        metrics_seconds = time.perf_counter() - start

        rust_seconds, output = median_run([str(ROOT / "target/release/examples/report_bench"), str(csv)])
        rust = dict(line.split("=", 1) for line in output.split())
        compute_seconds = float(rust["seconds"])
        command_lines = []
        if args.binary:
            weights = ",".join(f"{s}=1" for s in symbols[:-1])
            base = [args.binary, "report", str(csv), "--weights", weights, "--benchmark", "BENCH"]
            json_seconds, _ = median_run(base + ["--format", "json"])
            html_cmd_seconds, _ = median_run(base + ["--output", str(pathlib.Path(tmp) / "cx.html")])
            command_lines = [
                f"commodex report --format json (whole process), median of {RUNS}: {json_seconds:.4f} s",
                f"commodex report --output x.html (whole process), median of {RUNS}: {html_cmd_seconds:.4f} s"
                f" -> {html_seconds / html_cmd_seconds:.0f}x faster than qs.reports.html",
            ]

    print(f"{args.assets} assets + benchmark, {len(returns)} daily returns ({args.years} years)")
    print(f"qs.reports.html: {html_seconds:.3f} s; qs.reports.metrics(full): {metrics_seconds:.3f} s")
    print(f"rust report (statistics, series, tables; {rust['statistics']} statistics), "
          f"median of {RUNS}: {compute_seconds * 1e3:.2f} ms")
    print(f"ratio: html {html_seconds / compute_seconds:.0f}x, metrics {metrics_seconds / compute_seconds:.0f}x")
    for line in command_lines:
        print(line)
    reference = {
        "sharpe": qs.stats.sharpe(returns), "sortino": qs.stats.sortino(returns),
        "cagr": qs.stats.cagr(returns), "max_drawdown": qs.stats.max_drawdown(returns),
        "serenity_index": qs.stats.serenity_index(returns),
        "beta": qs.stats.greeks(returns, benchmark)["beta"],
    }
    for key, value in reference.items():
        ours = float(rust[key])
        print(f"  {key:>16}: quantstats {value: .12g}   rust {ours: .12g}   rel {abs(ours - value) / abs(value):.1e}")


if __name__ == "__main__":
    main()
