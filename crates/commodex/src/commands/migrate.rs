//! `commodex migrate`: create or upgrade the schema.

use crate::config::Settings;
use std::process::ExitCode;

/// Migrates the configured database and says which one.
pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = server::startup::open_store(settings).await?;
    println!(
        "database {} ({}) is up to date",
        store::redact_url(&settings.database_url()),
        store.backend_name()
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
