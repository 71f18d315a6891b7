//! Monte Carlo simulation: closed forms, determinism across thread counts, bootstrap, limits.

use analytics::AnalyticsError;
use analytics::portfolio::{AssetPrices, AssetReturns};
use analytics::simulation::{
    SimulationConfig, SimulationLimits, SimulationMethod, SimulationResult, simulate,
};

/// Two assets with deterministic, irregular prices (about 1% daily moves).
fn two_asset_prices() -> (Vec<f64>, Vec<f64>) {
    let mut a = vec![100.0];
    let mut b = vec![40.0];
    for t in 1..300 {
        let x = f64::from(t);
        a.push(a[t as usize - 1] * (1.0 + 0.0004 + 0.011 * (x * 1.7).sin()));
        b.push(b[t as usize - 1] * (1.0 + 0.0001 + 0.008 * (x * 0.9 + 1.0).cos()));
    }
    (a, b)
}

fn run(
    a: &[f64],
    b: &[f64],
    config: &SimulationConfig,
) -> Result<SimulationResult, AnalyticsError> {
    let assets = [
        AssetPrices {
            symbol: "A",
            prices: a,
        },
        AssetPrices {
            symbol: "B",
            prices: b,
        },
    ];
    simulate(&assets, &[0.7, 0.3], config, &SimulationLimits::default())
}

#[test]
fn normal_final_return_mean_and_std_match_closed_form_within_sampling_error() {
    let (a, b) = two_asset_prices();
    let returns = AssetReturns::from_prices(&[
        AssetPrices {
            symbol: "A",
            prices: &a,
        },
        AssetPrices {
            symbol: "B",
            prices: &b,
        },
    ])
    .unwrap();
    let history = returns.portfolio_returns(&[0.7, 0.3]);
    let n = history.len() as f64;
    let m = history.iter().sum::<f64>() / n;
    let s2 = history.iter().map(|r| (r - m).powi(2)).sum::<f64>() / (n - 1.0);

    let paths = 40_000;
    let horizon = 63;
    let config = SimulationConfig {
        paths,
        horizon,
        seed: 7,
        ..SimulationConfig::default()
    };
    let result = run(&a, &b, &config).unwrap();

    // For i.i.d. daily returns: E[Π(1+r)] = (1+m)^T and E[Π(1+r)²] = ((1+m)² + s²)^T.
    let t = horizon as i32;
    let expected_mean = (1.0 + m).powi(t) - 1.0;
    let expected_variance = ((1.0 + m).powi(2) + s2).powi(t) - (1.0 + m).powi(2 * t);
    let expected_std = expected_variance.sqrt();
    let standard_error = expected_std / (paths as f64).sqrt();
    let stats = &result.statistics;
    assert!(
        (stats.mean - expected_mean).abs() < 4.0 * standard_error,
        "mean {} vs closed form {expected_mean} (se {standard_error})",
        stats.mean
    );
    assert!(
        (stats.std / expected_std - 1.0).abs() < 0.03,
        "std {} vs closed form {expected_std}",
        stats.std
    );
}

#[test]
fn same_seed_gives_identical_results_on_one_and_four_threads() {
    let (a, b) = two_asset_prices();
    for method in [SimulationMethod::Normal, SimulationMethod::Bootstrap] {
        // 5,000 paths: several RNG chunks and a partial last one; 42 days: a partial day block.
        let config = SimulationConfig {
            paths: 5_000,
            horizon: 42,
            seed: 99,
            method,
            include_paths: 3,
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let four = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let single = one.install(|| run(&a, &b, &config)).unwrap();
        let parallel = four.install(|| run(&a, &b, &config)).unwrap();
        assert_eq!(single, parallel, "{method:?}");
        let other_seed = run(
            &a,
            &b,
            &SimulationConfig {
                seed: 100,
                ..config
            },
        )
        .unwrap();
        assert_ne!(single.statistics, other_seed.statistics, "{method:?}");
    }
}

#[test]
fn large_runs_using_bracketed_fan_percentiles_are_thread_count_independent() {
    let (a, b) = two_asset_prices();
    let config = SimulationConfig {
        paths: 70_000,
        horizon: 5,
        seed: 5,
        method: SimulationMethod::Normal,
        include_paths: 0,
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let single = one.install(|| run(&a, &b, &config)).unwrap();
    let parallel = four.install(|| run(&a, &b, &config)).unwrap();
    assert_eq!(single, parallel);
    // The last fan point is the final-return distribution, summarised independently.
    let p = &single.percentile_paths;
    assert_eq!(p.p5[5], single.statistics.percentiles.p5);
    assert_eq!(p.p50[5], single.statistics.median);
    assert_eq!(p.p95[5], single.statistics.percentiles.p95);
}

#[test]
fn bootstrap_of_a_single_repeated_day_compounds_that_day() {
    // Prices doubling every day: every historical day returns exactly +100%.
    let prices: Vec<f64> = (0..12).map(|t| 2.0_f64.powi(t)).collect();
    let assets = [AssetPrices {
        symbol: "UP",
        prices: &prices,
    }];
    let config = SimulationConfig {
        paths: 1_500,
        horizon: 10,
        seed: 1,
        method: SimulationMethod::Bootstrap,
        include_paths: 2,
    };
    let result = simulate(&assets, &[1.0], &config, &SimulationLimits::default()).unwrap();
    let stats = &result.statistics;
    assert_eq!(stats.min, 1023.0);
    assert_eq!(stats.max, 1023.0);
    assert_eq!(stats.std, 0.0);
    assert_eq!(stats.probability_of_loss, 0.0);
    assert_eq!(stats.expected_max_drawdown, 0.0);
    assert_eq!(result.percentile_paths.p50[10], 1023.0);
    assert_eq!(result.paths.as_ref().unwrap()[1][3], 7.0);

    // Halving every day: the drawdown of each path is its whole loss.
    let prices: Vec<f64> = (0..12).map(|t| 0.5_f64.powi(t)).collect();
    let assets = [AssetPrices {
        symbol: "DOWN",
        prices: &prices,
    }];
    let result = simulate(&assets, &[1.0], &config, &SimulationLimits::default()).unwrap();
    let expected = 0.5_f64.powi(10) - 1.0;
    assert_eq!(result.statistics.mean, expected);
    assert_eq!(result.statistics.expected_max_drawdown, expected);
    assert_eq!(result.statistics.probability_of_loss, 1.0);
}

#[test]
fn output_shapes_follow_config() {
    let (a, b) = two_asset_prices();
    let config = SimulationConfig {
        paths: 2_000,
        horizon: 30,
        seed: 3,
        method: SimulationMethod::Normal,
        include_paths: 0,
    };
    let result = run(&a, &b, &config).unwrap();
    assert_eq!(result.num_simulations, 2_000);
    assert_eq!(result.time_horizon_days, 30);
    assert_eq!(result.percentile_paths.p5.len(), 31);
    assert_eq!(result.percentile_paths.p95[0], 0.0);
    assert!(result.paths.is_none());
    assert_eq!(result.histogram.counts.iter().sum::<u64>(), 2_000);
    assert_eq!(
        result.histogram.edges.len(),
        result.histogram.counts.len() + 1
    );
    let p = &result.percentile_paths;
    for day in 0..=30 {
        assert!(
            p.p5[day] <= p.p25[day]
                && p.p25[day] <= p.p50[day]
                && p.p50[day] <= p.p75[day]
                && p.p75[day] <= p.p95[day]
        );
    }
    let s = &result.statistics;
    assert!(s.cvar_1 <= s.var_1 && s.var_1 <= s.var_5 && s.cvar_5 <= s.var_5);
    assert!((-1.0..=0.0).contains(&s.expected_max_drawdown));
    assert_eq!(s.median, s.percentiles.p50);
}

#[test]
fn requests_beyond_limits_are_rejected_with_a_clear_error() {
    let (a, b) = two_asset_prices();
    let too_many = SimulationConfig {
        paths: 100_001,
        ..SimulationConfig::default()
    };
    let error = run(&a, &b, &too_many).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("paths must be between 1 and 100000"),
        "{error}"
    );
    let too_long = SimulationConfig {
        horizon: 5_000,
        ..SimulationConfig::default()
    };
    assert!(
        run(&a, &b, &too_long)
            .unwrap_err()
            .to_string()
            .contains("horizon")
    );
    let too_many_raw = SimulationConfig {
        include_paths: 101,
        ..SimulationConfig::default()
    };
    assert!(
        run(&a, &b, &too_many_raw)
            .unwrap_err()
            .to_string()
            .contains("raw paths")
    );
    let zero = SimulationConfig {
        paths: 0,
        ..SimulationConfig::default()
    };
    assert!(matches!(
        run(&a, &b, &zero),
        Err(AnalyticsError::InvalidParameter(_))
    ));
}

#[test]
fn method_names_parse_as_the_cli_spells_them() {
    assert_eq!(
        "normal".parse::<SimulationMethod>().unwrap(),
        SimulationMethod::Normal
    );
    assert_eq!(
        "bootstrap".parse::<SimulationMethod>().unwrap(),
        SimulationMethod::Bootstrap
    );
    assert!(
        "garch"
            .parse::<SimulationMethod>()
            .unwrap_err()
            .to_string()
            .contains("normal or bootstrap")
    );
}
