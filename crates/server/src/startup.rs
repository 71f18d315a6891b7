//! Building the application from [`Settings`], in one place: the database (migrated), Redis,
//! the rate limiter, the provider clients, the series cache, the fallback tiers, the live hub
//! that retires cached price answers, the router and the listener. `commodex serve` and the
//! tests' `spawn_app` both come through [`Application::build`], so what the tests run is what
//! production runs.

use crate::app::{ServerConfig, router};
use crate::auth::ApiToken;
use crate::live::redis_link::RedisLink;
use crate::live::{self, ClientSettings, Hub, LiveConfig};
use crate::serve::ConnectionLimits;
use crate::service::response_cache::ResponseCache;
use crate::settings::{Profile, Settings};
use crate::state::{AppState, RateLimitInfo, SimulationBounds, SourceInfo};
use analytics::simulation::SimulationLimits;
use axum::Router;
use market_data::cache::{CacheConfig, RedisCache, SeriesCache};
use market_data::fallback::{Fallback, FallbackConfig};
use market_data::rate_limit::{RateLimiter, RedisLimiter};
use market_data::{Catalog, DemoSource, MarketDataError, sources};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use store::{Store, StoreError};
use tokio::net::TcpListener;

/// How long an API request waits for a provider's rate-limit slot before that provider counts
/// as throttled and the next tier is asked: a user waiting on a page is better served by
/// another source now than by this one in half a minute.
const SLOT_WAIT: Duration = Duration::from_secs(2);

/// Why the application could not start; each names the setting to look at.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Redis, the catalog or the demo history failed.
    #[error(transparent)]
    MarketData(#[from] MarketDataError),
    /// Redis' URL is not one.
    #[error("redis.url '{url}': {message}")]
    RedisUrl {
        /// The URL, password hidden.
        url: String,
        /// What the client said.
        message: String,
    },
    /// The address cannot be listened on.
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        /// The address asked for.
        bind: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    live: Option<LiveConfig>,
    connections: ConnectionLimits,
}

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> Result<Store, StoreError> {
    let mut options = store::ConnectOptions::new(settings.database_url());
    options.max_connections = settings.database.max_connections;
    let store = Store::connect(&options).await?;
    store.migrate().await?;
    Ok(store)
}

impl Application {
    /// Opens (and migrates) the configured database, stores the demo source's history up
    /// to yesterday when that source is enabled (so a fresh data folder has prices with no
    /// network), then wires everything else from `settings` and binds the listener.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let store = open_store(settings).await?;
        let demo_enabled = settings
            .sources
            .get(DemoSource::ID)
            .is_none_or(|demo| demo.enabled);
        if demo_enabled {
            DemoSource::new(&Catalog::embedded()?)
                .ensure_history(&store, &[])
                .await?;
        }
        Self::build_with_store(settings, store).await
    }

    /// [`Application::build`] over a database already open, migrated and holding what the
    /// caller put there (tests give each application a fresh one with their own history).
    pub async fn build_with_store(settings: &Settings, store: Store) -> Result<Self, StartupError> {
        let catalog = Catalog::embedded()?;
        let redis = match &settings.redis.url {
            Some(url) => {
                let client =
                    redis::Client::open(url.as_str()).map_err(|e| StartupError::RedisUrl {
                        url: store::redact_url(url),
                        message: store::redact::scrub(&e.to_string(), &[] as &[&str]),
                    })?;
                Some(Arc::new(RedisLink::new(client)))
            }
            None => None,
        };
        let price_answers = ResponseCache::new(Duration::from_secs(settings.cache.daily_ttl_secs));
        let hub = Hub::new(ClientSettings {
            buffer: settings.live.client_buffer,
            heartbeat: Duration::from_secs(settings.live.heartbeat_secs),
            ..ClientSettings::default()
        })
        .retiring_answers(price_answers.clone());
        let mut state = AppState::new(store.clone(), catalog);
        state.redis = redis;
        state.sources = source_infos(settings).into();
        state.market = Arc::new(market(settings, &store, &state).await?);
        state.simulation = SimulationBounds {
            limits: SimulationLimits {
                max_paths: settings.simulation.max_paths,
                max_horizon: settings.simulation.max_horizon_days,
                ..SimulationLimits::default()
            },
            default_paths: settings.simulation.default_paths,
            default_horizon_days: settings.simulation.default_horizon_days,
        };
        state.price_answers = price_answers;
        state.api_token = settings
            .server
            .api_token
            .as_ref()
            .map(|token| ApiToken::new(token.expose()));
        state.live = hub;
        state.compute = crate::compute_slots::ComputeSlots::new(settings.server.compute_slots);
        state.websockets = Arc::new(tokio::sync::Semaphore::new(settings.server.max_websockets));
        let live = settings.live.enabled.then(|| LiveConfig {
            poll_interval: Duration::from_secs(settings.live.poll_interval_secs),
            lease_ttl: Duration::from_secs(settings.live.lease_ttl_secs),
            redis_prefix: settings.live.redis_prefix.clone(),
            postgres_url: (store.backend_name() == "postgres").then(|| settings.database_url()),
        });
        let mut application = Self::build_with_state(server_config(settings), state).await?;
        application.live = live;
        Ok(application)
    }

    /// An application over a state assembled by hand, with no poller: for tests of the live
    /// hub itself, whose heartbeats and timeouts are in milliseconds.
    pub async fn build_with_state(
        config: ServerConfig,
        state: AppState,
    ) -> Result<Self, StartupError> {
        let listener =
            TcpListener::bind(config.bind)
                .await
                .map_err(|source| StartupError::Bind {
                    bind: config.bind,
                    source,
                })?;
        Ok(Self {
            listener,
            router: router(&config, state.clone()),
            state,
            live: None,
            connections: config.connections,
        })
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The live-update hub this application's WebSocket clients read from.
    pub fn hub(&self) -> Hub {
        self.state.live.clone()
    }

    /// The cache of `/api/v1/prices` answers (tests check what it holds).
    pub fn price_answers(&self) -> ResponseCache {
        self.state.price_answers.clone()
    }

    /// The database the application was built over.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Serves until `shutdown` resolves, polling for live updates meanwhile (when enabled);
    /// then stops polling first (the lease is released, so another instance takes over at
    /// once, and WebSocket clients are closed) and lets requests in flight finish.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let live = self
            .live
            .as_ref()
            .map(|config| live::start(&self.state, config));
        crate::serve::serve(self.listener, self.router, self.connections, async move {
            shutdown.await;
            if let Some(live) = live {
                live.shutdown().await;
            }
        })
        .await
    }
}

/// What the router needs from the settings.
fn server_config(settings: &Settings) -> ServerConfig {
    ServerConfig {
        bind: settings.server.bind,
        request_timeout: Duration::from_secs(settings.server.request_timeout_secs),
        body_limit_bytes: settings.server.body_limit_bytes,
        cors_origins: settings.server.cors_origins.clone(),
        rate_limit_per_client: settings.server.rate_limit_per_client,
        trust_forwarded_for: settings.server.trust_forwarded_for,
        // Production runs behind TLS; elsewhere HSTS would pin browsers to HTTPS on a host
        // (localhost) that serves plain HTTP.
        hsts: settings.profile == Profile::Production,
        connections: ConnectionLimits {
            header_read_timeout: Duration::from_secs(settings.server.header_read_timeout_secs),
            max_connections: settings.server.max_connections,
            max_connections_per_client: settings.server.max_connections_per_client,
            per_client: !settings.server.trust_forwarded_for,
        },
    }
}

/// The providers behind their cache and fallback tiers: clients sharing one limiter, the
/// cache's TTLs (and Redis when configured), and stored data of the enabled sources standing
/// in, in the order `GET /api/v1/sources` lists them.
async fn market(
    settings: &Settings,
    store: &Store,
    state: &AppState,
) -> Result<Fallback, MarketDataError> {
    let limiter = Arc::new(limiter(settings).await?);
    let registry = sources::registry(&settings.sources, &limiter, SLOT_WAIT);
    let mut cache = SeriesCache::new(
        store.clone(),
        CacheConfig {
            daily_ttl: Duration::from_secs(settings.cache.daily_ttl_secs),
            intraday_ttl: Duration::from_secs(settings.cache.intraday_ttl_secs),
        },
    );
    cache = cache.with_anonymous_limit(settings.server.anonymous_provider_requests);
    if let Some(url) = &settings.redis.url {
        cache = cache.with_redis(RedisCache::connect(url, &settings.redis.key_prefix).await?);
    }
    let config = FallbackConfig {
        primary: settings.fallback.primary.clone(),
        secondary: settings.fallback.secondary.clone(),
        stored: state
            .sources
            .iter()
            .filter(|source| source.enabled)
            .map(|source| source.id.clone())
            .collect(),
        deadline: Duration::from_secs(settings.fallback.deadline_secs),
    };
    Ok(Fallback::new(
        config,
        Arc::new(registry),
        Arc::new(cache),
        Arc::clone(&state.catalog),
    ))
}

/// The rate limiter of this process: shared through Redis when it is configured, so that
/// every instance and every `commodex fetch` spend the same budget.
pub async fn limiter(settings: &Settings) -> Result<RateLimiter, MarketDataError> {
    Ok(match &settings.redis.url {
        Some(url) => {
            RateLimiter::Redis(RedisLimiter::connect(url, &settings.redis.key_prefix).await?)
        }
        None => RateLimiter::in_process(),
    })
}

/// Every known source in fallback order (primary, secondary, then the rest in
/// [`sources::ALL`]'s order), with what its descriptor and the settings say of it.
fn source_infos(settings: &Settings) -> Vec<SourceInfo> {
    let mut order: Vec<&'static sources::SourceDescriptor> = Vec::new();
    let tiers = settings
        .fallback
        .primary
        .iter()
        .chain(&settings.fallback.secondary)
        .filter_map(|id| sources::descriptor(id));
    for descriptor in tiers.chain(sources::ALL.iter().copied()) {
        if !order.iter().any(|known| known.id == descriptor.id) {
            order.push(descriptor);
        }
    }
    let defaults = market_data::SourceSettings::default();
    order
        .into_iter()
        .map(|descriptor| {
            let source = settings.sources.get(descriptor.id).unwrap_or(&defaults);
            let limits = source.limits(descriptor);
            SourceInfo {
                id: descriptor.id.to_string(),
                enabled: source.enabled,
                configured: source.is_configured(descriptor),
                simulated: descriptor.simulated,
                rate_limit: limits.rate_limit.map(|limit| RateLimitInfo {
                    requests: limit.max_requests,
                    per_secs: limit.per_secs(),
                }),
                daily_quota: limits.daily_quota,
                timeout_secs: Some(source.timeout_secs),
                max_retries: Some(source.max_retries),
            }
        })
        .collect()
}
