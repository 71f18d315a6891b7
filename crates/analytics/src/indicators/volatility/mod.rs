//! Volatility indicators (TA-Lib's group): true range, ATR, and the Bollinger bands' variance.

pub(crate) mod atr_bbands;
pub(crate) mod talib08;

pub use atr_bbands::*;

use super::catalog::Definition;

/// This group's functions computed by their bar-at-a-time state.
pub(crate) static DEFINITIONS: &[Definition] = &[
    talib08::ADR,
    talib08::CVI,
    talib08::MASSI,
    talib08::RVI,
    TRANGE,
];

fn trange(_: &super::IndicatorSpec) -> Box<dyn super::step::Step> {
    Box::new(TrueRange(None))
}

fn one_lookback(_: &super::IndicatorSpec) -> usize {
    1
}

/// The true range from the second bar on.
#[derive(Debug, Clone)]
struct TrueRange(Option<f64>);

impl super::step::Step for TrueRange {
    fn next(&mut self, bar: &super::step::Bar, out: &mut [f64]) {
        out[0] = match self.0.replace(bar.close) {
            Some(previous_close) => true_range(bar.high, bar.low, previous_close),
            None => f64::NAN,
        };
    }
}

/// `trange`: the true range.
pub(crate) const TRANGE: Definition = Definition {
    name: "trange",
    group: super::catalog::Group::Volatility,
    inputs: super::catalog::HLC,
    step: Some(trange),
    lookback: Some(one_lookback),
    ..super::catalog::BASE
};
