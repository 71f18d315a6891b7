//! Optimisation against PyPortfolioOpt 1.6.0 (scripts/golden/optimize.py): estimates to
//! 1e-12, every objective at least as good as PyPortfolioOpt's (within 1e-6), constraints met
//! to 1e-9, weights within 1e-4, HRP weights within 1e-9, and the same errors for targets out
//! of reach.

use std::io::Read;
use std::path::{Path, PathBuf};

use analytics::optimize::{
    CovarianceMatrix, MeanVariance, Objective, ReturnModel, RiskModel, WeightConstraints,
    covariance, expected_returns, hrp, simple_returns,
};
use serde_json::Value;

const OBJECTIVE_SLACK: f64 = 1e-6;
const CONSTRAINT_SLACK: f64 = 1e-9;
const WEIGHT_TOLERANCE: f64 = 1e-4;
const HRP_TOLERANCE: f64 = 1e-9;
const ESTIMATE_TOLERANCE: f64 = 1e-12;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/optimize")
}

fn gunzip(path: &Path) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

struct Case {
    name: String,
    symbols: Vec<String>,
    prices: Vec<Vec<f64>>,
    expected: Value,
}

fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 5,
        "golden cases missing: run scripts/golden/optimize.py"
    );
    dirs.iter()
        .map(|dir| {
            let csv = gunzip(&dir.join("prices.csv.gz"));
            let mut lines = csv.lines();
            let symbols: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
            let mut prices = vec![Vec::new(); symbols.len()];
            for line in lines {
                for (column, cell) in prices.iter_mut().zip(line.split(',')) {
                    column.push(cell.parse::<f64>().unwrap());
                }
            }
            let expected = serde_json::from_str(&gunzip(&dir.join("expected.json.gz"))).unwrap();
            Case {
                name: dir.file_name().unwrap().to_string_lossy().into_owned(),
                symbols,
                prices,
                expected,
            }
        })
        .collect()
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn return_model(name: &str) -> ReturnModel {
    match name {
        "mean" => ReturnModel::MeanHistorical { compounding: true },
        "mean_arithmetic" => ReturnModel::MeanHistorical { compounding: false },
        "ema" => ReturnModel::ExponentiallyWeighted {
            span: analytics::optimize::DEFAULT_RETURN_SPAN,
            compounding: true,
        },
        other => panic!("unknown return model {other}"),
    }
}

fn risk_model(name: &str) -> RiskModel {
    match name {
        "sample" => RiskModel::Sample,
        "ledoit_wolf" => RiskModel::LedoitWolf,
        "exp" => RiskModel::ExponentiallyWeighted {
            span: analytics::optimize::DEFAULT_COVARIANCE_SPAN,
        },
        other => panic!("unknown risk model {other}"),
    }
}

fn constraints_of(symbols: &[String], problem: &Value) -> WeightConstraints {
    let mut constraints = WeightConstraints::long_only(symbols);
    if let Some(bounds) = problem.get("bounds") {
        let b = floats(bounds);
        constraints = constraints.with_bounds(b[0], b[1]).unwrap();
    }
    if let Some(per_asset) = problem.get("asset_bounds").and_then(Value::as_object) {
        for (symbol, bounds) in per_asset {
            let b = floats(bounds);
            constraints = constraints.with_asset_bounds(symbol, b[0], b[1]).unwrap();
        }
    }
    if let Some(categories) = problem.get("categories").and_then(Value::as_object) {
        for (name, category) in categories {
            let members: Vec<&str> = category["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            constraints = constraints
                .with_group(
                    name,
                    &members,
                    category["min"].as_f64().unwrap(),
                    category["max"].as_f64().unwrap(),
                )
                .unwrap();
        }
    }
    constraints
}

fn objective_of(result: &Value) -> Objective {
    let number = |key: &str| result[key].as_f64().unwrap();
    match result["objective"].as_str().unwrap() {
        "min_volatility" => Objective::MinVolatility,
        "max_sharpe" => Objective::MaxSharpe {
            risk_free_rate: number("risk_free_rate"),
        },
        "efficient_risk" => Objective::EfficientRisk {
            target_volatility: number("target"),
        },
        "efficient_return" => Objective::EfficientReturn {
            target_return: number("target"),
        },
        "max_utility" => Objective::MaxUtility {
            risk_aversion: number("risk_aversion"),
        },
        other => panic!("unknown objective {other}"),
    }
}

/// The value PyPortfolioOpt's problem minimises, evaluated at `w` (max-Sharpe: the
/// transformed objective `(wᵀΣw + γ‖w‖²) / ((μ − r_f)ᵀw)²`, which is 1/Sharpe² when γ = 0).
fn objective_value(
    objective: Objective,
    w: &[f64],
    mu: &[f64],
    cov: &CovarianceMatrix,
    gamma: f64,
) -> f64 {
    let variance = cov.quadratic_form(w);
    let penalty = gamma * w.iter().map(|x| x * x).sum::<f64>();
    let ret: f64 = w.iter().zip(mu).map(|(a, b)| a * b).sum();
    match objective {
        Objective::MinVolatility | Objective::EfficientReturn { .. } => variance + penalty,
        Objective::EfficientRisk { .. } => -ret + penalty,
        Objective::MaxUtility { risk_aversion } => -ret + 0.5 * risk_aversion * variance + penalty,
        Objective::MaxSharpe { risk_free_rate } => {
            let excess = ret - risk_free_rate;
            (variance + penalty) / (excess * excess)
        }
    }
}

fn max_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn estimates_match_pypfopt() {
    for case in cases() {
        let returns = simple_returns(&case.prices).unwrap();
        let frequency = case.expected["frequency"].as_f64().unwrap();
        let estimates = &case.expected["estimates"];
        for name in ["mean", "mean_arithmetic", "ema"] {
            let ours = expected_returns(&returns, return_model(name), frequency).unwrap();
            let theirs = floats(&estimates[format!("returns_{name}")]);
            for (a, b) in ours.iter().zip(&theirs) {
                assert!(
                    (a - b).abs() <= ESTIMATE_TOLERANCE * b.abs().max(1e-3),
                    "{} returns {name}: {a} vs {b}",
                    case.name
                );
            }
        }
        for name in ["sample", "ledoit_wolf", "exp"] {
            let ours = covariance(&returns, risk_model(name), frequency).unwrap();
            let theirs: Vec<Vec<f64>> = estimates[format!("covariance_{name}")]
                .as_array()
                .unwrap()
                .iter()
                .map(floats)
                .collect();
            let scale = theirs.iter().flatten().fold(0.0_f64, |m, v| m.max(v.abs()));
            for (i, row) in theirs.iter().enumerate() {
                for (j, b) in row.iter().enumerate() {
                    let a = ours.get(i, j);
                    assert!(
                        (a - b).abs() <= ESTIMATE_TOLERANCE * scale,
                        "{} covariance {name} ({i},{j}): {a} vs {b}",
                        case.name
                    );
                }
            }
        }
    }
}

#[test]
fn hrp_weights_match_pypfopt_to_1e9() {
    for case in cases() {
        let returns = simple_returns(&case.prices).unwrap();
        let ours = hrp(&returns).unwrap();
        let theirs = floats(&case.expected["hrp"]);
        let difference = max_difference(&ours, &theirs);
        assert!(
            difference <= HRP_TOLERANCE,
            "{}: HRP off by {difference:e}",
            case.name
        );
        assert!((ours.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn every_objective_is_at_least_as_good_as_pypfopt() {
    let mut worst_weights: f64 = 0.0;
    let mut worst_objective = f64::MIN;
    let mut worst_violation: f64 = 0.0;
    let mut checked = 0;
    for case in cases() {
        let returns = simple_returns(&case.prices).unwrap();
        let frequency = case.expected["frequency"].as_f64().unwrap();
        for problem in case.expected["problems"].as_array().unwrap() {
            let mu = expected_returns(
                &returns,
                return_model(problem["returns"].as_str().unwrap()),
                frequency,
            )
            .unwrap();
            let cov = covariance(
                &returns,
                risk_model(problem["covariance"].as_str().unwrap()),
                frequency,
            )
            .unwrap();
            let constraints = constraints_of(&case.symbols, problem);
            let gamma = problem.get("gamma").and_then(Value::as_f64).unwrap_or(0.0);
            let optimiser = MeanVariance::new(&mu, &cov, &constraints, gamma).unwrap();
            for result in problem["results"].as_array().unwrap() {
                let objective = objective_of(result);
                let label = format!("{} {:?} {objective:?}", case.name, problem["covariance"]);
                let ours = optimiser.solve(objective);
                if let Some(error) = result.get("error") {
                    let ours_error =
                        ours.expect_err(&format!("{label}: PyPortfolioOpt said {error}"));
                    assert!(
                        ours_error.to_string().contains("out of reach"),
                        "{label}: {ours_error}"
                    );
                    continue;
                }
                let weights = ours.unwrap_or_else(|e| panic!("{label}: {e}"));
                let theirs = floats(&result["weights"]);
                let violation = constraints.violation(&weights);
                assert!(
                    violation <= CONSTRAINT_SLACK,
                    "{label}: constraints violated by {violation:e}"
                );
                let ours_value = objective_value(objective, &weights, &mu, &cov, gamma);
                let theirs_value = objective_value(objective, &theirs, &mu, &cov, gamma);
                worst_objective = worst_objective.max(ours_value - theirs_value);
                worst_violation = worst_violation.max(violation);
                assert!(
                    ours_value <= theirs_value + OBJECTIVE_SLACK * theirs_value.abs().max(1.0),
                    "{label}: objective {ours_value} worse than PyPortfolioOpt's {theirs_value}"
                );
                match objective {
                    Objective::EfficientRisk { target_volatility } => {
                        let volatility = cov.quadratic_form(&weights).sqrt();
                        assert!(
                            volatility <= target_volatility + CONSTRAINT_SLACK,
                            "{label}: {volatility}"
                        );
                    }
                    Objective::EfficientReturn { target_return } => {
                        let ret: f64 = weights.iter().zip(&mu).map(|(a, b)| a * b).sum();
                        assert!(ret >= target_return - CONSTRAINT_SLACK, "{label}: {ret}");
                    }
                    _ => {}
                }
                let difference = max_difference(&weights, &theirs);
                worst_weights = worst_weights.max(difference);
                assert!(
                    difference <= WEIGHT_TOLERANCE,
                    "{label}: weights off by {difference:e}"
                );
                checked += 1;
            }
            if let Some(frontier) = problem.get("frontier").and_then(Value::as_array) {
                let ours = optimiser.frontier(frontier.len()).unwrap();
                for (point, reference) in ours.iter().zip(frontier) {
                    let target = reference["target"].as_f64().unwrap();
                    assert!(point.expected_return >= target - CONSTRAINT_SLACK);
                    assert!(constraints.violation(&point.weights) <= CONSTRAINT_SLACK);
                    let difference = max_difference(&point.weights, &floats(&reference["weights"]));
                    worst_weights = worst_weights.max(difference);
                    assert!(
                        difference <= WEIGHT_TOLERANCE,
                        "{} frontier at {target}: {difference:e}",
                        case.name
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} golden portfolios checked");
    eprintln!(
        "{checked} portfolios; weights at most {worst_weights:e} from PyPortfolioOpt's; \
         objective at most {worst_objective:e} above theirs; constraints violated by at most \
         {worst_violation:e}"
    );
}
