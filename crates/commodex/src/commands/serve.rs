//! `commodex serve`: build the application from the settings, then serve the API and dashboard
//! until SIGTERM or Ctrl-C.

use crate::cli::ServeArgs;
use crate::config::Settings;
use std::process::ExitCode;

/// Runs the server until a shutdown signal.
pub async fn run(mut settings: Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if let Some(bind) = args.bind {
        settings.server.bind = bind;
    }
    let app = server::Application::build(&settings).await?;
    let address = app.local_addr()?;
    let database = app.store().backend_name();
    tracing::info!(
        %address,
        database,
        profile = settings.profile.as_str(),
        "commodex is serving"
    );
    eprintln!("commodex listening on http://{address}");
    let store = app.store().clone();
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
