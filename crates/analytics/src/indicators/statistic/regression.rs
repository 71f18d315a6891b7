//! Linear regressions of the close on time, and BETA and CORREL of the high on the low (as
//! TA-Lib's abstract interface maps their two inputs), in TA-Lib's arithmetic.

use super::window_lookback;
use crate::indicators::catalog::{BASE, CLOSE, Definition, Group, HL, Param, period};
use crate::indicators::step::{Bar, Ring, Step};
use crate::indicators::{IndicatorSpec, is_zero};

/// What a regression writes.
#[derive(Debug, Clone, Copy)]
enum Fit {
    /// The line's value at the newest bar.
    Value,
    /// The slope's angle in degrees.
    Angle,
    /// The line's value at the oldest bar.
    Intercept,
    /// The slope per bar.
    Slope,
    /// The line's value one bar after the newest (time series forecast).
    Forecast,
}

/// TA-Lib 0.8's least squares over the window: `Σy` and `Σx·y` (x the bars ago, so the oldest
/// value weighs n − 1 and the newest 0) kept as running sums, `Σx·y ← Σx·y + Σy − n·old` and
/// `Σy ← Σy − old + new`, and recomputed from the window, oldest first, at the first window
/// and every `32·n` bars after (found against TA-Lib's output: its slope is that arithmetic's
/// to the bit, flat windows' rounding noise included).
#[derive(Debug, Clone)]
struct Regression {
    ring: Ring,
    fit: Fit,
    sum_x: f64,
    divisor: f64,
    sum_xy: f64,
    sum_y: f64,
    bars_until_rebuild: usize,
}

impl Regression {
    fn rebuild(&mut self) {
        let n = self.ring.len();
        let (mut sum_xy, mut sum_y) = (0.0, 0.0);
        for (k, value) in self.ring.iter().enumerate() {
            sum_y += value;
            sum_xy += (n - 1 - k) as f64 * value;
        }
        (self.sum_xy, self.sum_y) = (sum_xy, sum_y);
        self.bars_until_rebuild = 32 * n;
    }
}

impl Step for Regression {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let was_full = self.ring.full();
        let old = self.ring.push(bar.close);
        if !self.ring.full() {
            out[0] = f64::NAN;
            return;
        }
        let n = self.ring.len();
        let nf = n as f64;
        if !was_full {
            self.rebuild();
        } else {
            self.sum_xy = (self.sum_xy + self.sum_y) - nf * old;
            self.sum_y = self.sum_y - old + bar.close;
            self.bars_until_rebuild -= 1;
            if self.bars_until_rebuild == 0 {
                self.rebuild();
            }
        }
        let m = (nf * self.sum_xy - self.sum_x * self.sum_y) / self.divisor;
        let b = (self.sum_y - m * self.sum_x) / nf;
        out[0] = match self.fit {
            Fit::Value => b + m * (nf - 1.0),
            Fit::Angle => m.atan() * (180.0 / std::f64::consts::PI),
            Fit::Intercept => b,
            Fit::Slope => m,
            Fit::Forecast => b + m * nf,
        };
    }
}

fn regression(spec: &IndicatorSpec, fit: Fit) -> Box<dyn Step> {
    let n = spec.period(0) as f64;
    let sum_x = n * (n - 1.0) * 0.5;
    let sum_x_sqr = n * (n - 1.0) * (2.0 * n - 1.0) / 6.0;
    Box::new(Regression {
        ring: Ring::new(spec.period(0)),
        fit,
        sum_x,
        divisor: sum_x * sum_x - n * sum_x_sqr,
        sum_xy: 0.0,
        sum_y: 0.0,
        bars_until_rebuild: 0,
    })
}

macro_rules! regression {
    ($constant:ident, $name:literal, $build:ident, $fit:expr) => {
        fn $build(spec: &IndicatorSpec) -> Box<dyn Step> {
            regression(spec, $fit)
        }

        #[doc = concat!("`", $name, "`: a least-squares line over the window.")]
        pub(crate) const $constant: Definition = Definition {
            name: $name,
            group: Group::Statistic,
            params: PERIOD_14,
            inputs: CLOSE,
            step: Some($build),
            lookback: Some(window_lookback),
            ..BASE
        };
    };
}

const PERIOD_14: &[Param] = &[period("timeperiod", "period", 14, 2)];

regression!(LINEARREG, "linearreg", linearreg, Fit::Value);
regression!(
    LINEARREG_ANGLE,
    "linearreg_angle",
    linearreg_angle,
    Fit::Angle
);
regression!(
    LINEARREG_INTERCEPT,
    "linearreg_intercept",
    linearreg_intercept,
    Fit::Intercept
);
regression!(
    LINEARREG_SLOPE,
    "linearreg_slope",
    linearreg_slope,
    Fit::Slope
);
regression!(TSF, "tsf", tsf, Fit::Forecast);

/// Pearson's correlation of the high (`x`) and the low (`y`) over the window, as TA-Lib 0.8
/// computes it: running sums of deviations from a shift per series (the first values, then
/// the window's means), so that no sum of squares subtracts two price-squared quantities;
/// rebuilt from the window when either spread falls below 1e-6 of its sum of squares' peak
/// since the last rebuild, or every `32·period` bars, as `var` does; clamped into [-1, 1].
#[derive(Debug, Clone)]
struct Correl {
    /// The window's pairs, oldest at `next` once full.
    pairs: Vec<(f64, f64)>,
    next: usize,
    seen: usize,
    inverse: f64,
    shift: (f64, f64),
    /// Σdx, Σdy, Σdx², Σdy², Σdx·dy.
    sums: [f64; 5],
    peaks: (f64, f64),
    bars_until_rebuild: usize,
}

impl Correl {
    /// The sums of the window's deviations from `shift`, oldest pair first.
    fn sums_from(&self, shift: (f64, f64)) -> [f64; 5] {
        let n = self.pairs.len();
        let mut sums = [0.0; 5];
        for k in 0..n {
            let (x, y) = self.pairs[(self.next + k) % n];
            let (dx, dy) = (x - shift.0, y - shift.1);
            sums[0] += dx;
            sums[1] += dy;
            sums[2] += dx * dx;
            sums[3] += dy * dy;
            sums[4] += dx * dy;
        }
        sums
    }

    /// The spreads `Σdx² − (Σdx)²/n`, `Σdy² − (Σdy)²/n` and the co-spread, from the sums.
    fn spreads(&self) -> (f64, f64, f64) {
        let [sx, sy, sxx, syy, sxy] = self.sums;
        let inverse = self.inverse;
        (
            sxx - sx * sx * inverse,
            syy - sy * sy * inverse,
            sxy - sx * sy * inverse,
        )
    }
}

impl Step for Correl {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let n = self.pairs.len();
        let (x, y) = (bar.high, bar.low);
        if self.seen == 0 {
            self.shift = (x, y);
        }
        let (dx, dy) = (x - self.shift.0, y - self.shift.1);
        let sums = &mut self.sums;
        sums[0] += dx;
        sums[1] += dy;
        sums[2] += dx * dx;
        sums[3] += dy * dy;
        sums[4] += dx * dy;
        // The slot of the pair that left after the last bar; the window now ends with this one.
        self.pairs[self.next] = (x, y);
        self.next = (self.next + 1) % n;
        self.seen += 1;
        if self.seen < n {
            out[0] = f64::NAN;
            return;
        }
        self.peaks = (
            self.peaks.0.max(self.sums[2]),
            self.peaks.1.max(self.sums[3]),
        );
        let (mut spread_x, mut spread_y, mut co_spread) = self.spreads();
        self.bars_until_rebuild -= 1;
        if spread_x < 0.000001 * self.peaks.0
            || spread_y < 0.000001 * self.peaks.1
            || self.bars_until_rebuild == 0
        {
            self.bars_until_rebuild = 32 * n;
            let (mut total_x, mut total_y) = (0.0, 0.0);
            for k in 0..n {
                let (px, py) = self.pairs[(self.next + k) % n];
                total_x += px;
                total_y += py;
            }
            self.shift = (total_x * self.inverse, total_y * self.inverse);
            self.sums = self.sums_from(self.shift);
            (spread_x, spread_y, co_spread) = self.spreads();
            self.peaks = (self.sums[2], self.sums[3]);
        }
        let product = spread_x * spread_y;
        out[0] = if spread_x > 0.0 && spread_y > 0.0 && product > 0.0 {
            (co_spread / product.sqrt()).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        // The window's oldest pair leaves before the next bar.
        let leaving = self.pairs[self.next];
        let (tx, ty) = (leaving.0 - self.shift.0, leaving.1 - self.shift.1);
        let sums = &mut self.sums;
        sums[0] -= tx;
        sums[1] -= ty;
        sums[2] -= tx * tx;
        sums[3] -= ty * ty;
        sums[4] -= tx * ty;
    }
}

fn correl(spec: &IndicatorSpec) -> Box<dyn Step> {
    let n = spec.period(0);
    Box::new(Correl {
        pairs: vec![(0.0, 0.0); n],
        next: 0,
        seen: 0,
        inverse: 1.0 / n as f64,
        shift: (0.0, 0.0),
        sums: [0.0; 5],
        peaks: (0.0, 0.0),
        bars_until_rebuild: 32 * n,
    })
}

/// `correl`: Pearson's correlation of two series (the high and the low).
pub(crate) const CORREL: Definition = Definition {
    name: "correl",
    group: Group::Statistic,
    params: &[period("timeperiod", "period", 30, 1)],
    inputs: HL,
    step: Some(correl),
    lookback: Some(window_lookback),
    ..BASE
};

/// TA-Lib's BETA of the first input's one-bar returns (`x`, the high's) against the
/// second's (`y`, the low's), `(n·Sxy − Sx·Sy)/(n·Sxx − Sx²)`, as TA-Lib 0.8 sums them: over
/// deviations of the returns from a shift (the first returns, then the window's means), so
/// that `n·Sxx − Sx²` does not subtract two large equal numbers; rebuilt from the window when
/// that spread falls below 1e-6 of `n` times its sum of squares' peak, or every `32·period`
/// returns.
#[derive(Debug, Clone)]
struct Beta {
    period: usize,
    /// The window's return pairs, oldest at `next` once full.
    pairs: Vec<(f64, f64)>,
    next: usize,
    /// Returns seen so far.
    count: usize,
    last: Option<(f64, f64)>,
    shift: Option<(f64, f64)>,
    /// Σdx, Σdy, Σdx², Σdx·dy.
    sums: [f64; 4],
    peak: f64,
    returns_until_rebuild: usize,
}

/// A one-bar return, 0 after a zero price.
#[inline]
fn change(value: f64, last: f64) -> f64 {
    if is_zero(last) {
        0.0
    } else {
        (value - last) / last
    }
}

impl Beta {
    fn add(&mut self, (x, y): (f64, f64), sign: f64) {
        let (sx, sy) = self.shift.unwrap_or((x, y));
        let (dx, dy) = (x - sx, y - sy);
        if sign > 0.0 {
            self.sums[0] += dx;
            self.sums[1] += dy;
            self.sums[2] += dx * dx;
            self.sums[3] += dx * dy;
        } else {
            self.sums[0] -= dx;
            self.sums[1] -= dy;
            self.sums[2] -= dx * dx;
            self.sums[3] -= dx * dy;
        }
    }

    /// `n·Sxx − Sx²` and `n·Sxy − Sx·Sy`.
    fn spreads(&self) -> (f64, f64) {
        let n = self.period as f64;
        let [sx, sy, sxx, sxy] = self.sums;
        (n * sxx - sx * sx, n * sxy - sx * sy)
    }
}

impl Step for Beta {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = f64::NAN;
        let Some(last) = self.last.replace((bar.high, bar.low)) else {
            return;
        };
        let pair = (change(bar.high, last.0), change(bar.low, last.1));
        if self.shift.is_none() {
            self.shift = Some(pair);
        }
        self.add(pair, 1.0);
        self.pairs[self.next] = pair;
        self.next = (self.next + 1) % self.period;
        self.count += 1;
        if self.count < self.period {
            return;
        }
        self.peak = self.peak.max(self.sums[2]);
        let (mut spread, mut co_spread) = self.spreads();
        self.returns_until_rebuild -= 1;
        let n = self.period as f64;
        if spread < 0.000001 * n * self.peak || self.returns_until_rebuild == 0 {
            self.returns_until_rebuild = 32 * self.period;
            let (mut total_x, mut total_y) = (0.0, 0.0);
            for k in 0..self.period {
                let (x, y) = self.pairs[(self.next + k) % self.period];
                total_x += x;
                total_y += y;
            }
            self.shift = Some((total_x / n, total_y / n));
            self.sums = [0.0; 4];
            for k in 0..self.period {
                let pair = self.pairs[(self.next + k) % self.period];
                self.add(pair, 1.0);
            }
            (spread, co_spread) = self.spreads();
            self.peak = self.sums[2];
        }
        out[0] = if spread > 0.0 {
            co_spread / spread
        } else {
            0.0
        };
        // The window's oldest return leaves before the next bar.
        let oldest = self.pairs[self.next];
        self.add(oldest, -1.0);
    }
}

fn beta(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Beta {
        period,
        pairs: vec![(0.0, 0.0); period],
        next: 0,
        count: 0,
        last: None,
        shift: None,
        sums: [0.0; 4],
        peak: 0.0,
        returns_until_rebuild: 32 * period,
    })
}

fn beta_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0)
}

/// `beta`: the beta of the first series' returns against the second's (high and low).
pub(crate) const BETA: Definition = Definition {
    name: "beta",
    group: Group::Statistic,
    params: &[period("timeperiod", "period", 5, 1)],
    inputs: HL,
    step: Some(beta),
    lookback: Some(beta_lookback),
    ..BASE
};
