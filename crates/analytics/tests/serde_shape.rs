//! With the `serde` feature, results serialise to SPEC's JSON keys (run with `--features serde`).
#![cfg(feature = "serde")]

use analytics::portfolio::{AssetPrices, compute_metrics};
use analytics::simulation::{SimulationConfig, SimulationLimits, simulate};

fn prices() -> (Vec<f64>, Vec<f64>) {
    let a = (0..60)
        .map(|i| 100.0 + (f64::from(i) * 0.7).sin() * 3.0)
        .collect();
    let b = (0..60)
        .map(|i| 50.0 + (f64::from(i) * 1.1).cos() * 2.0 + f64::from(i) * 0.1)
        .collect();
    (a, b)
}

#[test]
fn metrics_serialise_with_spec_keys() {
    let (a, b) = prices();
    let assets = [
        AssetPrices {
            symbol: "GOLD",
            prices: &a,
        },
        AssetPrices {
            symbol: "WTI",
            prices: &b,
        },
    ];
    let json = serde_json::to_value(compute_metrics(&assets, &[0.6, 0.4], 0.02).unwrap()).unwrap();
    for key in [
        "portfolio_return",
        "cagr",
        "portfolio_volatility",
        "sharpe_ratio",
        "sortino_ratio",
        "var_95",
        "var_99",
        "parametric_var_95",
        "parametric_var_99",
        "cvar_95",
        "cvar_99",
        "max_drawdown",
        "calmar_ratio",
        "correlation_matrix",
        "diversification_ratio",
        "risk_decomposition",
    ] {
        assert!(json.get(key).is_some(), "missing {key} in {json}");
    }
    assert_eq!(json["correlation_matrix"]["symbols"][1], "WTI");
    assert_eq!(json["correlation_matrix"]["matrix"][0][0], 1.0);
    assert_eq!(json["risk_decomposition"][0]["symbol"], "GOLD");
    assert!(json["risk_decomposition"][0]["percent"].is_f64());
}

#[test]
fn simulation_serialises_with_spec_keys_and_omits_unrequested_paths() {
    let (a, b) = prices();
    let assets = [
        AssetPrices {
            symbol: "GOLD",
            prices: &a,
        },
        AssetPrices {
            symbol: "WTI",
            prices: &b,
        },
    ];
    let config = SimulationConfig {
        paths: 500,
        horizon: 20,
        ..SimulationConfig::default()
    };
    let json = serde_json::to_value(
        simulate(&assets, &[0.6, 0.4], &config, &SimulationLimits::default()).unwrap(),
    )
    .unwrap();
    assert_eq!(json["num_simulations"], 500);
    assert_eq!(json["time_horizon_days"], 20);
    assert_eq!(json["method"], "normal");
    for key in [
        "mean",
        "median",
        "std",
        "min",
        "max",
        "percentiles",
        "var_5",
        "var_1",
        "cvar_5",
        "cvar_1",
        "probability_of_loss",
        "expected_max_drawdown",
    ] {
        assert!(
            json["statistics"].get(key).is_some(),
            "missing statistics.{key}"
        );
    }
    assert!(json["statistics"]["percentiles"]["p99"].is_f64());
    assert_eq!(json["histogram"]["edges"].as_array().unwrap().len(), 51);
    assert_eq!(
        json["percentile_paths"]["p50"].as_array().unwrap().len(),
        21
    );
    assert!(json.get("paths").is_none());
}
