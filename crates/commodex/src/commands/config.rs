//! `commodex config`: the effective configuration, secrets redacted.

use crate::config::Settings;
use std::process::ExitCode;

/// Prints the settings as TOML.
pub fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    print!("{}", settings.redacted_toml()?);
    Ok(ExitCode::SUCCESS)
}
