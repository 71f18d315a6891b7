//! Times one Monte Carlo run on a wide price CSV, for `scripts/bench/simulate.py`.
//!
//! Usage: `simulate_bench PRICES.csv PATHS HORIZON SEED [normal|bootstrap]`, where the CSV has
//! a header of symbols and one row of prices per date; weights are equal. Prints the compute
//! time (CSV parsing excluded) and a few statistics as `key=value` lines.

use std::time::Instant;

use analytics::portfolio::AssetPrices;
use analytics::simulation::{SimulationConfig, SimulationLimits, SimulationMethod, simulate};

fn main() {
    if let Err(message) = run() {
        eprintln!("simulate_bench: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, paths, horizon, seed, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: simulate_bench PRICES.csv PATHS HORIZON SEED [normal|bootstrap]".to_owned(),
        );
    };
    let number = |s: &str| s.parse::<usize>().map_err(|e| format!("{s}: {e}"));
    let method = match rest.first().map(String::as_str) {
        None | Some("normal") => SimulationMethod::Normal,
        Some("bootstrap") => SimulationMethod::Bootstrap,
        Some(other) => return Err(format!("unknown method {other}")),
    };
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let mut lines = text.lines();
    let symbols: Vec<&str> = lines.next().ok_or("empty file")?.split(',').collect();
    let mut columns = vec![Vec::new(); symbols.len()];
    for line in lines {
        for (column, cell) in columns.iter_mut().zip(line.split(',')) {
            column.push(cell.parse::<f64>().map_err(|e| format!("{cell}: {e}"))?);
        }
    }
    let assets: Vec<AssetPrices<'_>> = symbols
        .iter()
        .zip(&columns)
        .map(|(symbol, prices)| AssetPrices { symbol, prices })
        .collect();
    let weights = vec![1.0; assets.len()];
    let config = SimulationConfig {
        paths: number(paths)?,
        horizon: number(horizon)?,
        seed: number(seed)? as u64,
        method,
        include_paths: 0,
    };
    let limits = SimulationLimits {
        max_paths: 10_000_000,
        max_horizon: 100_000,
        max_returned_paths: 0,
    };
    let start = Instant::now();
    let result = simulate(&assets, &weights, &config, &limits).map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    println!("seconds={seconds}");
    println!("threads={}", rayon::current_num_threads());
    println!("mean={}", result.statistics.mean);
    println!("std={}", result.statistics.std);
    println!("var_5={}", result.statistics.var_5);
    println!(
        "probability_of_loss={}",
        result.statistics.probability_of_loss
    );
    println!(
        "expected_max_drawdown={}",
        result.statistics.expected_max_drawdown
    );
    println!("p50_final={}", result.percentile_paths.p50[config.horizon]);
    Ok(())
}
