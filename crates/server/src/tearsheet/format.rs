//! Text for the tearsheet: HTML escaping and how each statistic is written.

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How a statistic reads best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A fraction shown in percent.
    Percent,
    /// A ratio with two decimals.
    Ratio,
    /// A count of periods.
    Count,
}

/// The unit of a QuantStats statistic by name.
pub fn unit(name: &str) -> Unit {
    match name {
        "consecutive_wins" | "consecutive_losses" => Unit::Count,
        "avg_loss"
        | "avg_return"
        | "avg_win"
        | "best"
        | "worst"
        | "cagr"
        | "comp"
        | "conditional_value_at_risk"
        | "cvar"
        | "expected_return"
        | "expected_shortfall"
        | "exposure"
        | "geometric_mean"
        | "ghpr"
        | "kelly_criterion"
        | "max_drawdown"
        | "rar"
        | "risk_of_ruin"
        | "ror"
        | "ulcer_index"
        | "value_at_risk"
        | "var"
        | "volatility"
        | "win_rate"
        | "alpha" => Unit::Percent,
        _ => Unit::Ratio,
    }
}

/// `value` as `unit` reads it.
pub fn number(value: f64, unit: Unit) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    match unit {
        Unit::Percent => format!("{:.2}%", 100.0 * value),
        Unit::Ratio => format!("{value:.2}"),
        Unit::Count => format!("{value:.0}"),
    }
}

/// A statistic's label in the key-metrics table.
pub fn label(name: &str) -> String {
    let known = match name {
        "comp" => "Cumulative return",
        "cagr" => "CAGR",
        "sharpe" => "Sharpe",
        "probabilistic_sharpe_ratio" => "Prob. Sharpe ratio",
        "smart_sharpe" => "Smart Sharpe",
        "sortino" => "Sortino",
        "smart_sortino" => "Smart Sortino",
        "adjusted_sortino" => "Sortino/√2",
        "omega" => "Omega",
        "max_drawdown" => "Max drawdown",
        "volatility" => "Volatility (ann.)",
        "r_squared" => "R²",
        "information_ratio" => "Information ratio",
        "treynor_ratio" => "Treynor ratio",
        "calmar" => "Calmar",
        "skew" => "Skew",
        "kurtosis" => "Kurtosis",
        "expected_return" => "Expected daily return",
        "kelly_criterion" => "Kelly criterion",
        "risk_of_ruin" => "Risk of ruin",
        "value_at_risk" => "Daily value-at-risk",
        "expected_shortfall" => "Expected shortfall (cVaR)",
        "consecutive_wins" => "Max consecutive wins",
        "consecutive_losses" => "Max consecutive losses",
        "gain_to_pain_ratio" => "Gain/pain ratio",
        "payoff_ratio" => "Payoff ratio",
        "profit_factor" => "Profit factor",
        "common_sense_ratio" => "Common sense ratio",
        "cpc_index" => "CPC index",
        "tail_ratio" => "Tail ratio",
        "outlier_win_ratio" => "Outlier win ratio",
        "outlier_loss_ratio" => "Outlier loss ratio",
        "best" => "Best day",
        "worst" => "Worst day",
        "avg_win" => "Avg. up day",
        "avg_loss" => "Avg. down day",
        "win_rate" => "Win days",
        "ulcer_index" => "Ulcer index",
        "serenity_index" => "Serenity index",
        "recovery_factor" => "Recovery factor",
        "alpha" => "Alpha (ann.)",
        "beta" => "Beta",
        _ => "",
    };
    if known.is_empty() {
        name.replace('_', " ")
    } else {
        known.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape(r#"<img src=x onerror="a&b">'"#),
            "&lt;img src=x onerror=&quot;a&amp;b&quot;&gt;&#39;"
        );
    }

    #[test]
    fn numbers_read_by_unit() {
        assert_eq!(number(0.1234, Unit::Percent), "12.34%");
        assert_eq!(number(1.2345, Unit::Ratio), "1.23");
        assert_eq!(number(7.0, Unit::Count), "7");
        assert_eq!(number(f64::NAN, Unit::Ratio), "–");
    }
}
