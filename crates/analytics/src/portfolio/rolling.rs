//! The time series the dashboard draws: wealth, drawdown, rolling volatility and Sharpe.

use super::returns::{
    AssetPrices, AssetReturns, PERIODS_PER_YEAR, daily_risk_free, normalize_weights,
};
use super::stats::{mean, std_dev};
use crate::AnalyticsError;

/// Rolling window (in daily returns) used when the caller has no preference: a quarter.
pub const DEFAULT_ROLLING_WINDOW: usize = 63;

/// Series aligned with the input prices: index `t` is the `t`-th common date.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PortfolioSeries {
    /// Window length, in daily returns, of the rolling series.
    pub window: usize,
    /// Value of 1 invested at the first date, rebalanced daily; `wealth[0] == 1`.
    pub wealth: Vec<f64>,
    /// `wealth / running_peak − 1`, in [-1, 0].
    pub drawdown: Vec<f64>,
    /// Annualised std (ddof 1) of the `window` returns ending at date `t`; `None` before a full window.
    pub rolling_volatility: Vec<Option<f64>>,
    /// Annualised Sharpe ratio of the `window` returns ending at date `t`; `None` before a
    /// full window or when the window has no variance.
    pub rolling_sharpe: Vec<Option<f64>>,
}

/// Computes the dashboard's series from aligned prices, weights and an annual risk-free rate.
pub fn series(
    assets: &[AssetPrices<'_>],
    weights: &[f64],
    risk_free: f64,
    window: usize,
) -> Result<PortfolioSeries, AnalyticsError> {
    let returns = AssetReturns::from_prices(assets)?;
    series_from_returns(&returns, weights, risk_free, window)
}

/// Same as [`series`] on returns already validated.
pub fn series_from_returns(
    returns: &AssetReturns,
    weights: &[f64],
    risk_free: f64,
    window: usize,
) -> Result<PortfolioSeries, AnalyticsError> {
    if window < 2 {
        return Err(AnalyticsError::InvalidParameter(format!(
            "rolling window {window} is too short: it needs at least 2 returns"
        )));
    }
    let weights = normalize_weights(weights, returns.num_assets())?;
    let rf_daily = daily_risk_free(risk_free)?;
    let portfolio = returns.portfolio_returns(&weights);
    let annualise = PERIODS_PER_YEAR.sqrt();

    let mut wealth = Vec::with_capacity(portfolio.len() + 1);
    let mut drawdown = Vec::with_capacity(portfolio.len() + 1);
    let (mut current, mut peak) = (1.0_f64, 1.0_f64);
    wealth.push(current);
    drawdown.push(0.0);
    for &r in &portfolio {
        current *= 1.0 + r;
        peak = peak.max(current);
        wealth.push(current);
        drawdown.push(current / peak - 1.0);
    }

    let mut rolling_volatility = vec![None; portfolio.len() + 1];
    let mut rolling_sharpe = vec![None; portfolio.len() + 1];
    let mut excess = vec![0.0; window];
    // Each window is recomputed two-pass rather than updated incrementally: O(n·window) is
    // negligible at daily frequency and keeps every value equal to numpy's on that window.
    for end in window..=portfolio.len() {
        let slice = &portfolio[end - window..end];
        let volatility = std_dev(slice, 1);
        rolling_volatility[end] = Some(volatility * annualise);
        for (e, r) in excess.iter_mut().zip(slice) {
            *e = r - rf_daily;
        }
        let excess_std = std_dev(&excess, 1);
        rolling_sharpe[end] = (excess_std > 0.0).then(|| mean(&excess) / excess_std * annualise);
    }
    Ok(PortfolioSeries {
        window,
        wealth,
        drawdown,
        rolling_volatility,
        rolling_sharpe,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_are_aligned_with_prices_and_start_at_one() {
        let prices: Vec<f64> = (0..100)
            .map(|i| 10.0 + (f64::from(i) * 0.3).sin())
            .collect();
        let result = series(
            &[AssetPrices {
                symbol: "A",
                prices: &prices,
            }],
            &[1.0],
            0.0,
            20,
        )
        .unwrap();
        assert_eq!(result.wealth.len(), prices.len());
        assert_eq!(result.wealth[0], 1.0);
        assert!((result.wealth[99] - prices[99] / prices[0]).abs() < 1e-12);
        assert_eq!(result.rolling_volatility[19], None);
        assert!(result.rolling_volatility[20].is_some());
        assert!(result.drawdown.iter().all(|d| (-1.0..=0.0).contains(d)));
    }
}
