#!/usr/bin/env python3
"""Golden data for analytics::optimize against PyPortfolioOpt 1.6.0.

Makes price series (2 to 50 assets; near-collinear assets, so ill-conditioned covariances;
an asset with both the highest return and the highest volatility; daily and weekly), then
asks PyPortfolioOpt for expected returns, covariances and every objective under several
constraint sets, and writes crates/analytics/tests/golden/optimize/<case>/prices.csv.gz (a
header of symbols, one row of prices per date, 17 significant digits) and expected.json.

Reference weights are solved with cvxpy's Clarabel at tolerances 1e-12 instead of
PyPortfolioOpt's solver defaults (1e-8): on near-collinear assets the defaults leave weights
about 1e-3 from the optimum, which would make a 1e-4 comparison compare solver noise. The
script prints how far the default-tolerance weights are from the tight ones.

Usage: pip install pyportfolioopt==1.6.0 && python3 scripts/golden/optimize.py
"""

import gzip
import json
import pathlib
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd
from pypfopt import EfficientFrontier, HRPOpt, expected_returns, objective_functions, risk_models
from pypfopt.exceptions import OptimizationError

assert version("pyportfolioopt") == "1.6.0", version("pyportfolioopt")

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates/analytics/tests/golden/optimize"
INACCURATE = []
TIGHT = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "max_iter": 500}


def prices_of(rng, num_assets, num_days, collinear=(), star=None, daily_vol=0.012):
    """Factor-driven geometric random walks. `collinear` pairs (a, b) make asset b's returns
    asset a's plus 1% noise; `star` gets the highest drift and volatility."""
    factors = rng.normal(size=(3, num_days - 1))
    loadings = rng.normal(scale=0.6, size=(num_assets, 3))
    idio = rng.uniform(0.5, 1.2, size=num_assets)
    returns = loadings @ factors + idio[:, None] * rng.normal(size=(num_assets, num_days - 1))
    returns *= daily_vol / returns.std(axis=1, keepdims=True) * rng.uniform(0.6, 1.4, size=(num_assets, 1))
    returns += rng.uniform(-0.0002, 0.0008, size=(num_assets, 1))
    for a, b in collinear:
        returns[b] = returns[a] + 0.01 * returns[a].std() * rng.normal(size=num_days - 1) + 1e-5
    if star is not None:
        returns[star] = 2.5 * returns[star] - returns[star].mean() + 0.0025
    prices = 10.0 * rng.uniform(1, 10, size=(num_assets, 1)) * np.cumprod(
        np.concatenate([np.ones((num_assets, 1)), 1.0 + returns], axis=1), axis=1
    )
    return prices.T


def estimates(prices, frequency, returns_model, risk_model):
    if returns_model == "mean":
        mu = expected_returns.mean_historical_return(prices, frequency=frequency)
    elif returns_model == "mean_arithmetic":
        mu = expected_returns.mean_historical_return(prices, compounding=False, frequency=frequency)
    elif returns_model == "ema":
        mu = expected_returns.ema_historical_return(prices, frequency=frequency)
    else:
        raise ValueError(returns_model)
    if risk_model == "sample":
        cov = risk_models.sample_cov(prices, frequency=frequency)
    elif risk_model == "ledoit_wolf":
        cov = risk_models.CovarianceShrinkage(prices, frequency=frequency).ledoit_wolf()
    elif risk_model == "exp":
        cov = risk_models.exp_cov(prices, frequency=frequency)
    else:
        raise ValueError(risk_model)
    return mu, cov


def frontier_for(mu, cov, problem, options):
    """Fresh EfficientFrontier with the problem's bounds, groups and L2 term."""
    symbols = list(mu.index)
    lo, hi = problem.get("bounds", [0.0, 1.0])
    bounds = [tuple(problem.get("asset_bounds", {}).get(s, [lo, hi])) for s in symbols]
    ef = EfficientFrontier(mu, cov, weight_bounds=bounds, solver="CLARABEL", solver_options=options)
    if problem.get("gamma", 0.0) > 0:
        ef.add_objective(objective_functions.L2_reg, gamma=problem["gamma"])
    categories = problem.get("categories", {})
    if categories:
        mapper = {s: name for name, c in categories.items() for s in c["members"]}
        ef.add_sector_constraints(
            mapper,
            {name: c["min"] for name, c in categories.items()},
            {name: c["max"] for name, c in categories.items()},
        )
    return ef


def run(mu, cov, problem, objective, options):
    ef = frontier_for(mu, cov, problem, options)
    kind = objective["objective"]
    if kind == "min_volatility":
        ef.min_volatility()
    elif kind == "max_sharpe":
        ef.max_sharpe(risk_free_rate=objective["risk_free_rate"])
    elif kind == "efficient_risk":
        ef.efficient_risk(objective["target"])
    elif kind == "efficient_return":
        ef.efficient_return(float(objective["target"]))
    elif kind == "max_utility":
        ef.max_quadratic_utility(risk_aversion=objective["risk_aversion"])
    else:
        raise ValueError(kind)
    if ef._opt.status != "optimal":
        INACCURATE.append(f"{kind} {objective.get('target', '')}: {ef._opt.status}")
    return np.asarray(ef.weights, dtype=float)


def frontier_points(mu, cov, problem, points):
    """PyPortfolioOpt's plotting range: min-vol return to max return − 1e-4."""
    ef = frontier_for(mu, cov, problem, TIGHT)
    ef.min_volatility()
    low = ef.portfolio_performance()[0]
    high = frontier_for(mu, cov, problem, TIGHT)._max_return()
    targets = np.linspace(low, high - 0.0001, points)
    out = []
    for t in targets:
        w = run(mu, cov, problem, {"objective": "efficient_return", "target": float(t)}, TIGHT)
        out.append({"target": float(t), "weights": w.tolist()})
    return out


def describe(weights, mu, cov, rf):
    ret = float(weights @ mu.values)
    vol = float(np.sqrt(weights @ cov.values @ weights))
    return {"weights": weights.tolist(), "expected_return": ret, "volatility": vol,
            "sharpe": (ret - rf) / vol}


def write_gzip(path, text):
    """Deterministic gzip (no timestamp), so an unchanged script gives identical files."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
        f.write(text.encode())


def make_case(name, prices, frequency, problems, worst):
    symbols = list(prices.columns)
    case_dir = OUT / name
    case_dir.mkdir(parents=True, exist_ok=True)
    lines = [",".join(symbols)] + [",".join(f"{v:.17g}" for v in row) for row in prices.values]
    write_gzip(case_dir / "prices.csv.gz", "\n".join(lines) + "\n")
    returns = expected_returns.returns_from_prices(prices)
    out = {"frequency": frequency, "estimates": {}, "problems": [], "hrp": None}
    for rm in ("mean", "mean_arithmetic", "ema"):
        out["estimates"]["returns_" + rm] = estimates(prices, frequency, rm, "sample")[0].tolist()
    for cm in ("sample", "ledoit_wolf", "exp"):
        out["estimates"]["covariance_" + cm] = estimates(prices, frequency, "mean", cm)[1].values.tolist()
    out["hrp"] = [HRPOpt(returns).optimize()[s] for s in symbols]
    for problem in problems:
        mu, cov = estimates(prices, frequency, problem["returns"], problem["covariance"])
        results = []
        for objective in problem["objectives"]:
            rf = objective.get("risk_free_rate", 0.02)
            try:
                w = run(mu, cov, problem, objective, TIGHT)
            except (ValueError, OptimizationError) as error:
                results.append({**objective, "error": str(error)})
                continue
            try:
                loose = run(mu, cov, problem, objective, {})
                worst[0] = max(worst[0], float(np.abs(loose - w).max()))
            except (ValueError, OptimizationError):
                pass
            results.append({**objective, **describe(w, mu, cov, rf)})
        entry = {k: v for k, v in problem.items() if k != "objectives"}
        entry["results"] = results
        if problem.get("frontier"):
            entry["frontier"] = frontier_points(mu, cov, problem, problem["frontier"])
        out["problems"].append(entry)
    write_gzip(case_dir / "expected.json.gz", json.dumps(out) + "\n")


def objectives(mu_hint_high, vol_target, out_of_reach=True):
    objs = [
        {"objective": "min_volatility"},
        {"objective": "max_sharpe", "risk_free_rate": 0.02},
        {"objective": "max_sharpe", "risk_free_rate": 0.0},
        {"objective": "efficient_risk", "target": vol_target},
        {"objective": "efficient_return", "target": mu_hint_high},
        {"objective": "max_utility", "risk_aversion": 1.0},
        {"objective": "max_utility", "risk_aversion": 5.0},
    ]
    if out_of_reach:
        objs += [
            {"objective": "efficient_return", "target": 5.0},
            {"objective": "efficient_risk", "target": 0.001},
        ]
    return objs


def main():
    # A non-PSD fix-up would change the inputs behind our back: fail instead.
    warnings.filterwarnings("error", message="The covariance matrix is non positive semidefinite")
    warnings.filterwarnings("ignore", message="max_sharpe transforms")
    rng = np.random.default_rng(20261207)
    worst = [0.0]

    def frame(values, prefix="A"):
        return pd.DataFrame(values, columns=[f"{prefix}{i:02d}" for i in range(values.shape[1])])

    two = frame(prices_of(rng, 2, 400, star=1))
    make_case("two_assets", two, 252, [
        {"returns": "mean", "covariance": "sample", "objectives": objectives(0.3, 0.3), "frontier": 5},
        {"returns": "mean_arithmetic", "covariance": "sample", "gamma": 0.1,
         "objectives": objectives(0.3, 0.3, out_of_reach=False)},
    ], worst)

    five = prices_of(rng, 5, 750, star=4)
    five = pd.DataFrame(five, columns=["GOLD", "SILVER", "WTI", "BRENT", "NATGAS"])
    cats = {"metals": {"members": ["GOLD", "SILVER"], "min": 0.2, "max": 0.7},
            "energy": {"members": ["WTI", "BRENT", "NATGAS"], "min": 0.1, "max": 0.6}}
    make_case("five_categories", five, 252, [
        {"returns": "mean", "covariance": "sample", "objectives": objectives(0.25, 0.25), "frontier": 8},
        {"returns": "mean", "covariance": "ledoit_wolf", "bounds": [0.05, 0.5],
         "asset_bounds": {"NATGAS": [0.0, 0.3], "GOLD": [0.1, 0.6]}, "categories": cats,
         "objectives": objectives(0.2, 0.22), "frontier": 6},
        {"returns": "ema", "covariance": "exp", "gamma": 0.5, "objectives": objectives(0.2, 0.25)},
    ], worst)

    ill = frame(prices_of(rng, 8, 1000, collinear=[(0, 1), (2, 3)], star=7))
    make_case("ill_conditioned", ill, 252, [
        {"returns": "mean", "covariance": "sample", "objectives": objectives(0.3, 0.2), "frontier": 10},
        {"returns": "mean_arithmetic", "covariance": "sample", "bounds": [-0.5, 1.0],
         "objectives": objectives(0.3, 0.2, out_of_reach=False)},
        {"returns": "mean", "covariance": "ledoit_wolf", "gamma": 1.0, "objectives": objectives(0.3, 0.2)},
    ], worst)

    weekly = frame(prices_of(rng, 12, 520, collinear=[(4, 5)], star=0, daily_vol=0.03))
    make_case("weekly", weekly, 52, [
        {"returns": "mean", "covariance": "exp", "bounds": [0.0, 0.3], "objectives": objectives(0.2, 0.2)},
        {"returns": "ema", "covariance": "ledoit_wolf", "objectives": objectives(0.2, 0.2)},
    ], worst)

    fifty = frame(prices_of(rng, 50, 400, collinear=[(10, 11), (20, 21), (30, 31)], star=49))
    make_case("fifty_assets", fifty, 252, [
        {"returns": "mean", "covariance": "sample", "objectives": objectives(0.3, 0.2), "frontier": 6},
        {"returns": "mean", "covariance": "ledoit_wolf", "bounds": [0.0, 0.1],
         "categories": {"first": {"members": [f"A{i:02d}" for i in range(10)], "min": 0.3, "max": 0.5}},
         "objectives": objectives(0.2, 0.15)},
    ], worst)

    print("reduced accuracy:", INACCURATE)
    print(f"default-tolerance weights differ from the 1e-12 ones by at most {worst[0]:.3g}")


if __name__ == "__main__":
    main()
