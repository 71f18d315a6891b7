//! Momentum functions computed by their bar-at-a-time state: directional movement (+DM, −DM,
//! DX), the rate-of-change variants, the balance of power, and MACD with any MA types
//! (MACDEXT) or TA-Lib's fixed 0.15/0.075 factors (MACDFIX).

use super::trend_stream::{Bar as Hlc, Directional, directional_movement_index};
use crate::indicators::IndicatorSpec;
use crate::indicators::catalog::{
    BASE, CLOSE, Definition, Group, HL, HLC, OHLC, Param, ma, period,
};
use crate::indicators::moving_averages::MaType;
use crate::indicators::overlap::averages_stream::MaStage;
use crate::indicators::step::{Bar, Map, Ring, Single, Step, on_close};

/// `period`, the lookback of the one-period functions that need one bar before the window.
pub(crate) fn period_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0)
}

fn zero_lookback(_: &IndicatorSpec) -> usize {
    0
}

/// One directional movement (+DM or −DM), summed over `period − 1` bars and then smoothed
/// as TA-Lib does: `s − s/period + dm`. A period of 1 gives the bar's own movement.
#[derive(Debug, Clone)]
struct Movement {
    plus: bool,
    period: usize,
    today: usize,
    previous: (f64, f64),
    total: f64,
}

impl Step for Movement {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let today = self.today;
        self.today += 1;
        let (previous_high, previous_low) =
            std::mem::replace(&mut self.previous, (bar.high, bar.low));
        out[0] = f64::NAN;
        if today == 0 {
            return;
        }
        let diff_plus = bar.high - previous_high;
        let diff_minus = previous_low - bar.low;
        let movement = if self.plus && diff_plus > 0.0 && diff_plus > diff_minus {
            diff_plus
        } else if !self.plus && diff_minus > 0.0 && diff_plus < diff_minus {
            diff_minus
        } else {
            0.0
        };
        if self.period == 1 {
            out[0] = movement;
            return;
        }
        if today < self.period {
            self.total += movement;
            if today == self.period - 1 {
                out[0] = self.total;
            }
            return;
        }
        self.total = self.total - (self.total / self.period as f64) + movement;
        out[0] = self.total;
    }
}

fn dm_lookback(spec: &IndicatorSpec) -> usize {
    let period = spec.period(0);
    if period > 1 { period - 1 } else { 1 }
}

fn build_movement(spec: &IndicatorSpec, plus: bool) -> Box<dyn Step> {
    Box::new(Movement {
        plus,
        period: spec.period(0),
        today: 0,
        previous: (0.0, 0.0),
        total: 0.0,
    })
}

fn plus_dm(spec: &IndicatorSpec) -> Box<dyn Step> {
    build_movement(spec, true)
}

fn minus_dm(spec: &IndicatorSpec) -> Box<dyn Step> {
    build_movement(spec, false)
}

const PERIOD_14_1: &[Param] = &[period("timeperiod", "period", 14, 1)];
const PERIOD_14_2: &[Param] = &[period("timeperiod", "period", 14, 2)];
const PERIOD_10_1: &[Param] = &[period("timeperiod", "period", 10, 1)];

/// `plus_dm`: the smoothed upward directional movement.
pub(crate) const PLUS_DM: Definition = Definition {
    name: "plus_dm",
    group: Group::Momentum,
    params: PERIOD_14_1,
    inputs: HL,
    step: Some(plus_dm),
    lookback: Some(dm_lookback),
    ..BASE
};

/// `minus_dm`: the smoothed downward directional movement.
pub(crate) const MINUS_DM: Definition = Definition {
    name: "minus_dm",
    group: Group::Momentum,
    params: PERIOD_14_1,
    inputs: HL,
    step: Some(minus_dm),
    lookback: Some(dm_lookback),
    ..BASE
};

/// DX: `100·|+DI − −DI|/(+DI + −DI)`, the previous value where TA-Lib cannot divide.
#[derive(Debug, Clone)]
struct Dx {
    directional: Directional,
    last: f64,
}

impl Step for Dx {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let hlc = Hlc {
            high: bar.high,
            low: bar.low,
            close: bar.close,
        };
        out[0] = match self.directional.next(hlc) {
            Some((plus, minus, range)) => {
                if let Some(dx) = directional_movement_index(plus, minus, range) {
                    self.last = dx;
                }
                self.last
            }
            None => f64::NAN,
        };
    }
}

fn dx(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Dx {
        directional: Directional::new(spec.period(0)),
        last: 0.0,
    })
}

/// `dx`: the directional movement index.
pub(crate) const DX: Definition = Definition {
    name: "dx",
    group: Group::Momentum,
    params: PERIOD_14_2,
    inputs: HLC,
    step: Some(dx),
    lookback: Some(period_lookback),
    ..BASE
};

/// A value and the one `period` bars before it, mapped by `f(value, previous)`.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    ring: Ring,
    f: fn(f64, f64) -> f64,
}

impl Change {
    /// `f(x[t], x[t − period])` from row `period` on.
    pub(crate) fn new(period: usize, f: fn(f64, f64) -> f64) -> Self {
        Self {
            ring: Ring::new(period + 1),
            f,
        }
    }
}

impl Single for Change {
    fn push(&mut self, value: f64) -> Option<f64> {
        self.ring.push(value);
        if !self.ring.full() {
            return None;
        }
        Some((self.f)(value, self.ring.back(self.ring.len() - 1)))
    }
}

macro_rules! change {
    ($constant:ident, $name:literal, $build:ident, $f:expr) => {
        fn $build(spec: &IndicatorSpec) -> Box<dyn Step> {
            on_close(Change::new(spec.period(0), $f))
        }

        #[doc = concat!("`", $name, "`: a rate of change.")]
        pub(crate) const $constant: Definition = Definition {
            name: $name,
            group: Group::Momentum,
            params: PERIOD_10_1,
            inputs: CLOSE,
            step: Some($build),
            lookback: Some(period_lookback),
            ..BASE
        };
    };
}

change!(ROCP, "rocp", rocp, |x, previous| if previous != 0.0 {
    (x - previous) / previous
} else {
    0.0
});
change!(ROCR, "rocr", rocr, |x, previous| if previous != 0.0 {
    x / previous
} else {
    0.0
});
change!(
    ROCR100,
    "rocr100",
    rocr100,
    |x, previous| if previous != 0.0 {
        (x / previous) * 100.0
    } else {
        0.0
    }
);

fn bop(_: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Map(|bar: &Bar| {
        let range = bar.high - bar.low;
        if range <= 0.0 {
            0.0
        } else {
            (bar.close - bar.open) / range
        }
    }))
}

/// `bop`: balance of power, `(close − open)/(high − low)`.
pub(crate) const BOP: Definition = Definition {
    name: "bop",
    group: Group::Momentum,
    inputs: OHLC,
    step: Some(bop),
    lookback: Some(zero_lookback),
    ..BASE
};

/// An EMA with a given factor, seeded with the mean of its first `period` values.
#[derive(Debug, Clone)]
struct FactorEma {
    period: usize,
    factor: f64,
    count: usize,
    value: f64,
}

impl FactorEma {
    fn new(period: usize, factor: f64) -> Self {
        Self {
            period,
            factor,
            count: 0,
            value: 0.0,
        }
    }
}

impl Single for FactorEma {
    fn push(&mut self, value: f64) -> Option<f64> {
        if self.count < self.period {
            self.count += 1;
            self.value += value;
            if self.count < self.period {
                return None;
            }
            self.value /= self.period as f64;
            return Some(self.value);
        }
        self.value = ((value - self.value) * self.factor) + self.value;
        Some(self.value)
    }
}

/// MACD from any fast, slow and signal stages. TA-Lib seeds both averages so that their first
/// values fall on the same row (the longer lookback): the stage with the shorter lookback
/// starts that many rows later.
#[derive(Debug, Clone)]
struct MacdStages<S: Single, T: Single> {
    fast: S,
    slow: S,
    signal: T,
    fast_skip: usize,
    slow_skip: usize,
    today: usize,
}

impl<S: Single, T: Single> Step for MacdStages<S, T> {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let value = bar.close;
        let today = self.today;
        self.today += 1;
        out.fill(f64::NAN);
        let fast = if today >= self.fast_skip {
            self.fast.push(value)
        } else {
            None
        };
        let slow = if today >= self.slow_skip {
            self.slow.push(value)
        } else {
            None
        };
        let (Some(fast), Some(slow)) = (fast, slow) else {
            return;
        };
        let line = fast - slow;
        if let Some(signal) = self.signal.push(line) {
            out[0] = line;
            out[1] = signal;
            out[2] = line - signal;
        }
    }
}

impl Single for Box<MaStage> {
    fn push(&mut self, value: f64) -> Option<f64> {
        self.next(value)
    }
}

/// MACDEXT's periods and types, the shorter period first as TA-Lib swaps them.
fn macdext_parts(spec: &IndicatorSpec) -> ((usize, MaType), (usize, MaType), (usize, MaType)) {
    let (mut fast, mut slow) = (
        (spec.period(0), spec.ma_type(1)),
        (spec.period(2), spec.ma_type(3)),
    );
    if slow.0 < fast.0 {
        std::mem::swap(&mut fast, &mut slow);
    }
    (fast, slow, (spec.period(4), spec.ma_type(5)))
}

fn macdext_lookback(spec: &IndicatorSpec) -> usize {
    let (fast, slow, signal) = macdext_parts(spec);
    fast.1.lookback(fast.0).max(slow.1.lookback(slow.0)) + signal.1.lookback(signal.0)
}

fn macdext(spec: &IndicatorSpec) -> Box<dyn Step> {
    let (fast, slow, signal) = macdext_parts(spec);
    let (fast_lookback, slow_lookback) = (fast.1.lookback(fast.0), slow.1.lookback(slow.0));
    let longest = fast_lookback.max(slow_lookback);
    Box::new(MacdStages {
        fast: Box::new(MaStage::new(fast.0, fast.1)),
        slow: Box::new(MaStage::new(slow.0, slow.1)),
        signal: Box::new(MaStage::new(signal.0, signal.1)),
        fast_skip: longest - fast_lookback,
        slow_skip: longest - slow_lookback,
        today: 0,
    })
}

const MACD_OUTPUTS: &[&str] = &["macd", "signal", "hist"];

/// `macdext`: MACD with a moving-average type for each line.
pub(crate) const MACDEXT: Definition = Definition {
    name: "macdext",
    group: Group::Momentum,
    params: &[
        period("fastperiod", "fast period", 12, 2),
        ma("fastmatype", "fast moving-average type"),
        period("slowperiod", "slow period", 26, 2),
        ma("slowmatype", "slow moving-average type"),
        period("signalperiod", "signal period", 9, 1),
        ma("signalmatype", "signal moving-average type"),
    ],
    outputs: MACD_OUTPUTS,
    inputs: CLOSE,
    step: Some(macdext),
    lookback: Some(macdext_lookback),
    ..BASE
};

fn macdfix_lookback(spec: &IndicatorSpec) -> usize {
    25 + spec.period(0) - 1
}

fn macdfix(spec: &IndicatorSpec) -> Box<dyn Step> {
    let signal = spec.period(0);
    Box::new(MacdStages {
        fast: FactorEma::new(12, 0.15),
        slow: FactorEma::new(26, 0.075),
        signal: FactorEma::new(signal, 2.0 / (signal as f64 + 1.0)),
        fast_skip: 14,
        slow_skip: 0,
        today: 0,
    })
}

/// `macdfix`: MACD 12/26 with TA-Lib's fixed factors 0.15 and 0.075.
pub(crate) const MACDFIX: Definition = Definition {
    name: "macdfix",
    group: Group::Momentum,
    params: &[period("signalperiod", "signal period", 9, 1)],
    outputs: MACD_OUTPUTS,
    inputs: CLOSE,
    step: Some(macdfix),
    lookback: Some(macdfix_lookback),
    ..BASE
};
