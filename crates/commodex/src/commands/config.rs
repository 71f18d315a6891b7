//! `commodex config`: the effective configuration, secrets redacted.

use crate::config::Settings;
use std::process::ExitCode;

/// Prints the settings as TOML.
pub fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    print!("{}", crate::config::redacted_toml(settings)?);
    Ok(ExitCode::SUCCESS)
}
