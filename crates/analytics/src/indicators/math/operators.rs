//! TA-Lib's math operators: high and low combined bar by bar (ADD, SUB, MULT, DIV, as the
//! abstract interface maps `price0`/`price1`), the running sum, and window sums and extremes.

use super::transforms::none;
use crate::indicators::IndicatorSpec;
use crate::indicators::batch::Columns;
use crate::indicators::catalog::{BASE, CLOSE, Definition, Group, HL, period};
use crate::indicators::step::{Bar, Map, Ring, Step, run_bars};

macro_rules! binary {
    ($constant:ident, $name:literal, $build:ident, $f:expr) => {
        fn $build(_: &IndicatorSpec) -> Box<dyn Step> {
            Box::new(Map(|bar: &Bar| ($f)(bar.high, bar.low)))
        }

        #[doc = concat!("`", $name, "`: high and low combined bar by bar.")]
        pub(crate) const $constant: Definition = Definition {
            name: $name,
            group: Group::MathOperators,
            inputs: HL,
            step: Some($build),
            lookback: Some(none),
            ..BASE
        };
    };
}

binary!(ADD, "add", add, |a: f64, b: f64| a + b);
binary!(SUB, "sub", sub, |a: f64, b: f64| a - b);
binary!(MULT, "mult", mult, |a: f64, b: f64| a * b);
binary!(DIV, "div", div, |a: f64, b: f64| a / b);

/// The running sum of the closes from the first bar.
#[derive(Debug, Clone, Default)]
struct CumSum(f64);

impl Step for CumSum {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        self.0 += bar.close;
        out[0] = self.0;
    }
}

fn cumsum(_: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(CumSum::default())
}

/// `cumsum`: the running sum of the close.
pub(crate) const CUMSUM: Definition = Definition {
    name: "cumsum",
    group: Group::MathOperators,
    inputs: CLOSE,
    step: Some(cumsum),
    lookback: Some(none),
    ..BASE
};

/// `period − 1`, the lookback of every window function of one period.
pub(crate) fn window_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

/// TA-Lib's `timeperiod` of 30, at least 2, for MIN, MAX and SUM.
const PERIOD_30: &[crate::indicators::catalog::Param] = &[period("timeperiod", "period", 30, 2)];

/// The sum of the last `period` closes: TA-Lib adds the newest, outputs, then subtracts the
/// oldest.
#[derive(Debug, Clone)]
pub(crate) struct Sum {
    ring: Ring,
    total: f64,
}

impl Sum {
    /// A window sum of `period` values.
    pub(crate) fn new(period: usize) -> Self {
        Self {
            ring: Ring::new(period),
            total: 0.0,
        }
    }

    /// Consumes the next value; `Some` once the window is full.
    pub(crate) fn push(&mut self, value: f64) -> Option<f64> {
        self.total += value;
        self.ring.push(value);
        if !self.ring.full() {
            return None;
        }
        let current = self.total;
        self.total -= self.ring.back(self.ring.len() - 1);
        Some(current)
    }
}

impl Step for Sum {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = self.push(bar.close).unwrap_or(f64::NAN);
    }
}

fn sum(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Sum::new(spec.period(0)))
}

/// `sum`: the sum over a window.
pub(crate) const SUM: Definition = Definition {
    name: "sum",
    group: Group::MathOperators,
    params: PERIOD_30,
    inputs: CLOSE,
    step: Some(sum),
    lookback: Some(window_lookback),
    ..BASE
};

/// TA-Lib's window extreme: the row of the highest (or lowest) value of the window, rescanning
/// the window only when the extreme leaves it. Ties go as in TA-Lib: a rescan keeps the
/// earliest of equal values, a new bar equal to the extreme takes its place.
#[derive(Debug, Clone)]
pub(crate) struct Extreme {
    ring: Ring,
    /// Row of the extreme, or None before the first window.
    row: Option<usize>,
    value: f64,
    highest: bool,
}

impl Extreme {
    /// The highest (`highest`) or lowest value over `period` bars.
    pub(crate) fn new(period: usize, highest: bool) -> Self {
        Self {
            ring: Ring::new(period),
            row: None,
            value: 0.0,
            highest,
        }
    }

    #[inline]
    fn beats(&self, candidate: f64, current: f64) -> bool {
        if self.highest {
            candidate >= current
        } else {
            candidate <= current
        }
    }

    /// Consumes the next value; once the window is full, the extreme and its row (counted
    /// from the first value).
    #[inline]
    pub(crate) fn push(&mut self, value: f64) -> Option<(f64, usize)> {
        self.ring.push(value);
        if !self.ring.full() {
            return None;
        }
        let today = self.ring.seen() - 1;
        let trailing = today + 1 - self.ring.len();
        match self.row {
            Some(row) if row >= trailing => {
                if self.beats(value, self.value) {
                    self.row = Some(today);
                    self.value = value;
                }
            }
            _ => {
                // The window oldest first, straight from the ring's two halves.
                let mut values = self.ring.iter();
                let mut best = trailing;
                let mut best_value = values.next().unwrap_or(value);
                for (offset, candidate) in values.enumerate() {
                    // A rescan keeps the earliest of equal values, a new bar wins ties.
                    if candidate != best_value && self.beats(candidate, best_value) {
                        best = trailing + 1 + offset;
                        best_value = candidate;
                    }
                }
                self.row = Some(best);
                self.value = best_value;
            }
        }
        Some((self.value, self.row.unwrap_or(today)))
    }
}

impl Extreme {
    /// Whether no value has come yet.
    fn is_fresh(&self) -> bool {
        self.ring.seen() == 0
    }

    /// TA-Lib's loop over a whole `series` for a fresh state, writing each window's extreme
    /// (or its row, with `index`) from row `period − 1` on; afterwards the state is the one
    /// the same values pushed one by one would leave. The series holds at least a window.
    fn run_fresh(&mut self, series: &[f64], index: bool, out: &mut [f64]) {
        let period = self.ring.len();
        let (row, value) = if self.highest {
            window_extremes::<true>(series, period, index, out)
        } else {
            window_extremes::<false>(series, period, index, out)
        };
        out[..period - 1].fill(f64::NAN);
        self.ring = Ring::loaded(period, &series[series.len() - period..], series.len());
        self.row = Some(row);
        self.value = value;
    }
}

/// TA-Lib's loop over `series` for the highest (`HIGH`) or lowest value of each window of
/// `period`: writes the extreme (or its row, with `index`) from row `period − 1` on and
/// returns the last window's row and value. Monomorphised per direction so that the
/// comparisons of the rescans are plain ones.
fn window_extremes<const HIGH: bool>(
    series: &[f64],
    period: usize,
    index: bool,
    out: &mut [f64],
) -> (usize, f64) {
    // Strictly better (a rescan keeps the earliest of equals) and at least as good (a new bar
    // equal to the extreme takes its place).
    let better = |a: f64, b: f64| if HIGH { a > b } else { a < b };
    let as_good = |a: f64, b: f64| if HIGH { a >= b } else { a <= b };
    let (mut row, mut value) = (0, series[0]);
    let mut valid = false;
    for today in period - 1..series.len() {
        let trailing = today + 1 - period;
        let candidate = series[today];
        if !valid || row < trailing {
            row = trailing;
            value = series[trailing];
            for (offset, &earlier) in series[trailing + 1..=today].iter().enumerate() {
                if better(earlier, value) {
                    row = trailing + 1 + offset;
                    value = earlier;
                }
            }
            valid = true;
        } else if as_good(candidate, value) {
            row = today;
            value = candidate;
        }
        out[today] = if index { row as f64 } else { value };
    }
    (row, value)
}

/// MAX, MIN and their indexes: which extremes, and whether the rows are written.
#[derive(Debug, Clone)]
struct Extremes {
    min: Option<Extreme>,
    max: Option<Extreme>,
    index: bool,
}

impl Step for Extremes {
    /// A whole series (or the first chunk of a stream) from a fresh state goes through
    /// TA-Lib's loop over the slice; later chunks go bar by bar.
    fn run(&mut self, columns: &Columns<'_>, out: &mut [&mut [f64]]) {
        let fresh = self.min.as_ref().is_none_or(Extreme::is_fresh)
            && self.max.as_ref().is_none_or(Extreme::is_fresh);
        let period = self
            .min
            .as_ref()
            .or(self.max.as_ref())
            .map_or(usize::MAX, |e| e.ring.len());
        if !fresh || columns.len < period {
            return run_bars(self, columns, out);
        }
        let index = self.index;
        let extremes = [self.min.as_mut(), self.max.as_mut()].into_iter().flatten();
        for (slot, extreme) in extremes.enumerate() {
            extreme.run_fresh(columns.close, index, out[slot]);
        }
    }

    #[inline]
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let index = self.index;
        let pick = |found: Option<(f64, usize)>| match found {
            Some((value, row)) => {
                if index {
                    row as f64
                } else {
                    value
                }
            }
            None => f64::NAN,
        };
        let mut slot = 0;
        if let Some(min) = self.min.as_mut() {
            out[slot] = pick(min.push(bar.close));
            slot += 1;
        }
        if let Some(max) = self.max.as_mut() {
            out[slot] = pick(max.push(bar.close));
        }
    }
}

macro_rules! extremes {
    ($constant:ident, $name:literal, $build:ident, $min:expr, $max:expr, $index:expr, $outputs:expr, $integer:expr) => {
        fn $build(spec: &IndicatorSpec) -> Box<dyn Step> {
            let period = spec.period(0);
            Box::new(Extremes {
                min: $min.then(|| Extreme::new(period, false)),
                max: $max.then(|| Extreme::new(period, true)),
                index: $index,
            })
        }

        #[doc = concat!("`", $name, "`: window extremes.")]
        pub(crate) const $constant: Definition = Definition {
            name: $name,
            group: Group::MathOperators,
            params: PERIOD_30,
            outputs: $outputs,
            integer: $integer,
            inputs: CLOSE,
            step: Some($build),
            lookback: Some(window_lookback),
        };
    };
}

const VALUE: &[&str] = &["value"];
const MIN_MAX: &[&str] = &["min", "max"];
const MIN_MAX_INDEX: &[&str] = &["minidx", "maxidx"];

extremes!(MAX, "max", max, false, true, false, VALUE, 0);
extremes!(MIN, "min", min, true, false, false, VALUE, 0);
extremes!(MAXINDEX, "maxindex", maxindex, false, true, true, VALUE, 1);
extremes!(MININDEX, "minindex", minindex, true, false, true, VALUE, 1);
extremes!(MINMAX, "minmax", minmax, true, true, false, MIN_MAX, 0);
extremes!(
    MINMAXINDEX,
    "minmaxindex",
    minmaxindex,
    true,
    true,
    true,
    MIN_MAX_INDEX,
    3
);
