//! Times a backtest sweep for scripts/bench/backtest.py: reads `open,close` rows (no header)
//! from the file named first, runs the entry/exit templates over the grid given after them,
//! and prints the wall time of the sweep alone and the best combination.
//!
//! Usage: backtest_sweep FILE ENTRY EXIT REPEATS GRID...

use std::time::Instant;

use analytics::backtest::{BacktestConfig, Grid, Statistic, SweepPlan, sweep};
use analytics::indicators::Ohlcv;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, entry, exit, repeats, grid @ ..] = args.as_slice() else {
        return Err("usage: backtest_sweep FILE ENTRY EXIT REPEATS GRID...".into());
    };
    let text = std::fs::read_to_string(file)?;
    let (mut open, mut close) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let (o, c) = line.split_once(',').ok_or("rows must be open,close")?;
        open.push(o.trim().parse::<f64>()?);
        close.push(c.trim().parse::<f64>()?);
    }
    let input = Ohlcv {
        open: Some(&open),
        ..Ohlcv::from_close(&close)
    };
    let grid = Grid::parse(grid)?;
    let plan = SweepPlan {
        entry,
        exit,
        grid: &grid,
        config: BacktestConfig {
            fees: 0.001,
            ..BacktestConfig::default()
        },
        rank_by: Statistic::TotalReturn,
        top: 1,
        train_until: None,
    };
    let repeats: usize = repeats.parse()?;
    let mut best_seconds = f64::INFINITY;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let result = sweep(&input, &plan)?;
        best_seconds = best_seconds.min(start.elapsed().as_secs_f64());
        let best = &result.best[0];
        println!(
            "combinations={} indicators={} best={} total_return={}",
            result.scores.len(),
            result.indicators_computed,
            best.entry,
            best.in_sample.total_return
        );
    }
    println!("seconds={best_seconds}");
    Ok(())
}
