//! `commodex report`: QuantStats' statistics, series and tables of a weighted portfolio from a
//! price table, as JSON or a table, and its HTML tearsheet with `--output`.
//!
//! The work is `server::report` and `server::tearsheet`, the same code as
//! `POST /api/v1/portfolio/report`; this module turns flags into inputs and writes the output.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use server::report::{ReportAnswer, ReportPrices, report_prices};

use super::portfolio_input;
use crate::cli::ReportFormat;

/// `commodex report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A wide price table (date,GOLD,WTI,...).
    pub file: PathBuf,
    /// Weights by symbol, e.g. GOLD=0.6,WTI=0.4 (normalised); every column but the
    /// benchmark's, equally weighted, when absent.
    #[arg(long)]
    pub weights: Option<String>,
    /// A column of the file to compare with (greeks, R², information ratio, its own stats).
    #[arg(long, value_name = "SYM")]
    pub benchmark: Option<String>,
    /// Annual risk-free rate, QuantStats' `rf`.
    #[arg(
        long = "risk-free",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub risk_free: f64,
    /// Output format on stdout; with --output and no --format, nothing is printed.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write the HTML tearsheet to this file (self-contained, works offline).
    #[arg(long, value_name = "FILE.html")]
    pub output: Option<PathBuf>,
    /// The tearsheet's title.
    #[arg(long, default_value = "Portfolio report")]
    pub title: String,
}

/// Computes the report and writes what was asked.
pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let (input, benchmark) = portfolio_input::load_with_benchmark(
        &args.file,
        args.weights.as_deref(),
        args.benchmark.as_deref(),
    )?;
    let answer = report_prices(&ReportPrices {
        symbols: &input.symbols,
        weights: &input.weights,
        dates: &input.dates,
        columns: &input.columns,
        benchmark: benchmark
            .as_ref()
            .map(|(label, prices)| (label.as_str(), prices.as_slice())),
        risk_free: args.risk_free,
    })?;
    if let Some(path) = &args.output {
        write_atomically(
            path,
            server::tearsheet::render(&answer, &args.title).as_bytes(),
        )?;
        eprintln!("tearsheet written to {}", path.display());
    }
    let format = match (args.format, &args.output) {
        (Some(format), _) => format,
        (None, Some(_)) => return Ok(ExitCode::SUCCESS),
        (None, None) => ReportFormat::Json,
    };
    let text = match format {
        ReportFormat::Json => serde_json::to_string(&answer)? + "\n",
        ReportFormat::Table => table(&answer),
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // A reader that stopped early (`| head`) took what it wanted.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        result => {
            result.context("cannot write to stdout")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`, so that a
/// failure leaves no half-written report.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A report is a document to share, readable as any file the user writes (not the
    // owner-only mode of a temporary file).
    let mut file = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(directory)
        .with_context(|| format!("cannot write in {}", directory.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The statistics for people: each name with the portfolio's value and the benchmark's.
fn table(answer: &ReportAnswer) -> String {
    let report = &answer.report;
    let mut text = String::new();
    let weights: Vec<String> = answer
        .weights
        .iter()
        .map(|w| format!("{} {:.1}%", w.symbol, 100.0 * w.weight))
        .collect();
    let _ = writeln!(
        text,
        "Portfolio of {} from {} to {} ({} returns), risk-free {}",
        weights.join(", "),
        answer.start.map(|d| d.to_string()).unwrap_or_default(),
        answer.end.map(|d| d.to_string()).unwrap_or_default(),
        report.dates.len(),
        answer.risk_free
    );
    let benchmark = answer.benchmark.as_deref();
    let _ = writeln!(
        text,
        "\n{:<38}  {:>14}  {:>14}",
        "statistic",
        "portfolio",
        benchmark.unwrap_or("")
    );
    for (name, value) in &report.stats.values {
        let other = report
            .benchmark_stats
            .as_ref()
            .and_then(|stats| stats.get(name))
            .map(|v| format!("{v:.6}"))
            .unwrap_or_default();
        let _ = writeln!(text, "{name:<38}  {value:>14.6}  {other:>14}");
    }
    if let Some(greeks) = &report.stats.greeks {
        let _ = writeln!(text, "{:<38}  {:>14.6}", "greeks.alpha", greeks.alpha);
        let _ = writeln!(text, "{:<38}  {:>14.6}", "greeks.beta", greeks.beta);
    }
    for (name, why) in &report.undefined {
        let _ = writeln!(text, "{name:<38}  {:>14}  ({why})", "undefined");
    }
    let _ = writeln!(text, "\nyear  return");
    for year in &report.eoy_returns {
        let _ = writeln!(text, "{}  {:>6.2}%", year.year, 100.0 * year.value);
    }
    let worst = analytics::report::worst_drawdowns(&report.drawdown_details, 5);
    if !worst.is_empty() {
        let _ = writeln!(
            text,
            "\n{:<10}  {:<10}  {:<10}  {:>6}  {:>9}",
            "started", "valley", "recovered", "days", "drawdown"
        );
        for period in worst {
            let _ = writeln!(
                text,
                "{:<10}  {:<10}  {:<10}  {:>6}  {:>8.2}%",
                period.start.to_string(),
                period.valley.to_string(),
                period.end.to_string(),
                period.days,
                period.max_drawdown_percent
            );
        }
    }
    text
}
