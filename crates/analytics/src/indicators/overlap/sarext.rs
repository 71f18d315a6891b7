//! SAREXT: the parabolic SAR with its start, its reversal offset and separate long and short
//! acceleration factors; short positions are written negated, as TA-Lib writes them.

use crate::indicators::IndicatorSpec;
use crate::indicators::catalog::{BASE, Definition, Group, HL, Param, ranged, real};
use crate::indicators::step::{Bar, Step};

/// One side's acceleration: initial, step and maximum.
#[derive(Debug, Clone, Copy)]
struct Acceleration {
    initial: f64,
    step: f64,
    maximum: f64,
}

impl Acceleration {
    /// TA-Lib caps the initial factor and the step at the maximum.
    fn new(initial: f64, step: f64, maximum: f64) -> Self {
        Self {
            initial: initial.min(maximum),
            step: step.min(maximum),
            maximum,
        }
    }
}

/// The state of SAREXT between bars.
#[derive(Debug, Clone)]
struct SarExt {
    start: f64,
    offset: f64,
    long: Acceleration,
    short: Acceleration,
    today: usize,
    first: (f64, f64),
    factor: f64,
    is_long: bool,
    extreme: f64,
    sar: f64,
    new_low: f64,
    new_high: f64,
}

impl SarExt {
    fn begin(&mut self, high: f64, low: f64) {
        let (high0, low0) = self.first;
        if self.start == 0.0 {
            let diff_plus = high - high0;
            let diff_minus = low0 - low;
            self.is_long = !(diff_minus > 0.0 && diff_plus < diff_minus);
            (self.extreme, self.sar) = if self.is_long {
                (high, low0)
            } else {
                (low, high0)
            };
        } else if self.start > 0.0 {
            self.is_long = true;
            (self.extreme, self.sar) = (high, self.start);
        } else {
            self.is_long = false;
            (self.extreme, self.sar) = (low, self.start.abs());
        }
        self.factor = if self.is_long {
            self.long.initial
        } else {
            self.short.initial
        };
        (self.new_low, self.new_high) = (low, high);
    }

    fn next(&mut self, high: f64, low: f64) -> Option<f64> {
        let today = self.today;
        self.today += 1;
        if today == 0 {
            self.first = (high, low);
            return None;
        }
        if today == 1 {
            self.begin(high, low);
        }
        let (previous_low, previous_high) = (self.new_low, self.new_high);
        let (new_low, new_high) = (low, high);
        self.new_low = new_low;
        self.new_high = new_high;
        let out;
        if self.is_long {
            if new_low <= self.sar {
                self.is_long = false;
                let mut sar = self.extreme.max(previous_high).max(new_high);
                if self.offset != 0.0 {
                    sar += sar * self.offset;
                }
                out = -sar;
                self.factor = self.short.initial;
                self.extreme = new_low;
                sar += self.factor * (self.extreme - sar);
                self.sar = sar.max(previous_high).max(new_high);
            } else {
                out = self.sar;
                if new_high > self.extreme {
                    self.extreme = new_high;
                    self.factor = (self.factor + self.long.step).min(self.long.maximum);
                }
                let sar = self.sar + self.factor * (self.extreme - self.sar);
                self.sar = sar.min(previous_low).min(new_low);
            }
        } else if new_high >= self.sar {
            self.is_long = true;
            let mut sar = self.extreme.min(previous_low).min(new_low);
            if self.offset != 0.0 {
                sar -= sar * self.offset;
            }
            out = sar;
            self.factor = self.long.initial;
            self.extreme = new_high;
            sar += self.factor * (self.extreme - sar);
            self.sar = sar.min(previous_low).min(new_low);
        } else {
            out = -self.sar;
            if new_low < self.extreme {
                self.extreme = new_low;
                self.factor = (self.factor + self.short.step).min(self.short.maximum);
            }
            let sar = self.sar + self.factor * (self.extreme - self.sar);
            self.sar = sar.max(previous_high).max(new_high);
        }
        Some(out)
    }
}

impl Step for SarExt {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = SarExt::next(self, bar.high, bar.low).unwrap_or(f64::NAN);
    }
}

fn sarext(spec: &IndicatorSpec) -> Box<dyn Step> {
    let r = |i| spec.real(i);
    Box::new(SarExt {
        start: r(0),
        offset: r(1),
        long: Acceleration::new(r(2), r(3), r(4)),
        short: Acceleration::new(r(5), r(6), r(7)),
        today: 0,
        first: (0.0, 0.0),
        factor: 0.0,
        is_long: true,
        extreme: 0.0,
        sar: 0.0,
        new_low: 0.0,
        new_high: 0.0,
    })
}

fn one_lookback(_: &IndicatorSpec) -> usize {
    1
}

const NON_NEGATIVE: f64 = 0.0;

const SAREXT_PARAMS: &[Param] = &[
    real("startvalue", "start value", 0.0),
    ranged(
        "offsetonreverse",
        "offset on reverse",
        0.0,
        NON_NEGATIVE,
        f64::MAX,
    ),
    ranged(
        "accelerationinitlong",
        "initial long acceleration",
        0.02,
        NON_NEGATIVE,
        f64::MAX,
    ),
    ranged(
        "accelerationlong",
        "long acceleration",
        0.02,
        NON_NEGATIVE,
        f64::MAX,
    ),
    ranged(
        "accelerationmaxlong",
        "maximum long acceleration",
        0.2,
        NON_NEGATIVE,
        f64::MAX,
    ),
    ranged(
        "accelerationinitshort",
        "initial short acceleration",
        0.02,
        NON_NEGATIVE,
        f64::MAX,
    ),
    ranged(
        "accelerationshort",
        "short acceleration",
        0.02,
        NON_NEGATIVE,
        f64::MAX,
    ),
    ranged(
        "accelerationmaxshort",
        "maximum short acceleration",
        0.2,
        NON_NEGATIVE,
        f64::MAX,
    ),
];

/// `sarext`: the parabolic SAR, extended (short positions negative).
pub(crate) const SAREXT: Definition = Definition {
    name: "sarext",
    group: Group::Overlap,
    params: SAREXT_PARAMS,
    inputs: HL,
    step: Some(sarext),
    lookback: Some(one_lookback),
    ..BASE
};
