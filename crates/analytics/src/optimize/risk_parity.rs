//! Risk parity: long-only weights whose assets contribute equally to the portfolio variance,
//! `wᵢ (Σw)ᵢ = wᵀΣw / n` for every asset.
//!
//! PyPortfolioOpt has no risk parity; this follows Spinu (2013): the unique minimiser `y > 0`
//! of the strictly convex `½ yᵀΣy − (1/n) Σ ln yᵢ` has `yᵢ (Σy)ᵢ = 1/n`, so `w = y / Σy`.
//! Newton's method with a backtracking line search that keeps `y` positive converges
//! quadratically; it runs on the correlation matrix (`z = σ ∘ y`), which has a unit diagonal
//! whatever the assets' volatilities.

use crate::AnalyticsError;

use super::matrix::{CovarianceMatrix, dot, solve_positive_definite};

/// Newton steps allowed; a handful suffice from the inverse-volatility start.
const MAX_ITERATIONS: usize = 200;

/// The equal-risk-contribution weights of a covariance matrix (long only, summing to 1).
pub fn risk_parity(covariance: &CovarianceMatrix) -> Result<Vec<f64>, AnalyticsError> {
    let n = covariance.size();
    let volatilities: Vec<f64> = (0..n).map(|i| covariance.get(i, i).sqrt()).collect();
    if let Some(asset) = volatilities.iter().position(|v| v.is_nan() || *v <= 0.0) {
        return Err(AnalyticsError::InvalidInput(format!(
            "asset {} has no variance, so it has no risk to equalise",
            asset + 1
        )));
    }
    let correlation: Vec<f64> = (0..n * n)
        .map(|k| covariance.get(k / n, k % n) / (volatilities[k / n] * volatilities[k % n]))
        .collect();
    let budget = 1.0 / n as f64;
    let objective = |z: &[f64]| {
        let quadratic: f64 = (0..n)
            .map(|i| z[i] * dot(&correlation[i * n..(i + 1) * n], z))
            .sum();
        0.5 * quadratic - budget * z.iter().map(|v| v.ln()).sum::<f64>()
    };
    let mut z = vec![1.0 / (n as f64).sqrt(); n];
    let mut value = objective(&z);
    for _ in 0..MAX_ITERATIONS {
        let product: Vec<f64> = (0..n)
            .map(|i| dot(&correlation[i * n..(i + 1) * n], &z))
            .collect();
        let gradient: Vec<f64> = (0..n).map(|i| product[i] - budget / z[i]).collect();
        let mut hessian = correlation.clone();
        for i in 0..n {
            hessian[i * n + i] += budget / (z[i] * z[i]);
        }
        let step = solve_positive_definite(&hessian, &gradient).ok_or_else(|| {
            AnalyticsError::SolverFailed("risk parity's Newton system is singular".into())
        })?;
        // The Newton decrement λ² = gᵀH⁻¹g; below 1e-24 the weights are exact to rounding.
        let decrement = dot(&gradient, &step);
        if decrement < 1e-24 {
            break;
        }
        let mut length = 1.0;
        loop {
            let trial: Vec<f64> = z.iter().zip(&step).map(|(v, s)| v - length * s).collect();
            if trial.iter().all(|v| *v > 0.0) {
                let trial_value = objective(&trial);
                if trial_value <= value - 0.25 * length * decrement || length < 1e-12 {
                    z = trial;
                    value = trial_value;
                    break;
                }
            }
            length *= 0.5;
            if length < 1e-16 {
                return Err(AnalyticsError::SolverFailed(
                    "risk parity's line search made no progress".into(),
                ));
            }
        }
    }
    let y: Vec<f64> = z.iter().zip(&volatilities).map(|(v, s)| v / s).collect();
    let total: f64 = y.iter().sum();
    Ok(y.iter().map(|v| v / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncorrelated_assets_get_inverse_volatility_weights() {
        let covariance = CovarianceMatrix::from_rows(&[
            vec![0.04, 0.0, 0.0],
            vec![0.0, 0.09, 0.0],
            vec![0.0, 0.0, 0.16],
        ])
        .unwrap();
        let weights = risk_parity(&covariance).unwrap();
        let inverse = [1.0 / 0.2, 1.0 / 0.3, 1.0 / 0.4];
        let total: f64 = inverse.iter().sum();
        for (w, v) in weights.iter().zip(inverse) {
            assert!((w - v / total).abs() < 1e-12, "{weights:?}");
        }
    }

    #[test]
    fn an_asset_without_variance_is_rejected() {
        let covariance = CovarianceMatrix::from_rows(&[vec![0.0, 0.0], vec![0.0, 0.1]]).unwrap();
        assert!(risk_parity(&covariance).is_err());
    }
}
