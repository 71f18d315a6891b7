//! Overlap studies computed by their bar-at-a-time state: `ma` with any of TA-Lib 0.8's
//! fourteen types, the averages 0.8 added as functions (HMA, ZLEMA, RMA), and the window
//! midpoints.

use super::averages_stream::MaStage;
use crate::indicators::IndicatorSpec;
use crate::indicators::catalog::{BASE, CLOSE, Definition, Group, HL, Param, ma, period};
use crate::indicators::math::Extreme;
use crate::indicators::moving_averages::MaType;
use crate::indicators::step::{Bar, Single, Step, on_close};

impl Single for MaStage {
    #[inline]
    fn push(&mut self, value: f64) -> Option<f64> {
        self.next(value)
    }
}

fn ma_lookback(spec: &IndicatorSpec) -> usize {
    spec.ma_type(1).lookback(spec.period(0))
}

fn build_ma(spec: &IndicatorSpec) -> Box<dyn Step> {
    on_close(MaStage::new(spec.period(0), spec.ma_type(1)))
}

/// `ma`: TA-Lib's moving-average switch.
pub(crate) const MA: Definition = Definition {
    name: "ma",
    group: Group::Overlap,
    params: &[
        period("timeperiod", "period", 30, 1),
        ma("matype", "moving-average type"),
    ],
    inputs: CLOSE,
    step: Some(build_ma),
    lookback: Some(ma_lookback),
    ..BASE
};

macro_rules! average {
    ($constant:ident, $name:literal, $build:ident, $lookback:ident, $ma:expr, $default:literal) => {
        fn $build(spec: &IndicatorSpec) -> Box<dyn Step> {
            on_close(MaStage::new(spec.period(0), $ma))
        }

        fn $lookback(spec: &IndicatorSpec) -> usize {
            $ma.lookback(spec.period(0))
        }

        #[doc = concat!("`", $name, "`: a moving average TA-Lib 0.8 added.")]
        pub(crate) const $constant: Definition = Definition {
            name: $name,
            group: Group::Overlap,
            params: &[period("timeperiod", "period", $default, 1)],
            inputs: CLOSE,
            step: Some($build),
            lookback: Some($lookback),
            ..BASE
        };
    };
}

average!(HMA, "hma", build_hma, hma_lookback, MaType::Hma, 20);
average!(
    ZLEMA,
    "zlema",
    build_zlema,
    zlema_lookback,
    MaType::Zlema,
    30
);
average!(RMA, "rma", build_rma, rma_lookback, MaType::Rma, 30);

/// `period − 1`.
fn window_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

const PERIOD_14: &[Param] = &[period("timeperiod", "period", 14, 2)];

/// The midpoint of the highest and lowest value of a window (of the close, or of the highs
/// and the lows).
#[derive(Debug, Clone)]
struct Midpoint {
    highest: Extreme,
    lowest: Extreme,
    of_close: bool,
}

impl Step for Midpoint {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let (high, low) = if self.of_close {
            (bar.close, bar.close)
        } else {
            (bar.high, bar.low)
        };
        let highest = self.highest.push(high);
        let lowest = self.lowest.push(low);
        out[0] = match (highest, lowest) {
            (Some((highest, _)), Some((lowest, _))) => (highest + lowest) / 2.0,
            _ => f64::NAN,
        };
    }
}

fn midpoint_state(spec: &IndicatorSpec, of_close: bool) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Midpoint {
        highest: Extreme::new(period, true),
        lowest: Extreme::new(period, false),
        of_close,
    })
}

fn build_midpoint(spec: &IndicatorSpec) -> Box<dyn Step> {
    midpoint_state(spec, true)
}

fn build_midprice(spec: &IndicatorSpec) -> Box<dyn Step> {
    midpoint_state(spec, false)
}

/// `midpoint`: the middle of the window's highest and lowest close.
pub(crate) const MIDPOINT: Definition = Definition {
    name: "midpoint",
    group: Group::Overlap,
    params: PERIOD_14,
    inputs: CLOSE,
    step: Some(build_midpoint),
    lookback: Some(window_lookback),
    ..BASE
};

/// `midprice`: the middle of the window's highest high and lowest low.
pub(crate) const MIDPRICE: Definition = Definition {
    name: "midprice",
    group: Group::Overlap,
    params: PERIOD_14,
    inputs: HL,
    step: Some(build_midprice),
    lookback: Some(window_lookback),
    ..BASE
};
