//! A dense symmetric matrix (covariances) and the little linear algebra the optimisers need.

use crate::AnalyticsError;

/// A square matrix of `size × size` values stored row by row; here always a covariance.
#[derive(Debug, Clone, PartialEq)]
pub struct CovarianceMatrix {
    size: usize,
    values: Vec<f64>,
}

impl CovarianceMatrix {
    /// Builds a matrix from its rows; every row must have as many values as there are rows,
    /// all finite, and the matrix must be symmetric (to 1e-12 relative).
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self, AnalyticsError> {
        let size = rows.len();
        if size == 0 {
            return Err(AnalyticsError::InvalidInput(
                "the covariance matrix is empty".into(),
            ));
        }
        let mut values = Vec::with_capacity(size * size);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != size {
                return Err(AnalyticsError::InvalidInput(format!(
                    "covariance row {} has {} values, expected {size}",
                    i + 1,
                    row.len()
                )));
            }
            if row.iter().any(|v| !v.is_finite()) {
                return Err(AnalyticsError::InvalidInput(format!(
                    "covariance row {} holds a value that is not a finite number",
                    i + 1
                )));
            }
            values.extend_from_slice(row);
        }
        let matrix = Self { size, values };
        for i in 0..size {
            for j in 0..i {
                let (a, b) = (matrix.get(i, j), matrix.get(j, i));
                if (a - b).abs() > 1e-12 * a.abs().max(b.abs()).max(f64::MIN_POSITIVE) {
                    return Err(AnalyticsError::InvalidInput(format!(
                        "the covariance matrix is not symmetric at ({}, {})",
                        i + 1,
                        j + 1
                    )));
                }
            }
        }
        Ok(matrix)
    }

    /// Wraps row-major values the estimators computed (symmetric by construction).
    pub(crate) fn from_row_major(size: usize, values: Vec<f64>) -> Self {
        debug_assert_eq!(values.len(), size * size);
        Self { size, values }
    }

    /// The number of assets (rows).
    pub fn size(&self) -> usize {
        self.size
    }

    /// The value at row `i`, column `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.size + j]
    }

    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.size..(i + 1) * self.size]
    }

    /// The rows as vectors, for callers that serialise the matrix.
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        (0..self.size).map(|i| self.row(i).to_vec()).collect()
    }

    /// `Σ w`.
    pub fn times(&self, weights: &[f64]) -> Vec<f64> {
        (0..self.size).map(|i| dot(self.row(i), weights)).collect()
    }

    /// `wᵀ Σ w`, the portfolio variance.
    pub fn quadratic_form(&self, weights: &[f64]) -> f64 {
        dot(weights, &self.times(weights))
    }

    /// A lower-triangular `L` (row-major) with `L Lᵀ = Σ`, for the second-order cone of a
    /// volatility target. A positive semidefinite Σ may have zero pivots (an asset that is a
    /// combination of others); those columns are left at zero, which keeps `L Lᵀ = Σ` to
    /// rounding instead of failing as a plain Cholesky would.
    pub(crate) fn semidefinite_cholesky(&self) -> Result<Vec<f64>, AnalyticsError> {
        let n = self.size;
        let scale = (0..n).map(|i| self.get(i, i)).fold(0.0_f64, f64::max);
        let tolerance = scale * 1e-14 * n as f64;
        let mut lower = vec![0.0; n * n];
        for j in 0..n {
            let mut pivot = self.get(j, j);
            for k in 0..j {
                pivot -= lower[j * n + k] * lower[j * n + k];
            }
            if pivot < -1e-8 * scale.max(f64::MIN_POSITIVE) {
                return Err(AnalyticsError::InvalidInput(
                    "the covariance matrix is not positive semidefinite".into(),
                ));
            }
            if pivot <= tolerance {
                continue;
            }
            let root = pivot.sqrt();
            lower[j * n + j] = root;
            for i in j + 1..n {
                let mut value = self.get(i, j);
                for k in 0..j {
                    value -= lower[i * n + k] * lower[j * n + k];
                }
                lower[i * n + j] = value / root;
            }
        }
        Ok(lower)
    }
}

/// The dot product of two equally long slices.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `A x = b` for a symmetric positive definite `A` (row-major) by Cholesky; `None` when
/// `A` is not positive definite.
pub(crate) fn solve_positive_definite(matrix: &[f64], rhs: &[f64]) -> Option<Vec<f64>> {
    Some(Cholesky::factor(matrix, rhs.len())?.solve(rhs))
}

/// The Cholesky factor `L` (`A = L Lᵀ`) of a symmetric positive definite matrix, to solve
/// several right-hand sides with one factorisation.
pub(crate) struct Cholesky {
    size: usize,
    lower: Vec<f64>,
}

impl Cholesky {
    /// Factors the `size × size` row-major `matrix`; `None` when it is not positive definite.
    pub(crate) fn factor(matrix: &[f64], size: usize) -> Option<Self> {
        let n = size;
        let mut lower = vec![0.0; n * n];
        for j in 0..n {
            let mut pivot = matrix[j * n + j];
            for k in 0..j {
                pivot -= lower[j * n + k] * lower[j * n + k];
            }
            if pivot <= 0.0 || !pivot.is_finite() {
                return None;
            }
            let root = pivot.sqrt();
            lower[j * n + j] = root;
            for i in j + 1..n {
                let mut value = matrix[i * n + j];
                for k in 0..j {
                    value -= lower[i * n + k] * lower[j * n + k];
                }
                lower[i * n + j] = value / root;
            }
        }
        Some(Self { size, lower })
    }

    /// `x` with `A x = rhs`.
    pub(crate) fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let (n, lower) = (self.size, &self.lower);
        let mut y = vec![0.0; n];
        for i in 0..n {
            let mut value = rhs[i];
            for k in 0..i {
                value -= lower[i * n + k] * y[k];
            }
            y[i] = value / lower[i * n + i];
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let mut value = y[i];
            for k in i + 1..n {
                value -= lower[k * n + i] * x[k];
            }
            x[i] = value / lower[i * n + i];
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semidefinite_cholesky_reproduces_a_singular_matrix() {
        // The third asset is the sum of the first two: rank 2.
        let rows = vec![
            vec![4.0, 1.0, 5.0],
            vec![1.0, 2.0, 3.0],
            vec![5.0, 3.0, 8.0],
        ];
        let matrix = CovarianceMatrix::from_rows(&rows).unwrap();
        let lower = matrix.semidefinite_cholesky().unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let value: f64 = (0..3).map(|k| lower[i * 3 + k] * lower[j * 3 + k]).sum();
                assert!((value - rows[i][j]).abs() < 1e-12, "{i},{j}: {value}");
            }
        }
    }

    #[test]
    fn positive_definite_solve_matches_a_known_answer() {
        let x = solve_positive_definite(&[4.0, 1.0, 1.0, 3.0], &[1.0, 2.0]).unwrap();
        assert!((4.0 * x[0] + x[1] - 1.0).abs() < 1e-14);
        assert!((x[0] + 3.0 * x[1] - 2.0).abs() < 1e-14);
        assert!(solve_positive_definite(&[1.0, 2.0, 2.0, 1.0], &[1.0, 1.0]).is_none());
    }

    #[test]
    fn asymmetric_rows_are_rejected() {
        let error = CovarianceMatrix::from_rows(&[vec![1.0, 0.5], vec![0.4, 1.0]]).unwrap_err();
        assert!(error.to_string().contains("not symmetric"));
    }
}
