//! QuantStats' scalar statistics of one return series, each as `qs.stats.<name>` computes it
//! with its default arguments.
//!
//! Every function returns what QuantStats returns, NaN and infinities included; `statistics.rs`
//! turns a value that is not finite into a named reason, so none reaches JSON. Sums are numpy's
//! pairwise sums and variances numpy's two-pass ones (`portfolio::stats`), because pandas calls
//! numpy for them; that keeps the values within a few ulps of QuantStats'.
//!
//! Oddities of QuantStats 0.0.86 kept here, because the numbers must be QuantStats':
//! - `_prepare_returns` treats a series whose minimum is ≥ 0 and maximum > 1 as *prices* and
//!   takes their percentage changes; a return series with no loss and one day above +100% would
//!   be read that way. Commodex never passes prices, so that branch is not reproduced.
//! - A risk-free rate is applied only when it is above zero (`_rf_is_nonzero` tests `rf > 0`),
//!   and then as the daily rate `(1 + rf)^(1/252) − 1` subtracted from every return
//!   ([`excess_returns`]); a negative rate is ignored.
//! - Zero returns count as days in `volatility`, `sharpe`, `cagr` (a flat day is a day), but
//!   `win_rate`, `avg_return` and `exposure` leave them out, and `profit_ratio` and
//!   `profit_factor` count them as wins (`>= 0`) while `avg_win` does not (`> 0`).
//! - Standard deviations are sample ones (ddof 1) except Sortino's downside deviation, which
//!   divides the sum of squared losses by the number of all returns.

use crate::portfolio::stats::{mean, pairwise_sum, percentile_sorted, std_dev};

use super::normal::{SHORTFALL_FACTOR, Z_TAIL, cdf};

/// Periods a year QuantStats annualises with by default (`periods=252`).
pub const PERIODS: f64 = 252.0;

/// Returns minus the daily risk-free rate, as `_prepare_returns(returns, rf, 252)`.
///
/// QuantStats converts the annual rate with `(1 + rf)^(1/252) − 1`, and only when `rf > 0`.
pub fn excess_returns(returns: &[f64], risk_free: f64) -> Vec<f64> {
    if risk_free > 0.0 {
        let daily = (1.0 + risk_free).powf(1.0 / PERIODS) - 1.0;
        returns.iter().map(|r| r - daily).collect()
    } else {
        returns.to_vec()
    }
}

fn filtered(returns: &[f64], keep: impl Fn(f64) -> bool) -> Vec<f64> {
    returns.iter().copied().filter(|&r| keep(r)).collect()
}

/// pandas' `Series.mean()` of a possibly empty selection: NaN when empty.
fn mean_or_nan(values: &[f64]) -> f64 {
    if values.is_empty() {
        f64::NAN
    } else {
        mean(values)
    }
}

/// pandas' `Series.std()` (ddof 1): NaN below two values.
pub(crate) fn sample_std(values: &[f64]) -> f64 {
    if values.len() < 2 {
        f64::NAN
    } else {
        std_dev(values, 1)
    }
}

/// pandas' `Series.quantile(q)`: numpy's linear percentile at `q * 100`, computed as pandas
/// does (so `quantile(1 - 0.95)` is the 5.000000000000004th percentile).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    percentile_sorted(sorted, q * 100.0)
}

/// `comp`: total compounded return, `prod(1 + r) − 1`.
pub fn comp(returns: &[f64]) -> f64 {
    returns.iter().fold(1.0, |product, r| product * (1.0 + r)) - 1.0
}

/// `expected_return` (also `geometric_mean`, `ghpr`): `prod(1 + r)^(1/n) − 1`, per period.
pub fn expected_return(returns: &[f64]) -> f64 {
    let product = returns.iter().fold(1.0, |product, r| product * (1.0 + r));
    product.powf(1.0 / returns.len() as f64) - 1.0
}

/// `cagr`: `|1 + comp|^(1/years) − 1` with `years = n / 252`: QuantStats counts periods, not
/// calendar days, and ignores `rf` (`apply_rf=False`); NaN when the wealth ends below zero.
pub fn cagr(returns: &[f64]) -> f64 {
    let wealth = comp(returns) + 1.0;
    let years = returns.len() as f64 / PERIODS;
    if wealth < 0.0 {
        f64::NAN
    } else {
        wealth.abs().powf(1.0 / years) - 1.0
    }
}

/// `volatility`: sample std (ddof 1) × √252; no risk-free rate.
pub fn volatility(returns: &[f64]) -> f64 {
    sample_std(returns) * PERIODS.sqrt()
}

/// Sortino's downside deviation: `sqrt(sum(r[r < 0]²) / n)`, n counting every return.
fn downside_deviation(excess: &[f64]) -> f64 {
    let squares: Vec<f64> = excess.iter().filter(|&&r| r < 0.0).map(|r| r * r).collect();
    (pairwise_sum(&squares) / excess.len() as f64).sqrt()
}

/// `sortino` on excess returns, not annualised: mean / downside deviation (NaN if no loss).
pub fn sortino_per_period(excess: &[f64]) -> f64 {
    let downside = downside_deviation(excess);
    if downside == 0.0 {
        f64::NAN
    } else {
        mean(excess) / downside
    }
}

/// `autocorr_penalty`: `sqrt(1 + 2 Σ_{k=1}^{n−1} ((n−k)/n) |ρ₁|^k)`, ρ₁ the lag-1 correlation
/// (`np.corrcoef(r[:-1], r[1:])`); 1 when ρ₁ is undefined (constant returns) or n < 2.
pub fn autocorr_penalty(returns: &[f64]) -> f64 {
    let n = returns.len();
    if n < 2 {
        return 1.0;
    }
    let (head, tail) = (&returns[..n - 1], &returns[1..]);
    let (mean_head, mean_tail) = (mean(head), mean(tail));
    let (mut cross, mut head_sq, mut tail_sq) = (0.0, 0.0, 0.0);
    for (&a, &b) in head.iter().zip(tail) {
        let (da, db) = (a - mean_head, b - mean_tail);
        cross += da * db;
        head_sq += da * da;
        tail_sq += db * db;
    }
    let coef = (cross / head_sq.sqrt() / tail_sq.sqrt())
        .clamp(-1.0, 1.0)
        .abs();
    if coef.is_nan() {
        return 1.0;
    }
    let num = n as f64;
    let terms: Vec<f64> = (1..n)
        .map(|k| ((num - k as f64) / num) * coef.powf(k as f64))
        .collect();
    (1.0 + 2.0 * pairwise_sum(&terms)).sqrt()
}

/// pandas' bias-corrected sample skewness (`Series.skew()`), 0 for a constant series.
pub fn skew(returns: &[f64]) -> f64 {
    let n = returns.len() as f64;
    if returns.len() < 3 {
        return f64::NAN;
    }
    let center = mean(returns);
    let (mut m2, mut m3) = (
        Vec::with_capacity(returns.len()),
        Vec::with_capacity(returns.len()),
    );
    for &r in returns {
        let d = r - center;
        m2.push(d * d);
        m3.push(d * d * d);
    }
    let (m2, m3) = (
        zero_fp_error(pairwise_sum(&m2)),
        zero_fp_error(pairwise_sum(&m3)),
    );
    if m2 == 0.0 {
        return 0.0;
    }
    (n * (n - 1.0).sqrt() / (n - 2.0)) * (m3 / m2.powf(1.5))
}

/// pandas' bias-corrected excess kurtosis (`Series.kurtosis()`), 0 for a constant series.
pub fn kurtosis(returns: &[f64]) -> f64 {
    let n = returns.len() as f64;
    if returns.len() < 4 {
        return f64::NAN;
    }
    let center = mean(returns);
    let (mut m2, mut m4) = (
        Vec::with_capacity(returns.len()),
        Vec::with_capacity(returns.len()),
    );
    for &r in returns {
        let d = r - center;
        m2.push(d * d);
        m4.push(d * d * d * d);
    }
    let (m2, m4) = (pairwise_sum(&m2), pairwise_sum(&m4));
    let adjustment = 3.0 * (n - 1.0).powi(2) / ((n - 2.0) * (n - 3.0));
    let numerator = zero_fp_error(n * (n + 1.0) * (n - 1.0) * m4);
    let denominator = zero_fp_error((n - 2.0) * (n - 3.0) * m2 * m2);
    if denominator == 0.0 {
        return 0.0;
    }
    numerator / denominator - adjustment
}

/// pandas' `_zero_out_fperr`: moments below 1e-14 in magnitude are rounding noise.
fn zero_fp_error(value: f64) -> f64 {
    if value.abs() < 1e-14 { 0.0 } else { value }
}

/// `probabilistic_ratio`: `Φ(base / σ)`, σ = `sqrt((1 − skew·base + (kurt + 3 − 1)/4 · base²)
/// / (n − 1))`, with `base` the per-period ratio on excess returns and skew and kurtosis of the
/// raw returns (QuantStats passes `prepare_returns=False`).
pub fn probabilistic(base: f64, returns: &[f64]) -> f64 {
    let skew = skew(returns);
    let kurtosis = kurtosis(returns) + 3.0;
    let n = returns.len() as f64;
    let sigma = ((1.0 - skew * base + (kurtosis - 1.0) / 4.0 * (base * base)) / (n - 1.0)).sqrt();
    cdf(base / sigma)
}

/// `omega` on excess returns with `required_return` 0: sum of gains / sum of losses.
pub fn omega(excess: &[f64]) -> f64 {
    if excess.len() < 2 {
        return f64::NAN;
    }
    let gains = pairwise_sum(&filtered(excess, |r| r > 0.0));
    let losses = -pairwise_sum(&filtered(excess, |r| r < 0.0));
    if losses > 0.0 {
        gains / losses
    } else {
        f64::NAN
    }
}

/// `gain_to_pain_ratio`: sum of returns / |sum of losses|; QuantStats resamples to calendar
/// days first (weekends become 0-return days, which changes no sum) and ignores `rf`.
pub fn gain_to_pain_ratio(returns: &[f64]) -> f64 {
    let downside = pairwise_sum(&filtered(returns, |r| r < 0.0)).abs();
    if downside == 0.0 {
        f64::NAN
    } else {
        pairwise_sum(returns) / downside
    }
}

/// `exposure`: the share of non-zero returns, rounded *up* to a whole percent.
pub fn exposure(returns: &[f64]) -> f64 {
    let active = returns.iter().filter(|&&r| r != 0.0).count() as f64;
    (active / returns.len() as f64 * 100.0).ceil() / 100.0
}

/// `win_rate`: positive returns / non-zero returns (0 when every return is zero).
pub fn win_rate(returns: &[f64]) -> f64 {
    let non_zero = returns.iter().filter(|&&r| r != 0.0).count();
    if non_zero == 0 {
        return 0.0;
    }
    returns.iter().filter(|&&r| r > 0.0).count() as f64 / non_zero as f64
}

/// `avg_return`: mean of the non-zero returns.
pub fn avg_return(returns: &[f64]) -> f64 {
    mean_or_nan(&filtered(returns, |r| r != 0.0))
}

/// `avg_win`: mean of the positive returns.
pub fn avg_win(returns: &[f64]) -> f64 {
    mean_or_nan(&filtered(returns, |r| r > 0.0))
}

/// `avg_loss`: mean of the negative returns.
pub fn avg_loss(returns: &[f64]) -> f64 {
    mean_or_nan(&filtered(returns, |r| r < 0.0))
}

/// Longest run of returns satisfying `keep`, as `_count_consecutive(...).max()`.
pub fn longest_run(returns: &[f64], keep: impl Fn(f64) -> bool) -> f64 {
    let (mut best, mut current) = (0_usize, 0_usize);
    for &r in returns {
        current = if keep(r) { current + 1 } else { 0 };
        best = best.max(current);
    }
    best as f64
}

/// `payoff_ratio` (also `win_loss_ratio`): `avg_win / |avg_loss|`.
pub fn payoff_ratio(returns: &[f64]) -> f64 {
    let loss = avg_loss(returns);
    if loss == 0.0 {
        f64::NAN
    } else {
        avg_win(returns) / loss.abs()
    }
}

/// `profit_ratio`: `|mean(wins) / #wins| / |mean(losses) / #losses|`, zeros counted as wins;
/// 0 without wins, NaN without losses.
pub fn profit_ratio(returns: &[f64]) -> f64 {
    let wins = filtered(returns, |r| r >= 0.0);
    let losses = filtered(returns, |r| r < 0.0);
    if wins.is_empty() {
        return 0.0;
    }
    if losses.is_empty() {
        return f64::NAN;
    }
    let win_ratio = (mean(&wins) / wins.len() as f64).abs();
    let loss_ratio = (mean(&losses) / losses.len() as f64).abs();
    if loss_ratio == 0.0 {
        f64::NAN
    } else {
        win_ratio / loss_ratio
    }
}

/// `profit_factor`: sum of returns ≥ 0 / |sum of losses|; infinite without losses (0 if there
/// are no gains either).
pub fn profit_factor(returns: &[f64]) -> f64 {
    let wins = pairwise_sum(&filtered(returns, |r| r >= 0.0));
    let losses = pairwise_sum(&filtered(returns, |r| r < 0.0)).abs();
    if losses == 0.0 {
        if wins == 0.0 { 0.0 } else { f64::INFINITY }
    } else {
        wins / losses
    }
}

/// `tail_ratio`: `|quantile(0.95) / quantile(1 − 0.95)|`, NaN when the lower one is 0.
pub fn tail_ratio(sorted: &[f64]) -> f64 {
    let upper = quantile(sorted, 0.95);
    let lower = quantile(sorted, 1.0 - 0.95);
    if lower == 0.0 {
        f64::NAN
    } else {
        (upper / lower).abs()
    }
}

/// `outlier_win_ratio`: `quantile(0.99) / mean(returns ≥ 0)`.
pub fn outlier_win_ratio(returns: &[f64], sorted: &[f64]) -> f64 {
    let positive = mean_or_nan(&filtered(returns, |r| r >= 0.0));
    if positive.is_nan() || positive == 0.0 {
        f64::NAN
    } else {
        quantile(sorted, 0.99) / positive
    }
}

/// `outlier_loss_ratio`: `quantile(0.01) / mean(returns < 0)`.
pub fn outlier_loss_ratio(returns: &[f64], sorted: &[f64]) -> f64 {
    let negative = avg_loss(returns);
    if negative.is_nan() || negative == 0.0 {
        f64::NAN
    } else {
        quantile(sorted, 0.01) / negative
    }
}

/// `risk_return_ratio`: mean / std (ddof 1), per period.
pub fn risk_return_ratio(returns: &[f64]) -> f64 {
    let std = sample_std(returns);
    if std == 0.0 {
        f64::NAN
    } else {
        mean(returns) / std
    }
}

/// `kelly_criterion`: `(payoff · p − (1 − p)) / payoff`, p the win rate.
pub fn kelly_criterion(returns: &[f64]) -> f64 {
    let payoff = payoff_ratio(returns);
    let win = win_rate(returns);
    if payoff == 0.0 || payoff.is_nan() {
        f64::NAN
    } else {
        (payoff * win - (1.0 - win)) / payoff
    }
}

/// `risk_of_ruin`: `((1 − p) / (1 + p))^n`, p the win rate, n every return.
pub fn risk_of_ruin(returns: &[f64]) -> f64 {
    let win = win_rate(returns);
    ((1.0 - win) / (1.0 + win)).powf(returns.len() as f64)
}

/// `value_at_risk` (also `var`): the normal 5% quantile `mean + z·std` (parametric, not
/// historical, despite the name's usual meaning in Commodex's `metrics`).
pub fn value_at_risk(returns: &[f64]) -> f64 {
    Z_TAIL * sample_std(returns) + mean(returns)
}

/// `conditional_value_at_risk` (also `cvar`, `expected_shortfall`): the Gaussian expected
/// shortfall `mean − std · φ(z)/α` at α = 1 − 0.95 (QuantStats' default `method="parametric"`).
pub fn conditional_value_at_risk(values: &[f64]) -> f64 {
    let center = mean(values);
    let sd = sample_std(values);
    if sd == 0.0 || sd.is_nan() {
        return center;
    }
    center - sd * SHORTFALL_FACTOR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_statistics_follow_quantstats_rules_for_zeros() {
        let returns = [0.01, 0.0, -0.02, 0.03, 0.0, -0.01, 0.02];
        assert_eq!(win_rate(&returns), 3.0 / 5.0);
        assert_eq!(exposure(&returns), 0.72);
        assert_eq!(longest_run(&returns, |r| r > 0.0), 1.0);
        assert!(profit_factor(&[0.01, 0.0]).is_infinite());
        assert_eq!(profit_factor(&[0.0, 0.0]), 0.0);
        // Exactly representable, so the deviations are exactly 0 and the correlation NaN.
        assert_eq!(autocorr_penalty(&[0.25; 20]), 1.0);
    }
}
