//! `commodex optimize`: the weights an objective picks for the assets of a price table, as
//! JSON (`{"weights": {SYM: w}, "expected_return", "volatility", "sharpe"}`, plus `frontier`
//! when asked) or a table.
//!
//! The work is `server::optimize`, the same path as `POST /api/v1/portfolio/optimize`; this
//! module only turns flags into its options and its answer into text.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use server::optimize::{
    Choices, CovarianceKind, ObjectiveKind, OptimizeOptions, Optimized, ReturnsKind,
    optimize_prices,
};

use super::portfolio_input;
use crate::cli::ReportFormat;

/// A parser for one of the service's option enums: its names as clap's possible values (with
/// their help in `--help` and suggestions for a typo), parsed into the value.
fn choice<T>(choices: Choices<T>) -> impl TypedValueParser<Value = T>
where
    T: Copy + Send + Sync + std::str::FromStr<Err = String> + 'static,
{
    PossibleValuesParser::new(
        choices
            .iter()
            .map(|(_, name, help)| PossibleValue::new(*name).help(*help)),
    )
    .try_map(|name| name.parse::<T>())
}

/// `commodex optimize`.
#[derive(Debug, Args)]
pub struct OptimizeArgs {
    /// A wide price table (date,GOLD,WTI,...); every asset in it is optimised.
    pub file: PathBuf,
    /// What to optimise for.
    #[arg(long, value_parser = choice(ObjectiveKind::CHOICES))]
    pub objective: ObjectiveKind,
    /// Target volatility (efficient-risk), target return (efficient-return) or risk aversion
    /// (max-utility), annual.
    #[arg(long, allow_negative_numbers = true)]
    pub target: Option<f64>,
    /// Annual risk-free rate, for max-sharpe and the reported Sharpe ratio.
    #[arg(
        long = "risk-free",
        default_value_t = analytics::optimize::DEFAULT_RISK_FREE_RATE,
        allow_negative_numbers = true
    )]
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
    #[arg(long, value_parser = choice(ReturnsKind::CHOICES), default_value = "mean")]
    pub returns: ReturnsKind,
    /// Covariance estimator.
    #[arg(long, value_parser = choice(CovarianceKind::CHOICES), default_value = "sample")]
    pub covariance: CovarianceKind,
    /// Also compute N points of the efficient frontier (at most 200).
    #[arg(long, value_name = "N")]
    pub frontier: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
}

/// Optimises and prints.
pub fn run(args: OptimizeArgs) -> anyhow::Result<ExitCode> {
    let input = portfolio_input::load(&args.file, None)?;
    let catalog = market_data::catalog::Catalog::embedded()?;
    let answer = optimize_prices(
        &input.symbols,
        &input.dates,
        &input.columns,
        &options(&args)?,
        &catalog,
    )?;
    match args.format {
        ReportFormat::Json => {
            // The CLI's JSON is the documented four keys (and the frontier); the per-asset
            // rows are the table's.
            let mut out = serde_json::to_value(&answer)?;
            if let Some(map) = out.as_object_mut() {
                map.remove("assets");
            }
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        ReportFormat::Table => print!("{}", table(&answer)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The service's options from the flags.
fn options(args: &OptimizeArgs) -> anyhow::Result<OptimizeOptions> {
    let mut asset_bounds = BTreeMap::new();
    for entry in &args.asset_bounds {
        let (name, pair) = entry.split_once('=').with_context(|| {
            format!("--bound '{entry}' has no '=': write it like GOLD=0.05,0.3")
        })?;
        asset_bounds.insert(name.trim().to_owned(), parse_pair("--bound", pair)?);
    }
    let mut categories = BTreeMap::new();
    for entry in &args.categories {
        let (name, pair) = entry.split_once('=').with_context(|| {
            format!("--category '{entry}' has no '=': write it like energy=0,0.5")
        })?;
        categories.insert(name.trim().to_owned(), parse_pair("--category", pair)?);
    }
    Ok(OptimizeOptions {
        objective: args.objective,
        target: args.target,
        risk_free: args.risk_free,
        bounds: args
            .bounds
            .as_deref()
            .map(|text| parse_pair("--bounds", text))
            .transpose()?,
        asset_bounds,
        categories,
        gamma: args.gamma,
        returns: args.returns,
        covariance: args.covariance,
        // The command line has no portfolio held today to compare with.
        current_weights: BTreeMap::new(),
        frontier: args.frontier,
    })
}

fn parse_pair(flag: &str, text: &str) -> anyhow::Result<[f64; 2]> {
    let parsed = text.split_once(',').and_then(|(lo, hi)| {
        Some((
            lo.trim().parse::<f64>().ok()?,
            hi.trim().parse::<f64>().ok()?,
        ))
    });
    match parsed {
        Some((lo, hi)) if lo.is_finite() && hi.is_finite() => Ok([lo, hi]),
        _ => bail!("{flag} '{text}' is not two numbers LO,HI (e.g. 0,0.4)"),
    }
}

/// Weights, each asset's risk share, and the portfolio's numbers, for people.
fn table(answer: &Optimized) -> String {
    let width = answer
        .assets
        .iter()
        .map(|a| a.symbol.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:<width$}  {:>9}  {:>11}  {:>10}",
        "asset", "weight", "exp. return", "risk share"
    );
    for asset in &answer.assets {
        let _ = writeln!(
            text,
            "{:<width$}  {:>8.2}%  {:>10.2}%  {:>9.2}%",
            asset.symbol,
            100.0 * asset.weight,
            100.0 * asset.expected_return,
            100.0 * asset.risk_share
        );
    }
    let _ = writeln!(
        text,
        "\nexpected return {:.2}%",
        100.0 * answer.expected_return
    );
    let _ = writeln!(text, "volatility      {:.2}%", 100.0 * answer.volatility);
    let _ = writeln!(text, "sharpe          {:.3}", answer.sharpe);
    if let Some(points) = &answer.frontier {
        let _ = writeln!(
            text,
            "\nfrontier: {:>11}  {:>10}",
            "exp. return", "volatility"
        );
        for p in points {
            let _ = writeln!(
                text,
                "          {:>10.2}%  {:>9.2}%",
                100.0 * p.expected_return,
                100.0 * p.volatility
            );
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_must_be_two_numbers() {
        assert_eq!(parse_pair("--bounds", "0, 0.4").unwrap(), [0.0, 0.4]);
        assert!(parse_pair("--bounds", "0.4").is_err());
        assert!(parse_pair("--bounds", "a,b").is_err());
    }
}
