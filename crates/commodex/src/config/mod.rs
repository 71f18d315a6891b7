//! Loading the typed settings (`server::settings`) once (`load.rs`): built-in defaults,
//! `config/default.toml`, `config/<profile>.toml`, an optional `--config FILE`,
//! `api_keys.yaml`, then `COMMODEX_*` environment variables; checked (`validate.rs`) before
//! anything starts.

mod load;
mod validate;

pub use load::{ConfigSources, load, redacted_toml};
pub use server::settings::*;

/// Environment shortcuts and the settings key each one sets.
pub(crate) const ENV_SHORTCUTS: [(&str, &str); 5] = [
    ("database_url", "database.url"),
    ("redis_url", "redis.url"),
    ("bind", "server.bind"),
    ("api_token", "server.api_token"),
    ("data_dir", "data_dir"),
];
