//! Overlap studies TA-Lib 0.8 added: ACCBANDS, DONCHIAN, KC, SUPERTREND and VWMA, each a
//! bar-at-a-time state.

use super::averages_stream::MaStage;
use crate::indicators::catalog::{BASE, CV, Definition, Group, HL, HLC, period, real};
use crate::indicators::math::Extreme;
use crate::indicators::momentum::trend_stream::{Atr, Bar as Hlc};
use crate::indicators::moving_averages::MaType;
use crate::indicators::step::{Bar, Single as _, Step};
use crate::indicators::step_blocks::{WindowSum, average};
use crate::indicators::{IndicatorSpec, is_zero};

const BANDS: &[&str] = &["upper", "middle", "lower"];

fn window_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

/// Acceleration bands: SMAs of the high and the low pushed apart by `4·(h − l)/(h + l)`,
/// and of the close.
#[derive(Debug, Clone)]
struct AccBands {
    upper: MaStage,
    middle: MaStage,
    lower: MaStage,
}

impl Step for AccBands {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let sum = bar.high + bar.low;
        let (upper, lower) = if is_zero(sum) {
            (bar.high, bar.low)
        } else {
            let width = 4.0 * (bar.high - bar.low) / sum;
            (bar.high * (1.0 + width), bar.low * (1.0 - width))
        };
        let values = (
            self.upper.next(upper),
            self.middle.next(bar.close),
            self.lower.next(lower),
        );
        match values {
            (Some(upper), Some(middle), Some(lower)) => {
                out[0] = upper;
                out[1] = middle;
                out[2] = lower;
            }
            _ => out.fill(f64::NAN),
        }
    }
}

fn accbands(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(AccBands {
        upper: average(period, MaType::Sma),
        middle: average(period, MaType::Sma),
        lower: average(period, MaType::Sma),
    })
}

/// `accbands`: acceleration bands.
pub(crate) const ACCBANDS: Definition = Definition {
    name: "accbands",
    group: Group::Overlap,
    params: &[period("timeperiod", "period", 20, 2)],
    outputs: BANDS,
    inputs: HLC,
    step: Some(accbands),
    lookback: Some(window_lookback),
    ..BASE
};

/// Donchian channel: the window's highest high, the middle, its lowest low.
#[derive(Debug, Clone)]
struct Donchian {
    highest: Extreme,
    lowest: Extreme,
}

impl Step for Donchian {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let highest = self.highest.push(bar.high);
        let lowest = self.lowest.push(bar.low);
        match (highest, lowest) {
            (Some((upper, _)), Some((lower, _))) => {
                out[0] = upper;
                out[1] = (upper + lower) / 2.0;
                out[2] = lower;
            }
            _ => out.fill(f64::NAN),
        }
    }
}

fn donchian(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Donchian {
        highest: Extreme::new(period, true),
        lowest: Extreme::new(period, false),
    })
}

/// `donchian`: the Donchian channel.
pub(crate) const DONCHIAN: Definition = Definition {
    name: "donchian",
    group: Group::Overlap,
    params: &[period("timeperiod", "period", 20, 1)],
    outputs: BANDS,
    inputs: HL,
    step: Some(donchian),
    lookback: Some(window_lookback),
    ..BASE
};

/// Keltner channel: an EMA of the typical price ± `nbdev`·ATR. As in TA-Lib, each of the
/// two starts so that both give their first value on the same bar.
#[derive(Debug, Clone)]
struct Keltner {
    middle: MaStage,
    atr: Atr,
    middle_skip: usize,
    atr_skip: usize,
    nbdev: f64,
    today: usize,
}

impl Step for Keltner {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let today = self.today;
        self.today += 1;
        let middle = if today >= self.middle_skip {
            self.middle.next((bar.high + bar.low + bar.close) / 3.0)
        } else {
            None
        };
        let atr = if today >= self.atr_skip {
            self.atr.next(Hlc {
                high: bar.high,
                low: bar.low,
                close: bar.close,
            })
        } else {
            None
        };
        match (middle, atr) {
            (Some(middle), Some(atr)) => {
                let band = self.nbdev * atr;
                out[0] = middle + band;
                out[1] = middle;
                out[2] = middle - band;
            }
            _ => out.fill(f64::NAN),
        }
    }
}

fn kc_lookbacks(spec: &IndicatorSpec) -> (usize, usize) {
    (spec.period(0) - 1, spec.period(1))
}

fn kc_lookback(spec: &IndicatorSpec) -> usize {
    let (middle, atr) = kc_lookbacks(spec);
    middle.max(atr)
}

fn kc(spec: &IndicatorSpec) -> Box<dyn Step> {
    let (middle, atr) = kc_lookbacks(spec);
    let total = middle.max(atr);
    Box::new(Keltner {
        middle: average(spec.period(0), MaType::Ema),
        atr: Atr::new(spec.period(1)),
        middle_skip: total - middle,
        atr_skip: total - atr,
        nbdev: spec.real(2),
        today: 0,
    })
}

/// `kc`: the Keltner channel.
pub(crate) const KC: Definition = Definition {
    name: "kc",
    group: Group::Overlap,
    params: &[
        period("timeperiod", "period", 20, 2),
        period("atrperiod", "atr period", 10, 1),
        real("nbdev", "nbdev", 2.0),
    ],
    outputs: BANDS,
    inputs: HLC,
    step: Some(kc),
    lookback: Some(kc_lookback),
    ..BASE
};

/// SuperTrend: bands `median ± multiplier·ATR` that only tighten while the trend lasts; the
/// line is the lower band in an up trend (1) and the upper one in a down trend (−1).
#[derive(Debug, Clone)]
struct SuperTrend {
    atr: Atr,
    multiplier: f64,
    state: Option<(f64, f64, f64)>,
    previous_close: f64,
}

impl Step for SuperTrend {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let previous_close = std::mem::replace(&mut self.previous_close, bar.close);
        let Some(atr) = self.atr.next(Hlc {
            high: bar.high,
            low: bar.low,
            close: bar.close,
        }) else {
            out.fill(f64::NAN);
            return;
        };
        let median = (bar.high + bar.low) / 2.0;
        let (basic_upper, basic_lower) = (
            median + self.multiplier * atr,
            median - self.multiplier * atr,
        );
        let (upper, lower, trend) = match self.state {
            None => (basic_upper, basic_lower, 1.0),
            Some((upper, lower, trend)) => {
                let upper = if basic_upper < upper || previous_close > upper {
                    basic_upper
                } else {
                    upper
                };
                let lower = if basic_lower > lower || previous_close < lower {
                    basic_lower
                } else {
                    lower
                };
                let trend = if trend > 0.0 {
                    if bar.close < lower { -1.0 } else { 1.0 }
                } else if bar.close > upper {
                    1.0
                } else {
                    -1.0
                };
                (upper, lower, trend)
            }
        };
        self.state = Some((upper, lower, trend));
        out[0] = if trend > 0.0 { lower } else { upper };
        out[1] = trend;
    }
}

fn supertrend(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(SuperTrend {
        atr: Atr::new(spec.period(0)),
        multiplier: spec.real(1),
        state: None,
        previous_close: 0.0,
    })
}

fn supertrend_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0)
}

/// `supertrend`: the SuperTrend line and its trend (1 up, −1 down).
pub(crate) const SUPERTREND: Definition = Definition {
    name: "supertrend",
    group: Group::Overlap,
    params: &[
        period("timeperiod", "period", 10, 1),
        real("multiplier", "multiplier", 3.0),
    ],
    outputs: &["value", "trend"],
    integer: 0b10,
    inputs: HLC,
    step: Some(supertrend),
    lookback: Some(supertrend_lookback),
};

/// Volume-weighted moving average: the window's `Σ close·volume / Σ volume`.
#[derive(Debug, Clone)]
struct Vwma {
    weighted: WindowSum,
    volume: WindowSum,
}

impl Step for Vwma {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let weighted = self.weighted.push(bar.close * bar.volume);
        let volume = self.volume.push(bar.volume);
        out[0] = match (weighted, volume) {
            (Some(weighted), Some(volume)) => {
                if is_zero(volume) {
                    0.0
                } else {
                    weighted / volume
                }
            }
            _ => f64::NAN,
        };
    }
}

fn vwma(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Vwma {
        weighted: WindowSum::new(period),
        volume: WindowSum::new(period),
    })
}

/// `vwma`: the volume-weighted moving average.
pub(crate) const VWMA: Definition = Definition {
    name: "vwma",
    group: Group::Overlap,
    params: &[period("timeperiod", "period", 30, 1)],
    inputs: CV,
    step: Some(vwma),
    lookback: Some(window_lookback),
    ..BASE
};
