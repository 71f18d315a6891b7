//! Mean-variance optimisation as PyPortfolioOpt 1.6.0's `EfficientFrontier` states it, solved
//! by Clarabel.
//!
//! The objectives (γ the optional L2 regularisation, `γ‖w‖²` as `objective_functions.L2_reg`):
//! - min-volatility: minimise `wᵀΣw + γ‖w‖²`;
//! - efficient-return: the same with `μᵀw ≥ target`;
//! - efficient-risk: minimise `−μᵀw + γ‖w‖²` with `wᵀΣw ≤ target²` (a second-order cone);
//! - max-utility: minimise `−μᵀw + ½δ wᵀΣw + γ‖w‖²`;
//! - max-sharpe: Cornuéjols and Tütüncü's change of variables `y = k w`, `k ≥ 0`: minimise
//!   `yᵀΣy + γ‖y‖²` with `(μ − r_f)ᵀy = 1`, `Σy = k` and every linear constraint `aᵀw ≤ c`
//!   rewritten `aᵀy ≤ c k`; then `w = y / k`. As in PyPortfolioOpt the L2 term applies to
//!   `y`, not `w`.
//!
//! Every weight vector sums to 1 and meets the [`WeightConstraints`]; the constraints are
//! checked first so a clash is reported as a sentence rather than as a solver status.

use crate::AnalyticsError;

use super::constraints::{WeightConstraints, number};
use super::frontier_path::BoxProblem;
use super::matrix::{CovarianceMatrix, dot};
use super::qp::{QuadraticProgram, Row};

/// What the optimiser aims for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// The lowest volatility.
    MinVolatility,
    /// The highest Sharpe ratio at the given annual risk-free rate.
    MaxSharpe {
        /// Annual risk-free rate.
        risk_free_rate: f64,
    },
    /// The highest expected return at no more than the target annual volatility.
    EfficientRisk {
        /// The annual volatility not to exceed.
        target_volatility: f64,
    },
    /// The lowest volatility at no less than the target annual return.
    EfficientReturn {
        /// The annual expected return to reach.
        target_return: f64,
    },
    /// The highest quadratic utility `μᵀw − ½δ wᵀΣw`.
    MaxUtility {
        /// δ > 0.
        risk_aversion: f64,
    },
}

/// One point of the efficient frontier.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FrontierPoint {
    /// Annual expected return `μᵀw`.
    pub expected_return: f64,
    /// Annual volatility `√(wᵀΣw)`.
    pub volatility: f64,
    /// The weights, in asset order.
    pub weights: Vec<f64>,
}

/// A mean-variance problem: the estimates, the constraints and the L2 penalty.
#[derive(Debug, Clone)]
pub struct MeanVariance<'a> {
    expected_returns: &'a [f64],
    covariance: &'a CovarianceMatrix,
    constraints: &'a WeightConstraints,
    l2_gamma: f64,
}

impl<'a> MeanVariance<'a> {
    /// Checks the sizes agree, γ ≥ 0 and that the constraints admit a portfolio.
    pub fn new(
        expected_returns: &'a [f64],
        covariance: &'a CovarianceMatrix,
        constraints: &'a WeightConstraints,
        l2_gamma: f64,
    ) -> Result<Self, AnalyticsError> {
        let n = covariance.size();
        if expected_returns.len() != n || constraints.names().len() != n {
            return Err(AnalyticsError::InvalidInput(format!(
                "{} expected returns, {} constraint assets and a {n}×{n} covariance do not match",
                expected_returns.len(),
                constraints.names().len()
            )));
        }
        if expected_returns.iter().any(|r| !r.is_finite()) {
            return Err(AnalyticsError::InvalidInput(
                "an expected return is not a finite number".into(),
            ));
        }
        if !(l2_gamma.is_finite() && l2_gamma >= 0.0) {
            return Err(AnalyticsError::InvalidParameter(format!(
                "the L2 regularisation gamma must be zero or positive, got {l2_gamma}"
            )));
        }
        constraints.check_feasible()?;
        Ok(Self {
            expected_returns,
            covariance,
            constraints,
            l2_gamma,
        })
    }

    /// The optimal weights for `objective`.
    pub fn solve(&self, objective: Objective) -> Result<Vec<f64>, AnalyticsError> {
        match objective {
            Objective::MinVolatility => self.min_volatility(self.l2_gamma),
            Objective::EfficientReturn { target_return } => {
                check_finite("target return", target_return)?;
                let (_, highest) = self.max_return()?;
                if target_return > highest + 1e-12 {
                    return Err(AnalyticsError::Infeasible(format!(
                        "target return {} is out of reach: the highest expected return these \
                         constraints allow is {}",
                        number(target_return),
                        number(highest)
                    )));
                }
                self.efficient_return(target_return)
            }
            Objective::EfficientRisk { target_volatility } => {
                self.efficient_risk(target_volatility)
            }
            Objective::MaxUtility { risk_aversion } => {
                if !(risk_aversion.is_finite() && risk_aversion > 0.0) {
                    return Err(AnalyticsError::InvalidParameter(format!(
                        "risk aversion must be positive, got {risk_aversion}"
                    )));
                }
                let mut program = self.program(self.l2_gamma);
                self.add_covariance(&mut program, risk_aversion);
                program.linear = self.expected_returns.iter().map(|r| -r).collect();
                self.finish(program.solve()?)
            }
            Objective::MaxSharpe { risk_free_rate } => self.max_sharpe(risk_free_rate),
        }
    }

    /// The highest expected return the constraints allow, and its weights (a linear program,
    /// without the L2 term, as PyPortfolioOpt's `_max_return`).
    pub fn max_return(&self) -> Result<(Vec<f64>, f64), AnalyticsError> {
        let mut program = self.program(0.0);
        program.linear = self.expected_returns.iter().map(|r| -r).collect();
        let weights = self.finish(program.solve()?)?;
        let highest = dot(&weights, self.expected_returns);
        Ok((weights, highest))
    }

    /// `points` portfolios of the efficient frontier, as PyPortfolioOpt's plotting draws it:
    /// efficient-return at targets evenly spaced from the min-volatility portfolio's return
    /// to the highest return less 1e-4.
    pub fn frontier(&self, points: usize) -> Result<Vec<FrontierPoint>, AnalyticsError> {
        if points < 2 {
            return Err(AnalyticsError::InvalidParameter(format!(
                "a frontier needs at least 2 points, got {points}"
            )));
        }
        let start = self.min_volatility(self.l2_gamma)?;
        let lowest = dot(&start, self.expected_returns);
        let (_, highest) = self.max_return()?;
        // The 1e-4 margin keeps the last point off the vertex where only one portfolio is
        // feasible; a frontier narrower than that spans the whole interval instead.
        let top = if highest - 1e-4 > lowest {
            highest - 1e-4
        } else {
            highest
        };
        let step = (top - lowest) / (points - 1) as f64;
        let targets: Vec<f64> = (0..points)
            .map(|k| {
                if k + 1 == points {
                    top
                } else {
                    lowest + step * k as f64
                }
            })
            .collect();
        let point = |weights: Vec<f64>| FrontierPoint {
            expected_return: dot(&weights, self.expected_returns),
            volatility: self.covariance.quadratic_form(&weights).max(0.0).sqrt(),
            weights,
        };
        // With bounds only, the critical line gives every point exactly in a few linear
        // solves; otherwise (groups), or if the trace cannot be exact, one solve per point.
        if self.constraints.groups().is_empty()
            && let Some(traced) = self.trace(&start, &targets)
        {
            return traced
                .into_iter()
                .map(|weights| Ok(point(self.finish(weights)?)))
                .collect();
        }
        targets
            .iter()
            .map(|&target| Ok(point(self.efficient_return(target)?)))
            .collect()
    }

    /// The frontier's weights at `targets` by the critical line from `start`.
    fn trace(&self, start: &[f64], targets: &[f64]) -> Option<Vec<Vec<f64>>> {
        let n = self.covariance.size();
        let mut quadratic = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                quadratic[i * n + j] = 2.0 * self.covariance.get(i, j);
            }
            quadratic[i * n + i] += 2.0 * self.l2_gamma;
        }
        BoxProblem {
            quadratic: &quadratic,
            returns: self.expected_returns,
            lower: self.constraints.lower(),
            upper: self.constraints.upper(),
        }
        .trace(start, targets)
    }

    fn min_volatility(&self, gamma: f64) -> Result<Vec<f64>, AnalyticsError> {
        let mut program = self.program(gamma);
        self.add_covariance(&mut program, 2.0);
        self.finish(program.solve()?)
    }

    fn efficient_return(&self, target: f64) -> Result<Vec<f64>, AnalyticsError> {
        let mut program = self.program(self.l2_gamma);
        self.add_covariance(&mut program, 2.0);
        program.inequalities.push(Row {
            coefficients: self.expected_returns.iter().map(|r| -r).collect(),
            bound: -target,
        });
        self.finish(program.solve()?)
    }

    fn efficient_risk(&self, target: f64) -> Result<Vec<f64>, AnalyticsError> {
        if !(target.is_finite() && target >= 0.0) {
            return Err(AnalyticsError::InvalidParameter(format!(
                "target volatility must be zero or positive, got {target}"
            )));
        }
        let least_risky = self.min_volatility(0.0)?;
        let lowest = self.covariance.quadratic_form(&least_risky).max(0.0).sqrt();
        if target < lowest * (1.0 - 1e-9) {
            return Err(AnalyticsError::Infeasible(format!(
                "target volatility {} is out of reach: the lowest volatility these constraints \
                 allow is {}",
                number(target),
                number(lowest)
            )));
        }
        // At the minimum itself the cone has no interior; its one point is the answer.
        if target <= lowest * (1.0 + 1e-9) {
            return Ok(least_risky);
        }
        let n = self.covariance.size();
        let lower = self.covariance.semidefinite_cholesky()?;
        // ‖Lᵀw‖² = wᵀ L Lᵀ w = wᵀΣw.
        let transpose: Vec<f64> = (0..n * n).map(|k| lower[(k % n) * n + k / n]).collect();
        let mut program = self.program(self.l2_gamma);
        program.linear = self.expected_returns.iter().map(|r| -r).collect();
        program.cone = Some((transpose, target));
        self.finish(program.solve()?)
    }

    fn max_sharpe(&self, risk_free_rate: f64) -> Result<Vec<f64>, AnalyticsError> {
        check_finite("risk-free rate", risk_free_rate)?;
        let (_, highest) = self.max_return()?;
        if highest <= risk_free_rate {
            return Err(AnalyticsError::Infeasible(format!(
                "no portfolio these constraints allow returns more than the risk-free rate {} \
                 (the highest expected return is {}), so no Sharpe ratio is positive",
                number(risk_free_rate),
                number(highest)
            )));
        }
        let n = self.covariance.size();
        let mut program = QuadraticProgram::new(n + 1);
        for i in 0..n {
            for j in 0..n {
                program.quadratic[i * (n + 1) + j] = 2.0 * self.covariance.get(i, j);
            }
            program.quadratic[i * (n + 1) + i] += 2.0 * self.l2_gamma;
        }
        let excess: Vec<f64> = self
            .expected_returns
            .iter()
            .map(|r| r - risk_free_rate)
            .chain([0.0])
            .collect();
        program.equalities.push(Row {
            coefficients: excess,
            bound: 1.0,
        });
        let (equalities, inequalities) = self.linear_constraints();
        let homogenise = |row: Row| Row {
            coefficients: row
                .coefficients
                .iter()
                .copied()
                .chain([-row.bound])
                .collect(),
            bound: 0.0,
        };
        program
            .equalities
            .extend(equalities.into_iter().map(homogenise));
        program
            .inequalities
            .extend(inequalities.into_iter().map(homogenise));
        let mut scale_nonnegative = vec![0.0; n + 1];
        scale_nonnegative[n] = -1.0;
        program.inequalities.push(Row {
            coefficients: scale_nonnegative,
            bound: 0.0,
        });
        let solution = program.solve()?;
        let scale = solution[n];
        if scale.is_nan() || scale <= 0.0 {
            return Err(AnalyticsError::SolverFailed(
                "the max-Sharpe solve returned no positive scale".into(),
            ));
        }
        self.finish(solution[..n].iter().map(|y| y / scale).collect())
    }

    /// An empty program over the weights with `Σw = 1`, the bounds and groups, and `γ‖w‖²`.
    fn program(&self, gamma: f64) -> QuadraticProgram {
        let n = self.covariance.size();
        let mut program = QuadraticProgram::new(n);
        for i in 0..n {
            program.quadratic[i * n + i] = 2.0 * gamma;
        }
        let (equalities, inequalities) = self.linear_constraints();
        program.equalities = equalities;
        program.inequalities = inequalities;
        program
    }

    /// Adds `scale/2 · wᵀΣw` to the objective (P += scale·Σ).
    fn add_covariance(&self, program: &mut QuadraticProgram, scale: f64) {
        let n = self.covariance.size();
        for i in 0..n {
            for j in 0..n {
                program.quadratic[i * n + j] += scale * self.covariance.get(i, j);
            }
        }
    }

    /// `Σw = 1`, then `w ≤ upper`, `−w ≤ −lower` and each group's two sides.
    fn linear_constraints(&self) -> (Vec<Row>, Vec<Row>) {
        let n = self.covariance.size();
        let c = self.constraints;
        let unit = |i: usize, sign: f64| {
            let mut coefficients = vec![0.0; n];
            coefficients[i] = sign;
            coefficients
        };
        let mut inequalities = Vec::with_capacity(2 * n + 2 * c.groups().len());
        for i in 0..n {
            inequalities.push(Row {
                coefficients: unit(i, 1.0),
                bound: c.upper()[i],
            });
            inequalities.push(Row {
                coefficients: unit(i, -1.0),
                bound: -c.lower()[i],
            });
        }
        for group in c.groups() {
            let mut members = vec![0.0; n];
            for &i in &group.members {
                members[i] = 1.0;
            }
            inequalities.push(Row {
                coefficients: members.clone(),
                bound: group.max,
            });
            inequalities.push(Row {
                coefficients: members.iter().map(|m| -m).collect(),
                bound: -group.min,
            });
        }
        let sum = Row {
            coefficients: vec![1.0; n],
            bound: 1.0,
        };
        (vec![sum], inequalities)
    }

    /// Removes the interior-point solver's last ~1e-10 of slack: weights are clipped into
    /// their bounds and the sum's remainder spread over the assets with room, so the
    /// constraints hold to rounding rather than to the solver's tolerance.
    fn finish(&self, mut weights: Vec<f64>) -> Result<Vec<f64>, AnalyticsError> {
        if weights.iter().any(|w| !w.is_finite()) {
            return Err(AnalyticsError::SolverFailed(
                "the solver returned weights that are not finite".into(),
            ));
        }
        let (lower, upper) = (self.constraints.lower(), self.constraints.upper());
        for ((w, lo), hi) in weights.iter_mut().zip(lower).zip(upper) {
            *w = w.clamp(*lo, *hi);
        }
        let remainder = 1.0 - weights.iter().sum::<f64>();
        let room: Vec<f64> = weights
            .iter()
            .zip(lower.iter().zip(upper))
            .map(|(w, (lo, hi))| if remainder > 0.0 { hi - w } else { w - lo })
            .collect();
        let total_room: f64 = room.iter().sum();
        if total_room > 0.0 {
            for (w, r) in weights.iter_mut().zip(&room) {
                *w += remainder * r / total_room;
            }
        }
        Ok(weights)
    }
}

fn check_finite(what: &str, value: f64) -> Result<(), AnalyticsError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidParameter(format!(
            "the {what} must be a finite number"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*, uniform in [0, 1).
    fn uniform(state: &mut u64) -> f64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A factor-model covariance `B Bᵀ + D` and spread-out expected returns.
    fn problem(state: &mut u64, n: usize) -> (Vec<f64>, CovarianceMatrix) {
        let factors = 3;
        let loadings: Vec<f64> = (0..n * factors).map(|_| uniform(state) * 0.3).collect();
        let mut values = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                values[i * n + j] = (0..factors)
                    .map(|f| loadings[i * factors + f] * loadings[j * factors + f])
                    .sum::<f64>();
            }
            values[i * n + i] += 0.01 + 0.05 * uniform(state);
        }
        let mu = (0..n).map(|_| uniform(state) * 0.3 - 0.05).collect();
        (mu, CovarianceMatrix::from_row_major(n, values))
    }

    #[test]
    fn the_traced_frontier_is_the_solved_one_and_never_worse() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut traced_count = 0;
        for case in 0..24 {
            let n = 3 + case % 12;
            let (mu, cov) = problem(&mut state, n);
            let names: Vec<String> = (0..n).map(|i| format!("A{i}")).collect();
            let mut constraints = WeightConstraints::long_only(&names);
            if case % 3 == 1 {
                constraints = constraints.with_bounds(0.0, 0.4).unwrap();
            }
            if case % 3 == 2 {
                constraints = constraints
                    .with_bounds(-0.2, 0.6)
                    .unwrap()
                    .with_asset_bounds("A0", 0.05, 0.3)
                    .unwrap();
            }
            let gamma = if case % 4 == 3 { 0.1 } else { 0.0 };
            let problem = MeanVariance::new(&mu, &cov, &constraints, gamma).unwrap();
            let start = problem.min_volatility(gamma).unwrap();
            let lowest = dot(&start, &mu);
            let (_, highest) = problem.max_return().unwrap();
            let top = highest - 1e-4;
            if top <= lowest {
                continue;
            }
            let targets: Vec<f64> = (0..20)
                .map(|k| lowest + (top - lowest) * k as f64 / 19.0)
                .collect();
            let Some(traced) = problem.trace(&start, &targets) else {
                continue;
            };
            traced_count += 1;
            let objective =
                |w: &[f64]| cov.quadratic_form(w) + gamma * w.iter().map(|x| x * x).sum::<f64>();
            for (weights, &target) in traced.iter().zip(&targets) {
                let solved = problem.efficient_return(target).unwrap();
                assert!(constraints.violation(weights) <= 1e-9, "case {case}");
                assert!(
                    objective(weights) <= objective(&solved) + 1e-9,
                    "case {case} at {target}: traced {} > solved {}",
                    objective(weights),
                    objective(&solved)
                );
                for (a, b) in weights.iter().zip(&solved) {
                    assert!((a - b).abs() < 1e-5, "case {case} at {target}: {a} vs {b}");
                }
            }
        }
        assert!(
            traced_count >= 20,
            "the trace gave up too often: {traced_count} of 24"
        );
    }
}
