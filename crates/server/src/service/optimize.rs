//! Portfolio optimisation, one path for `POST /api/v1/portfolio/optimize` and
//! `commodex optimize`: an objective, estimators and constraints applied to aligned prices.
//!
//! The numbers come from `analytics::optimize` (PyPortfolioOpt 1.6.0's conventions); this
//! module turns options into constraints and results into the answer both fronts print.
//! Returns are annualised by the prices' interval, read from the median gap between dates.

use crate::service::Error;
use analytics::optimize::{
    self, DEFAULT_COVARIANCE_SPAN, DEFAULT_RETURN_SPAN, MeanVariance, Objective, ReturnModel,
    RiskModel, WeightConstraints,
};
use chrono::NaiveDate;
use market_data::Catalog;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What to optimise for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectiveKind {
    /// The lowest volatility.
    MinVolatility,
    /// The highest Sharpe ratio at `risk_free`.
    MaxSharpe,
    /// The highest return at volatility `target`.
    EfficientRisk,
    /// The lowest volatility at return `target`.
    EfficientReturn,
    /// The highest μᵀw − ½δ wᵀΣw, δ = `target` (default 1).
    MaxUtility,
    /// Equal risk contributions, long only.
    RiskParity,
    /// Hierarchical risk parity (PyPortfolioOpt's HRPOpt), long only.
    Hrp,
}

/// The choices of an option enum as `(value, name, help)`: what requests and the command line
/// accept, and what `--help` lists.
pub type Choices<T> = &'static [(T, &'static str, &'static str)];

/// Adds `CHOICES`, `name` and parsing by name to an option enum.
macro_rules! named_choices {
    ($kind:ident, $what:literal, [$(($variant:ident, $name:literal, $help:literal)),* $(,)?]) => {
        impl $kind {
            /// Every value with its name and a line of help.
            pub const CHOICES: Choices<$kind> = &[$(($kind::$variant, $name, $help)),*];

            /// Its name as written in a request or on the command line.
            pub fn name(self) -> &'static str {
                match self {
                    $($kind::$variant => $name,)*
                }
            }
        }

        impl std::str::FromStr for $kind {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::CHOICES
                    .iter()
                    .find(|(_, name, _)| *name == text)
                    .map(|(value, _, _)| *value)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::CHOICES.iter().map(|c| c.1).collect();
                        format!("unknown {} '{text}': use {}", $what, names.join(", "))
                    })
            }
        }
    };
}

named_choices!(
    ObjectiveKind,
    "objective",
    [
        (MinVolatility, "min-volatility", "The lowest volatility"),
        (
            MaxSharpe,
            "max-sharpe",
            "The highest Sharpe ratio at the risk-free rate"
        ),
        (
            EfficientRisk,
            "efficient-risk",
            "The highest return at volatility --target"
        ),
        (
            EfficientReturn,
            "efficient-return",
            "The lowest volatility at return --target"
        ),
        (
            MaxUtility,
            "max-utility",
            "The highest μᵀw − ½δ wᵀΣw, δ = --target (default 1)"
        ),
        (
            RiskParity,
            "risk-parity",
            "Equal risk contributions, long only"
        ),
        (
            Hrp,
            "hrp",
            "Hierarchical risk parity (PyPortfolioOpt's HRPOpt), long only"
        ),
    ]
);

/// Expected-return estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReturnsKind {
    /// Compounded (geometric) mean historical return.
    #[default]
    Mean,
    /// Exponentially weighted mean, span 500.
    Ema,
}

/// Covariance estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CovarianceKind {
    /// Sample covariance.
    #[default]
    Sample,
    /// Ledoit-Wolf shrinkage towards a constant variance.
    LedoitWolf,
    /// Exponentially weighted, span 180.
    Exp,
}

/// How to optimise: the objective, its target, the estimators and the constraints.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"objective": "max-sharpe", "risk_free": 0.02, "bounds": [0.0, 0.6], "frontier": 10}))]
pub struct OptimizeOptions {
    /// What to optimise for.
    pub objective: ObjectiveKind,
    /// Target volatility (efficient-risk), target return (efficient-return) or risk aversion
    /// (max-utility), annual.
    #[serde(default)]
    pub target: Option<f64>,
    /// Annual risk-free rate, for max-sharpe and the reported Sharpe ratio (0.02 when absent).
    #[serde(default = "default_risk_free")]
    pub risk_free: f64,
    /// Bounds of every weight, `[lo, hi]` (default `[0, 1]`: long only).
    #[serde(default)]
    pub bounds: Option<[f64; 2]>,
    /// Bounds of single assets by symbol, `{"GOLD": [0.05, 0.3]}`.
    #[serde(default)]
    pub asset_bounds: BTreeMap<String, [f64; 2]>,
    /// Bounds of a catalog category's total weight, `{"energy": [0, 0.5]}`.
    #[serde(default)]
    pub categories: BTreeMap<String, [f64; 2]>,
    /// L2 regularisation γ (PyPortfolioOpt's L2_reg): adds γ‖w‖² to spread weights.
    #[serde(default)]
    pub gamma: f64,
    /// Expected-return estimator.
    #[serde(default)]
    pub returns: ReturnsKind,
    /// Covariance estimator.
    #[serde(default)]
    pub covariance: CovarianceKind,
    /// Also compute this many points of the efficient frontier (at most 200).
    #[serde(default)]
    pub frontier: Option<usize>,
    /// Weights held today, by symbol (absent symbols hold 0; taken as given, not
    /// normalised): the answer's `current` then says what they give under the same
    /// estimators, so that a client can put today's portfolio beside the proposed one.
    #[serde(default)]
    pub current_weights: BTreeMap<String, f64>,
}

fn default_risk_free() -> f64 {
    optimize::DEFAULT_RISK_FREE_RATE
}

/// The most frontier points one request may ask for.
pub const MAX_FRONTIER_POINTS: usize = 200;

/// One asset of the answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptimizedAsset {
    /// Its symbol.
    pub symbol: String,
    /// Its weight.
    pub weight: f64,
    /// Its expected annual return under the chosen estimator.
    pub expected_return: f64,
    /// Its own annual volatility under the chosen covariance estimator, √Σᵢᵢ: where the
    /// asset alone sits on a risk/return chart beside the frontier.
    pub volatility: f64,
    /// Its share of the portfolio's variance (the shares sum to 1).
    pub risk_share: f64,
}

/// One point of the efficient frontier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrontierAnswer {
    /// Annual expected return.
    pub expected_return: f64,
    /// Annual volatility.
    pub volatility: f64,
    /// Sharpe ratio at the request's risk-free rate.
    pub sharpe: f64,
    /// The weights, by symbol.
    pub weights: BTreeMap<String, f64>,
}

/// What a portfolio's weights give under the request's estimators.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct PerformanceAnswer {
    /// Annual expected return.
    pub expected_return: f64,
    /// Annual volatility.
    pub volatility: f64,
    /// Sharpe ratio at the request's risk-free rate.
    pub sharpe: f64,
}

/// The weights an objective picks and what they give.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"weights": {"GOLD": 0.62, "WTI": 0.38}, "expected_return": 0.081, "volatility": 0.142, "sharpe": 0.43, "assets": [{"symbol": "GOLD", "weight": 0.62, "expected_return": 0.07, "volatility": 0.15, "risk_share": 0.55}]}))]
pub struct Optimized {
    /// The weights, by symbol.
    pub weights: BTreeMap<String, f64>,
    /// Annual expected return of the portfolio.
    pub expected_return: f64,
    /// Annual volatility of the portfolio.
    pub volatility: f64,
    /// Sharpe ratio at `risk_free`.
    pub sharpe: f64,
    /// Each asset's weight, expected return and share of the risk, in the input's order.
    pub assets: Vec<OptimizedAsset>,
    /// The efficient frontier, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontier: Option<Vec<FrontierAnswer>>,
    /// What `current_weights` give, when the request sent them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<PerformanceAnswer>,
}

named_choices!(
    ReturnsKind,
    "returns estimator",
    [
        (
            Mean,
            "mean",
            "Compounded (geometric) mean historical return"
        ),
        (Ema, "ema", "Exponentially weighted mean, span 500"),
    ]
);

named_choices!(
    CovarianceKind,
    "covariance estimator",
    [
        (Sample, "sample", "Sample covariance"),
        (
            LedoitWolf,
            "ledoit-wolf",
            "Ledoit-Wolf shrinkage towards a constant variance"
        ),
        (Exp, "exp", "Exponentially weighted, span 180"),
    ]
);

/// Optimises the assets `symbols`, whose prices `columns[i]` share `dates`; categories are
/// the `catalog`'s.
pub fn optimize_prices(
    symbols: &[String],
    dates: &[NaiveDate],
    columns: &[Vec<f64>],
    options: &OptimizeOptions,
    catalog: &Catalog,
) -> Result<Optimized, Error> {
    if options.frontier.is_some_and(|n| n > MAX_FRONTIER_POINTS) {
        return Err(Error::invalid(format!(
            "frontier: at most {MAX_FRONTIER_POINTS} points"
        )));
    }
    let periods = periods_per_year(dates);
    let returns = optimize::simple_returns(columns)?;
    let mu = optimize::expected_returns(
        &returns,
        match options.returns {
            ReturnsKind::Mean => ReturnModel::MeanHistorical { compounding: true },
            ReturnsKind::Ema => ReturnModel::ExponentiallyWeighted {
                span: DEFAULT_RETURN_SPAN,
                compounding: true,
            },
        },
        periods,
    )?;
    let cov = optimize::covariance(
        &returns,
        match options.covariance {
            CovarianceKind::Sample => RiskModel::Sample,
            CovarianceKind::LedoitWolf => RiskModel::LedoitWolf,
            CovarianceKind::Exp => RiskModel::ExponentiallyWeighted {
                span: DEFAULT_COVARIANCE_SPAN,
            },
        },
        periods,
    )?;
    let constraints = constraints(options, symbols, catalog)?;
    // Read before solving, so that a bad symbol is reported without the solver's cost.
    let current_weights = current_weights(options, symbols)?;
    let weights = match options.objective {
        ObjectiveKind::RiskParity | ObjectiveKind::Hrp => {
            if !constraints.is_default_long_only() {
                return Err(Error::invalid(format!(
                    "objective {} is long only and takes no bounds, asset_bounds or categories",
                    options.objective.name()
                )));
            }
            if options.objective == ObjectiveKind::Hrp {
                optimize::hrp(&returns)?
            } else {
                optimize::risk_parity(&cov)?
            }
        }
        objective => MeanVariance::new(&mu, &cov, &constraints, options.gamma)?
            .solve(mean_variance_objective(objective, options)?)?,
    };
    let frontier = match options.frontier {
        Some(points) => Some(
            MeanVariance::new(&mu, &cov, &constraints, options.gamma)?
                .frontier(points)?
                .into_iter()
                .map(|point| FrontierAnswer {
                    expected_return: point.expected_return,
                    volatility: point.volatility,
                    sharpe: (point.expected_return - options.risk_free) / point.volatility,
                    weights: by_symbol(symbols, &point.weights),
                })
                .collect(),
        ),
        None => None,
    };
    let performance = optimize::performance(&weights, &mu, &cov, options.risk_free);
    let shares = optimize::risk_contributions(&weights, &cov);
    let assets = symbols
        .iter()
        .enumerate()
        .map(|(i, symbol)| OptimizedAsset {
            symbol: symbol.clone(),
            weight: weights[i],
            expected_return: mu[i],
            volatility: cov.get(i, i).max(0.0).sqrt(),
            risk_share: shares[i],
        })
        .collect();
    let current = current_weights.map(|held| {
        let held = optimize::performance(&held, &mu, &cov, options.risk_free);
        PerformanceAnswer {
            expected_return: held.expected_return,
            volatility: held.volatility,
            sharpe: held.sharpe,
        }
    });
    Ok(Optimized {
        weights: by_symbol(symbols, &weights),
        expected_return: performance.expected_return,
        volatility: performance.volatility,
        sharpe: performance.sharpe,
        assets,
        frontier,
        current,
    })
}

/// `current_weights` in the order of `symbols` (0 where absent), or `None` when not sent.
fn current_weights(
    options: &OptimizeOptions,
    symbols: &[String],
) -> Result<Option<Vec<f64>>, Error> {
    if options.current_weights.is_empty() {
        return Ok(None);
    }
    let mut held = vec![0.0; symbols.len()];
    for (name, &weight) in &options.current_weights {
        let index = symbols
            .iter()
            .position(|s| s.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "current_weights names '{name}', which is not among the assets ({})",
                    symbols.join(", ")
                ))
            })?;
        if !weight.is_finite() {
            return Err(Error::invalid(format!(
                "current_weights: the weight of '{name}' is not a finite number"
            )));
        }
        held[index] = weight;
    }
    if held.iter().all(|w| *w == 0.0) {
        return Err(Error::invalid("current_weights: every weight is zero"));
    }
    Ok(Some(held))
}

fn mean_variance_objective(
    objective: ObjectiveKind,
    options: &OptimizeOptions,
) -> Result<Objective, Error> {
    let target = || {
        options
            .target
            .ok_or_else(|| Error::invalid(format!("objective {} needs a target", objective.name())))
    };
    Ok(match objective {
        ObjectiveKind::MinVolatility => Objective::MinVolatility,
        ObjectiveKind::MaxSharpe => Objective::MaxSharpe {
            risk_free_rate: options.risk_free,
        },
        ObjectiveKind::EfficientRisk => Objective::EfficientRisk {
            target_volatility: target()?,
        },
        ObjectiveKind::EfficientReturn => Objective::EfficientReturn {
            target_return: target()?,
        },
        ObjectiveKind::MaxUtility => Objective::MaxUtility {
            risk_aversion: options.target.unwrap_or(1.0),
        },
        ObjectiveKind::RiskParity | ObjectiveKind::Hrp => {
            return Err(Error::invalid(format!(
                "objective {} is not a mean-variance objective",
                objective.name()
            )));
        }
    })
}

/// The options' constraints: `bounds`, then each of `asset_bounds`, then each of
/// `categories` (whose members are the symbols the catalog files under that category).
fn constraints(
    options: &OptimizeOptions,
    symbols: &[String],
    catalog: &Catalog,
) -> Result<WeightConstraints, Error> {
    let mut constraints = WeightConstraints::long_only(symbols);
    if let Some([lo, hi]) = options.bounds {
        constraints = constraints.with_bounds(lo, hi)?;
    }
    for (name, [lo, hi]) in &options.asset_bounds {
        let symbol = symbols
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "asset_bounds names '{name}', which is not among the assets ({})",
                    symbols.join(", ")
                ))
            })?;
        constraints = constraints.with_asset_bounds(symbol, *lo, *hi)?;
    }
    for (name, [lo, hi]) in &options.categories {
        let category: market_data::catalog::Category = name
            .parse()
            .map_err(|e: String| Error::invalid(format!("categories: {e}")))?;
        let members: Vec<&str> = symbols
            .iter()
            .filter(|s| catalog.commodity(s).is_some_and(|c| c.category == category))
            .map(String::as_str)
            .collect();
        if members.is_empty() {
            return Err(Error::invalid(format!(
                "category {category}: none of the assets ({}) is in that category",
                symbols.join(", ")
            )));
        }
        constraints = constraints.with_group(category.as_str(), &members, *lo, *hi)?;
    }
    Ok(constraints)
}

/// 252 daily, 52 weekly, 12 monthly, 4 quarterly, else 1, from the median gap between dates.
pub fn periods_per_year(dates: &[NaiveDate]) -> f64 {
    let mut gaps: Vec<i64> = dates.windows(2).map(|d| (d[1] - d[0]).num_days()).collect();
    gaps.sort_unstable();
    match gaps.get(gaps.len() / 2).copied().unwrap_or(1) {
        ..=4 => 252.0,
        5..=10 => 52.0,
        11..=45 => 12.0,
        46..=120 => 4.0,
        _ => 1.0,
    }
}

fn by_symbol(symbols: &[String], weights: &[f64]) -> BTreeMap<String, f64> {
    symbols
        .iter()
        .cloned()
        .zip(weights.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_read_from_the_median_gap() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
        assert_eq!(periods_per_year(&[day(1), day(2), day(3), day(8)]), 252.0);
        assert_eq!(periods_per_year(&[day(1), day(8), day(15), day(22)]), 52.0);
    }
}
