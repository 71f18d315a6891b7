//! Portfolio metrics and series against numpy (scripts/golden/portfolio.py) at 1e-9 relative.

use std::path::{Path, PathBuf};

use analytics::portfolio::{
    AssetPrices, PortfolioMetrics, PortfolioSeries, compute_metrics, series,
};
use serde_json::Value;

const RELATIVE: f64 = 1e-9;
/// Values that are zero in exact arithmetic (a drawdown at a new peak) may differ by rounding.
const ABSOLUTE_FLOOR: f64 = 1e-15;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/portfolio")
}

struct Case {
    name: String,
    symbols: Vec<String>,
    columns: Vec<Vec<f64>>,
    expected: Value,
}

fn load_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(golden_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for dir in entries.into_iter().filter(|p| p.is_dir()) {
        let csv = std::fs::read_to_string(dir.join("prices.csv")).unwrap();
        let mut lines = csv.lines();
        let symbols: Vec<String> = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_owned)
            .collect();
        let mut columns = vec![Vec::new(); symbols.len()];
        for line in lines {
            for (column, cell) in columns.iter_mut().zip(line.split(',')) {
                column.push(cell.parse::<f64>().unwrap());
            }
        }
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        cases.push(Case {
            name,
            symbols,
            columns,
            expected,
        });
    }
    assert!(
        cases.len() >= 5,
        "golden cases missing: run scripts/golden/portfolio.py"
    );
    cases
}

fn assert_close(case: &str, key: &str, actual: f64, expected: f64) {
    let tolerance = RELATIVE * actual.abs().max(expected.abs()) + ABSOLUTE_FLOOR;
    assert!(
        (actual - expected).abs() <= tolerance,
        "{case}: {key} = {actual:e}, numpy says {expected:e} (diff {:e})",
        (actual - expected).abs()
    );
}

fn assert_optional(case: &str, key: &str, actual: Option<f64>, expected: &Value) {
    match (actual, expected.as_f64()) {
        (Some(a), Some(e)) => assert_close(case, key, a, e),
        (None, None) => {}
        (a, _) => panic!("{case}: {key} = {a:?}, numpy says {expected}"),
    }
}

fn run(case: &Case) -> (PortfolioMetrics, PortfolioSeries) {
    let assets: Vec<AssetPrices<'_>> = case
        .symbols
        .iter()
        .zip(&case.columns)
        .map(|(symbol, prices)| AssetPrices { symbol, prices })
        .collect();
    let weights: Vec<f64> = case.expected["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_f64().unwrap())
        .collect();
    let risk_free = case.expected["risk_free"].as_f64().unwrap();
    let window = case.expected["window"].as_u64().unwrap() as usize;
    (
        compute_metrics(&assets, &weights, risk_free).unwrap(),
        series(&assets, &weights, risk_free, window).unwrap(),
    )
}

#[test]
fn metrics_match_numpy_golden_data() {
    for case in load_cases() {
        let (metrics, _) = run(&case);
        let expected = &case.expected["metrics"];
        let name = case.name.as_str();
        assert_eq!(
            metrics.num_returns as u64,
            expected["num_returns"].as_u64().unwrap()
        );
        let scalars = [
            ("portfolio_return", metrics.portfolio_return),
            ("cagr", metrics.cagr),
            ("portfolio_volatility", metrics.portfolio_volatility),
            ("sharpe_ratio", metrics.sharpe_ratio),
            ("var_95", metrics.var_95),
            ("var_99", metrics.var_99),
            ("parametric_var_95", metrics.parametric_var_95),
            ("parametric_var_99", metrics.parametric_var_99),
            ("cvar_95", metrics.cvar_95),
            ("cvar_99", metrics.cvar_99),
            ("max_drawdown", metrics.max_drawdown),
            ("diversification_ratio", metrics.diversification_ratio),
        ];
        for (key, value) in scalars {
            assert_close(name, key, value, expected[key].as_f64().unwrap());
        }
        assert_optional(
            name,
            "sortino_ratio",
            metrics.sortino_ratio,
            &expected["sortino_ratio"],
        );
        assert_optional(
            name,
            "calmar_ratio",
            metrics.calmar_ratio,
            &expected["calmar_ratio"],
        );
        assert_eq!(metrics.correlation_matrix.symbols, case.symbols);
        for (i, row) in metrics.correlation_matrix.matrix.iter().enumerate() {
            for (j, &value) in row.iter().enumerate() {
                let numpy = expected["correlation_matrix"][i][j].as_f64().unwrap();
                assert_close(name, &format!("correlation[{i}][{j}]"), value, numpy);
            }
        }
        for (i, contribution) in metrics.risk_decomposition.iter().enumerate() {
            let numpy = &expected["risk_decomposition"][i];
            assert_eq!(contribution.symbol, case.symbols[i]);
            for (key, value) in [
                ("weight", contribution.weight),
                ("marginal", contribution.marginal),
                ("component", contribution.component),
                ("percent", contribution.percent),
            ] {
                assert_close(
                    name,
                    &format!("risk_decomposition[{i}].{key}"),
                    value,
                    numpy[key].as_f64().unwrap(),
                );
            }
        }
    }
}

#[test]
fn series_match_numpy_golden_data() {
    for case in load_cases() {
        let (_, result) = run(&case);
        let expected = &case.expected["series"];
        let name = case.name.as_str();
        for (key, values) in [("wealth", &result.wealth), ("drawdown", &result.drawdown)] {
            let numpy = expected[key].as_array().unwrap();
            assert_eq!(values.len(), numpy.len(), "{name}: {key} length");
            for (t, (value, e)) in values.iter().zip(numpy).enumerate() {
                assert_close(name, &format!("{key}[{t}]"), *value, e.as_f64().unwrap());
            }
        }
        for (key, values) in [
            ("rolling_volatility", &result.rolling_volatility),
            ("rolling_sharpe", &result.rolling_sharpe),
        ] {
            let numpy = expected[key].as_array().unwrap();
            assert_eq!(values.len(), numpy.len(), "{name}: {key} length");
            for (t, (value, e)) in values.iter().zip(numpy).enumerate() {
                assert_optional(name, &format!("{key}[{t}]"), *value, e);
            }
        }
    }
}
