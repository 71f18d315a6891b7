//! `commodex import`.

use crate::cli::ImportArgs;
use crate::config::Settings;
use std::process::ExitCode;

/// Runs the command.
pub async fn run(_settings: &Settings, _args: ImportArgs) -> anyhow::Result<ExitCode> {
    super::not_available("import", "the ingest crate")
}
