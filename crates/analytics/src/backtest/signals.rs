//! Rules to boolean signal vectors, computing each distinct indicator once.

use std::collections::HashMap;

use rayon::prelude::*;

use super::lexer::Comparison;
use super::rule::{Column, Operand, Rule};
use crate::AnalyticsError;
use crate::indicators::{IndicatorSpec, Ohlcv};

/// Indicator outputs keyed by canonical spec (`IndicatorSpec`'s `Display`), so `rsi`,
/// `rsi(14)` and `RSI(timeperiod=14)` are computed once between them.
#[derive(Debug, Default, Clone)]
pub struct IndicatorCache {
    outputs: HashMap<String, Vec<Vec<f64>>>,
}

impl IndicatorCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many distinct indicators have been computed.
    pub fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Whether nothing has been computed yet.
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty()
    }

    /// Computes every indicator of `rules` not yet in the cache, in parallel.
    pub fn prepare<'r>(
        &mut self,
        rules: impl IntoIterator<Item = &'r Rule>,
        input: &Ohlcv<'_>,
    ) -> Result<(), AnalyticsError> {
        let mut missing: Vec<(String, IndicatorSpec)> = Vec::new();
        for rule in rules {
            for spec in rule.indicators() {
                let key = spec.to_string();
                if !self.outputs.contains_key(&key) && !missing.iter().any(|(k, _)| *k == key) {
                    missing.push((key, spec));
                }
            }
        }
        let computed: Vec<(String, Vec<Vec<f64>>)> = missing
            .into_par_iter()
            .map(|(key, spec)| spec.compute(input).map(|outputs| (key, outputs)))
            .collect::<Result<_, _>>()?;
        self.outputs.extend(computed);
        Ok(())
    }

    fn get(&self, spec: &IndicatorSpec, output: usize) -> Option<&[f64]> {
        self.outputs
            .get(&spec.to_string())
            .and_then(|outputs| outputs.get(output))
            .map(Vec::as_slice)
    }
}

/// One operand's values: a constant or a slice as long as the input.
#[derive(Clone, Copy)]
enum Values<'a> {
    Constant(f64),
    Series(&'a [f64]),
}

impl Values<'_> {
    #[inline(always)]
    fn at(&self, index: usize) -> f64 {
        match self {
            Values::Constant(value) => *value,
            Values::Series(values) => values[index],
        }
    }
}

/// Evaluates `rule` on every bar of `input`: true where the condition holds. Indicators
/// come from `cache`, which must have been prepared for this rule and input (else an error
/// names the indicator); a comparison with an empty value (NaN, e.g. during an indicator's
/// lookback) is false, and so is a cross on the first bar or next to an empty value.
pub fn evaluate(
    rule: &Rule,
    input: &Ohlcv<'_>,
    cache: &IndicatorCache,
) -> Result<Vec<bool>, AnalyticsError> {
    let len = input.close.len();
    let mut out = vec![false; len];
    evaluate_into(rule, input, cache, &mut out)?;
    Ok(out)
}

/// Computes the rule's indicators and evaluates it: for one rule with no cache to share.
pub fn evaluate_alone(rule: &Rule, input: &Ohlcv<'_>) -> Result<Vec<bool>, AnalyticsError> {
    let mut cache = IndicatorCache::new();
    cache.prepare([rule], input)?;
    evaluate(rule, input, &cache)
}

fn evaluate_into(
    rule: &Rule,
    input: &Ohlcv<'_>,
    cache: &IndicatorCache,
    out: &mut [bool],
) -> Result<(), AnalyticsError> {
    match rule {
        Rule::Compare { left, op, right } => {
            let a = values(left, input, cache)?;
            let b = values(right, input, cache)?;
            // NaN compares false with every operator, which is the rule for empty values.
            match op {
                Comparison::Less => fill(out, |i| a.at(i) < b.at(i)),
                Comparison::LessEqual => fill(out, |i| a.at(i) <= b.at(i)),
                Comparison::Greater => fill(out, |i| a.at(i) > b.at(i)),
                Comparison::GreaterEqual => fill(out, |i| a.at(i) >= b.at(i)),
            }
        }
        Rule::Cross { above, left, right } => {
            let a = values(left, input, cache)?;
            let b = values(right, input, cache)?;
            if let Some(first) = out.first_mut() {
                *first = false;
            }
            // `!(x > y)` would be true for NaN; the rule wants `x <= y`, false on NaN.
            if *above {
                fill_from(out, 1, |i| a.at(i) > b.at(i) && a.at(i - 1) <= b.at(i - 1));
            } else {
                fill_from(out, 1, |i| a.at(i) < b.at(i) && a.at(i - 1) >= b.at(i - 1));
            }
        }
        Rule::And(x, y) => {
            evaluate_into(x, input, cache, out)?;
            let mut other = vec![false; out.len()];
            evaluate_into(y, input, cache, &mut other)?;
            for (o, b) in out.iter_mut().zip(&other) {
                *o &= *b;
            }
        }
        Rule::Or(x, y) => {
            evaluate_into(x, input, cache, out)?;
            let mut other = vec![false; out.len()];
            evaluate_into(y, input, cache, &mut other)?;
            for (o, b) in out.iter_mut().zip(&other) {
                *o |= *b;
            }
        }
        Rule::Not(inner) => {
            evaluate_into(inner, input, cache, out)?;
            for o in out.iter_mut() {
                *o = !*o;
            }
        }
    }
    Ok(())
}

#[inline(always)]
fn fill(out: &mut [bool], test: impl Fn(usize) -> bool) {
    fill_from(out, 0, test);
}

#[inline(always)]
fn fill_from(out: &mut [bool], start: usize, test: impl Fn(usize) -> bool) {
    for (i, o) in out.iter_mut().enumerate().skip(start) {
        *o = test(i);
    }
}

fn values<'a>(
    operand: &Operand,
    input: &Ohlcv<'a>,
    cache: &'a IndicatorCache,
) -> Result<Values<'a>, AnalyticsError> {
    let missing = |column: Column| {
        AnalyticsError::InvalidInput(format!(
            "the rule reads {}, which the series does not have",
            column.name()
        ))
    };
    Ok(match operand {
        Operand::Number(value) => Values::Constant(*value),
        Operand::Column(column) => Values::Series(match column {
            Column::Close => input.close,
            Column::Open => input.open.ok_or_else(|| missing(*column))?,
            Column::High => input.high.ok_or_else(|| missing(*column))?,
            Column::Low => input.low.ok_or_else(|| missing(*column))?,
            Column::Volume => input.volume.ok_or_else(|| missing(*column))?,
        }),
        Operand::Indicator { spec, output } => {
            Values::Series(cache.get(spec, *output).ok_or_else(|| {
                AnalyticsError::InvalidInput(format!(
                    "{spec} was not computed before the rule was evaluated"
                ))
            })?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(rule: &str, close: &[f64]) -> Vec<bool> {
        let rule: Rule = rule.parse().unwrap();
        evaluate_alone(&rule, &Ohlcv::from_close(close)).unwrap()
    }

    #[test]
    fn comparisons_with_empty_values_are_false() {
        let close = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(signals("sma(2) < 10", &close), [false, true, true, true]);
        assert_eq!(
            signals("not sma(2) < 10", &close),
            [true, false, false, false]
        );
        assert_eq!(signals("close >= 2", &close), [false, true, true, true]);
        assert_eq!(
            signals("close > 1 and close < 4 or close <= 1", &close),
            [true, true, true, false]
        );
    }

    #[test]
    fn crosses_need_the_bar_before_on_the_other_side_or_equal() {
        let close = [3.0, 1.0, 2.0, 2.0, 3.0, 1.0];
        assert_eq!(
            signals("crosses_above(close, 2)", &close),
            [false, false, false, false, true, false]
        );
        assert_eq!(
            signals("crosses_below(close, 2)", &close),
            [false, true, false, false, false, true]
        );
        // The bar after a lookback is never a cross: the bar before is empty.
        assert_eq!(signals("crosses_above(sma(2), 0)", &close), [false; 6]);
    }

    #[test]
    fn missing_columns_are_named() {
        let rule: Rule = "volume > 3".parse().unwrap();
        let error = evaluate_alone(&rule, &Ohlcv::from_close(&[1.0])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the rule reads volume, which the series does not have"
        );
    }

    #[test]
    fn each_distinct_indicator_is_computed_once() {
        let close: Vec<f64> = (0..50).map(|i| 100.0 + (i as f64).sin()).collect();
        let rules: Vec<Rule> = ["rsi < 30", "RSI(14) > 70 and rsi(timeperiod=14) > sma(3)"]
            .iter()
            .map(|r| r.parse().unwrap())
            .collect();
        let mut cache = IndicatorCache::new();
        cache.prepare(&rules, &Ohlcv::from_close(&close)).unwrap();
        assert_eq!(cache.len(), 2);
    }
}
