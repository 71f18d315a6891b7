//! `commodex serve`: migrate, then serve the API and dashboard until SIGTERM or Ctrl-C.

use crate::cli::ServeArgs;
use crate::config::Settings;
use std::process::ExitCode;
use std::time::Duration;

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
    };
    let state = server::AppState {
        store: store.clone(),
        redis,
    };
    let app = server::Application::build(config.clone(), state)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let address = app.local_addr()?;
    tracing::info!(
        %address,
        database = store.backend_name(),
        profile = settings.profile.as_str(),
        "commodex is serving"
    );
    eprintln!("commodex listening on http://{address}");
    app.run(shutdown_signal()).await?;
    tracing::info!("shut down cleanly");
    store.close().await;
    Ok(ExitCode::SUCCESS)
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
