//! Optimality, not examples: on random problems the optimisers' weights are feasible and meet
//! the KKT conditions (stationarity on the free assets, signs of the bound multipliers), match
//! closed forms where constraints are inactive, and beat other feasible portfolios.

use analytics::AnalyticsError;
use analytics::optimize::{
    CovarianceMatrix, MeanVariance, Objective, WeightConstraints, hrp, risk_contributions,
    risk_parity,
};

/// xorshift64*: deterministic random problems without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A random annualised covariance (factor model plus noise) and expected returns.
fn problem(random: &mut Random, n: usize) -> (Vec<f64>, CovarianceMatrix, Vec<String>) {
    let samples = 3 * n + 20;
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..samples).map(|_| random.normal() * 0.01).collect())
        .collect();
    let factor: Vec<f64> = (0..samples).map(|_| random.normal() * 0.01).collect();
    let columns: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            let loading = random.next() * 1.5;
            c.iter()
                .zip(&factor)
                .map(|(x, f)| x + loading * f)
                .collect()
        })
        .collect();
    let cov =
        analytics::optimize::covariance(&columns, analytics::optimize::RiskModel::Sample, 252.0)
            .unwrap();
    let mu: Vec<f64> = (0..n).map(|_| random.normal() * 0.1 + 0.05).collect();
    let names = (0..n).map(|i| format!("A{i}")).collect();
    (mu, cov, names)
}

/// Checks `∇f + ν·1 + Σ λₖ ∇hₖ` vanishes on the assets strictly inside their bounds, with
/// λ ≥ 0 for the active inequalities `hₖ ≤ 0`, and that its sign at an asset on a bound is the
/// one a non-negative bound multiplier needs.
fn assert_kkt(
    label: &str,
    gradient: &[f64],
    active: &[Vec<f64>],
    weights: &[f64],
    constraints: &WeightConstraints,
) {
    let n = weights.len();
    let (lower, upper) = (constraints.lower(), constraints.upper());
    let scale = gradient
        .iter()
        .fold(0.0_f64, |m, g| m.max(g.abs()))
        .max(1e-12);
    let free: Vec<usize> = (0..n)
        .filter(|&i| weights[i] > lower[i] + 1e-7 && weights[i] < upper[i] - 1e-7)
        .collect();
    if free.is_empty() && active.is_empty() {
        // Every asset on a bound: some ν must make each lower-bound residual ≥ 0 and each
        // upper-bound residual ≤ 0, i.e. max over lower of −gᵢ ≤ min over upper of −gᵢ.
        let at_lower = (0..n).filter(|&i| weights[i] <= lower[i] + 1e-7 && upper[i] > lower[i]);
        let at_upper = (0..n).filter(|&i| weights[i] >= upper[i] - 1e-7 && upper[i] > lower[i]);
        let floor = at_lower.map(|i| -gradient[i]).fold(f64::MIN, f64::max);
        let ceiling = at_upper.map(|i| -gradient[i]).fold(f64::MAX, f64::min);
        assert!(
            floor <= ceiling + 1e-6 * scale,
            "{label}: no multiplier fits: {floor} > {ceiling}"
        );
        return;
    }
    if free.len() < 1 + active.len() {
        // Too few free assets to pin every multiplier; the other tests cover these vertices.
        return;
    }
    // Least squares for the multipliers (ν, λ…) on the free assets.
    let columns: Vec<Vec<f64>> = std::iter::once(vec![1.0; n])
        .chain(active.iter().cloned())
        .collect();
    let k = columns.len();
    let mut normal = vec![0.0; k * k];
    let mut rhs = vec![0.0; k];
    for &i in &free {
        for a in 0..k {
            rhs[a] -= columns[a][i] * gradient[i];
            for b in 0..k {
                normal[a * k + b] += columns[a][i] * columns[b][i];
            }
        }
    }
    let multipliers = solve_small(&mut normal, &mut rhs, k);
    let residual =
        |i: usize| gradient[i] + (0..k).map(|a| multipliers[a] * columns[a][i]).sum::<f64>();
    for &i in &free {
        assert!(
            residual(i).abs() <= 1e-6 * scale,
            "{label}: stationarity fails at free asset {i}: {} (scale {scale})",
            residual(i)
        );
    }
    for lambda in &multipliers[1..] {
        assert!(
            *lambda >= -1e-6 * scale,
            "{label}: negative multiplier {lambda}"
        );
    }
    for i in (0..n).filter(|i| !free.contains(i)) {
        let r = residual(i);
        if weights[i] <= lower[i] + 1e-7 && weights[i] < upper[i] - 1e-7 {
            assert!(
                r >= -1e-6 * scale,
                "{label}: asset {i} at its lower bound wants to grow: {r}"
            );
        } else if weights[i] >= upper[i] - 1e-7 && weights[i] > lower[i] + 1e-7 {
            assert!(
                r <= 1e-6 * scale,
                "{label}: asset {i} at its upper bound wants to shrink: {r}"
            );
        }
    }
}

/// Gaussian elimination with partial pivoting for the 1–3 multipliers.
fn solve_small(matrix: &mut [f64], rhs: &mut [f64], k: usize) -> Vec<f64> {
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&a, &b| {
                matrix[a * k + col]
                    .abs()
                    .total_cmp(&matrix[b * k + col].abs())
            })
            .unwrap();
        for j in 0..k {
            matrix.swap(col * k + j, pivot * k + j);
        }
        rhs.swap(col, pivot);
        let diagonal = matrix[col * k + col];
        if diagonal.abs() < 1e-300 {
            continue;
        }
        for row in col + 1..k {
            let factor = matrix[row * k + col] / diagonal;
            for j in col..k {
                matrix[row * k + j] -= factor * matrix[col * k + j];
            }
            rhs[row] -= factor * rhs[col];
        }
    }
    let mut x = vec![0.0; k];
    for row in (0..k).rev() {
        let diagonal = matrix[row * k + row];
        if diagonal.abs() < 1e-300 {
            continue;
        }
        let tail: f64 = (row + 1..k).map(|j| matrix[row * k + j] * x[j]).sum();
        x[row] = (rhs[row] - tail) / diagonal;
    }
    x
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn mean_variance_solutions_meet_kkt_conditions_on_random_problems() {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    for trial in 0..24 {
        let n = 2 + trial % 11;
        let (mu, cov, names) = problem(&mut random, n);
        let upper = (1.5 / n as f64).clamp(0.3, 1.0);
        let constraints = WeightConstraints::long_only(&names)
            .with_bounds(0.0, upper)
            .unwrap();
        let gamma = if trial % 3 == 0 { 0.05 } else { 0.0 };
        let optimiser = MeanVariance::new(&mu, &cov, &constraints, gamma).unwrap();
        let label = format!("trial {trial} (n = {n}, γ = {gamma})");
        let penalty = |w: &[f64]| w.iter().map(|x| 2.0 * gamma * x).collect::<Vec<f64>>();

        let w = optimiser.solve(Objective::MinVolatility).unwrap();
        assert!(constraints.violation(&w) <= 1e-9);
        let g: Vec<f64> = cov
            .times(&w)
            .iter()
            .zip(penalty(&w))
            .map(|(s, p)| 2.0 * s + p)
            .collect();
        assert_kkt(&format!("{label} min-vol"), &g, &[], &w, &constraints);

        let risk_aversion = 0.5 + 4.0 * random.next();
        let w = optimiser
            .solve(Objective::MaxUtility { risk_aversion })
            .unwrap();
        let g: Vec<f64> = (0..n)
            .map(|i| -mu[i] + risk_aversion * cov.times(&w)[i] + penalty(&w)[i])
            .collect();
        assert_kkt(&format!("{label} max-utility"), &g, &[], &w, &constraints);

        let (_, highest) = optimiser.max_return().unwrap();
        let lowest = dot(&optimiser.solve(Objective::MinVolatility).unwrap(), &mu);
        let target = lowest + 0.6 * (highest - lowest);
        let w = optimiser
            .solve(Objective::EfficientReturn {
                target_return: target,
            })
            .unwrap();
        assert!(dot(&w, &mu) >= target - 1e-9 && constraints.violation(&w) <= 1e-9);
        let g: Vec<f64> = cov
            .times(&w)
            .iter()
            .zip(penalty(&w))
            .map(|(s, p)| 2.0 * s + p)
            .collect();
        let h: Vec<f64> = mu.iter().map(|m| -m).collect();
        assert_kkt(
            &format!("{label} efficient-return"),
            &g,
            &[h],
            &w,
            &constraints,
        );

        if gamma == 0.0 && highest > 0.0 {
            let w = optimiser
                .solve(Objective::MaxSharpe {
                    risk_free_rate: 0.0,
                })
                .unwrap();
            assert!(constraints.violation(&w) <= 1e-9);
            let sigma_w = cov.times(&w);
            let (ret, variance) = (dot(&w, &mu), dot(&w, &sigma_w));
            let sigma = variance.sqrt();
            // −∇ Sharpe.
            let g: Vec<f64> = (0..n)
                .map(|i| -(mu[i] / sigma - ret * sigma_w[i] / (variance * sigma)))
                .collect();
            assert_kkt(&format!("{label} max-sharpe"), &g, &[], &w, &constraints);

            let floor = cov
                .quadratic_form(&optimiser.solve(Objective::MinVolatility).unwrap())
                .sqrt();
            let w = optimiser
                .solve(Objective::EfficientRisk {
                    target_volatility: floor * 1.2,
                })
                .unwrap();
            let variance = cov.quadratic_form(&w);
            assert!(variance.sqrt() <= floor * 1.2 + 1e-9);
            let g: Vec<f64> = mu.iter().map(|m| -m).collect();
            let h: Vec<f64> = cov.times(&w).iter().map(|s| 2.0 * s).collect();
            if variance.sqrt() > floor * 1.2 - 1e-7 {
                assert_kkt(
                    &format!("{label} efficient-risk"),
                    &g,
                    &[h],
                    &w,
                    &constraints,
                );
            } else {
                assert_kkt(
                    &format!("{label} efficient-risk"),
                    &g,
                    &[],
                    &w,
                    &constraints,
                );
            }
        }
    }
}

#[test]
fn unconstrained_problems_match_their_closed_forms() {
    let mut random = Random(42);
    for n in [2, 5, 12] {
        let (mu, cov, names) = problem(&mut random, n);
        let constraints = WeightConstraints::long_only(&names)
            .with_bounds(-50.0, 50.0)
            .unwrap();
        let optimiser = MeanVariance::new(&mu, &cov, &constraints, 0.0).unwrap();
        let solve = |rhs: &[f64]| {
            let rows = cov.to_rows();
            let mut flat: Vec<f64> = rows.concat();
            let mut b = rhs.to_vec();
            let x = solve_small(&mut flat, &mut b, n);
            let total: f64 = x.iter().sum();
            x.iter().map(|v| v / total).collect::<Vec<f64>>()
        };
        let expected = solve(&vec![1.0; n]);
        let w = optimiser.solve(Objective::MinVolatility).unwrap();
        for (a, b) in w.iter().zip(&expected) {
            assert!(
                (a - b).abs() < 1e-7,
                "n = {n}: min-vol {w:?} vs {expected:?}"
            );
        }
        let excess: Vec<f64> = mu.iter().map(|m| m - 0.01).collect();
        let expected = solve(&excess);
        if dot(&expected, &excess) > 0.0 {
            let w = optimiser
                .solve(Objective::MaxSharpe {
                    risk_free_rate: 0.01,
                })
                .unwrap();
            for (a, b) in w.iter().zip(&expected) {
                assert!(
                    (a - b).abs() < 1e-6,
                    "n = {n}: max-sharpe {w:?} vs {expected:?}"
                );
            }
        }
    }
}

#[test]
fn category_bounds_hold_and_no_feasible_portfolio_is_less_risky() {
    let mut random = Random(7);
    for trial in 0..10 {
        let (mu, cov, names) = problem(&mut random, 8);
        let constraints = WeightConstraints::long_only(&names)
            .with_bounds(0.0, 0.4)
            .unwrap()
            .with_group("energy", &["A0", "A1", "A2"], 0.3, 0.5)
            .unwrap()
            .with_group("metals", &["A3", "A4"], 0.0, 0.2)
            .unwrap();
        let optimiser = MeanVariance::new(&mu, &cov, &constraints, 0.0).unwrap();
        let best = optimiser.solve(Objective::MinVolatility).unwrap();
        assert!(constraints.violation(&best) <= 1e-9, "trial {trial}");
        let floor = cov.quadratic_form(&best);
        // Other feasible portfolios: utility maximisers and their mixtures with the optimum.
        for risk_aversion in [0.5, 2.0, 10.0, 100.0] {
            let other = optimiser
                .solve(Objective::MaxUtility { risk_aversion })
                .unwrap();
            for t in [0.1, 0.5, 1.0] {
                let mix: Vec<f64> = best
                    .iter()
                    .zip(&other)
                    .map(|(a, b)| (1.0 - t) * a + t * b)
                    .collect();
                assert!(cov.quadratic_form(&mix) >= floor - 1e-12, "trial {trial}");
            }
        }
        let sharpe = |w: &[f64]| (dot(w, &mu) - 0.0) / cov.quadratic_form(w).sqrt();
        if let Ok(top) = optimiser.solve(Objective::MaxSharpe {
            risk_free_rate: 0.0,
        }) {
            assert!(constraints.violation(&top) <= 1e-9);
            for t in [0.05, 0.3] {
                let mix: Vec<f64> = top
                    .iter()
                    .zip(&best)
                    .map(|(a, b)| (1.0 - t) * a + t * b)
                    .collect();
                assert!(sharpe(&top) >= sharpe(&mix) - 1e-9, "trial {trial}");
            }
        }
    }
}

#[test]
fn targets_out_of_reach_are_clear_errors() {
    let mut random = Random(99);
    let (mu, cov, names) = problem(&mut random, 4);
    let constraints = WeightConstraints::long_only(&names);
    let optimiser = MeanVariance::new(&mu, &cov, &constraints, 0.0).unwrap();
    let highest = mu.iter().cloned().fold(f64::MIN, f64::max);
    let error = optimiser
        .solve(Objective::EfficientReturn {
            target_return: highest + 0.1,
        })
        .unwrap_err();
    assert!(matches!(error, AnalyticsError::Infeasible(_)));
    assert!(
        error.to_string().contains("highest expected return"),
        "{error}"
    );
    let error = optimiser
        .solve(Objective::EfficientRisk {
            target_volatility: 1e-6,
        })
        .unwrap_err();
    assert!(error.to_string().contains("lowest volatility"), "{error}");
    let error = optimiser
        .solve(Objective::MaxSharpe {
            risk_free_rate: highest + 0.01,
        })
        .unwrap_err();
    assert!(error.to_string().contains("risk-free rate"), "{error}");
}

#[test]
fn infeasible_constraints_fail_before_solving_with_the_clash_named() {
    let names: Vec<String> = ["GOLD", "OIL", "GAS"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (mu, cov) = (
        vec![0.1, 0.2, 0.15],
        CovarianceMatrix::from_rows(&[
            vec![0.04, 0.01, 0.0],
            vec![0.01, 0.09, 0.02],
            vec![0.0, 0.02, 0.06],
        ])
        .unwrap(),
    );
    let constraints = WeightConstraints::long_only(&names)
        .with_bounds(0.0, 0.3)
        .unwrap();
    let error = MeanVariance::new(&mu, &cov, &constraints, 0.0).unwrap_err();
    assert_eq!(error.to_string(), "bounds sum to at most 0.9 < 1");
}

#[test]
fn risk_parity_equalises_risk_contributions() {
    let mut random = Random(3);
    for n in [2, 3, 7, 20, 50] {
        let (_, cov, _) = problem(&mut random, n);
        let w = risk_parity(&cov).unwrap();
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(w.iter().all(|x| *x > 0.0));
        for share in risk_contributions(&w, &cov) {
            assert!((share - 1.0 / n as f64).abs() < 1e-10, "n = {n}: {share}");
        }
    }
}

#[test]
fn hrp_weights_are_positive_and_sum_to_one() {
    let mut random = Random(11);
    for n in [1, 2, 9, 30] {
        let returns: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..120).map(|_| random.normal() * 0.01).collect())
            .collect();
        let w = hrp(&returns).unwrap();
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12, "n = {n}");
        assert!(w.iter().all(|x| *x > 0.0));
    }
}
