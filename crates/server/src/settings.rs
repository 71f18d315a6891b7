//! Every setting of Commodex as typed values: what [`crate::Application::build`] wires the
//! application from. Loading them (files, environment, `api_keys.yaml`) and checking them is
//! the binary's job; a source's own section is [`market_data::SourceSettings`], which only
//! overrides that source's descriptor.

use market_data::fallback::FallbackConfig;
use market_data::{RateLimit, Secret, SourceSettings};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

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
    /// Requests one client may make per window ("N/second|minute|hour|day", bursts up to N);
    /// unset for no limit.
    #[serde(default)]
    pub rate_limit_per_client: Option<RateLimit>,
    /// Whether a proxy in front sets `X-Forwarded-For` (then its last entry is the client the
    /// rate limit counts); leave false when clients reach the server directly, or they could
    /// name any address.
    #[serde(default)]
    pub trust_forwarded_for: bool,
    /// Provider requests that clients without the API token may cause per series and UTC day
    /// (their backfills); 0 lets them read only what is stored. The token, the poller and
    /// `commodex fetch` are not counted.
    #[serde(default = "default_anonymous_provider_requests")]
    pub anonymous_provider_requests: u64,
    /// Seconds for a request's line and headers to arrive, and for an idle keep-alive
    /// connection to send its next request; then the connection is closed.
    #[serde(default = "default_header_read_timeout_secs")]
    pub header_read_timeout_secs: u64,
    /// Connections open at once; one over is closed at once.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Connections open at once from one client address (not applied when
    /// `trust_forwarded_for` is set: behind a proxy every connection is the proxy's).
    #[serde(default = "default_max_connections_per_client")]
    pub max_connections_per_client: usize,
    /// Requests computing at once (indicators, metrics, simulations); one more is answered
    /// 503 with `Retry-After`. 0 means the number of CPUs.
    #[serde(default)]
    pub compute_slots: usize,
    /// WebSocket clients connected at once; one more is answered 503 before the upgrade.
    #[serde(default = "default_max_websockets")]
    pub max_websockets: usize,
}

fn default_max_websockets() -> usize {
    crate::state::DEFAULT_MAX_WEBSOCKETS
}

fn default_header_read_timeout_secs() -> u64 {
    10
}

fn default_max_connections() -> usize {
    1024
}

fn default_max_connections_per_client() -> usize {
    128
}

fn default_anonymous_provider_requests() -> u64 {
    market_data::anonymous_budget::DEFAULT_LIMIT
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
    /// Every key Commodex writes starts with this and `:`, so deployments (and tests) sharing
    /// a Redis server stay apart; instances that must share limits and cache use the same.
    pub key_prefix: String,
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
    /// Whether this instance polls for live updates (and competes for the poller lease); an
    /// instance with it off still relays updates to its WebSocket clients.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Seconds between two polls of the sources.
    pub poll_interval_secs: u64,
    /// How long the poller lease lives unless renewed (renewed about five times as often):
    /// when the polling instance dies, another takes over within about this long.
    pub lease_ttl_secs: u64,
    /// Seconds between two heartbeat messages on each WebSocket.
    pub heartbeat_secs: u64,
    /// Updates one WebSocket client may fall behind by before it is dropped.
    pub client_buffer: usize,
    /// Prefix of the Redis keys and channel of live updates (the lease and the fan-out), so
    /// that deployments or tests sharing a Redis stay apart.
    pub redis_prefix: String,
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
    /// The longest the tiers may take together before stored data stands in; keep it below
    /// `server.request_timeout_secs` so the answer arrives before the request times out.
    pub deadline_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            profile: Profile::Development,
            data_dir: PathBuf::from("data"),
            server: ServerSettings {
                bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
                api_token: None,
                cors_origins: Vec::new(),
                request_timeout_secs: 30,
                body_limit_bytes: 10 * 1024 * 1024,
                rate_limit_per_client: Some(RateLimit::per_second(100)),
                trust_forwarded_for: false,
                anonymous_provider_requests: market_data::anonymous_budget::DEFAULT_LIMIT,
                header_read_timeout_secs: default_header_read_timeout_secs(),
                max_connections: default_max_connections(),
                max_connections_per_client: default_max_connections_per_client(),
                compute_slots: 0,
                max_websockets: default_max_websockets(),
            },
            database: DatabaseSettings {
                url: None,
                max_connections: 8,
            },
            redis: RedisSettings {
                url: None,
                key_prefix: "commodex".to_string(),
            },
            cache: CacheSettings {
                daily_ttl_secs: 30 * 60,
                intraday_ttl_secs: 5 * 60,
            },
            live: LiveSettings {
                enabled: true,
                poll_interval_secs: 60,
                lease_ttl_secs: 5,
                heartbeat_secs: 15,
                client_buffer: 256,
                redis_prefix: "commodex:live".to_string(),
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
                primary: FallbackConfig::default().primary,
                secondary: FallbackConfig::default().secondary,
                deadline_secs: 20,
            },
            sources: market_data::sources::default_settings(),
        }
    }
}

/// Serde's default for switches that are on unless turned off.
fn enabled() -> bool {
    true
}

impl Settings {
    /// The database URL in force: the configured one, else SQLite under the data folder.
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
}
