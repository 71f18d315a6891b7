//! One module per command; `run` dispatches.

mod config;
mod demo;
mod export;
mod fetch;
mod import;
mod indicators;
mod metrics;
mod migrate;
mod portfolio_input;
mod serve;
mod simulate;
mod sources;

use crate::cli::{Cli, Command};
use crate::config::{ConfigSources, Settings};
use crate::telemetry::{self, Verbosity};
use std::process::ExitCode;

/// Runs one command to completion.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(&ConfigSources::from_process(cli.config.clone()))?;
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
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> anyhow::Result<store::Store> {
    let mut options = store::ConnectOptions::new(settings.database_url());
    options.max_connections = settings.database.max_connections;
    let store = store::Store::connect(&options).await?;
    store.migrate().await?;
    Ok(store)
}
