//! Criterion benchmarks of Monte Carlo simulation and portfolio metrics on 20 assets.

use std::hint::black_box;

use analytics::portfolio::{AssetPrices, compute_metrics};
use analytics::simulation::{SimulationConfig, SimulationLimits, SimulationMethod, simulate};
use criterion::{Criterion, criterion_group, criterion_main};

/// 20 assets × 1,001 deterministic, irregular prices.
fn prices() -> Vec<Vec<f64>> {
    (0..20)
        .map(|asset| {
            let mut series = vec![50.0 + f64::from(asset)];
            for t in 1..1001 {
                let x = f64::from(t) * (0.37 + f64::from(asset) * 0.11);
                let last = series[series.len() - 1];
                series.push(last * (1.0 + 0.0002 + 0.012 * x.sin() * (x * 0.5).cos()));
            }
            series
        })
        .collect()
}

fn benchmarks(c: &mut Criterion) {
    let columns = prices();
    let symbols: Vec<String> = (0..columns.len()).map(|i| format!("A{i}")).collect();
    let assets: Vec<AssetPrices<'_>> = symbols
        .iter()
        .zip(&columns)
        .map(|(symbol, prices)| AssetPrices { symbol, prices })
        .collect();
    let weights = vec![1.0; assets.len()];
    let limits = SimulationLimits::default();

    let mut group = c.benchmark_group("simulate_10000x252");
    group.sample_size(10);
    for method in [SimulationMethod::Normal, SimulationMethod::Bootstrap] {
        let config = SimulationConfig {
            paths: 10_000,
            horizon: 252,
            seed: 42,
            method,
            include_paths: 0,
        };
        group.bench_function(format!("{method:?}").to_lowercase(), |b| {
            b.iter(|| simulate(black_box(&assets), &weights, &config, &limits).unwrap())
        });
    }
    group.finish();

    c.bench_function("compute_metrics_20x1000", |b| {
        b.iter(|| compute_metrics(black_box(&assets), &weights, 0.02).unwrap())
    });
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
