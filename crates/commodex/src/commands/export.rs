//! `commodex export`.

use crate::cli::ExportArgs;
use crate::config::Settings;
use std::process::ExitCode;

/// Runs the command.
pub async fn run(_settings: &Settings, _args: ExportArgs) -> anyhow::Result<ExitCode> {
    super::not_available("export", "the ingest crate")
}
