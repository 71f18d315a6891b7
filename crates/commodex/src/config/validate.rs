//! The checks that serde cannot express: known source ids, URL schemes, bounds, and what the
//! production profile requires.

use super::{Profile, SOURCE_IDS, Settings};
use anyhow::bail;

impl Settings {
    pub(super) fn validate(&self) -> anyhow::Result<()> {
        for id in self.sources.keys() {
            if !SOURCE_IDS.contains(&id.as_str()) {
                bail!(
                    "unknown source '{id}' in [sources.{id}]: expected one of {}",
                    SOURCE_IDS.join(", ")
                );
            }
        }
        for (tier, ids) in [
            ("fallback.primary", &self.fallback.primary),
            ("fallback.secondary", &self.fallback.secondary),
        ] {
            for id in ids {
                if !SOURCE_IDS.contains(&id.as_str()) {
                    bail!(
                        "{tier}: unknown source '{id}': expected one of {}",
                        SOURCE_IDS.join(", ")
                    );
                }
            }
        }
        for (id, source) in &self.sources {
            if let Some(url) = &source.base_url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                bail!("sources.{id}.base_url: '{url}' is not an http:// or https:// URL");
            }
            if source.timeout_secs == 0 {
                bail!("sources.{id}.timeout_secs: must be at least 1");
            }
        }
        if let Some(url) = &self.database.url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres:")
                || url.starts_with("postgresql:"))
        {
            bail!(
                "database.url: '{}' is not a database URL: expected sqlite://PATH or postgres://USER@HOST/DB",
                store::redact_url(url)
            );
        }
        if let Some(url) = &self.redis.url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            bail!(
                "redis.url: '{}' is not a Redis URL: expected redis://HOST:PORT",
                store::redact_url(url)
            );
        }
        if self.redis.key_prefix.trim().is_empty() {
            bail!("redis.key_prefix: must not be empty");
        }
        if self.fallback.deadline_secs == 0 {
            bail!("fallback.deadline_secs: must be at least 1");
        }
        if self.live.poll_interval_secs == 0 {
            bail!("live.poll_interval_secs: must be at least 1");
        }
        if !(2..=300).contains(&self.live.lease_ttl_secs) {
            bail!("live.lease_ttl_secs: must be between 2 and 300 seconds");
        }
        if self.live.heartbeat_secs == 0 {
            bail!("live.heartbeat_secs: must be at least 1");
        }
        if !(1..=1_000_000).contains(&self.live.client_buffer) {
            bail!("live.client_buffer: must be between 1 and 1000000 updates");
        }
        if self.live.redis_prefix.trim().is_empty() {
            bail!("live.redis_prefix: must not be empty");
        }
        if self.database.max_connections == 0 {
            bail!("database.max_connections: must be at least 1");
        }
        if self.logging.max_files == 0 || self.logging.max_file_bytes < 1024 {
            bail!("logging.max_files must be at least 1 and logging.max_file_bytes at least 1024");
        }
        if self.simulation.default_paths > self.simulation.max_paths
            || self.simulation.default_horizon_days > self.simulation.max_horizon_days
        {
            bail!(
                "simulation.default_paths and default_horizon_days must not exceed max_paths and max_horizon_days"
            );
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.logging.level) {
            bail!(
                "logging.level: '{}' is not a log filter ({e}): expected a level such as info or debug",
                self.logging.level
            );
        }
        if self.profile == Profile::Production {
            let mut missing = Vec::new();
            if !self
                .database
                .url
                .as_deref()
                .is_some_and(|url| url.starts_with("postgres"))
            {
                missing.push("a PostgreSQL database (COMMODEX_DATABASE_URL)");
            }
            if self.redis.url.is_none() {
                missing.push("Redis (COMMODEX_REDIS_URL)");
            }
            if self.server.api_token.is_none() {
                missing.push("an API token (COMMODEX_API_TOKEN)");
            }
            if !missing.is_empty() {
                bail!("the production profile needs {}", missing.join(", "));
            }
        }
        Ok(())
    }
}
