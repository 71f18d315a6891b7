//! `commodex export`: a stored series as CSV or JSON, in date order.

use crate::cli::{ExportArgs, ExportFormat};
use crate::config::Settings;
use anyhow::{Context, bail};
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use store::SeriesKey;

/// Writes the series to standard output or `--output`.
pub async fn run(settings: &Settings, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let series = &args.series;
    let (start, end) = series.range()?;
    let requested = series.interval;
    let store = server::startup::open_store(settings).await?;
    let symbol = series.symbol.trim().to_ascii_uppercase();
    if series.source == market_data::DemoSource::ID {
        market_data::DemoSource::new(&market_data::Catalog::embedded()?)
            .ensure_history(&store, &[symbol.as_str()])
            .await?;
    }
    let stored: Vec<_> = store
        .series()
        .await?
        .into_iter()
        .filter(|s| s.key.source == series.source && s.key.symbol == symbol)
        .collect();
    let interval = match requested {
        Some(interval) => interval,
        // The finest stored interval, as SPEC's default for export.
        None => match stored.iter().map(|s| s.key.interval).min() {
            Some(interval) => interval,
            None => bail!(
                "nothing is stored for {}/{symbol}: import or fetch it first",
                series.source
            ),
        },
    };
    let key = SeriesKey::new(&series.source, &symbol, interval);
    if !stored.iter().any(|s| s.key == key) {
        let have: Vec<String> = stored.iter().map(|s| s.key.interval.to_string()).collect();
        bail!(
            "nothing is stored for {key}{}",
            if have.is_empty() {
                String::new()
            } else {
                format!(" (stored intervals: {})", have.join(", "))
            }
        );
    }
    let bars = store.prices(&key, start, end).await?;
    store.close().await;
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            ExportFormat::Csv => ingest::write_csv(&mut *out, &bars)?,
            ExportFormat::Json => ingest::write_json(&mut *out, &bars)?,
        }
        out.flush()
    };
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            write(&mut BufWriter::new(file))
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} rows of {key} to {}", bars.len(), path.display());
        }
        None => {
            let stdout = std::io::stdout();
            write(&mut BufWriter::new(stdout.lock())).context("cannot write to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
