//! Expected returns and covariance from prices, annualised, with PyPortfolioOpt 1.6.0's
//! conventions (`expected_returns.py`, `risk_models.py`).
//!
//! Returns are simple period returns `p_t / p_{t-1} − 1` of prices already aligned on common
//! dates. Annualising uses the series' periods per year (252 daily, 52 weekly, 12 monthly),
//! PyPortfolioOpt's `frequency`.

use crate::AnalyticsError;

use super::matrix::CovarianceMatrix;

/// PyPortfolioOpt's default span of `ema_historical_return`.
pub const DEFAULT_RETURN_SPAN: usize = 500;
/// PyPortfolioOpt's default span of `exp_cov`.
pub const DEFAULT_COVARIANCE_SPAN: usize = 180;

/// How expected returns are estimated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReturnModel {
    /// `mean_historical_return`: compounded (CAGR, `Π(1+r)^(f/T) − 1`, PyPortfolioOpt's
    /// default) or arithmetic (`mean(r)·f`).
    MeanHistorical {
        /// Geometric (true) or arithmetic mean.
        compounding: bool,
    },
    /// `ema_historical_return`: pandas' `ewm(span).mean()` of the returns at the last date,
    /// compounded `(1+m)^f − 1` or arithmetic `m·f`.
    ExponentiallyWeighted {
        /// The EMA span in periods (α = 2/(span+1)).
        span: usize,
        /// Geometric or arithmetic annualisation.
        compounding: bool,
    },
}

/// How the covariance matrix is estimated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RiskModel {
    /// `sample_cov`: the unbiased (T−1) sample covariance.
    Sample,
    /// `CovarianceShrinkage.ledoit_wolf()` with its default constant-variance target
    /// (scikit-learn's `ledoit_wolf`): the biased (T) covariance shrunk towards
    /// `mean(diag)·I` by the Ledoit-Wolf (2004) optimal intensity.
    LedoitWolf,
    /// `exp_cov`: each pair's products of deviations from the plain mean, averaged with
    /// pandas' `ewm(span)` weights, read at the last date.
    ExponentiallyWeighted {
        /// The EMA span in periods.
        span: usize,
    },
}

/// Simple returns of each asset's prices (one column per asset, all the same length).
pub fn simple_returns(prices: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, AnalyticsError> {
    let length = check_columns(prices, "prices")?;
    if length < 3 {
        return Err(AnalyticsError::InsufficientData(format!(
            "optimisation needs at least 3 prices per asset, got {length}"
        )));
    }
    prices
        .iter()
        .enumerate()
        .map(|(asset, column)| {
            if column.iter().any(|p| !p.is_finite() || *p <= 0.0) {
                return Err(AnalyticsError::InvalidInput(format!(
                    "asset {} has a price that is not a positive number",
                    asset + 1
                )));
            }
            Ok(column.windows(2).map(|w| w[1] / w[0] - 1.0).collect())
        })
        .collect()
}

/// Annualised expected returns of each asset from its period returns.
pub fn expected_returns(
    returns: &[Vec<f64>],
    model: ReturnModel,
    periods_per_year: f64,
) -> Result<Vec<f64>, AnalyticsError> {
    check_columns(returns, "returns")?;
    check_periods(periods_per_year)?;
    Ok(returns
        .iter()
        .map(|column| match model {
            ReturnModel::MeanHistorical { compounding: true } => {
                let growth: f64 = column.iter().map(|r| 1.0 + r).product();
                growth.powf(periods_per_year / column.len() as f64) - 1.0
            }
            ReturnModel::MeanHistorical { compounding: false } => {
                column.iter().sum::<f64>() / column.len() as f64 * periods_per_year
            }
            ReturnModel::ExponentiallyWeighted { span, compounding } => {
                let mean = ewm_last(column.iter().copied(), span);
                if compounding {
                    (1.0 + mean).powf(periods_per_year) - 1.0
                } else {
                    mean * periods_per_year
                }
            }
        })
        .collect())
}

/// The annualised covariance matrix of the assets' period returns.
pub fn covariance(
    returns: &[Vec<f64>],
    model: RiskModel,
    periods_per_year: f64,
) -> Result<CovarianceMatrix, AnalyticsError> {
    let length = check_columns(returns, "returns")?;
    check_periods(periods_per_year)?;
    if length < 2 {
        return Err(AnalyticsError::InsufficientData(
            "a covariance needs at least 2 returns per asset".into(),
        ));
    }
    let n = returns.len();
    let centred = centre(returns);
    let mut values = vec![0.0; n * n];
    match model {
        RiskModel::Sample => {
            fill_symmetric(&mut values, n, |i, j| {
                dot(&centred[i], &centred[j]) / (length - 1) as f64
            });
        }
        RiskModel::LedoitWolf => {
            let shrinkage = ledoit_wolf_shrinkage(&centred);
            let biased = |i: usize, j: usize| dot(&centred[i], &centred[j]) / length as f64;
            let target = (0..n).map(|i| biased(i, i)).sum::<f64>() / n as f64;
            fill_symmetric(&mut values, n, |i, j| {
                let shrunk = (1.0 - shrinkage) * biased(i, j);
                if i == j {
                    shrunk + shrinkage * target
                } else {
                    shrunk
                }
            });
        }
        RiskModel::ExponentiallyWeighted { span } => {
            fill_symmetric(&mut values, n, |i, j| {
                ewm_last(centred[i].iter().zip(&centred[j]).map(|(a, b)| a * b), span)
            });
        }
    }
    for value in &mut values {
        *value *= periods_per_year;
    }
    Ok(CovarianceMatrix::from_row_major(n, values))
}

/// scikit-learn's `ledoit_wolf_shrinkage` on centred returns (one column per asset), written
/// with its sums: β̂ from the fourth moments, δ̂ the distance of the covariance to `mu·I`.
fn ledoit_wolf_shrinkage(centred: &[Vec<f64>]) -> f64 {
    let features = centred.len() as f64;
    let samples = centred[0].len() as f64;
    let squared: Vec<Vec<f64>> = centred
        .iter()
        .map(|c| c.iter().map(|x| x * x).collect())
        .collect();
    let trace_terms: Vec<f64> = squared
        .iter()
        .map(|c| c.iter().sum::<f64>() / samples)
        .collect();
    let mu = trace_terms.iter().sum::<f64>() / features;
    let mut beta_sum = 0.0;
    let mut delta_sum = 0.0;
    for i in 0..centred.len() {
        for j in 0..centred.len() {
            beta_sum += dot(&squared[i], &squared[j]);
            let cross = dot(&centred[i], &centred[j]);
            delta_sum += cross * cross;
        }
    }
    delta_sum /= samples * samples;
    let beta = (beta_sum / samples - delta_sum) / (features * samples);
    let delta =
        (delta_sum - 2.0 * mu * trace_terms.iter().sum::<f64>() + features * mu * mu) / features;
    let beta = beta.min(delta);
    if beta == 0.0 { 0.0 } else { beta / delta }
}

/// The last value of pandas' `ewm(span, adjust=True).mean()`: weights `(1−α)^age`, α =
/// 2/(span+1), normalised by their sum.
fn ewm_last(values: impl DoubleEndedIterator<Item = f64>, span: usize) -> f64 {
    let decay = 1.0 - 2.0 / (span as f64 + 1.0);
    let (mut weight, mut total, mut weights) = (1.0, 0.0, 0.0);
    for value in values.rev() {
        total += weight * value;
        weights += weight;
        weight *= decay;
    }
    total / weights
}

fn centre(columns: &[Vec<f64>]) -> Vec<Vec<f64>> {
    columns
        .iter()
        .map(|c| {
            let mean = c.iter().sum::<f64>() / c.len() as f64;
            c.iter().map(|x| x - mean).collect()
        })
        .collect()
}

fn fill_symmetric(values: &mut [f64], n: usize, mut entry: impl FnMut(usize, usize) -> f64) {
    for i in 0..n {
        for j in 0..=i {
            let value = entry(i, j);
            values[i * n + j] = value;
            values[j * n + i] = value;
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn check_columns(columns: &[Vec<f64>], what: &str) -> Result<usize, AnalyticsError> {
    let Some(first) = columns.first() else {
        return Err(AnalyticsError::InvalidInput(format!(
            "no assets were given ({what})"
        )));
    };
    let length = first.len();
    if let Some(asset) = columns.iter().position(|c| c.len() != length) {
        return Err(AnalyticsError::InvalidInput(format!(
            "asset {} has {} {what}, asset 1 has {length}; align the series on common dates first",
            asset + 1,
            columns[asset].len()
        )));
    }
    if length == 0 {
        return Err(AnalyticsError::InsufficientData(format!(
            "the {what} are empty"
        )));
    }
    if columns.iter().flatten().any(|v| !v.is_finite()) {
        return Err(AnalyticsError::InvalidInput(format!(
            "the {what} hold a value that is not a finite number"
        )));
    }
    Ok(length)
}

fn check_periods(periods_per_year: f64) -> Result<(), AnalyticsError> {
    if periods_per_year.is_finite() && periods_per_year > 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidParameter(format!(
            "periods per year must be positive, got {periods_per_year}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ewm_weights_match_pandas_on_a_short_series() {
        // pandas: pd.Series([1.0, 2.0, 3.0]).ewm(span=3).mean().iloc[-1] == 2.428571428571429
        assert!((ewm_last([1.0, 2.0, 3.0].into_iter(), 3) - 2.428571428571429).abs() < 1e-15);
    }

    #[test]
    fn ledoit_wolf_keeps_the_trace_and_shrinks_correlations() {
        let returns = vec![
            vec![0.01, -0.02, 0.015, 0.003, -0.007, 0.02],
            vec![0.012, -0.018, 0.01, 0.001, -0.01, 0.018],
        ];
        let sample = covariance(&returns, RiskModel::Sample, 1.0).unwrap();
        let shrunk = covariance(&returns, RiskModel::LedoitWolf, 1.0).unwrap();
        let biased_trace = (sample.get(0, 0) + sample.get(1, 1)) * 5.0 / 6.0;
        assert!((shrunk.get(0, 0) + shrunk.get(1, 1) - biased_trace).abs() < 1e-15);
        assert!(shrunk.get(0, 1).abs() < sample.get(0, 1).abs());
    }

    #[test]
    fn misaligned_columns_are_rejected_with_the_asset_named() {
        let error = simple_returns(&[vec![1.0, 2.0, 3.0], vec![1.0, 2.0]]).unwrap_err();
        assert!(error.to_string().contains("asset 2"), "{error}");
    }
}
