//! `commodex`: the binary. A thin shell over the library crates: it parses the command line,
//! loads the settings once, and turns every error into one line on stderr and an exit code.

mod cli;
mod commands;
mod config;
mod telemetry;

use clap::Parser;
use std::process::ExitCode;

/// Exit code for a command that failed on bad input or a failed operation.
const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` prints the whole context chain on one line: "import prices.csv: line 3 ...".
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
