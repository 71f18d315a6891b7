//! `commodex optimize`: the weights an objective picks for the assets of a price table, as
//! JSON (`{"weights": {SYM: w}, "expected_return", "volatility", "sharpe"}`, plus `frontier`
//! when asked) or a table.
//!
//! The numbers come from `analytics::optimize` (PyPortfolioOpt 1.6.0's conventions); this
//! module only turns flags into constraints and results into text. Returns are annualised by
//! the table's interval, read from its median gap between dates.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use analytics::optimize::{
    self, CovarianceMatrix, DEFAULT_COVARIANCE_SPAN, DEFAULT_RETURN_SPAN, MeanVariance, Objective,
    ReturnModel, RiskModel, WeightConstraints,
};
use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use super::portfolio_input;
use crate::cli::ReportFormat;

/// What to optimise for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveName {
    /// The lowest volatility.
    MinVolatility,
    /// The highest Sharpe ratio at --risk-free.
    MaxSharpe,
    /// The highest return at volatility --target.
    EfficientRisk,
    /// The lowest volatility at return --target.
    EfficientReturn,
    /// The highest μᵀw − ½δ wᵀΣw, δ = --target (default 1).
    MaxUtility,
    /// Equal risk contributions, long only.
    RiskParity,
    /// Hierarchical risk parity (PyPortfolioOpt's HRPOpt).
    Hrp,
}

/// Expected-return estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReturnsName {
    /// Compounded (geometric) mean historical return.
    Mean,
    /// Exponentially weighted mean, span 500.
    Ema,
}

/// Covariance estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CovarianceName {
    /// Sample covariance.
    Sample,
    /// Ledoit-Wolf shrinkage towards a constant variance.
    LedoitWolf,
    /// Exponentially weighted, span 180.
    Exp,
}

/// `commodex optimize`.
#[derive(Debug, Args)]
pub struct OptimizeArgs {
    /// A wide price table (date,GOLD,WTI,...); every asset in it is optimised.
    pub file: PathBuf,
    /// What to optimise for.
    #[arg(long, value_enum)]
    pub objective: ObjectiveName,
    /// Target volatility (efficient-risk), target return (efficient-return) or risk aversion
    /// (max-utility), annual.
    #[arg(long)]
    pub target: Option<f64>,
    /// Annual risk-free rate, for max-sharpe and the reported Sharpe ratio.
    #[arg(long = "risk-free", default_value_t = optimize::DEFAULT_RISK_FREE_RATE)]
    pub risk_free: f64,
    /// Bounds of every weight, e.g. 0,0.4 (default 0,1: long only).
    #[arg(long, value_name = "LO,HI", allow_hyphen_values = true)]
    pub bounds: Option<String>,
    /// Bounds of one asset, e.g. GOLD=0.05,0.3 (repeatable).
    #[arg(long = "bound", value_name = "SYM=LO,HI", allow_hyphen_values = true)]
    pub asset_bounds: Vec<String>,
    /// Bounds of a catalog category's total weight, e.g. energy=0,0.5 (repeatable).
    #[arg(long = "category", value_name = "CAT=LO,HI")]
    pub categories: Vec<String>,
    /// L2 regularisation γ (PyPortfolioOpt's L2_reg): adds γ‖w‖² to spread weights.
    #[arg(long, default_value_t = 0.0)]
    pub gamma: f64,
    /// Expected-return estimator.
    #[arg(long, value_enum, default_value_t = ReturnsName::Mean)]
    pub returns: ReturnsName,
    /// Covariance estimator.
    #[arg(long, value_enum, default_value_t = CovarianceName::Sample)]
    pub covariance: CovarianceName,
    /// Also compute N points of the efficient frontier.
    #[arg(long, value_name = "N")]
    pub frontier: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
}

/// Optimises and prints.
pub fn run(args: OptimizeArgs) -> anyhow::Result<ExitCode> {
    let input = portfolio_input::load(&args.file, None)?;
    let periods = periods_per_year(&input.dates);
    let returns = optimize::simple_returns(&input.columns)?;
    let mu = optimize::expected_returns(
        &returns,
        match args.returns {
            ReturnsName::Mean => ReturnModel::MeanHistorical { compounding: true },
            ReturnsName::Ema => ReturnModel::ExponentiallyWeighted {
                span: DEFAULT_RETURN_SPAN,
                compounding: true,
            },
        },
        periods,
    )?;
    let cov = optimize::covariance(
        &returns,
        match args.covariance {
            CovarianceName::Sample => RiskModel::Sample,
            CovarianceName::LedoitWolf => RiskModel::LedoitWolf,
            CovarianceName::Exp => RiskModel::ExponentiallyWeighted {
                span: DEFAULT_COVARIANCE_SPAN,
            },
        },
        periods,
    )?;
    let constraints = constraints(&args, &input.symbols)?;
    let weights = match args.objective {
        ObjectiveName::RiskParity | ObjectiveName::Hrp => {
            if !constraints.is_default_long_only() {
                bail!(
                    "--objective {} is long only and takes no --bounds, --bound or --category",
                    objective_flag(args.objective)
                );
            }
            if args.objective == ObjectiveName::Hrp {
                optimize::hrp(&returns)?
            } else {
                optimize::risk_parity(&cov)?
            }
        }
        objective => {
            let problem = MeanVariance::new(&mu, &cov, &constraints, args.gamma)?;
            problem.solve(mean_variance_objective(objective, &args)?)?
        }
    };
    let frontier = match args.frontier {
        Some(points) => {
            Some(MeanVariance::new(&mu, &cov, &constraints, args.gamma)?.frontier(points)?)
        }
        None => None,
    };
    let performance = optimize::performance(&weights, &mu, &cov, args.risk_free);
    let mut out = json!({
        "weights": weight_map(&input.symbols, &weights),
        "expected_return": performance.expected_return,
        "volatility": performance.volatility,
        "sharpe": performance.sharpe,
    });
    if let Some(points) = &frontier {
        out["frontier"] = points
            .iter()
            .map(|p| {
                json!({
                    "expected_return": p.expected_return,
                    "volatility": p.volatility,
                    "sharpe": (p.expected_return - args.risk_free) / p.volatility,
                    "weights": weight_map(&input.symbols, &p.weights),
                })
            })
            .collect();
    }
    match args.format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        ReportFormat::Table => print!("{}", table(&input.symbols, &weights, &mu, &cov, &out)),
    }
    Ok(ExitCode::SUCCESS)
}

fn mean_variance_objective(
    objective: ObjectiveName,
    args: &OptimizeArgs,
) -> anyhow::Result<Objective> {
    let target = || {
        args.target
            .with_context(|| format!("--objective {} needs --target", objective_flag(objective)))
    };
    Ok(match objective {
        ObjectiveName::MinVolatility => Objective::MinVolatility,
        ObjectiveName::MaxSharpe => Objective::MaxSharpe {
            risk_free_rate: args.risk_free,
        },
        ObjectiveName::EfficientRisk => Objective::EfficientRisk {
            target_volatility: target()?,
        },
        ObjectiveName::EfficientReturn => Objective::EfficientReturn {
            target_return: target()?,
        },
        ObjectiveName::MaxUtility => Objective::MaxUtility {
            risk_aversion: args.target.unwrap_or(1.0),
        },
        ObjectiveName::RiskParity | ObjectiveName::Hrp => bail!(
            "--objective {} is not a mean-variance objective",
            objective_flag(objective)
        ),
    })
}

/// The flags' constraints: `--bounds`, then each `--bound`, then each `--category` (whose
/// members are the file's symbols the catalog files under that category).
fn constraints(args: &OptimizeArgs, symbols: &[String]) -> anyhow::Result<WeightConstraints> {
    let mut constraints = WeightConstraints::long_only(symbols);
    if let Some(text) = &args.bounds {
        let (lo, hi) = parse_pair("--bounds", text)?;
        constraints = constraints.with_bounds(lo, hi)?;
    }
    for entry in &args.asset_bounds {
        let (name, pair) = entry.split_once('=').with_context(|| {
            format!("--bound '{entry}' has no '=': write it like GOLD=0.05,0.3")
        })?;
        let name = name.trim();
        let symbol = symbols
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .with_context(|| {
                format!(
                    "--bound names '{name}', which is not in the file; its symbols are {}",
                    symbols.join(", ")
                )
            })?;
        let (lo, hi) = parse_pair("--bound", pair)?;
        constraints = constraints.with_asset_bounds(symbol, lo, hi)?;
    }
    if !args.categories.is_empty() {
        let catalog = market_data::catalog::Catalog::embedded()?;
        for entry in &args.categories {
            let (name, pair) = entry.split_once('=').with_context(|| {
                format!("--category '{entry}' has no '=': write it like energy=0,0.5")
            })?;
            let category: market_data::catalog::Category = name
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--category: {e}"))?;
            let members: Vec<&str> = symbols
                .iter()
                .filter(|s| catalog.commodity(s).is_some_and(|c| c.category == category))
                .map(String::as_str)
                .collect();
            if members.is_empty() {
                bail!(
                    "--category {category}: none of the file's symbols ({}) is in that category",
                    symbols.join(", ")
                );
            }
            let (lo, hi) = parse_pair("--category", pair)?;
            constraints = constraints.with_group(category.as_str(), &members, lo, hi)?;
        }
    }
    Ok(constraints)
}

fn parse_pair(flag: &str, text: &str) -> anyhow::Result<(f64, f64)> {
    let parsed = text.split_once(',').and_then(|(lo, hi)| {
        Some((
            lo.trim().parse::<f64>().ok()?,
            hi.trim().parse::<f64>().ok()?,
        ))
    });
    match parsed {
        Some((lo, hi)) if lo.is_finite() && hi.is_finite() => Ok((lo, hi)),
        _ => bail!("{flag} '{text}' is not two numbers LO,HI (e.g. 0,0.4)"),
    }
}

/// 252 daily, 52 weekly, 12 monthly, 4 quarterly, else 1, from the median gap between dates.
fn periods_per_year(dates: &[NaiveDate]) -> f64 {
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

fn weight_map(symbols: &[String], weights: &[f64]) -> Value {
    let map: Map<String, Value> = symbols
        .iter()
        .zip(weights)
        .map(|(s, w)| (s.clone(), json!(w)))
        .collect();
    Value::Object(map)
}

fn objective_flag(objective: ObjectiveName) -> String {
    objective
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

/// Weights, each asset's risk share, and the portfolio's numbers, for people.
fn table(
    symbols: &[String],
    weights: &[f64],
    mu: &[f64],
    cov: &CovarianceMatrix,
    out: &Value,
) -> String {
    let shares = optimize::risk_contributions(weights, cov);
    let width = symbols.iter().map(String::len).max().unwrap_or(6).max(6);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:<width$}  {:>9}  {:>11}  {:>10}",
        "asset", "weight", "exp. return", "risk share"
    );
    for (i, symbol) in symbols.iter().enumerate() {
        let _ = writeln!(
            text,
            "{symbol:<width$}  {:>8.2}%  {:>10.2}%  {:>9.2}%",
            100.0 * weights[i],
            100.0 * mu[i],
            100.0 * shares[i]
        );
    }
    let number = |key: &str| out[key].as_f64().unwrap_or(f64::NAN);
    let _ = writeln!(
        text,
        "\nexpected return {:.2}%",
        100.0 * number("expected_return")
    );
    let _ = writeln!(text, "volatility      {:.2}%", 100.0 * number("volatility"));
    let _ = writeln!(text, "sharpe          {:.3}", number("sharpe"));
    if let Some(points) = out.get("frontier").and_then(Value::as_array) {
        let _ = writeln!(
            text,
            "\nfrontier: {:>11}  {:>10}",
            "exp. return", "volatility"
        );
        for p in points {
            let _ = writeln!(
                text,
                "          {:>10.2}%  {:>9.2}%",
                100.0 * p["expected_return"].as_f64().unwrap_or(f64::NAN),
                100.0 * p["volatility"].as_f64().unwrap_or(f64::NAN)
            );
        }
    }
    text
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

    #[test]
    fn bounds_must_be_two_numbers() {
        assert_eq!(parse_pair("--bounds", "0, 0.4").unwrap(), (0.0, 0.4));
        assert!(parse_pair("--bounds", "0.4").is_err());
        assert!(parse_pair("--bounds", "a,b").is_err());
    }
}
