//! Reading speed on the sizes the commands promise: a 100,000-day × 10-symbol wide table
//! (1,000,000 prices, `commodex import` and `metrics`) and a 2,000,000-row OHLCV file
//! (`commodex indicators`).

use chrono::{Days, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use ingest::{PriceReader, read_columns, read_wide};
use std::hint::black_box;
use std::io::Write;
use std::path::Path;

/// A deterministic price walk, so the files look like prices (varied digits) without a RNG.
fn walk(seed: u64, i: u64) -> f64 {
    let mut z = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ i.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^= z >> 31;
    100.0 + (z % 1_000_000) as f64 / 997.0
}

fn write_wide(path: &Path, days: u64, symbols: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(out, "date").unwrap();
    for s in 0..symbols {
        write!(out, ",SYM{s}").unwrap();
    }
    writeln!(out).unwrap();
    let start = NaiveDate::from_ymd_opt(1700, 1, 1).unwrap();
    for i in 0..days {
        write!(out, "{}", start + Days::new(i)).unwrap();
        for s in 0..symbols {
            write!(out, ",{:.2}", walk(s as u64, i)).unwrap();
        }
        writeln!(out).unwrap();
    }
}

fn write_ohlcv(path: &Path, rows: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "Date,Open,High,Low,Close,Adj Close,Volume").unwrap();
    let start = NaiveDate::from_ymd_opt(1000, 1, 1).unwrap();
    for i in 0..rows {
        let close = walk(1, i);
        writeln!(
            out,
            "{},{:.4},{:.4},{:.4},{:.4},{:.4},{}",
            start + Days::new(i),
            close - 0.5,
            close + 1.0,
            close - 1.0,
            close,
            close,
            (i * 7919) % 1_000_000
        )
        .unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let wide = dir.path().join("wide.csv");
    let ohlcv = dir.path().join("ohlcv.csv");
    write_wide(&wide, 100_000, 10);
    write_ohlcv(&ohlcv, 2_000_000);

    let mut group = c.benchmark_group("read");
    group.sample_size(10);
    group.bench_function("stream_wide_100k_days_x10_next_batch", |b| {
        b.iter(|| {
            let mut reader = PriceReader::open(&wide).unwrap();
            let mut batch = Vec::with_capacity(10_000);
            let mut total = 0;
            loop {
                batch.clear();
                let n = reader.next_batch(&mut batch, 10_000).unwrap();
                if n == 0 {
                    break;
                }
                total += n;
            }
            assert_eq!(total, 1_000_000);
            black_box(total)
        })
    });
    group.bench_function("read_wide_100k_days_x10", |b| {
        b.iter(|| black_box(read_wide(&wide).unwrap().dates.len()))
    });
    group.bench_function("read_columns_ohlcv_2m_rows", |b| {
        b.iter(|| {
            let series = read_columns(&ohlcv).unwrap();
            assert_eq!(series.len(), 2_000_000);
            black_box(series.close.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
