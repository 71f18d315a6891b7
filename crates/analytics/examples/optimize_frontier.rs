//! Times an efficient frontier on a wide price CSV (`date,A,B,...`, ascending, no gaps), for
//! scripts/bench/optimize.py: compounded mean returns, sample covariance, long only, N points.
//! Prints one JSON line: the seconds spent estimating and solving, and each point's return
//! and volatility.
//!
//! Usage: cargo run --release -p analytics --example optimize_frontier -- FILE [POINTS]

use std::time::Instant;

use analytics::optimize::{
    MeanVariance, ReturnModel, RiskModel, WeightConstraints, covariance, expected_returns,
    simple_returns,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: optimize_frontier FILE [POINTS]")?;
    let points: usize = args.next().map_or(Ok(50), |p| p.parse())?;
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .ok_or("empty file")?
        .split(',')
        .skip(1)
        .map(String::from)
        .collect();
    let mut prices = vec![Vec::new(); header.len()];
    for line in lines {
        for (column, cell) in prices.iter_mut().zip(line.split(',').skip(1)) {
            column.push(cell.parse::<f64>()?);
        }
    }
    let start = Instant::now();
    let returns = simple_returns(&prices)?;
    let mu = expected_returns(
        &returns,
        ReturnModel::MeanHistorical { compounding: true },
        252.0,
    )?;
    let cov = covariance(&returns, RiskModel::Sample, 252.0)?;
    let estimated = start.elapsed().as_secs_f64();
    let constraints = WeightConstraints::long_only(&header);
    let start = Instant::now();
    let frontier = MeanVariance::new(&mu, &cov, &constraints, 0.0)?.frontier(points)?;
    let solved = start.elapsed().as_secs_f64();
    let list = |f: fn(&analytics::optimize::FrontierPoint) -> f64| {
        frontier
            .iter()
            .map(|p| format!("{:.17e}", f(p)))
            .collect::<Vec<_>>()
            .join(",")
    };
    println!(
        "{{\"estimate_seconds\":{estimated},\"frontier_seconds\":{solved},\"returns\":[{}],\"volatilities\":[{}]}}",
        list(|p| p.expected_return),
        list(|p| p.volatility)
    );
    Ok(())
}
