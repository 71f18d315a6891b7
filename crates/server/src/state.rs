//! What every handler can reach.

use crate::auth::ApiToken;
use crate::live::redis_link::RedisLink;
use crate::service::response_cache::ResponseCache;
use analytics::simulation::SimulationLimits;
use market_data::Catalog;
use market_data::cache::{CacheConfig, SeriesCache};
use market_data::fallback::{Fallback, FallbackConfig};
use market_data::registry::SourceRegistry;
use serde::Serialize;
use std::sync::Arc;
use store::Store;
use utoipa::ToSchema;

/// Shared state of the server, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub(crate) store: Store,
    /// Redis, when configured: one link shared by readiness checks and the live updates, so
    /// neither opens a connection per use.
    pub(crate) redis: Option<Arc<RedisLink>>,
    /// The commodities each source offers.
    pub(crate) catalog: Arc<Catalog>,
    /// Every source the server knows, in fallback order, with what the settings say of it.
    pub(crate) sources: Arc<[SourceInfo]>,
    /// Bounds and defaults of Monte Carlo requests.
    pub(crate) simulation: SimulationBounds,
    /// The bearer token writes need; `None` leaves writes open (development only: the
    /// production profile refuses to start without one).
    pub(crate) api_token: Option<ApiToken>,
    /// The live-update hub this instance's WebSocket clients read from.
    pub(crate) live: crate::live::Hub,
    /// Serialised `/api/v1/prices` answers.
    pub(crate) price_answers: ResponseCache,
    /// The providers behind their cache and fallback tiers, with each source's health.
    pub(crate) market: Arc<Fallback>,
    /// Room for the CPU-heavy requests.
    pub(crate) compute: crate::compute_slots::ComputeSlots,
    /// Room for WebSocket clients: one permit each, held while connected.
    pub(crate) websockets: Arc<tokio::sync::Semaphore>,
}

/// WebSocket clients one instance holds at once unless configured otherwise.
pub const DEFAULT_MAX_WEBSOCKETS: usize = 1024;

impl AppState {
    /// A state with every known source enabled, default simulation bounds, no token and no
    /// provider client: what tests and tools start from before setting the fields they care
    /// about.
    pub fn new(store: Store, catalog: Catalog) -> Self {
        let sources = market_data::sources::ids()
            .map(SourceInfo::new)
            .collect::<Vec<_>>();
        let catalog = Arc::new(catalog);
        // No provider has a client: `auto` serves stored data until the caller sets `market`.
        let market = Fallback::new(
            FallbackConfig::default(),
            Arc::new(SourceRegistry::new()),
            Arc::new(SeriesCache::new(store.clone(), CacheConfig::default())),
            Arc::clone(&catalog),
        );
        Self {
            store,
            redis: None,
            catalog,
            sources: sources.into(),
            simulation: SimulationBounds::default(),
            api_token: None,
            live: crate::live::Hub::default(),
            price_answers: ResponseCache::default(),
            market: Arc::new(market),
            compute: crate::compute_slots::ComputeSlots::default(),
            websockets: Arc::new(tokio::sync::Semaphore::new(DEFAULT_MAX_WEBSOCKETS)),
        }
    }

    /// This state with `hub` as the live-update hub (tests of the hub use their own timings).
    pub fn with_hub(mut self, hub: crate::live::Hub) -> Self {
        self.live = hub;
        self
    }

    /// The live-update hub the instance's WebSocket clients read from.
    pub fn hub(&self) -> &crate::live::Hub {
        &self.live
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The commodities each source offers.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// What the settings say of `source_id`, if it is a source the server knows.
    pub fn source(&self, source_id: &str) -> Option<&SourceInfo> {
        self.sources.iter().find(|info| info.id == source_id)
    }
}

/// One source as `GET /api/v1/sources` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"id": "alpha_vantage", "enabled": true, "configured": false, "simulated": false, "rate_limit": {"requests": 1, "per_secs": 1}, "daily_quota": 25, "timeout_secs": 10, "max_retries": 2}))]
pub struct SourceInfo {
    /// The source id (`alpha_vantage`, `demo`, ...).
    pub id: String,
    /// Whether the settings enable it.
    pub enabled: bool,
    /// Whether it has what it needs to be called (a key, for the providers that need one).
    pub configured: bool,
    /// Whether its prices are simulated (only `demo`).
    pub simulated: bool,
    /// Requests allowed per window, when limited.
    pub rate_limit: Option<RateLimitInfo>,
    /// Requests allowed per day, when limited.
    pub daily_quota: Option<u32>,
    /// Per-call timeout, in seconds.
    pub timeout_secs: Option<u64>,
    /// Retries of a failed call.
    pub max_retries: Option<u32>,
}

impl SourceInfo {
    /// An enabled, configured source with no limits.
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_string(),
            enabled: true,
            configured: true,
            simulated: market_data::sources::descriptor(id).is_some_and(|source| source.simulated),
            rate_limit: None,
            daily_quota: None,
            timeout_secs: None,
            max_retries: None,
        }
    }
}

/// A request rate limit: at most `requests` in any window of `per_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct RateLimitInfo {
    /// Requests allowed in a window.
    pub requests: u32,
    /// The window, in seconds.
    pub per_secs: u64,
}

/// Monte Carlo bounds (enforced) and defaults (used when a request leaves a value out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulationBounds {
    /// Upper bounds a request may not pass.
    pub limits: SimulationLimits,
    /// Paths when a request names none.
    pub default_paths: usize,
    /// Horizon, in trading days, when a request names none.
    pub default_horizon_days: usize,
}

impl Default for SimulationBounds {
    /// The analytics crate's limits with SPEC's CLI defaults (10,000 paths, 252 days).
    fn default() -> Self {
        Self {
            limits: SimulationLimits::default(),
            default_paths: 10_000,
            default_horizon_days: 252,
        }
    }
}
