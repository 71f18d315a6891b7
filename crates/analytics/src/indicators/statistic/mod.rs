//! Statistic functions (TA-Lib's group): variance and deviation, linear regressions, beta and
//! correlation, computed by their bar-at-a-time state.

mod rank;
mod regression;

use super::IndicatorSpec;
use super::catalog::{BASE, CLOSE, Definition, Group, Param, period, real};
use super::overlap::averages_stream::Variance;
use super::step::{Bar, Step};

/// `period − 1`.
pub(crate) fn window_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

/// TA-Lib's variance (its shifted running sums, rebuilt as it rebuilds them), or its square
/// root times `nbdev`.
#[derive(Debug, Clone)]
struct Deviation {
    variance: Option<Variance>,
    root: bool,
    nbdev: f64,
}

impl Step for Deviation {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        // A one-value window has no spread.
        let variance = match self.variance.as_mut() {
            Some(state) => state.next(bar.close),
            None => Some(0.0),
        };
        out[0] = match variance {
            Some(variance) if self.root => {
                if variance > 0.0 {
                    variance.sqrt() * self.nbdev
                } else {
                    0.0
                }
            }
            Some(variance) => variance,
            None => f64::NAN,
        };
    }
}

fn deviation(spec: &IndicatorSpec, root: bool) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Deviation {
        variance: (period > 1).then(|| Variance::new(period)),
        root,
        nbdev: spec.real(1),
    })
}

fn stddev(spec: &IndicatorSpec) -> Box<dyn Step> {
    deviation(spec, true)
}

fn var(spec: &IndicatorSpec) -> Box<dyn Step> {
    deviation(spec, false)
}

const DEVIATION_PARAMS: &[Param] = &[
    period("timeperiod", "period", 5, 2),
    real("nbdev", "nbdev", 1.0),
];

/// `stddev`: the population standard deviation times `nbdev`.
pub(crate) const STDDEV: Definition = Definition {
    name: "stddev",
    group: Group::Statistic,
    params: DEVIATION_PARAMS,
    inputs: CLOSE,
    step: Some(stddev),
    lookback: Some(window_lookback),
    ..BASE
};

/// `var`: the population variance (TA-Lib ignores `nbdev` here).
pub(crate) const VAR: Definition = Definition {
    name: "var",
    group: Group::Statistic,
    params: &[
        period("timeperiod", "period", 5, 1),
        real("nbdev", "nbdev", 1.0),
    ],
    inputs: CLOSE,
    step: Some(var),
    lookback: Some(window_lookback),
    ..BASE
};

/// The statistic functions.
pub(crate) static DEFINITIONS: &[Definition] = &[
    regression::BETA,
    regression::CORREL,
    regression::LINEARREG,
    regression::LINEARREG_ANGLE,
    regression::LINEARREG_INTERCEPT,
    regression::LINEARREG_SLOPE,
    STDDEV,
    regression::TSF,
    VAR,
    rank::PERCENTILE,
    rank::PERCENTRANK,
];
