//! The checks that serde cannot express: known source ids, URL schemes, bounds, and what the
//! production profile requires.

use super::{Profile, Settings};
use anyhow::bail;

/// Checks what serde cannot; the error names the key and what was expected.
pub(super) fn validate(settings: &Settings) -> anyhow::Result<()> {
    let known = market_data::sources::ids_text();
    for id in settings.sources.keys() {
        if market_data::sources::descriptor(id).is_none() {
            bail!("unknown source '{id}' in [sources.{id}]: expected one of {known}");
        }
    }
    for (tier, ids) in [
        ("fallback.primary", &settings.fallback.primary),
        ("fallback.secondary", &settings.fallback.secondary),
    ] {
        for id in ids {
            if market_data::sources::descriptor(id).is_none() {
                bail!("{tier}: unknown source '{id}': expected one of {known}");
            }
        }
    }
    for (id, source) in &settings.sources {
        if let Some(url) = &source.base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!(
                "sources.{id}.base_url: '{}' is not an http:// or https:// URL",
                store::redact_url(url)
            );
        }
        if source.timeout_secs == 0 {
            bail!("sources.{id}.timeout_secs: must be at least 1");
        }
    }
    if let Some(url) = &settings.database.url
        && !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
    {
        bail!(
            "database.url: '{}' is not a database URL: expected sqlite://PATH or postgres://USER@HOST/DB",
            store::redact_url(url)
        );
    }
    if let Some(url) = &settings.redis.url
        && !(url.starts_with("redis://") || url.starts_with("rediss://"))
    {
        bail!(
            "redis.url: '{}' is not a Redis URL: expected redis://HOST:PORT",
            store::redact_url(url)
        );
    }
    if settings.redis.key_prefix.trim().is_empty() {
        bail!("redis.key_prefix: must not be empty");
    }
    if settings.fallback.deadline_secs == 0 {
        bail!("fallback.deadline_secs: must be at least 1");
    }
    if settings.live.poll_interval_secs == 0 {
        bail!("live.poll_interval_secs: must be at least 1");
    }
    if !(2..=300).contains(&settings.live.lease_ttl_secs) {
        bail!("live.lease_ttl_secs: must be between 2 and 300 seconds");
    }
    if settings.live.heartbeat_secs == 0 {
        bail!("live.heartbeat_secs: must be at least 1");
    }
    if !(1..=1_000_000).contains(&settings.live.client_buffer) {
        bail!("live.client_buffer: must be between 1 and 1000000 updates");
    }
    if settings.live.redis_prefix.trim().is_empty() {
        bail!("live.redis_prefix: must not be empty");
    }
    if settings.database.max_connections == 0 {
        bail!("database.max_connections: must be at least 1");
    }
    if settings.logging.max_files == 0 || settings.logging.max_file_bytes < 1024 {
        bail!("logging.max_files must be at least 1 and logging.max_file_bytes at least 1024");
    }
    if settings.simulation.default_paths > settings.simulation.max_paths
        || settings.simulation.default_horizon_days > settings.simulation.max_horizon_days
    {
        bail!(
            "simulation.default_paths and default_horizon_days must not exceed max_paths and max_horizon_days"
        );
    }
    if let Err(e) = tracing_subscriber::EnvFilter::try_new(&settings.logging.level) {
        bail!(
            "logging.level: '{}' is not a log filter ({e}): expected a level such as info or debug",
            settings.logging.level
        );
    }
    if settings.profile == Profile::Production {
        let mut missing = Vec::new();
        if !settings
            .database
            .url
            .as_deref()
            .is_some_and(|url| url.starts_with("postgres"))
        {
            missing.push("a PostgreSQL database (COMMODEX_DATABASE_URL)");
        }
        if settings.redis.url.is_none() {
            missing.push("Redis (COMMODEX_REDIS_URL)");
        }
        if settings.server.api_token.is_none() {
            missing.push("an API token (COMMODEX_API_TOKEN)");
        }
        if !missing.is_empty() {
            bail!("the production profile needs {}", missing.join(", "));
        }
    }
    Ok(())
}
