//! `commodex metrics`: portfolio risk metrics on a CSV price table, as JSON or a table.

use super::portfolio_input::{self, PortfolioInput};
use crate::cli::{MetricsArgs, ReportFormat};
use analytics::portfolio::{self, PortfolioMetrics, PortfolioSeries};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt::Write as _;
use std::process::ExitCode;

/// The JSON document: SPEC's keys at the top level, plus what the numbers were computed on.
#[derive(Serialize)]
struct MetricsReport<'a> {
    /// The assets, in weight order.
    symbols: &'a [String],
    /// First common date.
    start_date: NaiveDate,
    /// Last common date.
    end_date: NaiveDate,
    /// Every SPEC metric.
    #[serde(flatten)]
    metrics: &'a PortfolioMetrics,
    /// Wealth, drawdown and rolling series, with `--series`.
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<SeriesReport<'a>>,
}

/// The dashboard's series with the dates they belong to.
#[derive(Serialize)]
struct SeriesReport<'a> {
    /// The common dates; every series below is aligned with them.
    dates: &'a [NaiveDate],
    /// Wealth, drawdown, rolling volatility and Sharpe.
    #[serde(flatten)]
    series: PortfolioSeries,
}

/// Computes the metrics and prints them.
pub fn run(args: MetricsArgs) -> anyhow::Result<ExitCode> {
    let input = portfolio_input::load(&args.file, args.weights.as_deref())?;
    let assets = input.assets();
    let metrics = portfolio::compute_metrics(&assets, &input.weights, args.risk_free)?;
    match args.format {
        ReportFormat::Json => {
            let series = if args.series {
                Some(SeriesReport {
                    dates: &input.dates,
                    series: portfolio::series(
                        &assets,
                        &input.weights,
                        args.risk_free,
                        args.window,
                    )?,
                })
            } else {
                None
            };
            let report = MetricsReport {
                symbols: &input.symbols,
                start_date: input.dates[0],
                end_date: input.dates[input.dates.len() - 1],
                metrics: &metrics,
                series,
            };
            // serde_json writes a non-finite f64 as null, so the output is always valid JSON.
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        ReportFormat::Table => print!("{}", table(&input, &metrics, args.risk_free)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The metrics as aligned text for people: scalars, then correlations, then risk shares.
fn table(input: &PortfolioInput, metrics: &PortfolioMetrics, risk_free: f64) -> String {
    let mut out = String::new();
    let first = input.dates[0];
    let last = input.dates[input.dates.len() - 1];
    let _ = writeln!(
        out,
        "Portfolio of {} on {} common returns, {first} to {last}, risk-free {}",
        input.symbols.join(", "),
        metrics.num_returns,
        percent(Some(risk_free))
    );
    let _ = writeln!(out);
    let rows: [(&str, String); 15] = [
        (
            "Return (annual, arithmetic)",
            percent(Some(metrics.portfolio_return)),
        ),
        ("CAGR", percent(Some(metrics.cagr))),
        (
            "Volatility (annual)",
            percent(Some(metrics.portfolio_volatility)),
        ),
        ("Sharpe ratio", ratio(Some(metrics.sharpe_ratio))),
        ("Sortino ratio", ratio(metrics.sortino_ratio)),
        ("VaR 95% (1 day, historical)", percent(Some(metrics.var_95))),
        ("VaR 99% (1 day, historical)", percent(Some(metrics.var_99))),
        (
            "VaR 95% (1 day, parametric)",
            percent(Some(metrics.parametric_var_95)),
        ),
        (
            "VaR 99% (1 day, parametric)",
            percent(Some(metrics.parametric_var_99)),
        ),
        ("CVaR 95% (1 day)", percent(Some(metrics.cvar_95))),
        ("CVaR 99% (1 day)", percent(Some(metrics.cvar_99))),
        ("Max drawdown", percent(Some(metrics.max_drawdown))),
        ("Calmar ratio", ratio(metrics.calmar_ratio)),
        (
            "Diversification ratio",
            ratio(Some(metrics.diversification_ratio)),
        ),
        ("Returns used", metrics.num_returns.to_string()),
    ];
    let label_width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
    for (label, value) in &rows {
        let _ = writeln!(out, "{label:<label_width$}  {value:>10}");
    }

    let correlation = &metrics.correlation_matrix;
    let width = correlation
        .symbols
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("Correlation".len());
    let _ = writeln!(out);
    let _ = write!(out, "{:<width$}", "Correlation");
    for symbol in &correlation.symbols {
        let _ = write!(out, "  {symbol:>width$}");
    }
    let _ = writeln!(out);
    for (symbol, row) in correlation.symbols.iter().zip(&correlation.matrix) {
        let _ = write!(out, "{symbol:<width$}");
        for value in row {
            let _ = write!(out, "  {:>width$}", ratio(Some(*value)));
        }
        let _ = writeln!(out);
    }

    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<width$}  {:>8}  {:>10}  {:>10}  {:>10}",
        "Risk", "weight", "marginal", "component", "share"
    );
    for contribution in &metrics.risk_decomposition {
        let _ = writeln!(
            out,
            "{:<width$}  {:>8}  {:>10}  {:>10}  {:>10}",
            contribution.symbol,
            percent(Some(contribution.weight)),
            ratio(Some(contribution.marginal)),
            ratio(Some(contribution.component)),
            percent(Some(contribution.percent)),
        );
    }
    out
}

/// A fraction as a percentage with two decimals, `n/a` when undefined.
pub(super) fn percent(value: Option<f64>) -> String {
    match value {
        Some(value) if value.is_finite() => format!("{:.2}%", value * 100.0),
        _ => "n/a".to_owned(),
    }
}

/// A ratio with four decimals, `n/a` when undefined.
pub(super) fn ratio(value: Option<f64>) -> String {
    match value {
        Some(value) if value.is_finite() => format!("{value:.4}"),
        _ => "n/a".to_owned(),
    }
}
