//! Momentum functions TA-Lib 0.8 added that combine stochastics and smoothing: FRACTAL, KDJ
//! and SMI.

use crate::indicators::catalog::{BASE, Definition, Group, HL, HLC, ma_default, period};
use crate::indicators::math::Extreme;
use crate::indicators::moving_averages::MaType;
use crate::indicators::overlap::averages_stream::MaStage;
use crate::indicators::step::{Bar, Ring, Single, Step};
use crate::indicators::step_blocks::{Chain, average};
use crate::indicators::{IndicatorSpec, is_zero};

/// Bill Williams' fractals: 100 on the bar that confirms a swing high (low), `right` bars
/// after a high strictly above (a low strictly below) the `left` bars before it and the
/// `right` bars after it.
#[derive(Debug, Clone)]
struct Fractal {
    highs: Ring,
    lows: Ring,
    left: usize,
    right: usize,
}

impl Step for Fractal {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        self.highs.push(bar.high);
        self.lows.push(bar.low);
        if !self.highs.full() {
            out.fill(f64::NAN);
            return;
        }
        let age = self.right;
        let (high, low) = (self.highs.back(age), self.lows.back(age));
        let span = self.left + self.right;
        let mut swing_high = true;
        let mut swing_low = true;
        for other in (0..=span).filter(|&a| a != age) {
            swing_high &= high > self.highs.back(other);
            swing_low &= low < self.lows.back(other);
        }
        out[0] = if swing_high { 100.0 } else { 0.0 };
        out[1] = if swing_low { 100.0 } else { 0.0 };
    }
}

fn fractal(spec: &IndicatorSpec) -> Box<dyn Step> {
    let (left, right) = (spec.period(0), spec.period(1));
    Box::new(Fractal {
        highs: Ring::new(left + right + 1),
        lows: Ring::new(left + right + 1),
        left,
        right,
    })
}

fn fractal_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) + spec.period(1)
}

/// `fractal`: Bill Williams' swing highs and lows (100 where one is confirmed, else 0).
pub(crate) const FRACTAL: Definition = Definition {
    name: "fractal",
    group: Group::Momentum,
    params: &[
        period("leftbars", "left bars", 2, 1),
        period("rightbars", "right bars", 2, 1),
    ],
    outputs: &["high", "low"],
    integer: 0b11,
    inputs: HL,
    step: Some(fractal),
    lookback: Some(fractal_lookback),
};

/// The raw stochastic `%K` of the close in the window's range (0 on a zero range).
#[derive(Debug, Clone)]
struct RawK {
    highest: Extreme,
    lowest: Extreme,
}

impl RawK {
    fn new(period: usize) -> Self {
        Self {
            highest: Extreme::new(period, true),
            lowest: Extreme::new(period, false),
        }
    }

    /// `(highest, lowest)` of the window once full.
    fn push(&mut self, bar: &Bar) -> Option<(f64, f64)> {
        let highest = self.highest.push(bar.high);
        let lowest = self.lowest.push(bar.low);
        Some((highest?.0, lowest?.0))
    }
}

/// KDJ: K the smoothed fast stochastic, D its smoothing, J = 3K − 2D.
#[derive(Debug, Clone)]
struct Kdj {
    range: RawK,
    k: MaStage,
    d: MaStage,
}

impl Step for Kdj {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out.fill(f64::NAN);
        let Some((highest, lowest)) = self.range.push(bar) else {
            return;
        };
        let spread = highest - lowest;
        let fast = if is_zero(spread) {
            0.0
        } else {
            ((bar.close - lowest) / spread) * 100.0
        };
        let Some(k) = self.k.next(fast) else {
            return;
        };
        let Some(d) = self.d.next(k) else {
            return;
        };
        out[0] = k;
        out[1] = d;
        out[2] = 3.0 * k - 2.0 * d;
    }
}

fn kdj(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Kdj {
        range: RawK::new(spec.period(0)),
        k: average(spec.period(1), spec.ma_type(2)),
        d: average(spec.period(3), spec.ma_type(4)),
    })
}

fn kdj_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
        + spec.ma_type(2).lookback(spec.period(1))
        + spec.ma_type(4).lookback(spec.period(3))
}

/// `kdj`: the KDJ stochastic (Wilder-smoothed by default).
pub(crate) const KDJ: Definition = Definition {
    name: "kdj",
    group: Group::Momentum,
    params: &[
        period("fastk_period", "fastk period", 9, 1),
        period("slowk_period", "slowk period", 3, 1),
        ma_default("slowk_matype", "slowk moving-average type", MaType::Rma),
        period("slowd_period", "slowd period", 3, 1),
        ma_default("slowd_matype", "slowd moving-average type", MaType::Rma),
    ],
    outputs: &["k", "d", "j"],
    inputs: HLC,
    step: Some(kdj),
    lookback: Some(kdj_lookback),
    ..BASE
};

/// Stochastic momentum index: the close's distance from the window's midpoint and the
/// window's range, each smoothed by an EMA of `slow` then one of `fast`; the signal is an
/// EMA of the index.
#[derive(Debug, Clone)]
struct Smi {
    range: RawK,
    distance: Chain<MaStage, MaStage>,
    width: Chain<MaStage, MaStage>,
    signal: MaStage,
}

impl Step for Smi {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out.fill(f64::NAN);
        let Some((highest, lowest)) = self.range.push(bar) else {
            return;
        };
        let distance = self.distance.push(bar.close - (highest + lowest) / 2.0);
        let width = self.width.push(highest - lowest);
        let (Some(distance), Some(width)) = (distance, width) else {
            return;
        };
        let half = 0.5 * width;
        let index = if is_zero(half) {
            0.0
        } else {
            100.0 * (distance / half)
        };
        if let Some(signal) = self.signal.next(index) {
            out[0] = index;
            out[1] = signal;
        }
    }
}

fn smi(spec: &IndicatorSpec) -> Box<dyn Step> {
    let chain = || {
        Chain(
            average(spec.period(2), MaType::Ema),
            average(spec.period(1), MaType::Ema),
        )
    };
    Box::new(Smi {
        range: RawK::new(spec.period(0)),
        distance: chain(),
        width: chain(),
        signal: average(spec.period(3), MaType::Ema),
    })
}

fn smi_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
        + MaType::Ema.lookback(spec.period(2))
        + MaType::Ema.lookback(spec.period(1))
        + MaType::Ema.lookback(spec.period(3))
}

/// `smi`: the stochastic momentum index and its signal.
pub(crate) const SMI: Definition = Definition {
    name: "smi",
    group: Group::Momentum,
    params: &[
        period("timeperiod", "period", 13, 1),
        period("fastperiod", "fast period", 2, 1),
        period("slowperiod", "slow period", 25, 1),
        period("signalperiod", "signal period", 9, 1),
    ],
    outputs: &["smi", "signal"],
    inputs: HLC,
    step: Some(smi),
    lookback: Some(smi_lookback),
    ..BASE
};
