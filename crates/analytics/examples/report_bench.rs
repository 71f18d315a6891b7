//! Times one QuantStats-style report on a wide price CSV, for `scripts/bench/report.py`.
//!
//! Usage: `report_bench PRICES.csv`, where the CSV has a header `date,SYM,...`, then one row per
//! date (`YYYY-MM-DD`, prices); every column but the last is an equally weighted asset and the
//! last is the benchmark. Prints the compute time (CSV parsing excluded: returns, statistics,
//! series and tables) and a few statistics as `key=value` lines.

use std::time::Instant;

use analytics::portfolio::{AssetPrices, AssetReturns};
use analytics::report::{Date, ReportInput, report};

fn main() {
    if let Err(message) = run() {
        eprintln!("report_bench: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let file = std::env::args()
        .nth(1)
        .ok_or("usage: report_bench PRICES.csv")?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty file")?.split(',').collect();
    let symbols = &header[1..];
    let mut dates = Vec::new();
    let mut columns = vec![Vec::new(); symbols.len()];
    for line in lines {
        let mut cells = line.split(',');
        let date: Date = cells
            .next()
            .ok_or("empty row")?
            .parse()
            .map_err(|e| format!("{e}"))?;
        dates.push(date);
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.push(cell.parse::<f64>().map_err(|e| format!("{cell}: {e}"))?);
        }
    }
    let start = Instant::now();
    let assets: Vec<AssetPrices<'_>> = symbols
        .iter()
        .zip(&columns)
        .map(|(symbol, prices)| AssetPrices { symbol, prices })
        .collect();
    let all = AssetReturns::from_prices(&assets).map_err(|e| e.to_string())?;
    let portfolio_count = assets.len() - 1;
    let portfolio =
        AssetReturns::from_prices(&assets[..portfolio_count]).map_err(|e| e.to_string())?;
    let weights = vec![1.0 / portfolio_count as f64; portfolio_count];
    let returns = portfolio.portfolio_returns(&weights);
    let result = report(&ReportInput {
        dates: &dates[1..],
        returns: &returns,
        benchmark: Some(all.asset(portfolio_count)),
        risk_free: 0.0,
    })
    .map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    println!("seconds={seconds}");
    println!(
        "statistics={}",
        result.stats.values.len() + result.undefined.len() + 1
    );
    for key in [
        "sharpe",
        "sortino",
        "cagr",
        "max_drawdown",
        "serenity_index",
    ] {
        println!("{key}={}", result.stats.values[key]);
    }
    println!("beta={}", result.stats.greeks.map_or(f64::NAN, |g| g.beta));
    Ok(())
}
