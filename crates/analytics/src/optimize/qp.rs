//! A small dense front end to Clarabel, the interior-point conic solver cvxpy uses by
//! default: minimise `½ xᵀPx + qᵀx` under linear equalities, linear inequalities and at most
//! one second-order cone `‖F x‖ ≤ r`.
//!
//! Portfolio problems have at most a few hundred variables, so rows are built dense and
//! handed to Clarabel as compressed columns without the zeros.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettings, DefaultSolver, IPSolver, NonnegativeConeT, SecondOrderConeT, SolverStatus,
    SupportedConeT, ZeroConeT,
};

use crate::AnalyticsError;

/// One linear constraint `coefficients · x (=|≤) bound`.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub coefficients: Vec<f64>,
    pub bound: f64,
}

/// The problem: `½ xᵀPx + qᵀx`, equalities, inequalities (`≤`) and an optional cone.
#[derive(Debug, Clone)]
pub(crate) struct QuadraticProgram {
    /// The number of variables.
    pub variables: usize,
    /// `P`, row-major `variables × variables`, symmetric positive semidefinite.
    pub quadratic: Vec<f64>,
    /// `q`.
    pub linear: Vec<f64>,
    pub equalities: Vec<Row>,
    pub inequalities: Vec<Row>,
    /// `(F, r)` for `‖F x‖ ≤ r`, `F` row-major with `variables` columns.
    pub cone: Option<(Vec<f64>, f64)>,
}

impl QuadraticProgram {
    /// An empty problem (all-zero objective) in `variables` variables.
    pub fn new(variables: usize) -> Self {
        Self {
            variables,
            quadratic: vec![0.0; variables * variables],
            linear: vec![0.0; variables],
            equalities: Vec::new(),
            inequalities: Vec::new(),
            cone: None,
        }
    }

    /// Solves the problem to tight tolerances and returns `x`.
    pub fn solve(&self) -> Result<Vec<f64>, AnalyticsError> {
        let n = self.variables;
        // Clarabel reads the upper triangle of P only.
        let upper = column_major(n, n, |i, j| {
            if i <= j {
                self.quadratic[i * n + j]
            } else {
                0.0
            }
        });
        let mut rows: Vec<(&[f64], f64)> = Vec::new();
        for row in self.equalities.iter().chain(&self.inequalities) {
            rows.push((&row.coefficients, row.bound));
        }
        let mut b: Vec<f64> = rows.iter().map(|(_, bound)| *bound).collect();
        let cone_rows = self.cone.as_ref().map_or(0, |(f, _)| f.len() / n);
        let total_rows = rows.len() + usize::from(self.cone.is_some()) * (cone_rows + 1);
        let cone_start = rows.len();
        let a = column_major(total_rows, n, |i, j| {
            if i < cone_start {
                rows[i].0[j]
            } else if i == cone_start {
                0.0
            } else {
                // s = b − A x = F x, so A = −F below the radius row.
                let (f, _) = self
                    .cone
                    .as_ref()
                    .expect("cone rows exist only with a cone");
                -f[(i - cone_start - 1) * n + j]
            }
        });
        let mut cones: Vec<SupportedConeT<f64>> = Vec::new();
        if !self.equalities.is_empty() {
            cones.push(ZeroConeT(self.equalities.len()));
        }
        if !self.inequalities.is_empty() {
            cones.push(NonnegativeConeT(self.inequalities.len()));
        }
        if let Some((_, radius)) = &self.cone {
            b.push(*radius);
            b.extend(std::iter::repeat_n(0.0, cone_rows));
            cones.push(SecondOrderConeT(cone_rows + 1));
        }
        let settings = DefaultSettings {
            verbose: false,
            max_iter: 400,
            tol_gap_abs: 1e-11,
            tol_gap_rel: 1e-11,
            tol_feas: 1e-11,
            tol_ktratio: 1e-9,
            ..DefaultSettings::default()
        };
        // Dimensions agree by construction: every row has `variables` columns and the cones
        // cover exactly the rows pushed above.
        let mut solver = DefaultSolver::new(&upper, &self.linear, &a, &b, &cones, settings);
        solver.solve();
        match solver.solution.status {
            SolverStatus::Solved | SolverStatus::AlmostSolved => Ok(solver.solution.x.clone()),
            SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => Err(
                AnalyticsError::Infeasible("no portfolio meets all the constraints".into()),
            ),
            SolverStatus::DualInfeasible | SolverStatus::AlmostDualInfeasible => {
                Err(AnalyticsError::Infeasible(
                    "the objective is unbounded under these constraints (bound the weights)".into(),
                ))
            }
            status => Err(AnalyticsError::SolverFailed(format!(
                "the solver stopped without a solution ({status:?})"
            ))),
        }
    }
}

/// A compressed-column matrix from a dense entry function, skipping zeros.
fn column_major(
    rows: usize,
    columns: usize,
    entry: impl Fn(usize, usize) -> f64,
) -> CscMatrix<f64> {
    let mut column_starts = Vec::with_capacity(columns + 1);
    let mut row_indices = Vec::new();
    let mut values = Vec::new();
    column_starts.push(0);
    for j in 0..columns {
        for i in 0..rows {
            let value = entry(i, j);
            if value != 0.0 {
                row_indices.push(i);
                values.push(value);
            }
        }
        column_starts.push(values.len());
    }
    CscMatrix::new(rows, columns, column_starts, row_indices, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_constrained_quadratic_lands_on_its_bound() {
        // minimise (x − 2)² subject to x ≤ 1 → x = 1.
        let mut program = QuadraticProgram::new(1);
        program.quadratic[0] = 2.0;
        program.linear[0] = -4.0;
        program.inequalities.push(Row {
            coefficients: vec![1.0],
            bound: 1.0,
        });
        let x = program.solve().unwrap();
        assert!((x[0] - 1.0).abs() < 1e-9, "{x:?}");
    }

    #[test]
    fn a_cone_caps_the_norm() {
        // maximise x + y subject to ‖(x, y)‖ ≤ 1 → x = y = 1/√2.
        let mut program = QuadraticProgram::new(2);
        program.linear = vec![-1.0, -1.0];
        program.cone = Some((vec![1.0, 0.0, 0.0, 1.0], 1.0));
        let x = program.solve().unwrap();
        assert!(
            (x[0] - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-8,
            "{x:?}"
        );
    }

    #[test]
    fn contradictory_rows_are_reported_infeasible() {
        let mut program = QuadraticProgram::new(1);
        program.quadratic[0] = 1.0;
        program.equalities.push(Row {
            coefficients: vec![1.0],
            bound: 2.0,
        });
        program.inequalities.push(Row {
            coefficients: vec![1.0],
            bound: 1.0,
        });
        assert!(matches!(
            program.solve(),
            Err(AnalyticsError::Infeasible(_))
        ));
    }
}
