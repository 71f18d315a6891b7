//! `commodex serve`: migrate, then serve the API and dashboard until SIGTERM or Ctrl-C.

use crate::cli::ServeArgs;
use crate::config::Settings;
use market_data::cache::{CacheConfig, RedisCache, SeriesCache};
use market_data::fallback::{Fallback, FallbackConfig};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// How long an API request waits for a provider's rate-limit slot before that provider counts
/// as throttled and the next tier is asked: a user waiting on a page is better served by
/// another source now than by this one in half a minute.
const SLOT_WAIT: Duration = Duration::from_secs(2);

/// Runs the server until a shutdown signal.
pub async fn run(settings: Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    if settings
        .sources
        .get("demo")
        .is_some_and(|demo| demo.enabled)
    {
        super::demo::ensure_history(&store, &[]).await?;
    }
    let redis = match &settings.redis.url {
        Some(url) => Some(
            redis::Client::open(url.as_str())
                .map_err(|e| anyhow::anyhow!("redis.url '{}': {e}", store::redact_url(url)))?,
        ),
        None => None,
    };
    let config = server::ServerConfig {
        bind: args.bind.unwrap_or(settings.server.bind),
        request_timeout: Duration::from_secs(settings.server.request_timeout_secs),
        body_limit_bytes: settings.server.body_limit_bytes,
        cors_origins: settings.server.cors_origins.clone(),
        rate_limit_per_client: settings.server.rate_limit_per_client.map(|limit| {
            server::ClientRateLimit {
                requests: limit.requests,
                per: Duration::from_secs(limit.per_secs),
            }
        }),
        trust_forwarded_for: settings.server.trust_forwarded_for,
        // Production runs behind TLS; elsewhere HSTS would pin browsers to HTTPS on a host
        // (localhost) that serves plain HTTP.
        hsts: settings.profile == crate::config::Profile::Production,
    };
    let mut state = server::AppState::new(store.clone(), market_data::Catalog::embedded()?);
    state.redis = redis;
    state.sources = source_infos(&settings).into();
    state.market = Arc::new(market(&settings, &store, &state).await?);
    state.simulation = server::SimulationBounds {
        limits: analytics::simulation::SimulationLimits {
            max_paths: settings.simulation.max_paths,
            max_horizon: settings.simulation.max_horizon_days,
            ..Default::default()
        },
        default_paths: settings.simulation.default_paths,
        default_horizon_days: settings.simulation.default_horizon_days,
    };
    state.price_answers =
        server::ResponseCache::new(Duration::from_secs(settings.cache.daily_ttl_secs));
    state.api_token = settings
        .server
        .api_token
        .as_ref()
        .map(|token| server::ApiToken::new(token.expose()));
    state.live = server::live::Hub::new(server::live::ClientSettings {
        buffer: settings.live.client_buffer,
        heartbeat: Duration::from_secs(settings.live.heartbeat_secs),
        ..Default::default()
    })
    .retiring_answers(state.price_answers.clone());
    let app = server::Application::build(config.clone(), state.clone())
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let live = server::live::start(
        &state,
        &server::live::LiveConfig {
            poll_interval: Duration::from_secs(settings.live.poll_interval_secs),
            lease_ttl: Duration::from_secs(settings.live.lease_ttl_secs),
            redis_prefix: settings.live.redis_prefix.clone(),
            postgres_url: (store.backend_name() == "postgres").then(|| settings.database_url()),
        },
    );
    let address = app.local_addr()?;
    tracing::info!(
        %address,
        database = store.backend_name(),
        profile = settings.profile.as_str(),
        "commodex is serving"
    );
    eprintln!("commodex listening on http://{address}");
    // On a signal, live updates stop first (the lease is released, so another instance takes
    // over at once, and WebSocket clients are closed), then requests in flight finish.
    app.run(async move {
        shutdown_signal().await;
        live.shutdown().await;
    })
    .await?;
    tracing::info!("shut down cleanly");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The providers behind their cache and fallback tiers, from the settings: clients sharing
/// one limiter, the cache's TTLs (and Redis when configured), and stored data of the enabled
/// sources standing in, in the order `GET /api/v1/sources` lists them.
async fn market(
    settings: &Settings,
    store: &store::Store,
    state: &server::AppState,
) -> anyhow::Result<Fallback> {
    let limiter = super::sources::limiter(settings).await?;
    let registry = super::sources::registry(settings, &limiter, SLOT_WAIT);
    let mut cache = SeriesCache::new(
        store.clone(),
        CacheConfig {
            daily_ttl: Duration::from_secs(settings.cache.daily_ttl_secs),
            intraday_ttl: Duration::from_secs(settings.cache.intraday_ttl_secs),
        },
    );
    if let Some(url) = &settings.redis.url {
        let redis = RedisCache::connect(url, &settings.redis.key_prefix)
            .await
            .map_err(|e| anyhow::anyhow!("redis.url '{}': {e}", store::redact_url(url)))?;
        cache = cache.with_redis(redis);
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

/// Every known source in fallback order (primary, secondary, then the rest in catalog order),
/// with what the settings say of it.
fn source_infos(settings: &Settings) -> Vec<server::SourceInfo> {
    let mut order: Vec<&str> = Vec::new();
    let tiers = settings
        .fallback
        .primary
        .iter()
        .chain(&settings.fallback.secondary);
    let known = server::known_source_ids();
    for id in tiers.map(String::as_str).chain(known.iter().copied()) {
        if known.contains(&id) && !order.contains(&id) {
            order.push(id);
        }
    }
    order
        .into_iter()
        .map(|id| {
            let mut info = server::SourceInfo::new(id);
            if let Some(source) = settings.sources.get(id) {
                // Only the providers reached over the network need a key.
                let needs_key = !matches!(id, "demo" | "csv");
                info.enabled = source.enabled;
                info.configured = source.enabled && (!needs_key || source.api_key().is_some());
                info.rate_limit = source.rate_limit.map(|limit| server::RateLimitInfo {
                    requests: limit.requests,
                    per_secs: limit.per_secs,
                });
                info.daily_quota = source.daily_quota;
                info.timeout_secs = Some(source.timeout_secs);
                info.max_retries = Some(source.max_retries);
            }
            info
        })
        .collect()
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
