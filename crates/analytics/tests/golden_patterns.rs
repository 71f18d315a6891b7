//! Compares every candlestick pattern with TA-Lib 0.8.2's output on every row of the golden
//! data (`tests/golden/patterns/`, made by `scripts/golden/patterns.py`): the same lookback as
//! TA-Lib's abstract interface reports, `None` exactly in it, and integers equal after it.
//! The streaming form must give the batch values bar for bar.

use std::io::Read;
use std::path::{Path, PathBuf};

use analytics::indicators::pattern::{Pattern, PatternParams};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/patterns")
}

fn read_gz(name: &str) -> String {
    let path = dir().join(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("golden file is gzip text");
    text
}

struct Bars {
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
}

fn inputs() -> Bars {
    let text = read_gz("inputs.csv.gz");
    let mut bars = Bars {
        open: vec![],
        high: vec![],
        low: vec![],
        close: vec![],
    };
    for line in text.lines().skip(1) {
        let v: Vec<f64> = line.split(',').map(|x| x.parse().expect("float")).collect();
        bars.open.push(v[0]);
        bars.high.push(v[1]);
        bars.low.push(v[2]);
        bars.close.push(v[3]);
    }
    bars
}

/// One TA-Lib column: our pattern, its parameters, TA-Lib's lookback and values.
struct Column {
    header: String,
    pattern: Pattern,
    params: PatternParams,
    lookback: usize,
    values: Vec<i32>,
}

/// Splits `cdlmorningstar(0.5)` into the pattern and its penetration.
fn parse_header(header: &str) -> (Pattern, PatternParams) {
    match header.split_once('(') {
        None => (
            header.parse().expect("pattern name"),
            PatternParams::default(),
        ),
        Some((name, rest)) => {
            let penetration = rest.trim_end_matches(')').parse().expect("penetration");
            (
                name.parse().expect("pattern name"),
                PatternParams {
                    penetration: Some(penetration),
                },
            )
        }
    }
}

fn talib_columns() -> Vec<Column> {
    let text = read_gz("talib.csv.gz");
    let mut lines = text.lines();
    let headers: Vec<&str> = lines.next().expect("header").split(',').collect();
    let lookbacks: Vec<usize> = lines
        .next()
        .expect("lookbacks")
        .split(',')
        .map(|x| x.parse().expect("lookback"))
        .collect();
    let mut columns: Vec<Column> = headers
        .iter()
        .zip(&lookbacks)
        .map(|(header, &lookback)| {
            let (pattern, params) = parse_header(header);
            Column {
                header: header.to_string(),
                pattern,
                params,
                lookback,
                values: vec![],
            }
        })
        .collect();
    for line in lines {
        for (column, cell) in columns.iter_mut().zip(line.split(',')) {
            column.values.push(cell.parse().expect("integer"));
        }
    }
    columns
}

#[test]
fn every_pattern_matches_talib_on_every_row() {
    let bars = inputs();
    let columns = talib_columns();
    assert!(bars.close.len() >= 5000, "golden data too short");
    let covered: std::collections::HashSet<Pattern> = columns.iter().map(|c| c.pattern).collect();
    assert_eq!(covered.len(), 61, "every pattern has a golden column");
    let mut failures = Vec::new();
    for column in &columns {
        assert_eq!(
            column.values.len(),
            bars.close.len(),
            "{} rows",
            column.header
        );
        let ours = column
            .pattern
            .compute(
                &bars.open,
                &bars.high,
                &bars.low,
                &bars.close,
                column.params,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", column.header));
        if column.pattern.lookback() != column.lookback {
            failures.push(format!(
                "{}: lookback {} where TA-Lib has {}",
                column.header,
                column.pattern.lookback(),
                column.lookback
            ));
            continue;
        }
        let mut bad = Vec::new();
        for (row, (&theirs, mine)) in column.values.iter().zip(&ours).enumerate() {
            let expected = (row >= column.lookback).then_some(theirs);
            if *mine != expected {
                bad.push(format!("row {row}: ours {mine:?}, TA-Lib {theirs}"));
            }
        }
        if !bad.is_empty() {
            failures.push(format!(
                "{}: {} rows differ, first: {}",
                column.header,
                bad.len(),
                bad[..bad.len().min(3)].join("; ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn streaming_gives_the_batch_values() {
    let bars = inputs();
    for column in talib_columns() {
        let batch = column
            .pattern
            .compute(
                &bars.open,
                &bars.high,
                &bars.low,
                &bars.close,
                column.params,
            )
            .expect("batch");
        let mut stream = column.pattern.stream(column.params).expect("stream");
        for (row, expected) in batch.iter().enumerate() {
            let value = stream
                .push(
                    bars.open[row],
                    bars.high[row],
                    bars.low[row],
                    bars.close[row],
                )
                .expect("valid bar");
            assert_eq!(value, *expected, "{} row {row}", column.header);
        }
    }
}
