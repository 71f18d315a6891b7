//! Typed settings, loaded once: built-in defaults, `config/default.toml`,
//! `config/<profile>.toml`, an optional `--config FILE`, `api_keys.yaml`, then `COMMODEX_*`
//! environment variables.

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Format, Serialized, Toml, Yaml};
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Provider};
use market_data::Secret;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The ids of every source Commodex knows, in the order `GET /api/v1/sources` lists them.
pub const SOURCE_IDS: [&str; 6] = [
    "alpha_vantage",
    "fmp",
    "api_ninjas",
    "commodity_price_api",
    "demo",
    "csv",
];

/// Environment shortcuts and the settings key each one sets.
const ENV_SHORTCUTS: [(&str, &str); 5] = [
    ("database_url", "database.url"),
    ("redis_url", "redis.url"),
    ("bind", "server.bind"),
    ("api_token", "server.api_token"),
    ("data_dir", "data_dir"),
];

/// Which set of defaults and files applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// A developer's machine: readable logs, SQLite by default.
    Development,
    /// A deployment: JSON logs, PostgreSQL, Redis and an API token required.
    Production,
    /// Automated tests.
    Testing,
}

impl Profile {
    /// The lowercase name, as in `config/<profile>.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Development => "development",
            Profile::Production => "production",
            Profile::Testing => "testing",
        }
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Ok(Profile::Development),
            "production" | "prod" => Ok(Profile::Production),
            "testing" | "test" => Ok(Profile::Testing),
            _ => Err(format!(
                "unknown profile '{s}': expected development, production or testing"
            )),
        }
    }
}

/// Every setting of Commodex.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Which profile these settings were loaded for.
    pub profile: Profile,
    /// Where the SQLite database, logs and other local files live.
    pub data_dir: PathBuf,
    /// The HTTP server.
    pub server: ServerSettings,
    /// The database.
    pub database: DatabaseSettings,
    /// The shared cache, rate limits and fan-out.
    pub redis: RedisSettings,
    /// Cache lifetimes.
    pub cache: CacheSettings,
    /// Live price updates.
    pub live: LiveSettings,
    /// Logs.
    pub logging: LoggingSettings,
    /// Monte Carlo bounds and defaults.
    pub simulation: SimulationSettings,
    /// The order in which sources are tried.
    pub fallback: FallbackSettings,
    /// One section per source id.
    pub sources: BTreeMap<String, SourceSettings>,
}

/// The HTTP server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Bearer token required for writes, when set.
    pub api_token: Option<Secret>,
    /// Origins allowed by CORS; empty means same-origin only.
    pub cors_origins: Vec<String>,
    /// A request taking longer is answered with a timeout error.
    pub request_timeout_secs: u64,
    /// Largest request body accepted.
    pub body_limit_bytes: usize,
}

/// The database.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://...`; unset means `<data_dir>/commodex.db`.
    pub url: Option<String>,
    /// Upper bound on pooled connections.
    pub max_connections: u32,
}

/// Redis.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// `redis://HOST:PORT`; unset means in-process cache, limits and fan-out.
    pub url: Option<String>,
}

/// Cache lifetimes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// How long a daily (or coarser) series stays cached.
    pub daily_ttl_secs: u64,
    /// How long an intraday series or a quote stays cached.
    pub intraday_ttl_secs: u64,
}

/// Live price updates.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSettings {
    /// Seconds between two polls of the sources.
    pub poll_interval_secs: u64,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable in development and testing, JSON in production.
    Auto,
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Logs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingSettings {
    /// A `tracing` filter such as `info` or `commodex=debug,sqlx=warn`.
    pub level: String,
    /// Line format.
    pub format: LogFormat,
    /// Whether to write `<data_dir>/logs/commodex.log` and `providers.log`.
    pub files: bool,
    /// A log file is rotated when it reaches this size.
    pub max_file_bytes: u64,
    /// Rotated files kept per log.
    pub max_files: usize,
}

/// Monte Carlo bounds and defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSettings {
    /// Most paths one simulation may ask for.
    pub max_paths: usize,
    /// Longest horizon, in trading days.
    pub max_horizon_days: usize,
    /// Paths when the request does not say.
    pub default_paths: usize,
    /// Horizon when the request does not say.
    pub default_horizon_days: usize,
}

/// The order in which sources are tried when a request does not name one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FallbackSettings {
    /// Tried first, in order.
    pub primary: Vec<String>,
    /// Tried when every primary source failed.
    pub secondary: Vec<String>,
}

/// One source's section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSettings {
    /// Whether the source is used at all.
    pub enabled: bool,
    /// The provider's key.
    pub api_key: Option<Secret>,
    /// Where its API lives (tests and proxies point it elsewhere).
    pub base_url: Option<String>,
    /// At most this many requests in any window of the period.
    pub rate_limit: Option<RateLimit>,
    /// At most this many requests a day.
    pub daily_quota: Option<u32>,
    /// A request taking longer fails as a timeout.
    pub timeout_secs: u64,
    /// Retries of a 5xx or a timeout before moving on.
    pub max_retries: u32,
}

/// "N/second|minute|hour|day": at most N requests in any window of that length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in a window.
    pub requests: u32,
    /// The window, in seconds.
    pub per_secs: u64,
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected = || {
            format!(
                "'{s}' is not a rate limit: expected N/second, N/minute, N/hour or N/day with N a whole number above 0"
            )
        };
        let (count, period) = s.split_once('/').ok_or_else(expected)?;
        let requests: u32 = count.trim().parse().map_err(|_| expected())?;
        let per_secs = match period.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return Err(expected()),
        };
        if requests == 0 {
            return Err(expected());
        }
        Ok(Self { requests, per_secs })
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let period = match self.per_secs {
            1 => "second",
            60 => "minute",
            3600 => "hour",
            _ => "day",
        };
        write!(f, "{}/{period}", self.requests)
    }
}

impl Serialize for RateLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RateLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl SourceSettings {
    fn with_limits(
        base_url: Option<&str>,
        rate_limit: Option<RateLimit>,
        daily_quota: Option<u32>,
    ) -> Self {
        Self {
            enabled: true,
            api_key: None,
            base_url: base_url.map(str::to_string),
            rate_limit,
            daily_quota,
            timeout_secs: 10,
            max_retries: 2,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        let per = |requests, per_secs| Some(RateLimit { requests, per_secs });
        let sources = BTreeMap::from([
            (
                "alpha_vantage".to_string(),
                SourceSettings::with_limits(
                    Some("https://www.alphavantage.co"),
                    per(1, 1),
                    Some(25),
                ),
            ),
            (
                "fmp".to_string(),
                SourceSettings::with_limits(
                    Some("https://financialmodelingprep.com"),
                    per(5, 1),
                    Some(250),
                ),
            ),
            (
                "api_ninjas".to_string(),
                SourceSettings::with_limits(Some("https://api.api-ninjas.com"), per(1, 1), None),
            ),
            (
                "commodity_price_api".to_string(),
                SourceSettings::with_limits(
                    Some("https://api.commoditypriceapi.com"),
                    per(1, 1),
                    None,
                ),
            ),
            (
                "demo".to_string(),
                SourceSettings::with_limits(None, None, None),
            ),
            (
                "csv".to_string(),
                SourceSettings::with_limits(None, None, None),
            ),
        ]);
        Self {
            profile: Profile::Development,
            data_dir: PathBuf::from("data"),
            server: ServerSettings {
                bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
                api_token: None,
                cors_origins: Vec::new(),
                request_timeout_secs: 30,
                body_limit_bytes: 10 * 1024 * 1024,
            },
            database: DatabaseSettings {
                url: None,
                max_connections: 8,
            },
            redis: RedisSettings { url: None },
            cache: CacheSettings {
                daily_ttl_secs: 30 * 60,
                intraday_ttl_secs: 5 * 60,
            },
            live: LiveSettings {
                poll_interval_secs: 60,
            },
            logging: LoggingSettings {
                level: "info".to_string(),
                format: LogFormat::Auto,
                files: true,
                max_file_bytes: 15 * 1024 * 1024,
                max_files: 10,
            },
            simulation: SimulationSettings {
                max_paths: 200_000,
                max_horizon_days: 2520,
                default_paths: 10_000,
                default_horizon_days: 252,
            },
            fallback: FallbackSettings {
                primary: vec!["alpha_vantage".to_string(), "fmp".to_string()],
                secondary: vec!["commodity_price_api".to_string(), "api_ninjas".to_string()],
            },
            sources,
        }
    }
}

/// Where settings come from: the process environment and the working directory, gathered
/// once so that loading can be tested without touching the real environment.
#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    /// The folder holding `default.toml`, `<profile>.toml` and `catalog.toml`.
    pub config_dir: PathBuf,
    /// A file given with `--config`, applied after the profile file.
    pub extra_file: Option<PathBuf>,
    /// `COMMODEX_*` variables (name, value).
    pub env: Vec<(String, String)>,
}

impl ConfigSources {
    /// The real process environment and `./config`.
    pub fn from_process(extra_file: Option<PathBuf>) -> Self {
        Self {
            config_dir: PathBuf::from("config"),
            extra_file,
            env: std::env::vars()
                .filter(|(name, _)| name.starts_with("COMMODEX_"))
                .collect(),
        }
    }

    fn env_var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl Settings {
    /// Loads and validates the settings; every error names the key and what was expected.
    pub fn load(sources: &ConfigSources) -> anyhow::Result<Self> {
        let profile: Profile = match sources.env_var("COMMODEX_PROFILE") {
            Some(name) => name
                .parse()
                .map_err(|e| anyhow::anyhow!("COMMODEX_PROFILE: {e}"))?,
            None => Profile::Development,
        };
        let mut figment = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(sources.config_dir.join("default.toml")))
            .merge(Toml::file(
                sources
                    .config_dir
                    .join(format!("{}.toml", profile.as_str())),
            ));
        if let Some(extra) = &sources.extra_file {
            if !extra.is_file() {
                bail!("--config {}: no such file", extra.display());
            }
            figment = figment.merge(Toml::file(extra));
        }
        let env = env_dict(&sources.env);
        // The data dir decides where api_keys.yaml is looked for, so read it first.
        let data_dir: PathBuf = figment
            .clone()
            .merge(Named::new("COMMODEX_* environment variables", env.clone()))
            .extract_inner("data_dir")
            .map_err(describe_figment_error)?;
        for candidate in [
            sources.config_dir.join("api_keys.yaml"),
            data_dir.join("api_keys.yaml"),
        ] {
            if candidate.is_file() {
                figment = figment.merge(Named::new(
                    candidate.display().to_string(),
                    api_keys_dict(&candidate)?,
                ));
            }
        }
        figment = figment
            .merge(Named::new("COMMODEX_* environment variables", env))
            .merge(Serialized::default("profile", profile));
        let settings: Settings = figment.extract().map_err(describe_figment_error)?;
        settings.validate()?;
        Ok(settings)
    }

    /// The database URL, defaulting to SQLite under the data dir.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("commodex.db").display()),
        }
    }

    /// Where log files go.
    pub fn logs_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// The effective settings as TOML with every secret redacted (keys, tokens, passwords in
    /// URLs).
    pub fn redacted_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        shown.database.url = Some(store::redact_url(&self.database_url()));
        shown.redis.url = self.redis.url.as_deref().map(store::redact_url);
        toml::to_string_pretty(&shown).context("cannot print the configuration")
    }

    fn validate(&self) -> anyhow::Result<()> {
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
        if self.live.poll_interval_secs == 0 {
            bail!("live.poll_interval_secs: must be at least 1");
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

/// A dictionary of settings with a name for error messages ("from api_keys.yaml").
struct Named {
    name: String,
    dict: Dict,
}

impl Named {
    fn new(name: impl Into<String>, dict: Dict) -> Self {
        Self {
            name: name.into(),
            dict,
        }
    }
}

impl Provider for Named {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name.clone())
    }

    fn data(&self) -> Result<Map<figment::Profile, Dict>, figment::Error> {
        Ok(Map::from([(figment::Profile::Default, self.dict.clone())]))
    }
}

/// Turns `COMMODEX_SECTION__KEY=value` variables into a nested dictionary, with the
/// shortcuts of SPEC mapped to their keys. Values are parsed like TOML scalars so that
/// `COMMODEX_LIVE__POLL_INTERVAL_SECS=5` is a number and a bad one is named in the error.
fn env_dict(env: &[(String, String)]) -> Dict {
    let mut root = Dict::new();
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("COMMODEX_") else {
            continue;
        };
        let lower = rest.to_ascii_lowercase();
        if lower == "profile" || lower.is_empty() {
            continue;
        }
        let key = ENV_SHORTCUTS
            .iter()
            .find(|(shortcut, _)| *shortcut == lower)
            .map(|(_, key)| key.to_string())
            .unwrap_or_else(|| lower.replace("__", "."));
        let parsed: Value = value.parse().unwrap_or_else(|_| Value::from(value.clone()));
        insert_path(&mut root, &key, parsed);
    }
    root
}

fn insert_path(dict: &mut Dict, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            dict.insert(path.to_string(), value);
        }
        Some((head, tail)) => {
            let entry = dict
                .entry(head.to_string())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = entry {
                insert_path(inner, tail, value);
            } else {
                let mut inner = Dict::new();
                insert_path(&mut inner, tail, value);
                *entry = Value::from(inner);
            }
        }
    }
}

/// Reads the original's `api_keys.yaml`: `source: KEY` or `source: {api_key: KEY}` per line.
fn api_keys_dict(path: &Path) -> anyhow::Result<Dict> {
    let raw: Map<String, Value> = Figment::from(Yaml::file(path))
        .extract()
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.kind))?;
    let mut sources = Dict::new();
    for (id, value) in raw {
        let key = match &value {
            Value::String(_, key) => key.clone(),
            Value::Dict(_, fields) => match fields.get("api_key") {
                Some(Value::String(_, key)) => key.clone(),
                _ => bail!(
                    "{}: `{id}` must be a key or have an `api_key` string",
                    path.display()
                ),
            },
            _ => bail!(
                "{}: `{id}` must be a key or have an `api_key` string",
                path.display()
            ),
        };
        let mut section = Dict::new();
        section.insert("api_key".to_string(), Value::from(key));
        sources.insert(id, Value::from(section));
    }
    let mut root = Dict::new();
    root.insert("sources".to_string(), Value::from(sources));
    Ok(root)
}

fn describe_figment_error(error: figment::Error) -> anyhow::Error {
    let key = if error.path.is_empty() {
        String::new()
    } else {
        format!("`{}`: ", error.path.join("."))
    };
    let origin = error
        .metadata
        .as_ref()
        .map(|metadata| {
            let source = metadata
                .source
                .as_ref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            format!(" (from {}{source})", metadata.name)
        })
        .unwrap_or_default();
    anyhow::anyhow!("bad configuration value for {key}{}{origin}", error.kind)
}
