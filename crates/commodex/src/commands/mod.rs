//! One module per command; `run` dispatches.

mod backtest;
mod config;
mod export;
mod fetch;
mod import;
mod indicators;
mod metrics;
mod migrate;
pub mod optimize;
mod portfolio_input;
pub mod report;
mod serve;
mod simulate;

use crate::cli::{Cli, Command};
use crate::config::ConfigSources;
use crate::telemetry::{self, Verbosity};
use std::process::ExitCode;

/// Runs one command to completion.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = crate::config::load(&ConfigSources::from_process(cli.config.clone()))?;
    match cli.command {
        Command::Config => config::run(&settings),
        Command::Serve(args) => {
            let _logs = telemetry::init(&settings, Verbosity::Configured, true)?;
            runtime()?.block_on(serve::run(settings, args))
        }
        Command::Migrate => {
            let _logs = telemetry::init(&settings, Verbosity::Configured, true)?;
            runtime()?.block_on(migrate::run(&settings))
        }
        Command::Import(args) => {
            let _logs = telemetry::init(&settings, Verbosity::Quiet, true)?;
            runtime()?.block_on(import::run(&settings, args))
        }
        Command::Export(args) => {
            let _logs = telemetry::init(&settings, Verbosity::Quiet, true)?;
            runtime()?.block_on(export::run(&settings, args))
        }
        Command::Fetch(args) => {
            let _logs = telemetry::init(&settings, Verbosity::Quiet, true)?;
            runtime()?.block_on(fetch::run(&settings, args))
        }
        // The analytics commands read a file and print: no database, no runtime, no log files.
        Command::Indicators(args) => indicators::run(args),
        Command::Metrics(args) => metrics::run(args),
        Command::Simulate(args) => simulate::run(&settings, args),
        Command::Optimize(args) => optimize::run(args),
        Command::Report(args) => report::run(args),
        Command::Backtest(args) => backtest::run(args),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Reads an optional `YYYY-MM-DD` flag, naming the flag when the date is not one.
pub fn parse_date_flag(
    flag: &str,
    value: Option<&str>,
) -> anyhow::Result<Option<chrono::NaiveDate>> {
    value
        .map(|text| {
            chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| anyhow::anyhow!("{flag} '{text}' is not a date: expected YYYY-MM-DD"))
        })
        .transpose()
}
