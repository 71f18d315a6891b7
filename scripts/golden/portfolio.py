#!/usr/bin/env python3
"""Golden data for the analytics crate's portfolio metrics.

Generates aligned price series for several portfolios (2 to 20 assets, correlated random
walks, tiny and huge price magnitudes, at least 1,000 days) and computes every metric of
SPEC's "Analytics conventions" table with numpy, written out exactly as the SPEC defines it.

Writes crates/analytics/tests/golden/portfolio/<case>/prices.csv (a header of symbols, one row
of prices per common date, 17 significant digits so the values round-trip exactly) and
<case>/expected.json (inputs weights / risk_free / window, the metrics, and the series).

Usage: pip install numpy && python3 scripts/golden/portfolio.py
"""

import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates/analytics/tests/golden/portfolio"
PERIODS = 252
Z_05 = -1.6448536269514722  # scipy.stats.norm.ppf(0.05)
Z_01 = -2.3263478740408408  # scipy.stats.norm.ppf(0.01)
WINDOW = 63


def random_walks(rng, num_assets, num_days, scales, daily_vol, drift):
    """Correlated geometric random walks: one random correlation matrix, one Cholesky."""
    a = rng.normal(size=(num_assets, num_assets))
    cov = a @ a.T + num_assets * np.eye(num_assets)
    d = np.sqrt(np.diag(cov))
    corr = cov / d[:, None] / d[None, :]
    chol = np.linalg.cholesky(corr)
    vols = rng.uniform(0.5, 1.5, size=num_assets) * daily_vol
    z = chol @ rng.normal(size=(num_assets, num_days - 1))
    log_returns = drift + vols[:, None] * z
    paths = np.concatenate([np.zeros((num_assets, 1)), np.cumsum(log_returns, axis=1)], axis=1)
    return np.asarray(scales)[:, None] * np.exp(paths)


def metrics(prices, weights, risk_free):
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    returns = prices[:, 1:] / prices[:, :-1] - 1.0  # (assets, days), asset-major
    r = (returns * w[:, None]).sum(axis=0)  # assets summed in order, as the Rust code does
    n = r.size
    rf_d = (1.0 + risk_free) ** (1.0 / PERIODS) - 1.0
    mean = r.mean()
    std = r.std(ddof=1)
    excess = r - rf_d
    downside = np.sqrt(np.mean(np.minimum(excess, 0.0) ** 2))
    var_95 = np.percentile(r, 5)
    var_99 = np.percentile(r, 1)
    wealth = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    peak = np.maximum.accumulate(wealth)
    drawdown = wealth / peak - 1.0
    max_dd = drawdown.min()
    cagr = wealth[-1] ** (PERIODS / n) - 1.0
    cov = np.cov(returns)
    corr = np.corrcoef(returns)
    np.fill_diagonal(corr, 1.0)
    sigma_w = cov @ w
    var_p = w @ sigma_w
    sigma_p = np.sqrt(var_p)
    marginal = sigma_w / sigma_p * np.sqrt(PERIODS)
    out = {
        "num_returns": int(n),
        "portfolio_return": mean * PERIODS,
        "cagr": cagr,
        "portfolio_volatility": std * np.sqrt(PERIODS),
        "sharpe_ratio": excess.mean() / excess.std(ddof=1) * np.sqrt(PERIODS),
        "sortino_ratio": excess.mean() / downside * np.sqrt(PERIODS) if downside > 0 else None,
        "var_95": var_95,
        "var_99": var_99,
        "parametric_var_95": mean + Z_05 * std,
        "parametric_var_99": mean + Z_01 * std,
        "cvar_95": r[r <= var_95].mean(),
        "cvar_99": r[r <= var_99].mean(),
        "max_drawdown": max_dd,
        "calmar_ratio": cagr / abs(max_dd) if max_dd < 0 else None,
        "correlation_matrix": corr.tolist(),
        "diversification_ratio": (w * np.sqrt(np.diag(cov))).sum() / sigma_p,
        "risk_decomposition": [
            {"weight": w[i], "marginal": marginal[i], "component": w[i] * marginal[i],
             "percent": w[i] * sigma_w[i] / var_p}
            for i in range(len(w))
        ],
    }
    rolling_vol = [None] * (n + 1)
    rolling_sharpe = [None] * (n + 1)
    for end in range(WINDOW, n + 1):
        window = r[end - WINDOW:end]
        rolling_vol[end] = window.std(ddof=1) * np.sqrt(PERIODS)
        ex = window - rf_d
        s = ex.std(ddof=1)
        rolling_sharpe[end] = ex.mean() / s * np.sqrt(PERIODS) if s > 0 else None
    series = {"wealth": wealth.tolist(), "drawdown": drawdown.tolist(),
              "rolling_volatility": rolling_vol, "rolling_sharpe": rolling_sharpe}
    return out, series


def to_python(value):
    """numpy scalars to plain floats so json writes shortest round-trip reprs."""
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_case(name, symbols, prices, weights, risk_free):
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "prices.csv", "w") as f:
        f.write(",".join(symbols) + "\n")
        for row in prices.T:
            f.write(",".join(f"{p:.17g}" for p in row) + "\n")
    # Metrics are computed on the prices as written, so Rust reads exactly the same inputs.
    prices = np.loadtxt(folder / "prices.csv", delimiter=",", skiprows=1, ndmin=2).T
    result, series = metrics(prices, weights, risk_free)
    expected = {"symbols": symbols, "weights": list(weights), "risk_free": risk_free,
                "window": WINDOW, "metrics": result, "series": series}
    with open(folder / "expected.json", "w") as f:
        json.dump(to_python(expected), f, allow_nan=False)
        f.write("\n")


def main():
    rng = np.random.default_rng(20261124)
    write_case("two_assets", ["GOLD", "WTI"],
               random_walks(rng, 2, 1001, [1900.0, 75.0], 0.012, 0.0002), [0.6, 0.4], 0.02)
    write_case("five_assets_tiny_and_huge", ["TINY", "HUGE", "COPPER", "WHEAT", "CORN"],
               random_walks(rng, 5, 1501, [3e-7, 4e11, 4.1, 610.0, 450.0], 0.015, 0.0),
               [1.0, 2.0, 3.0, 4.0, 5.0], 0.0)
    symbols = [f"A{i:02d}" for i in range(20)]
    write_case("twenty_assets", symbols,
               random_walks(rng, 20, 1001, rng.uniform(1.0, 1000.0, 20), 0.02, 0.0001),
               rng.uniform(0.0, 1.0, 20).tolist(), 0.05)
    write_case("three_assets_zero_weight_volatile", ["NATURAL_GAS", "SILVER", "PLATINUM"],
               random_walks(rng, 3, 1201, [2.5, 24.0, 950.0], 0.04, -0.0005), [3.0, 1.0, 0.0], 0.03)
    write_case("ten_assets_drifting_up", [f"B{i}" for i in range(10)],
               random_walks(rng, 10, 1001, rng.uniform(10.0, 100.0, 10), 0.005, 0.002),
               [1.0] * 10, 0.01)
    (OUT / "README.md").write_text(
        "# Portfolio golden data\n\n"
        "Generated by `scripts/golden/portfolio.py` (numpy; `pip install numpy && python3 "
        "scripts/golden/portfolio.py`).\n"
        "Each case folder has `prices.csv` (aligned prices, one column per asset) and "
        "`expected.json` (weights, risk_free, window, numpy's metrics and series).\n"
        "`tests/portfolio_golden.rs` compares the Rust results at 1e-9 relative.\n")


if __name__ == "__main__":
    main()
