//! Parameter sweeps: rule templates with `{name}` placeholders run over a grid.
//!
//! `rsi({p}) < {lo}` with `p=2..51 lo=10..40` is 1,550 rules. Every distinct indicator of
//! every rule is computed once (in parallel), then the combinations are backtested in
//! parallel and ranked by a statistic. A placeholder may be a small expression of grid names
//! and numbers (`{100-lo}`, `{2*p}`), evaluated left to right. With a train/test split the
//! ranking uses the bars before the split, and the best combinations are then also run on the
//! bars from the split on, each part starting flat with the initial cash (indicators are
//! computed over the whole series, so the test part starts warmed up).

use rayon::prelude::*;

use super::simulate::{check_inputs, simulate_orders, total_profit};
use super::{
    BacktestConfig, BacktestResult, IndicatorCache, Rule, backtest_signals, evaluate, order_prices,
};
use crate::AnalyticsError;
use crate::indicators::Ohlcv;

/// Most combinations one sweep may run.
pub const MAX_COMBINATIONS: usize = 1_000_000;

fn invalid(message: String) -> AnalyticsError {
    AnalyticsError::InvalidParameter(message)
}

/// Named parameter ranges, e.g. `p=2..50 lo=10..40 step=0.5,1,2`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    /// Each parameter's name and values, in the order given.
    pub parameters: Vec<(String, Vec<f64>)>,
}

impl Grid {
    /// Parses `name=a..b` (inclusive, step 1), `name=a..b:step` and `name=v1,v2,...`.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, AnalyticsError> {
        let mut parameters: Vec<(String, Vec<f64>)> = Vec::new();
        for item in items.iter().flat_map(|s| s.as_ref().split_whitespace()) {
            let Some((name, values)) = item.split_once('=') else {
                return Err(invalid(format!(
                    "grid item '{item}' should look like name=2..50 or name=1,2,3"
                )));
            };
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(invalid(format!(
                    "grid name '{name}' must be letters, digits and '_'"
                )));
            }
            if parameters.iter().any(|(n, _)| *n == name) {
                return Err(invalid(format!("grid parameter '{name}' is given twice")));
            }
            let number = |text: &str| -> Result<f64, AnalyticsError> {
                text.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| invalid(format!("grid {name}: '{text}' is not a number")))
            };
            let values = if let Some((start, rest)) = values.split_once("..") {
                let (end, step) = match rest.split_once(':') {
                    Some((end, step)) => (end, number(step)?),
                    None => (rest, 1.0),
                };
                let (start, end) = (number(start)?, number(end)?);
                if step <= 0.0 || end < start {
                    return Err(invalid(format!(
                        "grid {name}: a range runs from low to high with a positive step, got {item}"
                    )));
                }
                let count = ((end - start) / step + 1e-9).floor() as usize + 1;
                if count > MAX_COMBINATIONS {
                    return Err(invalid(format!("grid {name} has too many values")));
                }
                // start + k·step, not repeated addition, so 0.1 steps do not drift.
                (0..count).map(|k| start + k as f64 * step).collect()
            } else {
                values
                    .split(',')
                    .map(number)
                    .collect::<Result<Vec<_>, _>>()?
            };
            parameters.push((name, values));
        }
        Ok(Self { parameters })
    }

    /// How many combinations the grid has.
    pub fn combinations(&self) -> usize {
        self.parameters
            .iter()
            .map(|(_, v)| v.len())
            .try_fold(1usize, |a, b| a.checked_mul(b))
            .unwrap_or(usize::MAX)
    }

    /// The `index`-th combination, the last parameter varying fastest.
    pub fn combination(&self, mut index: usize) -> Vec<f64> {
        let mut values = vec![0.0; self.parameters.len()];
        for (slot, (_, options)) in values.iter_mut().zip(&self.parameters).rev() {
            *slot = options[index % options.len()];
            index /= options.len();
        }
        values
    }

    /// Replaces every `{expression}` in `template` with its value for `values`.
    pub fn substitute(&self, template: &str, values: &[f64]) -> Result<String, AnalyticsError> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                return Err(invalid(format!(
                    "placeholder in '{template}' is not closed with '}}'"
                )));
            };
            let expression = &rest[open + 1..open + close];
            out.push_str(&format_number(self.evaluate(expression, values)?));
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn evaluate(&self, expression: &str, values: &[f64]) -> Result<f64, AnalyticsError> {
        let term = |text: &str| -> Result<f64, AnalyticsError> {
            let text = text.trim();
            if let Ok(number) = text.parse::<f64>() {
                return Ok(number);
            }
            let name = text.to_ascii_lowercase();
            self.parameters
                .iter()
                .position(|(n, _)| *n == name)
                .map(|i| values[i])
                .ok_or_else(|| {
                    invalid(format!(
                        "placeholder {{{expression}}} uses '{text}', which is not a grid parameter"
                    ))
                })
        };
        // Split at + - * / that follow a term (a leading sign belongs to a number).
        let mut result: Option<f64> = None;
        let mut operator = '+';
        let mut start = 0;
        for (offset, c) in expression.char_indices() {
            if matches!(c, '+' | '-' | '*' | '/') && !expression[start..offset].trim().is_empty() {
                let value = term(&expression[start..offset])?;
                result = Some(apply(result, operator, value));
                operator = c;
                start = offset + 1;
            }
        }
        let value = term(&expression[start..])?;
        Ok(apply(result, operator, value))
    }
}

fn apply(accumulated: Option<f64>, operator: char, value: f64) -> f64 {
    match (accumulated, operator) {
        (None, _) => value,
        (Some(a), '+') => a + value,
        (Some(a), '-') => a - value,
        (Some(a), '*') => a * value,
        (Some(a), _) => a / value,
    }
}

/// Whole numbers without a decimal point (periods must read `14`, not `14.0`).
fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// What a sweep ranks combinations by; higher is better for every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Statistic {
    /// Total return.
    #[default]
    TotalReturn,
    /// Share of winning closed trades.
    WinRate,
    /// Winning PnL over losing PnL.
    ProfitFactor,
    /// Mean PnL per closed trade.
    Expectancy,
    /// Maximum drawdown (closest to zero is best).
    MaxDrawdown,
    /// Mean return of closed trades.
    AverageTrade,
}

impl std::str::FromStr for Statistic {
    type Err = AnalyticsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "total_return" => Statistic::TotalReturn,
            "win_rate" => Statistic::WinRate,
            "profit_factor" => Statistic::ProfitFactor,
            "expectancy" => Statistic::Expectancy,
            "max_drawdown" => Statistic::MaxDrawdown,
            "average_trade" => Statistic::AverageTrade,
            other => {
                return Err(invalid(format!(
                    "unknown statistic '{other}'; rank by total_return, win_rate, profit_factor, \
                     expectancy, max_drawdown or average_trade"
                )));
            }
        })
    }
}

impl Statistic {
    /// The statistic's value in a result.
    pub fn of(self, result: &BacktestResult) -> f64 {
        match self {
            Statistic::TotalReturn => result.total_return,
            Statistic::WinRate => result.stats.win_rate,
            Statistic::ProfitFactor => result.stats.profit_factor,
            Statistic::Expectancy => result.stats.expectancy,
            Statistic::MaxDrawdown => result.max_drawdown,
            Statistic::AverageTrade => result.stats.average_trade,
        }
    }
}

/// What to sweep and how to rank it.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPlan<'a> {
    /// Entry rule template.
    pub entry: &'a str,
    /// Exit rule template.
    pub exit: &'a str,
    /// The parameter grid.
    pub grid: &'a Grid,
    /// Execution settings.
    pub config: BacktestConfig,
    /// The statistic to rank by.
    pub rank_by: Statistic,
    /// How many of the best combinations to report in full.
    pub top: usize,
    /// Bars before this index are in-sample; the rest out-of-sample.
    pub train_until: Option<usize>,
}

/// One reported combination.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepEntry {
    /// The parameter values, in the grid's order.
    pub values: Vec<f64>,
    /// The entry rule with the values put in.
    pub entry: String,
    /// The exit rule with the values put in.
    pub exit: String,
    /// The backtest over the in-sample bars (all bars without a split).
    pub in_sample: BacktestResult,
    /// The backtest over the bars from the split on.
    pub out_of_sample: Option<BacktestResult>,
}

/// The outcome of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    /// The grid's parameter names.
    pub names: Vec<String>,
    /// The ranking statistic of every combination, in [`Grid::combination`] order (for a
    /// heatmap).
    pub scores: Vec<f64>,
    /// How many distinct indicators were computed.
    pub indicators_computed: usize,
    /// The best combinations, best first (NaN scores last).
    pub best: Vec<SweepEntry>,
}

/// Runs every combination of `plan.grid` over `input`.
pub fn sweep(input: &Ohlcv<'_>, plan: &SweepPlan<'_>) -> Result<SweepResult, AnalyticsError> {
    plan.config.validate()?;
    let n = input.close.len();
    let count = plan.grid.combinations();
    if count > MAX_COMBINATIONS {
        return Err(invalid(format!(
            "the grid has {count} combinations; at most {MAX_COMBINATIONS} are allowed"
        )));
    }
    let split = plan.train_until.unwrap_or(n);
    if split == 0 || split > n || (plan.train_until.is_some() && split == n) {
        return Err(AnalyticsError::InsufficientData(format!(
            "the train/test split must leave bars on both sides; it falls at bar {split} of {n}"
        )));
    }
    let describe = |values: &[f64]| {
        plan.grid
            .parameters
            .iter()
            .zip(values)
            .map(|((name, _), v)| format!("{name}={}", format_number(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let rules: Vec<(Vec<f64>, Rule, Rule)> = (0..count)
        .into_par_iter()
        .map(|index| {
            let values = plan.grid.combination(index);
            let parse = |template: &str| -> Result<Rule, AnalyticsError> {
                let text = plan.grid.substitute(template, &values)?;
                text.parse().map_err(|e: AnalyticsError| {
                    invalid(format!("with {}: '{text}': {e}", describe(&values)))
                })
            };
            Ok((values.clone(), parse(plan.entry)?, parse(plan.exit)?))
        })
        .collect::<Result<_, AnalyticsError>>()?;
    let mut cache = IndicatorCache::new();
    cache.prepare(rules.iter().flat_map(|(_, e, x)| [e, x]), input)?;
    let in_sample = input.slice(0..split);
    let run = |entry: &Rule, exit: &Rule, part: &Ohlcv<'_>, range: std::ops::Range<usize>| {
        let entries = evaluate(entry, input, &cache)?;
        let exits = evaluate(exit, input, &cache)?;
        backtest_signals(part, &entries[range.clone()], &exits[range], &plan.config)
    };
    let prices = order_prices(&in_sample);
    check_inputs(
        prices,
        in_sample.close,
        &vec![false; split],
        &vec![false; split],
    )?;
    let scores: Vec<f64> = rules
        .par_iter()
        .map(|(_, entry, exit)| {
            if plan.rank_by == Statistic::TotalReturn {
                // The ranking needs only the fills: no equity curve, trades or statistics.
                let entries = evaluate(entry, input, &cache)?;
                let exits = evaluate(exit, input, &cache)?;
                let fills =
                    simulate_orders(prices, &entries[..split], &exits[..split], &plan.config);
                Ok(total_profit(in_sample.close, &fills) / plan.config.init_cash)
            } else {
                run(entry, exit, &in_sample, 0..split).map(|result| plan.rank_by.of(&result))
            }
        })
        .collect::<Result<_, AnalyticsError>>()?;
    let mut order: Vec<usize> = (0..count).collect();
    // Best first, NaN last, ties in grid order (the sort is stable).
    order.sort_by(|&a, &b| match (scores[a].is_nan(), scores[b].is_nan()) {
        (false, false) => scores[b].total_cmp(&scores[a]),
        (x, y) => x.cmp(&y),
    });
    let best = order
        .into_iter()
        .take(plan.top)
        .map(|index| {
            let (values, entry, exit) = &rules[index];
            let out_of_sample = match plan.train_until {
                Some(_) => Some(run(entry, exit, &input.slice(split..n), split..n)?),
                None => None,
            };
            Ok(SweepEntry {
                values: values.clone(),
                entry: plan.grid.substitute(plan.entry, values)?,
                exit: plan.grid.substitute(plan.exit, values)?,
                in_sample: run(entry, exit, &in_sample, 0..split)?,
                out_of_sample,
            })
        })
        .collect::<Result<_, AnalyticsError>>()?;
    Ok(SweepResult {
        names: plan
            .grid
            .parameters
            .iter()
            .map(|(n, _)| n.clone())
            .collect(),
        scores,
        indicators_computed: cache.len(),
        best,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_parse_ranges_steps_and_lists() {
        let grid = Grid::parse(&["p=2..5 lo=10..20:5", "x=0.5,1"]).unwrap();
        assert_eq!(grid.parameters[0].1, [2.0, 3.0, 4.0, 5.0]);
        assert_eq!(grid.parameters[1].1, [10.0, 15.0, 20.0]);
        assert_eq!(grid.parameters[2].1, [0.5, 1.0]);
        assert_eq!(grid.combinations(), 24);
        assert_eq!(grid.combination(0), [2.0, 10.0, 0.5]);
        assert_eq!(grid.combination(1), [2.0, 10.0, 1.0]);
        assert_eq!(grid.combination(23), [5.0, 20.0, 1.0]);
        assert!(Grid::parse(&["p=5..2"]).is_err());
        assert!(Grid::parse(&["p"]).is_err());
        assert!(
            Grid::parse(&["p=1 p=2"])
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }

    #[test]
    fn placeholders_take_names_and_small_expressions() {
        let grid = Grid::parse(&["p=14 lo=30"]).unwrap();
        let values = grid.combination(0);
        assert_eq!(
            grid.substitute("rsi({p}) > {100-lo} and close > {p*0.5}", &values)
                .unwrap(),
            "rsi(14) > 70 and close > 7"
        );
        assert_eq!(grid.substitute("{-1+p}", &values).unwrap(), "13");
        let message = grid.substitute("{q}", &values).unwrap_err().to_string();
        assert!(
            message.contains("'q', which is not a grid parameter"),
            "{message}"
        );
    }

    #[test]
    fn a_sweep_computes_each_indicator_once_and_ranks_best_first() {
        let close: Vec<f64> = (0..300)
            .map(|i| 100.0 + 10.0 * (i as f64 / 9.0).sin() + i as f64 * 0.05)
            .collect();
        let grid = Grid::parse(&["p=5..8 lo=20..40:10"]).unwrap();
        let plan = SweepPlan {
            entry: "rsi({p}) < {lo}",
            exit: "rsi({p}) > {100-lo}",
            grid: &grid,
            config: BacktestConfig::default(),
            rank_by: Statistic::TotalReturn,
            top: 3,
            train_until: Some(200),
        };
        let result = sweep(&Ohlcv::from_close(&close), &plan).unwrap();
        assert_eq!(result.indicators_computed, 4);
        assert_eq!(result.scores.len(), 12);
        assert_eq!(result.best.len(), 3);
        let best = &result.best[0];
        assert_eq!(best.in_sample.equity.len(), 200);
        assert_eq!(best.out_of_sample.as_ref().unwrap().equity.len(), 100);
        let top = result
            .scores
            .iter()
            .cloned()
            .fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(best.in_sample.total_return, top);
    }
}
