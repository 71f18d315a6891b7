//! The patterns as rows of the function table: a spec (`cdlengulfing`,
//! `cdlmorningstar(penetration=0.4)`) names one, the batch runs its kernel, the stream its
//! [`PatternStream`], and the output is TA-Lib's integer (as a float, NaN in the lookback).

use super::{Pattern, PatternParams, PatternStream};
use crate::AnalyticsError;
use crate::indicators::Ohlcv;
use crate::indicators::catalog::{BASE, Definition, Group, OHLC, Param, ranged};
use crate::indicators::spec::IndicatorSpec;
use crate::indicators::step::{Bar, Step};

/// The `penetration` parameter of the seven patterns that take one, at TA-Lib's defaults.
static PENETRATION_3: &[Param] = &[ranged(
    "penetration",
    "penetration",
    0.3,
    0.0,
    super::MAX_PENETRATION,
)];
static PENETRATION_5: &[Param] = &[ranged(
    "penetration",
    "penetration",
    0.5,
    0.0,
    super::MAX_PENETRATION,
)];

/// A pattern's row: OHLC in, one integer out, its penetration if it takes one.
pub(super) const fn row(name: &'static str, penetration: Option<f64>) -> Definition {
    let params: &'static [Param] = match penetration {
        None => &[],
        Some(value) if value < 0.4 => PENETRATION_3,
        Some(_) => PENETRATION_5,
    };
    Definition {
        name,
        group: Group::Pattern,
        params,
        integer: 1,
        inputs: OHLC,
        step: Some(build),
        lookback: Some(lookback),
        ..BASE
    }
}

/// The pattern a spec names (the table holds only valid names).
pub(crate) fn pattern_of(spec: &IndicatorSpec) -> Pattern {
    spec.name().parse().unwrap_or(Pattern::TwoCrows)
}

/// The spec's parameters as the pattern takes them.
pub(crate) fn params_of(spec: &IndicatorSpec) -> PatternParams {
    PatternParams {
        penetration: (!spec.definition().params.is_empty()).then(|| spec.real(0)),
    }
}

/// The pattern of `spec` over a whole series: TA-Lib's integers as floats, NaN in the
/// lookback; a missing column or a bad bar is an error that names it.
pub(crate) fn compute_spec(
    spec: &IndicatorSpec,
    input: &Ohlcv<'_>,
) -> Result<Vec<Vec<f64>>, AnalyticsError> {
    let columns = crate::indicators::batch::columns(spec.name(), OHLC, input, 0)?;
    let mut values = vec![None; columns.len];
    pattern_of(spec).compute_into(
        columns.open,
        columns.high,
        columns.low,
        columns.close,
        params_of(spec),
        &mut values,
    )?;
    Ok(vec![
        values
            .into_iter()
            .map(|v| v.map_or(f64::NAN, f64::from))
            .collect(),
    ])
}

fn lookback(spec: &IndicatorSpec) -> usize {
    pattern_of(spec).lookback()
}

fn build(spec: &IndicatorSpec) -> Box<dyn Step> {
    let pattern = pattern_of(spec);
    // The spec parser has checked the penetration against the same range.
    let penetration = pattern
        .penetration(params_of(spec))
        .unwrap_or_else(|_| pattern.default_penetration().unwrap_or(0.0));
    Box::new(Stepper(PatternStream::new(pattern, penetration)))
}

/// A [`PatternStream`] as a [`Step`]: bars are checked before they are fed, so a push cannot
/// fail here; were one to, the bar reads as empty rather than stopping the run.
#[derive(Debug, Clone)]
struct Stepper(PatternStream);

impl Step for Stepper {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = match self.0.push(bar.open, bar.high, bar.low, bar.close) {
            Ok(Some(value)) => f64::from(value),
            _ => f64::NAN,
        };
    }
}
