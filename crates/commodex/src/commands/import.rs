//! `commodex import FILE`: one file into the database, all of it or nothing.
//!
//! A parsing thread streams batches to the writer through a small bounded channel, so parsing
//! and writing overlap and memory stays bounded whatever the file size. Every batch goes into
//! one transaction that is committed only after the last row, so a bad row, an error or a
//! killed process leaves nothing of the file stored.

use crate::cli::ImportArgs;
use crate::config::Settings;
use anyhow::{Context, bail};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use ingest::PriceReader;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;
use store::{ImportRun, Interval, PriceBar, PriceLoader, SeriesKey, Store, UpsertCounts};

/// Bars per batch handed from the parser to the writer.
const BATCH_BARS: usize = 10_000;
/// Batches in flight between parser and writer.
const BATCHES_IN_FLIGHT: usize = 4;

/// Imports the file and prints a one-line summary.
pub async fn run(settings: &Settings, args: ImportArgs) -> anyhow::Result<ExitCode> {
    if market_data::sources::descriptor(&args.source).is_none() {
        bail!(
            "--source '{}' is not a source: expected one of {}",
            args.source,
            market_data::sources::ids_text()
        );
    }
    let store = server::startup::open_store(settings).await?;
    let started_at = Utc::now();
    let file = args.file.display().to_string();
    let outcome = import(&store, &args).await;
    let result = match outcome {
        Ok(summary) => {
            println!("{}", summary.line(&file, &args.source));
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let run = ImportRun {
                file: file.clone(),
                source: args.source.clone(),
                started_at,
                finished_at: Utc::now(),
                status: "failed".to_string(),
                counts: UpsertCounts::default(),
                skipped: 0,
                error: Some(format!("{error:#}")),
            };
            if let Err(record_error) = store.record_import_run(&run).await {
                tracing::warn!(error = %record_error, "could not record the failed import");
            }
            Err(anyhow::anyhow!(
                "{error:#}; nothing from this file was stored"
            ))
        }
    };
    store.close().await;
    result
}

struct ImportSummary {
    symbols: Vec<String>,
    interval: Interval,
    rows: u64,
    counts: UpsertCounts,
    skipped: u64,
    duplicates: u64,
}

impl ImportSummary {
    fn line(&self, file: &str, source: &str) -> String {
        let mut line = format!(
            "imported {file} into {source} as {} ({}): {} rows, {} new, {} updated, {} unchanged, {} skipped",
            self.symbols.join(", "),
            self.interval,
            self.rows,
            self.counts.new,
            self.counts.updated,
            self.counts.unchanged,
            self.skipped
        );
        if self.duplicates > 0 {
            line.push_str(&format!(", {} repeated dates ignored", self.duplicates));
        }
        line
    }
}

enum Message {
    Batch(Vec<(usize, PriceBar)>),
    Done(ingest::Summary),
    Failed(ingest::IngestError),
}

async fn import(store: &Store, args: &ImportArgs) -> anyhow::Result<ImportSummary> {
    let mut reader = PriceReader::open(&args.file)?;
    let symbols = symbols_for(&reader, args)?;
    let total_bytes = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let progress = progress_bar(total_bytes);
    let counter = reader.byte_counter();

    // The first batch decides the interval (from the spacing of its dates) before any write.
    let mut first = Vec::with_capacity(BATCH_BARS);
    reader.next_batch(&mut first, BATCH_BARS)?;
    let interval = ingest::infer_interval(
        first
            .iter()
            .filter(|(series, _)| *series == 0)
            .map(|(_, bar)| bar.date),
    );
    let keys: Vec<SeriesKey> = symbols
        .iter()
        .map(|symbol| SeriesKey::new(&args.source, symbol, interval))
        .collect();

    let (sender, mut receiver) = tokio::sync::mpsc::channel(BATCHES_IN_FLIGHT);
    let parser = tokio::task::spawn_blocking(move || {
        if sender.blocking_send(Message::Batch(first)).is_err() {
            return;
        }
        loop {
            let mut batch = Vec::with_capacity(BATCH_BARS);
            match reader.next_batch(&mut batch, BATCH_BARS) {
                Ok(0) => {
                    let _ = sender.blocking_send(Message::Done(reader.summary()));
                    return;
                }
                Ok(_) => {
                    if sender.blocking_send(Message::Batch(batch)).is_err() {
                        return;
                    }
                }
                Err(error) => {
                    let _ = sender.blocking_send(Message::Failed(error));
                    return;
                }
            }
        }
    });

    // SQLite stages the rows outside the write lock and moves them in at the end, so other
    // writers wait only for that; PostgreSQL writes through its transaction from the start.
    let mut locked_since = None;
    let (mut tx, summary, submitted, before, affected, fresh) =
        if let Some(mut staged) = store.stage_import(&keys).await? {
            let (summary, submitted) = feed(
                &mut Sink::Staged(&mut staged),
                &mut receiver,
                &progress,
                &counter,
            )
            .await?;
            parser.await.context("the file reader failed")?;
            if submitted == 0 {
                bail!("{}: no prices to import", args.file.display());
            }
            let mut tx = staged.begin().await?;
            locked_since = Some(std::time::Instant::now());
            let before = count(&mut tx, &keys).await?;
            let affected = tx.insert_staged(before == 0).await?;
            (tx, summary, submitted, before, affected, before == 0)
        } else {
            let mut tx = store.begin().await?;
            let before = count(&mut tx, &keys).await?;
            // Into empty series every row is new: PostgreSQL can then stream them with COPY,
            // and no second count is needed.
            let fresh = before == 0;
            let mut loader = tx.price_loader(&keys, fresh).await?;
            let fed = feed(
                &mut Sink::Loader(&mut loader),
                &mut receiver,
                &progress,
                &counter,
            )
            .await;
            let (summary, submitted) = match fed {
                Ok(fed) => fed,
                Err(error) => {
                    loader.abort("the import failed").await;
                    return Err(error);
                }
            };
            let affected = loader.finish().await?;
            parser.await.context("the file reader failed")?;
            if submitted == 0 {
                bail!("{}: no prices to import", args.file.display());
            }
            (tx, summary, submitted, before, affected, fresh)
        };
    let after = if fresh {
        affected
    } else {
        count(&mut tx, &keys).await?
    };
    let counts = UpsertCounts::from_counts(submitted, before, after, affected);
    let skipped = summary.series.iter().map(|s| s.skipped).sum();
    let duplicates = summary.series.iter().map(|s| s.duplicates).sum();
    let now = Utc::now();
    tx.record_import_run(&ImportRun {
        file: args.file.display().to_string(),
        source: args.source.clone(),
        started_at: now,
        finished_at: now,
        status: "succeeded".to_string(),
        counts,
        skipped,
        error: None,
    })
    .await?;
    tx.commit().await?;
    if let Some(since) = locked_since {
        tracing::info!(
            seconds = since.elapsed().as_secs_f64(),
            rows = submitted,
            "the import held the database's write lock"
        );
    }
    progress.finish_and_clear();
    Ok(ImportSummary {
        symbols,
        interval,
        rows: summary.rows,
        counts,
        skipped,
        duplicates,
    })
}

/// Rows stored by `keys` in `tx`'s view of the database.
async fn count(tx: &mut store::StoreTx, keys: &[SeriesKey]) -> anyhow::Result<u64> {
    let mut total = 0;
    for key in keys {
        total += tx.count_series(key).await?;
    }
    Ok(total)
}

/// Where an import's rows go: a loader inside the import's transaction, or SQLite's staging.
enum Sink<'a, 't> {
    Loader(&'a mut PriceLoader<'t>),
    Staged(&'a mut store::staged_import::StagedImport),
}

impl Sink<'_, '_> {
    async fn write(&mut self, rows: &[(usize, store::PriceBar)]) -> store::Result<()> {
        match self {
            Sink::Loader(loader) => loader.write(rows).await,
            Sink::Staged(staged) => staged.write(rows).await,
        }
    }
}

/// Hands every batch from the parser to the sink; returns the parser's summary and the
/// number of rows written.
async fn feed(
    loader: &mut Sink<'_, '_>,
    receiver: &mut tokio::sync::mpsc::Receiver<Message>,
    progress: &ProgressBar,
    counter: &ingest::ByteCounter,
) -> anyhow::Result<(ingest::Summary, u64)> {
    let mut submitted = 0;
    loop {
        match receiver.recv().await {
            Some(Message::Batch(batch)) => {
                submitted += batch.len() as u64;
                loader.write(&batch).await?;
                progress.set_position(counter.get());
            }
            Some(Message::Done(summary)) => return Ok((summary, submitted)),
            Some(Message::Failed(error)) => return Err(error.into()),
            None => bail!("the file reader stopped unexpectedly"),
        }
    }
}

/// The symbols the file's series are stored under: `--symbol` for a single series, else the
/// names the reader took from the header or the file name.
fn symbols_for(reader: &PriceReader, args: &ImportArgs) -> anyhow::Result<Vec<String>> {
    let series = reader.series();
    match &args.symbol {
        None => Ok(series.to_vec()),
        Some(_) if series.len() > 1 => bail!(
            "--symbol applies to a file with one series; {} is a wide table with {} series ({})",
            args.file.display(),
            series.len(),
            series.join(", ")
        ),
        Some(symbol) => {
            let symbol = symbol.trim().to_ascii_uppercase();
            if symbol.is_empty()
                || !symbol
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            {
                bail!("--symbol '{symbol}' is not a symbol: use letters, digits, '_', '-' or '.'");
            }
            Ok(vec![symbol])
        }
    }
}

fn progress_bar(total_bytes: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total_bytes);
    bar.set_style(
        ProgressStyle::with_template("{spinner} importing [{bar:30}] {bytes}/{total_bytes} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
