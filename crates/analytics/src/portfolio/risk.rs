//! Covariance-based risk: correlation, diversification and who contributes the risk.

use super::returns::{AssetReturns, PERIODS_PER_YEAR};
use super::stats::{covariance_centered, mean};
use crate::AnalyticsError;

/// Pearson correlations of the assets' daily returns, labelled by symbol.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CorrelationMatrix {
    /// Row and column labels, in input order.
    pub symbols: Vec<String>,
    /// `matrix[i][j]` is the correlation of asset `i` with asset `j`; the diagonal is 1.
    pub matrix: Vec<Vec<f64>>,
}

/// One asset's share of the portfolio's volatility (Euler decomposition).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RiskContribution {
    /// The asset's symbol.
    pub symbol: String,
    /// The asset's normalised weight.
    pub weight: f64,
    /// Marginal contribution `(Σw)ᵢ / σ_p`, annualised by √252 like `portfolio_volatility`.
    pub marginal: f64,
    /// Component contribution `wᵢ · marginal`; the components sum to σ_p·√252.
    pub component: f64,
    /// Share of the risk, `component / (σ_p·√252)`; the shares sum to 1.
    pub percent: f64,
}

/// Sample covariance (ddof 1) of daily returns, as `np.cov` on asset rows.
pub(crate) fn covariance_matrix(returns: &AssetReturns) -> Vec<Vec<f64>> {
    let k = returns.num_assets();
    let means: Vec<f64> = (0..k).map(|i| mean(returns.asset(i))).collect();
    let mut cov = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in i..k {
            let value = covariance_centered(returns.asset(i), means[i], returns.asset(j), means[j]);
            cov[i][j] = value;
            cov[j][i] = value;
        }
    }
    cov
}

/// Fails with a sentence naming the first asset whose returns never vary.
pub(crate) fn check_asset_variances(
    returns: &AssetReturns,
    cov: &[Vec<f64>],
) -> Result<(), AnalyticsError> {
    for (i, row) in cov.iter().enumerate() {
        if row[i] <= 0.0 {
            return Err(AnalyticsError::InvalidInput(format!(
                "{} has zero variance (its price never changes over the common dates): correlation and risk shares are undefined",
                returns.symbols()[i]
            )));
        }
    }
    Ok(())
}

/// Pearson correlation from a covariance matrix, as `np.corrcoef` (clipped to [-1, 1]).
pub(crate) fn correlation_matrix(symbols: &[String], cov: &[Vec<f64>]) -> CorrelationMatrix {
    let std: Vec<f64> = cov
        .iter()
        .enumerate()
        .map(|(i, row)| row[i].sqrt())
        .collect();
    let matrix = cov
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &c)| {
                    if i == j {
                        1.0
                    } else {
                        (c / std[i] / std[j]).clamp(-1.0, 1.0)
                    }
                })
                .collect()
        })
        .collect();
    CorrelationMatrix {
        symbols: symbols.to_vec(),
        matrix,
    }
}

/// `Σw`, the covariance matrix times the weights.
fn covariance_times_weights(cov: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    cov.iter()
        .map(|row| row.iter().zip(weights).map(|(c, w)| c * w).sum())
        .collect()
}

/// Daily portfolio volatility from the covariance matrix, `√(w'Σw)`.
pub(crate) fn portfolio_sigma(cov: &[Vec<f64>], weights: &[f64]) -> f64 {
    let sigma_w = covariance_times_weights(cov, weights);
    weights
        .iter()
        .zip(&sigma_w)
        .map(|(w, s)| w * s)
        .sum::<f64>()
        .sqrt()
}

/// Weighted average asset volatility over portfolio volatility, `Σ wᵢσᵢ / σ_p` (≥ 1 when long-only).
pub(crate) fn diversification_ratio(cov: &[Vec<f64>], weights: &[f64]) -> f64 {
    let weighted: f64 = weights
        .iter()
        .enumerate()
        .map(|(i, w)| w * cov[i][i].sqrt())
        .sum();
    weighted / portfolio_sigma(cov, weights)
}

/// Euler risk decomposition of the annualised portfolio volatility.
pub(crate) fn risk_decomposition(
    symbols: &[String],
    cov: &[Vec<f64>],
    weights: &[f64],
) -> Vec<RiskContribution> {
    let sigma_w = covariance_times_weights(cov, weights);
    let variance: f64 = weights.iter().zip(&sigma_w).map(|(w, s)| w * s).sum();
    let sigma = variance.sqrt();
    let annualise = PERIODS_PER_YEAR.sqrt();
    symbols
        .iter()
        .zip(weights)
        .zip(&sigma_w)
        .map(|((symbol, &weight), &s)| {
            let marginal = s / sigma * annualise;
            RiskContribution {
                symbol: symbol.clone(),
                weight,
                marginal,
                component: weight * marginal,
                percent: weight * s / variance,
            }
        })
        .collect()
}
