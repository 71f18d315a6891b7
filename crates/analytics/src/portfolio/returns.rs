//! From aligned prices to validated simple daily returns and portfolio returns.

use crate::AnalyticsError;

/// Fewest common daily returns a portfolio computation accepts (as the original).
pub const MIN_RETURNS: usize = 10;

/// Trading periods in a year, used for every annualisation.
pub const PERIODS_PER_YEAR: f64 = 252.0;

/// Prices of one asset, already aligned with the other assets on the dates they all share.
///
/// The caller does the date join; index `t` of every asset's `prices` is the same date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssetPrices<'a> {
    /// The asset's symbol, used in correlation and risk-decomposition output.
    pub symbol: &'a str,
    /// Positive, finite prices in date order.
    pub prices: &'a [f64],
}

/// Simple daily returns `p[t] / p[t-1] - 1` of every asset, checked for use in risk metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetReturns {
    symbols: Vec<String>,
    /// One vector per asset (asset-major), so per-asset statistics read contiguous memory.
    returns: Vec<Vec<f64>>,
}

impl AssetReturns {
    /// Validates aligned prices and turns them into returns.
    ///
    /// Errors: no asset, prices of unequal length, a NaN, infinite, zero or negative price, or
    /// fewer than [`MIN_RETURNS`] returns.
    pub fn from_prices(assets: &[AssetPrices<'_>]) -> Result<Self, AnalyticsError> {
        let first = assets.first().ok_or_else(|| {
            AnalyticsError::InvalidInput("a portfolio needs at least one asset".to_owned())
        })?;
        let length = first.prices.len();
        for asset in assets {
            if asset.prices.len() != length {
                return Err(AnalyticsError::InvalidInput(format!(
                    "prices must be aligned on common dates: {} has {} prices but {} has {}",
                    asset.symbol,
                    asset.prices.len(),
                    first.symbol,
                    length
                )));
            }
            if let Some((index, price)) = asset
                .prices
                .iter()
                .enumerate()
                .find(|(_, p)| !(p.is_finite() && **p > 0.0))
            {
                return Err(AnalyticsError::InvalidInput(format!(
                    "{} has an unusable price {price} at position {index}: prices must be positive and finite",
                    asset.symbol
                )));
            }
        }
        let num_returns = length.saturating_sub(1);
        if num_returns < MIN_RETURNS {
            return Err(AnalyticsError::InsufficientData(format!(
                "portfolio metrics need at least {MIN_RETURNS} common daily returns ({} prices on shared dates), got {num_returns}",
                MIN_RETURNS + 1
            )));
        }
        let returns: Vec<Vec<f64>> = assets
            .iter()
            .map(|asset| {
                asset
                    .prices
                    .windows(2)
                    .map(|pair| pair[1] / pair[0] - 1.0)
                    .collect()
            })
            .collect();
        // Positive finite prices can still overflow a ratio (1e300 after 1e-10).
        for (asset, series) in assets.iter().zip(&returns) {
            if let Some(index) = series.iter().position(|r| !r.is_finite()) {
                return Err(AnalyticsError::InvalidInput(format!(
                    "{} jumps from {} to {} at position {}: the return is too large to represent",
                    asset.symbol,
                    asset.prices[index],
                    asset.prices[index + 1],
                    index + 1
                )));
            }
        }
        let symbols = assets.iter().map(|asset| asset.symbol.to_owned()).collect();
        Ok(Self { symbols, returns })
    }

    /// The assets' symbols, in input order.
    pub fn symbols(&self) -> &[String] {
        &self.symbols
    }

    /// The number of assets.
    pub fn num_assets(&self) -> usize {
        self.returns.len()
    }

    /// The number of daily returns (one fewer than the number of prices).
    pub fn num_returns(&self) -> usize {
        self.returns.first().map_or(0, Vec::len)
    }

    /// The daily returns of asset `index`.
    pub fn asset(&self, index: usize) -> &[f64] {
        &self.returns[index]
    }

    /// Daily returns of the portfolio with normalised `weights`, rebalanced daily.
    ///
    /// Sums assets in input order starting from 0.0, the same order as numpy's
    /// `(returns * w[:, None]).sum(axis=0)`, which the golden data uses.
    pub fn portfolio_returns(&self, weights: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.num_returns()];
        for (asset, &weight) in self.returns.iter().zip(weights) {
            for (total, &r) in out.iter_mut().zip(asset) {
                *total += weight * r;
            }
        }
        out
    }
}

/// Checks weights and scales them to sum to 1.
///
/// Errors: a count different from the number of assets, a NaN, infinite or negative weight,
/// or weights summing to zero.
pub fn normalize_weights(weights: &[f64], num_assets: usize) -> Result<Vec<f64>, AnalyticsError> {
    if weights.len() != num_assets {
        return Err(AnalyticsError::InvalidParameter(format!(
            "{} weights were given for {num_assets} assets",
            weights.len()
        )));
    }
    if let Some(bad) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
        return Err(AnalyticsError::InvalidParameter(format!(
            "weight {bad} is not allowed: weights must be finite and not negative"
        )));
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(AnalyticsError::InvalidParameter(
            "weights sum to zero: give at least one asset a positive weight".to_owned(),
        ));
    }
    Ok(weights.iter().map(|w| w / total).collect())
}

/// Converts an annual risk-free rate to a daily one: `(1 + rf)^(1/252) - 1`.
pub fn daily_risk_free(annual: f64) -> Result<f64, AnalyticsError> {
    if !annual.is_finite() || annual <= -1.0 {
        return Err(AnalyticsError::InvalidParameter(format!(
            "risk-free rate {annual} is not usable: give an annual rate above -1, such as 0.02"
        )));
    }
    Ok((1.0 + annual).powf(1.0 / PERIODS_PER_YEAR) - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_are_simple_daily_returns() {
        let prices: Vec<f64> = (0..12).map(|i| 100.0 + f64::from(i)).collect();
        let returns = AssetReturns::from_prices(&[AssetPrices {
            symbol: "A",
            prices: &prices,
        }])
        .unwrap();
        assert_eq!(returns.num_returns(), 11);
        assert_eq!(returns.asset(0)[0], 101.0 / 100.0 - 1.0);
    }

    #[test]
    fn from_prices_rejects_non_positive_and_nan_prices() {
        let mut prices = vec![1.0; 12];
        prices[3] = 0.0;
        let error = AssetReturns::from_prices(&[AssetPrices {
            symbol: "GOLD",
            prices: &prices,
        }])
        .unwrap_err();
        assert!(error.to_string().contains("GOLD"), "{error}");
        prices[3] = f64::NAN;
        assert!(
            AssetReturns::from_prices(&[AssetPrices {
                symbol: "GOLD",
                prices: &prices
            }])
            .is_err()
        );
    }

    #[test]
    fn from_prices_rejects_fewer_than_ten_returns() {
        let prices = vec![1.0; 10];
        let error = AssetReturns::from_prices(&[AssetPrices {
            symbol: "A",
            prices: &prices,
        }])
        .unwrap_err();
        assert!(matches!(error, AnalyticsError::InsufficientData(_)));
    }

    #[test]
    fn weights_are_normalised_and_bad_weights_rejected() {
        assert_eq!(normalize_weights(&[3.0, 1.0], 2).unwrap(), vec![0.75, 0.25]);
        assert!(normalize_weights(&[-1.0, 2.0], 2).is_err());
        assert!(normalize_weights(&[f64::NAN, 2.0], 2).is_err());
        assert!(normalize_weights(&[0.0, 0.0], 2).is_err());
        assert!(normalize_weights(&[1.0], 2).is_err());
    }
}
