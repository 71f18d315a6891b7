//! The command line, as SPEC names it: scripts rely on these commands and flags.

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use store::Interval;

/// Commodex: commodity prices from several providers, TA-Lib-exact oscillators and portfolio
/// risk, as a web dashboard, a REST + WebSocket API and this command line.
#[derive(Debug, Parser)]
#[command(name = "commodex", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// A configuration file applied after config/default.toml and config/<profile>.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command of SPEC.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web dashboard and the REST + WebSocket API (migrates the database first).
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Import a CSV file (Yahoo, FRED, date,close or a wide table; .csv.gz too) into the
    /// database: all of the file or nothing, idempotent.
    Import(ImportArgs),
    /// Fetch a series from one source and store it.
    Fetch(FetchArgs),
    /// Write a stored series as CSV (date,open,high,low,close,volume) or JSON.
    Export(ExportArgs),
    /// Print the effective configuration, secrets redacted.
    Config,
    /// Compute TA-Lib-exact indicators on a CSV file.
    ///
    /// A file whose dates ascend is read twice, in memory that does not grow with the file:
    /// once to find any bad row before writing anything, once to compute and write in
    /// chunks. A file in any other order (newest first) is loaded whole to be sorted, in
    /// memory that grows with the file. The output is the same either way.
    Indicators(IndicatorsArgs),
    /// Compute portfolio risk metrics on a CSV price table.
    Metrics(MetricsArgs),
    /// Run a Monte Carlo simulation of a portfolio on a CSV price table.
    Simulate(SimulateArgs),
    /// Optimise a portfolio's weights on a CSV price table (min volatility, max Sharpe, the
    /// efficient frontier, risk parity, HRP).
    Optimize(crate::commands::optimize::OptimizeArgs),
    /// QuantStats' statistics of a weighted portfolio on a CSV price table, beside a
    /// benchmark column, as JSON or a table, and its HTML tearsheet with --output.
    Report(crate::commands::report::ReportArgs),
    /// Backtest entry/exit rules on a CSV file as vectorbt's from_signals (a signal on a
    /// bar's close trades at the next open), or sweep them over a parameter grid.
    Backtest(BacktestArgs),
}

/// `commodex serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8000; also COMMODEX_BIND).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
}

/// `commodex import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file (.csv or .csv.gz).
    pub file: PathBuf,
    /// The source to store the rows under.
    #[arg(long, default_value = "csv")]
    pub source: String,
    /// The symbol of a single-series file (default: the value column's header or the file
    /// name). Not allowed with a wide table.
    #[arg(long)]
    pub symbol: Option<String>,
}

/// `commodex fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Which series, over which dates. Without `--start`, everything the provider offers;
    /// without `--interval`, the finest the source offers for the symbol.
    #[command(flatten)]
    pub series: SeriesArgs,
}

/// The series flags `fetch` and `export` share, checked as they are parsed: a bad date or
/// interval is a usage error naming the flag, before any file or database is opened.
#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// The source id (alpha_vantage, fmp, demo, csv, ...).
    #[arg(long)]
    pub source: String,
    /// Our symbol (GOLD, WTI, ...).
    #[arg(long)]
    pub symbol: String,
    /// First date (YYYY-MM-DD).
    #[arg(long, value_name = "D", value_parser = parse_date)]
    pub start: Option<NaiveDate>,
    /// Last date (YYYY-MM-DD).
    #[arg(long, value_name = "D", value_parser = parse_date)]
    pub end: Option<NaiveDate>,
    /// daily, weekly, monthly, quarterly, annual.
    #[arg(long, value_name = "I")]
    pub interval: Option<Interval>,
}

impl SeriesArgs {
    /// `--start` and `--end`, refused when the range is empty.
    pub fn range(&self) -> anyhow::Result<(Option<NaiveDate>, Option<NaiveDate>)> {
        if let (Some(start), Some(end)) = (self.start, self.end)
            && start > end
        {
            anyhow::bail!("--start {start} is after --end {end}");
        }
        Ok((self.start, self.end))
    }
}

/// A `YYYY-MM-DD` date; clap prefixes the flag and the value to the message.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "not a date: expected YYYY-MM-DD".to_string())
}

/// Output format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// date,open,high,low,close,volume
    Csv,
    /// An array of {date, open, high, low, close, volume}.
    Json,
}

/// `commodex export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which series, over which dates. Without `--interval`, the finest stored for the symbol.
    #[command(flatten)]
    pub series: SeriesArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "F")]
    pub output: Option<PathBuf>,
}

/// Output format of `indicators`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Comma-separated values.
    Csv,
    /// JSON.
    Json,
}

/// `commodex indicators`.
#[derive(Debug, Args)]
pub struct IndicatorsArgs {
    /// The CSV file (OHLCV or date,close). Rows in ascending date order are streamed in
    /// bounded memory; any other order is loaded whole and sorted.
    #[arg(required_unless_present = "list")]
    pub file: Option<PathBuf>,
    /// An indicator spec such as rsi(14) or macd(12,26,9); repeat for more.
    #[arg(
        long = "indicator",
        required_unless_present = "list",
        value_name = "SPEC"
    )]
    pub indicators: Vec<String>,
    /// List every function instead (group, inputs, parameters with defaults and ranges,
    /// outputs); `--format json` for JSON.
    #[arg(long, conflicts_with_all = ["file", "indicators", "output"])]
    pub list: bool,
    /// Write to this file instead of standard output. It is written under a temporary name
    /// in the same directory and renamed when complete, so a failure leaves no partial file.
    #[arg(long, value_name = "F")]
    pub output: Option<PathBuf>,
    /// Output format. `json` is `{"columns":["date",...],"rows":[["2024-01-02",1.5,null],...]}`:
    /// one array per input row in column order, null during the lookback.
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
}

/// Output format of `metrics` and `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// JSON with SPEC's keys.
    Json,
    /// An aligned table for people.
    Table,
}

/// `commodex metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// A wide price table (date,GOLD,WTI,...).
    pub file: PathBuf,
    /// Weights such as GOLD=0.6,WTI=0.4 (default: equal weights).
    #[arg(long, value_name = "A=W,B=W")]
    pub weights: Option<String>,
    /// Annual risk-free rate.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub risk_free: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
    /// Also print the dashboard's series (JSON only): `series` with `dates`, `wealth`,
    /// `drawdown`, `rolling_volatility` and `rolling_sharpe`, aligned with the dates.
    #[arg(long)]
    pub series: bool,
    /// Window, in daily returns, of the rolling series.
    #[arg(long, default_value_t = analytics::portfolio::DEFAULT_ROLLING_WINDOW)]
    pub window: usize,
}

/// Simulation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulationMethod {
    /// Multivariate normal with the sample mean and covariance.
    Normal,
    /// Whole historical days resampled.
    Bootstrap,
    /// QuantStats' montecarlo: the history reshuffled, each path as long as it.
    Shuffle,
    /// A circular block bootstrap of the history (--block-size returns per block).
    Block,
}

/// `commodex simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// A wide price table (date,GOLD,WTI,...).
    pub file: PathBuf,
    /// Weights such as GOLD=0.6,WTI=0.4.
    #[arg(long, required = true, value_name = "A=W,B=W")]
    pub weights: String,
    /// Number of simulated paths [default: simulation.default_paths, 10000].
    #[arg(long)]
    pub paths: Option<usize>,
    /// Horizon in trading days [default: simulation.default_horizon_days, 252].
    #[arg(long)]
    pub horizon: Option<usize>,
    /// Random seed: the same seed gives the same numbers.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// How daily returns are drawn.
    #[arg(long, value_enum, default_value_t = SimulationMethod::Normal)]
    pub method: SimulationMethod,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
    /// Also print the first N raw paths (JSON `paths`, cumulative returns per day).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub include_paths: usize,
    /// Returns per block for --method block [default: 20].
    #[arg(long, value_name = "N")]
    pub block_size: Option<usize>,
    /// For shuffle/block: a path is bust when its maximum drawdown is at or below this
    /// (e.g. -0.2).
    #[arg(long, allow_negative_numbers = true)]
    pub bust: Option<f64>,
    /// For shuffle/block: a path reaches the goal when its final cumulative return is at or
    /// above this (e.g. 0.5).
    #[arg(long, allow_negative_numbers = true)]
    pub goal: Option<f64>,
}

/// `commodex backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The CSV file (OHLCV or date,close; without opens, orders fill at the next close).
    pub file: PathBuf,
    /// When to enter, e.g. 'rsi(14) < 30' or 'crosses_above(sma(10), sma(30))'; with
    /// --grid, `{name}` placeholders ('rsi({p}) < {lo}', '{100-lo}').
    #[arg(long, value_name = "RULE")]
    pub entry: String,
    /// When to exit, in the same language.
    #[arg(long, value_name = "RULE")]
    pub exit: String,
    /// Fees as a fraction of traded value, on each side.
    #[arg(long, default_value_t = 0.0)]
    pub fees: f64,
    /// Slippage as a fraction of the price, against the trade.
    #[arg(long, default_value_t = 0.0)]
    pub slippage: f64,
    /// Starting cash.
    #[arg(long, default_value_t = 10_000.0)]
    pub init_cash: f64,
    /// long, short or both (entries go long and exits go short).
    #[arg(long, default_value = "long")]
    pub direction: String,
    /// Parameter ranges for the placeholders: p=2..50 lo=10..40 (inclusive), p=2..50:2,
    /// x=0.5,1,2.
    #[arg(long, num_args = 1.., value_name = "NAME=RANGE")]
    pub grid: Vec<String>,
    /// Statistic the sweep ranks by: total_return, win_rate, profit_factor, expectancy,
    /// max_drawdown, average_trade.
    #[arg(long, default_value = "total_return")]
    pub rank_by: String,
    /// How many of the best combinations a sweep prints.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Rank on the bars up to this date; also report the bars after it (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub train_until: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
}
