//! `commodex backtest`: entry and exit rules over a CSV file, traded as vectorbt's
//! `from_signals` would (a signal on bar t's close trades at bar t+1's open), printed as
//! SPEC's JSON or a table; with `--grid`, a parameter sweep ranked by a statistic.

use crate::cli::{BacktestArgs, ReportFormat};
use analytics::indicators::Ohlcv;
use anyhow::bail;
use serde_json::Value;
use server::backtest::{self, BacktestOptions};
use std::fmt::Write as _;
use std::process::ExitCode;

/// Runs the backtest or the sweep and prints it.
pub fn run(args: BacktestArgs) -> anyhow::Result<ExitCode> {
    let options = BacktestOptions {
        entry: args.entry,
        exit: args.exit,
        fees: args.fees,
        slippage: args.slippage,
        init_cash: args.init_cash,
        direction: args.direction,
        grid: args.grid,
        rank_by: args.rank_by,
        top: args.top,
        train_until: super::parse_date_flag("--train-until", args.train_until.as_deref())?,
    };
    // Rules and settings are checked before the file is read, so a typo costs nothing.
    backtest::check_named(&options, ["--entry", "--exit"])?;
    let series = ingest::read_columns(&args.file)?;
    if series.is_empty() {
        bail!("{} has no rows with a close", args.file.display());
    }
    let input = Ohlcv {
        open: series.open.as_deref(),
        high: series.high.as_deref(),
        low: series.low.as_deref(),
        close: &series.close,
        volume: series.volume.as_deref(),
    };
    let report = backtest::run(&series.dates, &input, &options)?;
    match args.format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Table => print!("{}", table(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

/// A plain-text view of the JSON document for people.
fn table(report: &Value) -> String {
    let mut out = String::new();
    let show = |value: &Value| match value {
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |f| format!("{f:.6}")),
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(best) = report["best"].as_array() {
        let _ = writeln!(
            out,
            "{:<5} {:<28} {:>14} {:>8} {:>10}",
            "rank", "params", "total_return", "trades", "win_rate"
        );
        for (rank, item) in best.iter().enumerate() {
            let params: Vec<String> = item["params"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<5} {:<28} {:>14} {:>8} {:>10}",
                rank + 1,
                params.join(" "),
                show(&item["total_return"]),
                show(&item["stats"]["total_trades"]),
                show(&item["stats"]["win_rate"]),
            );
        }
        return out;
    }
    let _ = writeln!(out, "final_value   {}", show(&report["final_value"]));
    let _ = writeln!(out, "total_return  {}", show(&report["total_return"]));
    if let Some(stats) = report["stats"].as_object() {
        for (key, value) in stats.iter().filter(|(_, v)| !v.is_object()) {
            let _ = writeln!(out, "{key:<22}{}", show(value));
        }
        if let Some(quantstats) = stats.get("quantstats").and_then(Value::as_object) {
            let _ = writeln!(
                out,
                "\n{:<38} {:>14} {:>14}",
                "QuantStats statistic", "strategy", "buy and hold"
            );
            for (key, value) in quantstats.iter().filter(|(_, v)| !v.is_object()) {
                let _ = writeln!(
                    out,
                    "{key:<38} {:>14} {:>14}",
                    show(value),
                    show(&stats["buy_and_hold"][key])
                );
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<12} {:>14} {:<12} {:>14} {:>16} {:>14} {:>10}",
        "entry_date", "entry_price", "exit_date", "exit_price", "size", "pnl", "return"
    );
    for trade in report["trades"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "{:<12} {:>14} {:<12} {:>14} {:>16} {:>14} {:>10}",
            show(&trade["entry_date"]),
            show(&trade["entry_price"]),
            show(&trade["exit_date"]),
            show(&trade["exit_price"]),
            show(&trade["size"]),
            show(&trade["pnl"]),
            show(&trade["return"]),
        );
    }
    out
}
