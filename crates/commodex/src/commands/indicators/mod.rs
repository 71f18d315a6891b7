//! `commodex indicators`: TA-Lib-exact indicators over a CSV file, as CSV or JSON.
//!
//! Every spec is parsed before the file is opened, so a typo costs nothing. Then, when the
//! file's dates ascend (exact repeats aside), which is how nearly every export comes, it is
//! read twice in memory that does not grow with its length:
//! 1. a scan finds every error in the file (a bad cell, a conflicting repeat, a high below
//!    its low) before anything is written, and which columns it has;
//! 2. the rows are read again in chunks on a second thread, fed through each indicator's
//!    resumable state ([`analytics::indicators::IndicatorStream`], bit-identical to the
//!    batch kernels) and written through one reused buffer: no allocation per row.
//!
//! A file in any other order (newest first, shuffled) has to be sorted, which needs all of
//! it: it is loaded into columns (only those the indicators read) and computed with the
//! batch kernels, in memory that grows with the file. Both ways write the same bytes.

mod catalog;
mod output;
mod table;

use crate::cli::IndicatorsArgs;
use analytics::AnalyticsError;
use analytics::indicators::{IndicatorSpec, IndicatorStream, Inputs, Ohlcv};
use anyhow::{Context, bail};
use ingest::{ColumnChunk, ColumnChunks, ColumnScan, KeepColumns};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use table::TableWriter;

/// Rows per chunk of the streaming path: big enough that per-chunk costs vanish, small
/// enough that the chunks in flight stay within a few MiB.
const CHUNK_ROWS: usize = 16 * 1024;

/// One requested indicator: the spec as the user typed it (trimmed) and its parsed form.
struct Requested {
    label: String,
    spec: IndicatorSpec,
}

/// Computes the indicators and writes them to standard output or `--output`.
pub fn run(args: IndicatorsArgs) -> anyhow::Result<ExitCode> {
    if args.list {
        catalog::print(args.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(file) = args.file.clone() else {
        bail!("give a CSV file to compute indicators on, or --list to list them");
    };
    let requested = parse_specs(&args.indicators)?;
    match ingest::scan_columns(&file)? {
        Some(scan) => streaming(&args, &file, &requested, &scan)?,
        None => in_memory(&args, &file, &requested)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses every `--indicator`, naming the one that is wrong.
fn parse_specs(texts: &[String]) -> anyhow::Result<Vec<Requested>> {
    texts
        .iter()
        .map(|text| {
            let label = text.trim().to_owned();
            if label.is_empty() {
                bail!("--indicator is empty: give a spec such as rsi(14)");
            }
            let spec = label
                .parse::<IndicatorSpec>()
                .with_context(|| format!("--indicator '{label}'"))?;
            Ok(Requested { label, spec })
        })
        .collect()
}

/// The optional columns at least one indicator reads.
fn needed_columns(requested: &[Requested]) -> KeepColumns {
    let needs =
        |pick: fn(&Inputs) -> bool| requested.iter().any(|request| pick(&request.spec.needs()));
    KeepColumns {
        open: needs(|inputs| inputs.open),
        high: needs(|inputs| inputs.high),
        low: needs(|inputs| inputs.low),
        volume: needs(|inputs| inputs.volume),
    }
}

/// Rejects an indicator that reads a column the file does not have, before computing anything.
fn check_columns(requested: &[Requested], has: KeepColumns, file: &Path) -> anyhow::Result<()> {
    for Requested { label, spec } in requested {
        let needs = spec.needs();
        let missing = [
            (needs.open && !has.open, "open"),
            (needs.high && !has.high, "high"),
            (needs.low && !has.low, "low"),
            (needs.volume && !has.volume, "volume"),
        ];
        if let Some((_, column)) = missing.iter().find(|(absent, _)| *absent) {
            bail!(
                "indicator '{label}' needs the {column} column, which {} does not have \
                 (it needs an OHLC file such as Yahoo's Date,Open,High,Low,Close,Adj Close,Volume)",
                file.display()
            );
        }
    }
    Ok(())
}

fn note_skipped(skipped_rows: u64) {
    if skipped_rows > 0 {
        // stderr, so that scripts reading the table on stdout are not disturbed.
        eprintln!("note: {skipped_rows} row(s) with a missing value were skipped");
    }
}

/// Column headers: the spec as typed, with `.output` for multi-output indicators.
fn column_names(requested: &[Requested]) -> Vec<String> {
    requested
        .iter()
        .flat_map(|Requested { label, spec }| spec.column_names(label))
        .collect()
}

/// The streaming path: scanned file, chunks through resumable states.
fn streaming(
    args: &IndicatorsArgs,
    file: &Path,
    requested: &[Requested],
    scan: &ColumnScan,
) -> anyhow::Result<()> {
    check_columns(requested, scan.present, file)?;
    note_skipped(scan.skipped_rows);
    if let Some(found) = scan.high_below_low
        && let Some(first) = requested.iter().find(|r| r.spec.needs().high)
    {
        // The batch kernels' check and wording, for the same row the in-memory path names.
        let error = AnalyticsError::InvalidInput(format!(
            "high is below low at row {} ({} < {})",
            found.row, found.high, found.low
        ));
        return Err(error).with_context(|| format!("indicator '{}'", first.label));
    }
    let mut chunks = ColumnChunks::open(file, scan, needed_columns(requested))?;
    let names = column_names(requested);
    output::write_to(args.output.as_deref(), |writer| {
        let mut table = TableWriter::new(writer, args.format, &names)?;
        let mut streams: Vec<(&Requested, IndicatorStream, Vec<Vec<f64>>)> = requested
            .iter()
            .map(|request| {
                let outputs = vec![Vec::new(); request.spec.outputs().len()];
                (request, request.spec.stream(), outputs)
            })
            .collect();
        for_each_chunk(&mut chunks, |chunk| {
            for (request, stream, outputs) in &mut streams {
                push_chunk(stream, chunk, outputs)
                    .with_context(|| format!("indicator '{}'", request.label))?;
            }
            let columns: Vec<&[f64]> = streams
                .iter()
                .flat_map(|(_, _, outputs)| outputs.iter().map(Vec::as_slice))
                .collect();
            table.write_rows(&chunk.dates, &columns)?;
            Ok(())
        })?;
        table.finish()?;
        Ok(())
    })
}

/// Feeds one chunk to one indicator, into `outputs` resized to the chunk.
fn push_chunk(
    stream: &mut IndicatorStream,
    chunk: &ColumnChunk,
    outputs: &mut [Vec<f64>],
) -> Result<(), AnalyticsError> {
    fn column(values: &[f64]) -> Option<&[f64]> {
        (!values.is_empty()).then_some(values)
    }
    let input = Ohlcv {
        open: column(&chunk.open),
        high: column(&chunk.high),
        low: column(&chunk.low),
        close: &chunk.close,
        volume: column(&chunk.volume),
    };
    let mut slices: Vec<&mut [f64]> = outputs
        .iter_mut()
        .map(|output| {
            output.resize(chunk.len(), 0.0);
            output.as_mut_slice()
        })
        .collect();
    stream.push(&input, &mut slices)
}

/// Reads the chunks on a second thread, so that parsing the next chunk overlaps computing
/// and printing this one, and calls `consume` on each in order. Two buffers circulate
/// between the threads; nothing is allocated per chunk once they have grown.
fn for_each_chunk(
    chunks: &mut ColumnChunks,
    mut consume: impl FnMut(&ColumnChunk) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (full_sender, full) = mpsc::sync_channel::<ColumnChunk>(2);
    let (empty_sender, empty) = mpsc::sync_channel::<ColumnChunk>(2);
    for _ in 0..2 {
        empty_sender
            .send(ColumnChunk::default())
            .expect("the channel has room for both buffers");
    }
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> ingest::Result<()> {
            // The consumer hanging up (it failed) ends the loop; its error is the one reported.
            while let Ok(mut chunk) = empty.recv() {
                chunks.next_chunk(&mut chunk, CHUNK_ROWS)?;
                let done = chunk.is_empty();
                if full_sender.send(chunk).is_err() || done {
                    break;
                }
            }
            Ok(())
        });
        let consumed = (|| {
            while let Ok(chunk) = full.recv() {
                if chunk.is_empty() {
                    break;
                }
                consume(&chunk)?;
                // The reader may have finished and gone: the buffer is then simply dropped.
                let _ = empty_sender.send(chunk);
            }
            Ok(())
        })();
        drop(full);
        drop(empty_sender);
        let read = reader
            .join()
            .unwrap_or_else(|_| panic!("the chunk reader panicked"));
        consumed.and(read.map_err(anyhow::Error::from))
    })
}

/// The in-memory path, for files whose rows must be sorted by date.
fn in_memory(args: &IndicatorsArgs, file: &Path, requested: &[Requested]) -> anyhow::Result<()> {
    // Columns no indicator reads are never stored (each is 16 MB per 2M rows).
    let series = ingest::read_columns_keeping(file, needed_columns(requested))?;
    let has = KeepColumns {
        open: series.open.is_some(),
        high: series.high.is_some(),
        low: series.low.is_some(),
        volume: series.volume.is_some(),
    };
    check_columns(requested, has, file)?;
    note_skipped(series.skipped_rows);
    let input = Ohlcv {
        open: series.open.as_deref(),
        high: series.high.as_deref(),
        low: series.low.as_deref(),
        close: &series.close,
        volume: series.volume.as_deref(),
    };
    let outputs = compute_all(requested, &input)?;
    let names = column_names(requested);
    let columns: Vec<&[f64]> = outputs.iter().flatten().map(Vec::as_slice).collect();
    output::write_to(args.output.as_deref(), |writer: &mut dyn Write| {
        let mut table = TableWriter::new(writer, args.format, &names)?;
        table.write_rows(&series.dates, &columns)?;
        table.finish()?;
        Ok(())
    })
}

/// Runs every indicator over the whole series, in parallel when there are several.
fn compute_all(requested: &[Requested], input: &Ohlcv<'_>) -> anyhow::Result<Vec<Vec<Vec<f64>>>> {
    let compute = |request: &Requested| {
        request
            .spec
            .compute(input)
            .with_context(|| format!("indicator '{}'", request.label))
    };
    if requested.len() == 1 {
        return Ok(vec![compute(&requested[0])?]);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = requested
            .iter()
            .map(|request| scope.spawn(move || compute(request)))
            .collect();
        handles
            .into_iter()
            .map(|handle| match handle.join() {
                Ok(result) => result,
                Err(_) => bail!("an indicator computation failed unexpectedly"),
            })
            .collect()
    })
}
