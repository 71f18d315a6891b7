//! The portfolio risk metrics of SPEC's "Analytics conventions" table.

use super::returns::{
    AssetPrices, AssetReturns, PERIODS_PER_YEAR, daily_risk_free, normalize_weights,
};
use super::risk::{
    CorrelationMatrix, RiskContribution, check_asset_variances, correlation_matrix,
    covariance_matrix, diversification_ratio, risk_decomposition,
};
use super::stats::{mean, percentile_sorted, std_dev};
use crate::AnalyticsError;

/// Standard normal quantile at 5% (`scipy.stats.norm.ppf(0.05)`), for `parametric_var_95`.
pub const Z_05: f64 = -1.644_853_626_951_472_2;
/// Standard normal quantile at 1% (`scipy.stats.norm.ppf(0.01)`), for `parametric_var_99`.
pub const Z_01: f64 = -2.326_347_874_040_840_8;

/// Every portfolio metric; field names are SPEC's JSON keys.
///
/// Daily figures (`var_*`, `cvar_*`, `parametric_var_*`) are fractions of one day's value, a
/// loss being negative; annual figures use 252 periods. Undefined values are `None`, never NaN.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PortfolioMetrics {
    /// Number of common daily returns the metrics were computed on.
    pub num_returns: usize,
    /// Mean daily return × 252 (arithmetic, as the original).
    pub portfolio_return: f64,
    /// Compound annual growth rate: `final_wealth^(252 / num_returns) − 1`, wealth starting at 1.
    pub cagr: f64,
    /// Standard deviation (ddof 1) of daily returns × √252.
    pub portfolio_volatility: f64,
    /// `mean(r − rf_d) / std(r − rf_d, ddof 1) × √252`, `rf_d = (1 + rf)^(1/252) − 1`.
    pub sharpe_ratio: f64,
    /// `mean(r − rf_d) / √mean(min(r − rf_d, 0)²) × √252`; `None` when no day is below `rf_d`.
    pub sortino_ratio: Option<f64>,
    /// Historical 1-day VaR: numpy's linear 5th percentile of daily returns.
    pub var_95: f64,
    /// Historical 1-day VaR: numpy's linear 1st percentile of daily returns.
    pub var_99: f64,
    /// Normal 1-day VaR: `mean + z·std` (ddof 1) with z = Φ⁻¹(0.05) = [`Z_05`].
    pub parametric_var_95: f64,
    /// Normal 1-day VaR: `mean + z·std` (ddof 1) with z = Φ⁻¹(0.01) = [`Z_01`].
    pub parametric_var_99: f64,
    /// Mean of the daily returns at or below `var_95`.
    pub cvar_95: f64,
    /// Mean of the daily returns at or below `var_99`.
    pub cvar_99: f64,
    /// Deepest fall from a peak: min of `wealth / running_peak − 1`, in [-1, 0].
    pub max_drawdown: f64,
    /// `cagr / |max_drawdown|`; `None` when the portfolio never fell below a peak.
    pub calmar_ratio: Option<f64>,
    /// Pearson correlations of the assets' daily returns.
    pub correlation_matrix: CorrelationMatrix,
    /// `Σ wᵢσᵢ / σ_p` from the sample covariance (ddof 1).
    pub diversification_ratio: f64,
    /// Per-asset risk contributions, in input order.
    pub risk_decomposition: Vec<RiskContribution>,
}

/// Computes every metric from aligned prices, weights (normalised here) and an annual risk-free rate.
///
/// Errors with a sentence for the user: fewer than 10 common returns, a bad price, bad weights,
/// a bad rate, or an asset or the portfolio with zero variance.
pub fn compute_metrics(
    assets: &[AssetPrices<'_>],
    weights: &[f64],
    risk_free: f64,
) -> Result<PortfolioMetrics, AnalyticsError> {
    let returns = AssetReturns::from_prices(assets)?;
    compute_metrics_from_returns(&returns, weights, risk_free)
}

/// Same as [`compute_metrics`] on returns already validated.
pub fn compute_metrics_from_returns(
    returns: &AssetReturns,
    weights: &[f64],
    risk_free: f64,
) -> Result<PortfolioMetrics, AnalyticsError> {
    let weights = normalize_weights(weights, returns.num_assets())?;
    let rf_daily = daily_risk_free(risk_free)?;
    let portfolio = returns.portfolio_returns(&weights);
    let n = portfolio.len();
    let annualise = PERIODS_PER_YEAR.sqrt();

    let daily_mean = mean(&portfolio);
    let daily_std = std_dev(&portfolio, 1);
    if daily_std <= 0.0 {
        return Err(AnalyticsError::InvalidInput(
            "the portfolio's daily returns have zero variance: volatility-based metrics are undefined".to_owned(),
        ));
    }
    let cov = covariance_matrix(returns);
    check_asset_variances(returns, &cov)?;

    let excess: Vec<f64> = portfolio.iter().map(|r| r - rf_daily).collect();
    let excess_mean = mean(&excess);
    let excess_std = std_dev(&excess, 1);
    if excess_std <= 0.0 {
        return Err(AnalyticsError::InvalidInput(
            "the portfolio's excess returns have zero variance: the Sharpe ratio is undefined"
                .to_owned(),
        ));
    }
    let downside_squares: Vec<f64> = excess.iter().map(|e| e.min(0.0).powi(2)).collect();
    let downside = mean(&downside_squares).sqrt();
    let sortino_ratio = (downside > 0.0).then(|| excess_mean / downside * annualise);

    let mut sorted = portfolio.clone();
    sorted.sort_by(f64::total_cmp);
    let var_95 = percentile_sorted(&sorted, 5.0);
    let var_99 = percentile_sorted(&sorted, 1.0);

    let (final_wealth, max_drawdown) = wealth_and_max_drawdown(&portfolio);
    let cagr = final_wealth.powf(PERIODS_PER_YEAR / n as f64) - 1.0;
    let calmar_ratio = (max_drawdown < 0.0).then(|| cagr / max_drawdown.abs());

    let metrics = PortfolioMetrics {
        num_returns: n,
        portfolio_return: daily_mean * PERIODS_PER_YEAR,
        cagr,
        portfolio_volatility: daily_std * annualise,
        sharpe_ratio: excess_mean / excess_std * annualise,
        sortino_ratio,
        var_95,
        var_99,
        parametric_var_95: daily_mean + Z_05 * daily_std,
        parametric_var_99: daily_mean + Z_01 * daily_std,
        cvar_95: tail_mean(&portfolio, var_95),
        cvar_99: tail_mean(&portfolio, var_99),
        max_drawdown,
        calmar_ratio,
        correlation_matrix: correlation_matrix(returns.symbols(), &cov),
        diversification_ratio: diversification_ratio(&cov, &weights),
        risk_decomposition: risk_decomposition(returns.symbols(), &cov, &weights),
    };
    ensure_finite(&metrics)?;
    Ok(metrics)
}

/// Mean of the returns at or below `threshold`, in their original order (as numpy's mask).
fn tail_mean(returns: &[f64], threshold: f64) -> f64 {
    let tail: Vec<f64> = returns
        .iter()
        .copied()
        .filter(|&r| r <= threshold)
        .collect();
    // The threshold is a percentile of these same returns, so the minimum is always in the tail.
    mean(&tail)
}

/// Final wealth and maximum drawdown of wealth starting at 1 and compounding `returns`.
fn wealth_and_max_drawdown(returns: &[f64]) -> (f64, f64) {
    let mut wealth = 1.0_f64;
    let mut peak = 1.0_f64;
    let mut max_drawdown = 0.0_f64;
    for &r in returns {
        wealth *= 1.0 + r;
        peak = peak.max(wealth);
        max_drawdown = max_drawdown.min(wealth / peak - 1.0);
    }
    (wealth, max_drawdown)
}

/// Refuses to hand out a NaN or infinity, which JSON cannot carry and users cannot read.
fn ensure_finite(metrics: &PortfolioMetrics) -> Result<(), AnalyticsError> {
    let scalars = [
        metrics.portfolio_return,
        metrics.cagr,
        metrics.portfolio_volatility,
        metrics.sharpe_ratio,
        metrics.sortino_ratio.unwrap_or(0.0),
        metrics.var_95,
        metrics.var_99,
        metrics.parametric_var_95,
        metrics.parametric_var_99,
        metrics.cvar_95,
        metrics.cvar_99,
        metrics.max_drawdown,
        metrics.calmar_ratio.unwrap_or(0.0),
        metrics.diversification_ratio,
    ];
    let matrix = metrics.correlation_matrix.matrix.iter().flatten().copied();
    let decomposition = metrics
        .risk_decomposition
        .iter()
        .flat_map(|c| [c.weight, c.marginal, c.component, c.percent]);
    if scalars
        .into_iter()
        .chain(matrix)
        .chain(decomposition)
        .all(f64::is_finite)
    {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidInput(
            "the prices are too extreme for these metrics to be represented as finite numbers"
                .to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_assets() -> (Vec<f64>, Vec<f64>) {
        let a: Vec<f64> = (0..40)
            .map(|i| 100.0 * (1.0 + 0.01 * (f64::from(i) * 0.7).sin()))
            .collect();
        let b: Vec<f64> = (0..40)
            .map(|i| 50.0 * (1.0 + 0.02 * (f64::from(i) * 1.3).cos()))
            .collect();
        (a, b)
    }

    #[test]
    fn drawdown_of_monotone_growth_is_zero_and_calmar_is_none() {
        let prices: Vec<f64> = (0..30)
            .map(|i| 100.0 * 1.001_f64.powi(i) * (1.0 + 1e-4 * f64::from(i % 3)))
            .collect();
        let metrics = compute_metrics(
            &[AssetPrices {
                symbol: "UP",
                prices: &prices,
            }],
            &[1.0],
            0.0,
        )
        .unwrap();
        assert_eq!(metrics.max_drawdown, 0.0);
        assert_eq!(metrics.calmar_ratio, None);
        assert_eq!(metrics.sortino_ratio, None);
    }

    #[test]
    fn constant_prices_are_rejected_with_zero_variance_error() {
        let prices = vec![5.0; 20];
        let error = compute_metrics(
            &[AssetPrices {
                symbol: "FLAT",
                prices: &prices,
            }],
            &[1.0],
            0.0,
        )
        .unwrap_err();
        assert!(error.to_string().contains("zero variance"), "{error}");
    }

    #[test]
    fn risk_shares_sum_to_one_and_components_to_volatility() {
        let (a, b) = two_assets();
        let assets = [
            AssetPrices {
                symbol: "A",
                prices: &a,
            },
            AssetPrices {
                symbol: "B",
                prices: &b,
            },
        ];
        let metrics = compute_metrics(&assets, &[0.6, 0.4], 0.02).unwrap();
        let shares: f64 = metrics.risk_decomposition.iter().map(|c| c.percent).sum();
        let components: f64 = metrics.risk_decomposition.iter().map(|c| c.component).sum();
        assert!((shares - 1.0).abs() < 1e-12);
        assert!(
            (components - metrics.portfolio_volatility).abs()
                < 1e-12 * metrics.portfolio_volatility
        );
        assert!(metrics.cvar_95 <= metrics.var_95);
    }
}
