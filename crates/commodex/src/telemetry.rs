//! Logging: readable or JSON lines on stderr, and size-rotated files under `<data_dir>/logs/`
//! (`commodex.log` for the application, `providers.log` for provider calls).

use crate::config::{LogFormat, Profile, Settings};
use anyhow::Context;
use rolling_file::{BasicRollingFileAppender, RollingConditionBasic};
use std::io::IsTerminal;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// The `tracing` target of provider-call lines; they go to `providers.log`.
pub const PROVIDER_CALLS_TARGET: &str = market_data::http::PROVIDER_CALLS_TARGET;

/// Keeps the background log writers alive; dropping it flushes them.
pub struct LogGuards {
    _guards: Vec<WorkerGuard>,
}

/// How much a command logs to the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// The configured level (`serve`, `migrate`).
    Configured,
    /// Warnings and errors only, so that a command's own output stays readable.
    Quiet,
}

/// Installs the global subscriber. Files are written only when `with_files` and
/// `logging.files` are both true.
pub fn init(
    settings: &Settings,
    verbosity: Verbosity,
    with_files: bool,
) -> anyhow::Result<LogGuards> {
    let json = match settings.logging.format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => settings.profile == Profile::Production,
    };
    let console_filter = match verbosity {
        Verbosity::Configured => EnvFilter::try_new(&settings.logging.level)?,
        Verbosity::Quiet => EnvFilter::new("warn"),
    };
    let console = if json {
        fmt::layer()
            .json()
            .with_current_span(true)
            .with_writer(std::io::stderr)
            .boxed()
    } else {
        // Colour codes only for a person at a terminal: in a pipe, a file or a container's
        // log collector they are noise around every level and field.
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .boxed()
    };
    let mut layers = vec![console.with_filter(console_filter).boxed()];
    let mut guards = Vec::new();
    if with_files && settings.logging.files {
        let dir = settings.logs_dir();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the log folder {}", dir.display()))?;
        for (file, provider_calls) in [("commodex.log", false), ("providers.log", true)] {
            let appender = BasicRollingFileAppender::new(
                dir.join(file),
                RollingConditionBasic::new().max_size(settings.logging.max_file_bytes),
                settings.logging.max_files,
            )
            .with_context(|| format!("cannot open {}", dir.join(file).display()))?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            guards.push(guard);
            let level = EnvFilter::try_new(&settings.logging.level)?;
            let routing = if provider_calls {
                Targets::new().with_target(PROVIDER_CALLS_TARGET, LevelFilter::TRACE)
            } else {
                Targets::new()
                    .with_default(LevelFilter::TRACE)
                    .with_target(PROVIDER_CALLS_TARGET, LevelFilter::OFF)
            };
            let layer = fmt::layer().with_writer(writer).with_ansi(false);
            let layer = if json {
                layer.json().with_current_span(true).boxed()
            } else {
                layer.boxed()
            };
            // Provider calls are an audit trail (quota use, latency): written whatever the
            // configured level, which only governs the application log.
            if provider_calls {
                layers.push(layer.with_filter(routing).boxed());
            } else {
                layers.push(layer.with_filter(level).with_filter(routing).boxed());
            }
        }
    }
    tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .context("cannot install the logger")?;
    Ok(LogGuards { _guards: guards })
}
