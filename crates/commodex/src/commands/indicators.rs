//! `commodex indicators`: TA-Lib-exact indicators over a CSV file, as CSV or JSON.
//!
//! Every spec is parsed before the file is opened, so a typo costs nothing. The file is loaded
//! into columns once (the kernels need whole slices), the indicators run on scoped threads,
//! and rows are written through one reused buffer: no allocation per row.

use crate::cli::{IndicatorsArgs, TableFormat};
use analytics::indicators::{IndicatorSpec, Ohlcv};
use anyhow::{Context, bail};
use chrono::NaiveDate;
use ingest::{ColumnarSeries, IndicatorCsvWriter};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// One requested indicator: the spec as the user typed it (trimmed) and its parsed form.
struct Requested {
    label: String,
    spec: IndicatorSpec,
}

/// Computes the indicators and writes them to standard output or `--output`.
pub fn run(args: IndicatorsArgs) -> anyhow::Result<ExitCode> {
    let requested = parse_specs(&args.indicators)?;
    let mut series = ingest::read_columns(&args.file)?;
    check_columns(&requested, &series, &args.file.display().to_string())?;
    drop_unused_columns(&requested, &mut series);
    if series.skipped_rows > 0 {
        // stderr, so that scripts reading the table on stdout are not disturbed.
        eprintln!(
            "note: {} row(s) with a missing value were skipped",
            series.skipped_rows
        );
    }

    let outputs = compute_all(&requested, &series)?;
    let names = column_names(&requested);
    let columns: Vec<&[f64]> = outputs.iter().flatten().map(Vec::as_slice).collect();

    match &args.output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            write_table(
                BufWriter::new(file),
                args.format,
                &names,
                &series.dates,
                &columns,
            )
            .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let stdout = io::stdout().lock();
            match write_table(stdout, args.format, &names, &series.dates, &columns) {
                // A reader that stops early (`| head`) is not an error of ours.
                Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
                other => other.context("writing to standard output")?,
            }
        }
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

/// Rejects an indicator that reads a column the file does not have, before computing anything.
fn check_columns(
    requested: &[Requested],
    series: &ColumnarSeries,
    file: &str,
) -> anyhow::Result<()> {
    for Requested { label, spec } in requested {
        let needs = spec.needs();
        let missing = [
            (needs.open && series.open.is_none(), "open"),
            (needs.high && series.high.is_none(), "high"),
            (needs.low && series.low.is_none(), "low"),
            (needs.volume && series.volume.is_none(), "volume"),
        ];
        if let Some((_, column)) = missing.iter().find(|(absent, _)| *absent) {
            bail!(
                "indicator '{label}' needs a {column} column, which {file} does not have \
                 (it needs an OHLC file such as Yahoo's Date,Open,High,Low,Close,Adj Close,Volume)"
            );
        }
    }
    Ok(())
}

/// Frees the input columns no indicator reads, so that they do not add to the peak memory
/// while the outputs are allocated (on 2M rows each column is 16 MB).
fn drop_unused_columns(requested: &[Requested], series: &mut ColumnarSeries) {
    let needs = |pick: fn(&analytics::indicators::Inputs) -> bool| {
        requested.iter().any(|request| pick(&request.spec.needs()))
    };
    if !needs(|inputs| inputs.open) {
        series.open = None;
    }
    if !needs(|inputs| inputs.high) {
        series.high = None;
    }
    if !needs(|inputs| inputs.low) {
        series.low = None;
    }
    if !needs(|inputs| inputs.volume) {
        series.volume = None;
    }
}

/// Runs every indicator, in parallel when there are several (each is one pass over slices).
fn compute_all(
    requested: &[Requested],
    series: &ColumnarSeries,
) -> anyhow::Result<Vec<Vec<Vec<f64>>>> {
    let input = Ohlcv {
        open: series.open.as_deref(),
        high: series.high.as_deref(),
        low: series.low.as_deref(),
        close: &series.close,
        volume: series.volume.as_deref(),
    };
    let compute = |request: &Requested| {
        request
            .spec
            .compute(&input)
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

/// Column headers: the spec as typed, with `.output` for multi-output indicators.
fn column_names(requested: &[Requested]) -> Vec<String> {
    let mut names = Vec::new();
    for Requested { label, spec } in requested {
        match spec.outputs() {
            [_single] => names.push(label.clone()),
            outputs => names.extend(outputs.iter().map(|output| format!("{label}.{output}"))),
        }
    }
    names
}

/// Writes the table in the chosen format.
fn write_table<W: Write>(
    writer: W,
    format: TableFormat,
    names: &[String],
    dates: &[NaiveDate],
    columns: &[&[f64]],
) -> io::Result<()> {
    match format {
        TableFormat::Csv => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let mut csv = IndicatorCsvWriter::new(writer, &names)?;
            csv.write_columns(dates, columns)?;
            csv.finish()?;
            Ok(())
        }
        TableFormat::Json => write_json(writer, names, dates, columns),
    }
}

/// Flush threshold of the JSON writer's reused buffer.
const FLUSH_BYTES: usize = 64 * 1024;

/// Writes `{"columns":["date",...],"rows":[["2024-01-02",1.5,null],...]}`: one array per
/// input row in the column order, `null` during the lookback.
fn write_json<W: Write>(
    mut writer: W,
    names: &[String],
    dates: &[NaiveDate],
    columns: &[&[f64]],
) -> io::Result<()> {
    let mut out: Vec<u8> = Vec::with_capacity(FLUSH_BYTES + 256);
    out.extend_from_slice(b"{\"columns\":[\"date\"");
    for name in names {
        out.push(b',');
        serde_json::to_writer(&mut out, name).map_err(io::Error::other)?;
    }
    out.extend_from_slice(b"],\"rows\":[");
    for (i, date) in dates.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"\n[\"");
        ingest::date::push_iso_date(&mut out, *date);
        out.push(b'"');
        for column in columns {
            out.push(b',');
            let value = column[i];
            if value.is_finite() {
                ingest::export::push_number(&mut out, value);
            } else {
                out.extend_from_slice(b"null");
            }
        }
        out.push(b']');
        if out.len() >= FLUSH_BYTES {
            writer.write_all(&out)?;
            out.clear();
        }
    }
    out.extend_from_slice(b"\n]}\n");
    writer.write_all(&out)?;
    writer.flush()
}
