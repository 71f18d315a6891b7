//! `commodex simulate`: Monte Carlo of a portfolio on a CSV price table, as JSON or a table.

use super::metrics::{percent, ratio};
use super::portfolio_input;
use crate::cli::{ReportFormat, SimulateArgs, SimulationMethod as CliMethod};
use crate::config::Settings;
use analytics::simulation::{
    self, MonteCarloConfig, MonteCarloResult, ResampleMethod, SimulationConfig, SimulationLimits,
    SimulationMethod, SimulationResult,
};
use anyhow::bail;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

/// Runs the simulation within the configured bounds and prints the result.
pub fn run(settings: &Settings, args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let bounds = &settings.simulation;
    let paths = args.paths.unwrap_or(bounds.default_paths);
    if matches!(args.method, CliMethod::Shuffle | CliMethod::Block) {
        return resample(settings, &args, paths);
    }
    if args.block_size.is_some() || args.bust.is_some() || args.goal.is_some() {
        bail!("--block-size, --bust and --goal apply only to --method shuffle or block");
    }
    let horizon = args.horizon.unwrap_or(bounds.default_horizon_days);
    // Checked here rather than left to the analytics crate so the message names the flag and
    // the setting an operator would change.
    if paths == 0 || paths > bounds.max_paths {
        bail!(
            "--paths {paths} is out of range: it must be between 1 and {} (simulation.max_paths)",
            bounds.max_paths
        );
    }
    if horizon == 0 || horizon > bounds.max_horizon_days {
        bail!(
            "--horizon {horizon} is out of range: it must be between 1 and {} trading days \
             (simulation.max_horizon_days)",
            bounds.max_horizon_days
        );
    }
    let limits = SimulationLimits {
        max_paths: bounds.max_paths,
        max_horizon: bounds.max_horizon_days,
        max_returned_paths: SimulationLimits::default().max_returned_paths,
    };
    if args.include_paths > limits.max_returned_paths.min(paths) {
        bail!(
            "--include-paths {} is out of range: at most {} raw paths can be printed",
            args.include_paths,
            limits.max_returned_paths.min(paths)
        );
    }

    let input = portfolio_input::load(&args.file, Some(&args.weights))?;
    let config = SimulationConfig {
        paths,
        horizon,
        seed: args.seed,
        method: match args.method {
            CliMethod::Bootstrap => SimulationMethod::Bootstrap,
            _ => SimulationMethod::Normal,
        },
        include_paths: args.include_paths,
    };
    let result = simulation::simulate(&input.assets(), &input.weights, &config, &limits)?;
    match args.format {
        // serde_json writes a non-finite f64 as null, so the output is always valid JSON.
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&result)?),
        ReportFormat::Table => print!("{}", table(&input.symbols, &result)),
    }
    Ok(ExitCode::SUCCESS)
}

/// QuantStats' `montecarlo` (shuffle) or a block bootstrap of the portfolio's history.
fn resample(settings: &Settings, args: &SimulateArgs, paths: usize) -> anyhow::Result<ExitCode> {
    let bounds = &settings.simulation;
    if paths == 0 || paths > bounds.max_paths {
        bail!(
            "--paths {paths} is out of range: it must be between 1 and {} (simulation.max_paths)",
            bounds.max_paths
        );
    }
    if args.horizon.is_some() || args.include_paths > 0 {
        bail!(
            "--horizon and --include-paths do not apply to --method shuffle or block: their \
             paths are the history reordered, as long as it"
        );
    }
    let method = match args.method {
        CliMethod::Block => ResampleMethod::Block {
            block_size: args.block_size.unwrap_or(DEFAULT_BLOCK_SIZE),
        },
        _ if args.block_size.is_some() => bail!("--block-size applies only to --method block"),
        _ => ResampleMethod::Shuffle,
    };
    let input = portfolio_input::load(&args.file, Some(&args.weights))?;
    let config = MonteCarloConfig {
        sims: paths,
        seed: args.seed,
        method,
        bust: args.bust,
        goal: args.goal,
    };
    let result = simulation::montecarlo_portfolio(
        &input.assets(),
        &input.weights,
        &config,
        &AtomicBool::new(false),
    )?;
    match args.format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&result)?),
        ReportFormat::Table => print!("{}", resample_table(&input.symbols, &result)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Returns per block when --block-size is not given: about a trading month.
const DEFAULT_BLOCK_SIZE: usize = 20;

/// A resampling Monte Carlo as aligned text for people.
fn resample_table(symbols: &[String], result: &MonteCarloResult) -> String {
    let mut out = String::new();
    let method = match result.method {
        ResampleMethod::Shuffle => "shuffle".to_owned(),
        ResampleMethod::Block { block_size } => format!("block bootstrap, blocks of {block_size}"),
    };
    let _ = writeln!(
        out,
        "Monte Carlo of {}: {} paths x {} returns, {method}\n",
        symbols.join(", "),
        result.sims,
        result.periods
    );
    let _ = writeln!(
        out,
        "{:<16}  {:>12}  {:>12}",
        "", "final return", "max drawdown"
    );
    let (t, d) = (&result.terminal, &result.max_drawdown);
    for (label, a, b) in [
        ("Mean", t.mean, d.mean),
        ("Median", t.median, d.median),
        ("Std", t.std, d.std),
        ("Min", t.min, d.min),
        ("Percentile 5", t.percentile_5, d.percentile_5),
        ("Percentile 25", t.percentile_25, d.percentile_25),
        ("Percentile 75", t.percentile_75, d.percentile_75),
        ("Percentile 95", t.percentile_95, d.percentile_95),
        ("Max", t.max, d.max),
    ] {
        let _ = writeln!(
            out,
            "{label:<16}  {:>12}  {:>12}",
            percent(Some(a)),
            percent(Some(b))
        );
    }
    if let Some(p) = result.bust_probability {
        let _ = writeln!(out, "\nBust probability  {}", ratio(Some(p)));
    }
    if let Some(p) = result.goal_probability {
        let _ = writeln!(out, "Goal probability  {}", ratio(Some(p)));
    }
    out
}

/// The statistics of the final return as aligned text for people.
fn table(symbols: &[String], result: &SimulationResult) -> String {
    let stats = &result.statistics;
    let mut out = String::new();
    let method = match result.method {
        SimulationMethod::Normal => "normal",
        SimulationMethod::Bootstrap => "bootstrap",
    };
    let _ = writeln!(
        out,
        "Monte Carlo of {}: {} paths x {} days, {method}, seed {}",
        symbols.join(", "),
        result.num_simulations,
        result.time_horizon_days,
        result.seed
    );
    let _ = writeln!(out);
    let p = &stats.percentiles;
    let rows: [(&str, String); 18] = [
        ("Mean final return", percent(Some(stats.mean))),
        ("Median final return", percent(Some(stats.median))),
        ("Std of final return", percent(Some(stats.std))),
        ("Min", percent(Some(stats.min))),
        ("Max", percent(Some(stats.max))),
        ("Percentile 1", percent(Some(p.p1))),
        ("Percentile 5", percent(Some(p.p5))),
        ("Percentile 25", percent(Some(p.p25))),
        ("Percentile 50", percent(Some(p.p50))),
        ("Percentile 75", percent(Some(p.p75))),
        ("Percentile 95", percent(Some(p.p95))),
        ("Percentile 99", percent(Some(p.p99))),
        ("VaR 5%", percent(Some(stats.var_5))),
        ("VaR 1%", percent(Some(stats.var_1))),
        ("CVaR 5%", percent(Some(stats.cvar_5))),
        ("CVaR 1%", percent(Some(stats.cvar_1))),
        (
            "Probability of loss",
            ratio(Some(stats.probability_of_loss)),
        ),
        (
            "Expected max drawdown",
            percent(Some(stats.expected_max_drawdown)),
        ),
    ];
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
    for (label, value) in &rows {
        let _ = writeln!(out, "{label:<width$}  {value:>10}");
    }
    out
}
