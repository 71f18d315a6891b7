//! Every scalar statistic of `qs.stats`, keyed by QuantStats' function name.
//!
//! A statistic QuantStats would give as NaN or infinity (a ratio over no losses, a constant
//! series) is not put among the values: it is listed under its name in `undefined` with the
//! reason, so no NaN ever reaches JSON and a caller can say why a number is missing.

use std::collections::BTreeMap;

use crate::portfolio::stats::{mean, pairwise_sum};

use super::benchmark::{Greeks, greeks, information_ratio, r_squared, treynor_ratio};
use super::drawdown::{cumulative_returns, drawdown_series, max_drawdown, ulcer_index};
use super::scalars::{self as s, PERIODS, excess_returns, sample_std};

/// Scalar statistics by QuantStats name, and the names QuantStats leaves undefined.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScalarStatistics {
    /// Finite values by QuantStats function name.
    pub values: BTreeMap<&'static str, f64>,
    /// Names whose value is not defined for this series, with the reason.
    pub undefined: BTreeMap<&'static str, String>,
}

impl ScalarStatistics {
    fn put(&mut self, name: &'static str, value: f64) {
        if value.is_finite() {
            self.values.insert(name, value);
        } else {
            self.undefined.insert(name, reason(name, value));
        }
    }
}

/// Why QuantStats' value for `name` is NaN or infinite, as a sentence.
fn reason(name: &str, value: f64) -> String {
    let why = match name {
        "avg_loss"
        | "payoff_ratio"
        | "win_loss_ratio"
        | "kelly_criterion"
        | "profit_factor"
        | "profit_ratio"
        | "cpc_index"
        | "common_sense_ratio"
        | "outlier_loss_ratio"
        | "omega"
        | "gain_to_pain_ratio"
        | "sortino"
        | "smart_sortino"
        | "adjusted_sortino"
        | "probabilistic_sortino_ratio"
        | "probabilistic_adjusted_sortino_ratio" => {
            "it divides by the losses, and there is no losing period"
        }
        "avg_win" | "outlier_win_ratio" => "there is no winning period",
        "calmar" | "recovery_factor" | "ulcer_performance_index" | "upi" | "serenity_index" => {
            "it divides by the drawdown, and the series never draws down"
        }
        "tail_ratio" => "the 5th percentile of the returns is 0",
        "cagr" | "rar" => "the compounded wealth ends below zero",
        _ => "it divides by zero: the returns do not vary",
    };
    let what = if value.is_nan() { "NaN" } else { "infinite" };
    format!("{name} is not defined for this series ({what} in QuantStats): {why}")
}

/// The statistics of `returns` that need no benchmark, with QuantStats' defaults and
/// `risk_free` passed to the functions that take `rf`.
pub fn scalar_statistics(returns: &[f64], risk_free: f64) -> ScalarStatistics {
    let mut out = ScalarStatistics::default();
    let excess = excess_returns(returns, risk_free);
    let mut sorted = returns.to_vec();
    sorted.sort_by(f64::total_cmp);
    let cumulative = cumulative_returns(returns);
    let drawdown = drawdown_series(&cumulative);
    let max_dd = max_drawdown(&cumulative);
    let ulcer = ulcer_index(&drawdown);
    let total = s::comp(returns);
    let sum = pairwise_sum(returns);
    let annualise = PERIODS.sqrt();

    let sharpe_per_period = mean(&excess) / sample_std(&excess);
    let sortino_per_period = s::sortino_per_period(&excess);
    let penalty = s::autocorr_penalty(&excess);
    let psr = s::probabilistic(sharpe_per_period, returns);
    let cagr = s::cagr(returns);
    let win_rate = s::win_rate(returns);
    let payoff = s::payoff_ratio(returns);
    let profit_factor = s::profit_factor(returns);
    let tail = s::tail_ratio(&sorted);
    let var = s::value_at_risk(returns);
    let cvar = s::conditional_value_at_risk(returns);
    let expected = s::expected_return(returns);
    let ror = s::risk_of_ruin(returns);
    let nan_if_zero = |denominator: f64, value: f64| {
        if denominator == 0.0 { f64::NAN } else { value }
    };
    let upi = nan_if_zero(ulcer, (total - risk_free) / ulcer);

    out.put(
        "adjusted_sortino",
        sortino_per_period * annualise / std::f64::consts::SQRT_2,
    );
    out.put("autocorr_penalty", s::autocorr_penalty(returns));
    out.put("avg_loss", s::avg_loss(returns));
    out.put("avg_return", s::avg_return(returns));
    out.put("avg_win", s::avg_win(returns));
    out.put("best", sorted[sorted.len() - 1]);
    out.put("cagr", cagr);
    out.put("calmar", cagr / max_dd.abs());
    out.put("common_sense_ratio", profit_factor * tail);
    out.put("comp", total);
    out.put("conditional_value_at_risk", cvar);
    out.put("consecutive_losses", s::longest_run(returns, |r| r < 0.0));
    out.put("consecutive_wins", s::longest_run(returns, |r| r > 0.0));
    out.put("cpc_index", profit_factor * win_rate * payoff);
    out.put("cvar", cvar);
    out.put("expected_return", expected);
    out.put("expected_shortfall", cvar);
    out.put("exposure", s::exposure(returns));
    out.put("gain_to_pain_ratio", s::gain_to_pain_ratio(returns));
    out.put("geometric_mean", expected);
    out.put("ghpr", expected);
    out.put("kelly_criterion", s::kelly_criterion(returns));
    out.put("kurtosis", s::kurtosis(returns));
    out.put("max_drawdown", max_dd);
    out.put("omega", s::omega(&excess));
    out.put(
        "outlier_loss_ratio",
        s::outlier_loss_ratio(returns, &sorted),
    );
    out.put("outlier_win_ratio", s::outlier_win_ratio(returns, &sorted));
    out.put("payoff_ratio", payoff);
    out.put(
        "probabilistic_adjusted_sortino_ratio",
        s::probabilistic(sortino_per_period / std::f64::consts::SQRT_2, returns),
    );
    out.put("probabilistic_ratio", psr);
    out.put("probabilistic_sharpe_ratio", psr);
    out.put(
        "probabilistic_sortino_ratio",
        s::probabilistic(sortino_per_period, returns),
    );
    out.put("profit_factor", profit_factor);
    out.put("profit_ratio", s::profit_ratio(returns));
    out.put("rar", s::cagr(&excess) / s::exposure(&excess));
    out.put(
        "recovery_factor",
        nan_if_zero(max_dd, (sum - risk_free).abs() / max_dd.abs()),
    );
    out.put("risk_of_ruin", ror);
    out.put("risk_return_ratio", s::risk_return_ratio(returns));
    out.put("ror", ror);
    out.put(
        "serenity_index",
        serenity_index(returns, &drawdown, ulcer, sum, risk_free),
    );
    out.put("sharpe", sharpe_per_period * annualise);
    out.put("skew", s::skew(returns));
    out.put(
        "smart_sharpe",
        mean(&excess) / (sample_std(&excess) * penalty) * annualise,
    );
    out.put("smart_sortino", sortino_per_period / penalty * annualise);
    out.put("sortino", sortino_per_period * annualise);
    out.put("tail_ratio", tail);
    out.put("ulcer_index", ulcer);
    out.put("ulcer_performance_index", upi);
    out.put("upi", upi);
    out.put("value_at_risk", var);
    out.put("var", var);
    out.put("volatility", s::volatility(returns));
    out.put("win_loss_ratio", payoff);
    out.put("win_rate", win_rate);
    out.put("worst", sorted[0]);
    out
}

/// `serenity_index`: `(Σr − rf) / (ulcer · pitfall)`, pitfall = −CVaR(drawdown) / std(r).
///
/// QuantStats takes the *parametric* CVaR of the drawdown series (its `cvar` default), and the
/// plain sum of returns, not the compounded one.
fn serenity_index(returns: &[f64], drawdown: &[f64], ulcer: f64, sum: f64, risk_free: f64) -> f64 {
    let std = sample_std(returns);
    if std == 0.0 {
        return f64::NAN;
    }
    let pitfall = -s::conditional_value_at_risk(drawdown) / std;
    let denominator = ulcer * pitfall;
    if denominator == 0.0 {
        return f64::NAN;
    }
    (sum - risk_free) / denominator
}

/// Adds the benchmark-relative statistics and returns the greeks.
pub fn benchmark_statistics(
    out: &mut ScalarStatistics,
    returns: &[f64],
    benchmark: &[f64],
    risk_free: f64,
) -> Greeks {
    let greeks = greeks(returns, benchmark);
    let r2 = r_squared(returns, benchmark);
    out.put("information_ratio", information_ratio(returns, benchmark));
    out.put("r_squared", r2);
    out.put("r2", r2);
    out.put(
        "treynor_ratio",
        treynor_ratio(returns, greeks.beta, risk_free),
    );
    greeks
}
