//! Linear regressions of the close on time, and BETA and CORREL of the high on the low (as
//! TA-Lib's abstract interface maps their two inputs), in TA-Lib's arithmetic.

use super::window_lookback;
use crate::indicators::catalog::{BASE, CLOSE, Definition, Group, HL, Param, period};
use crate::indicators::step::{Bar, Ring, Step};
use crate::indicators::{IndicatorSpec, is_zero};

/// The spread, relative to the sum of squares, below which a window counts as flat.
const FLAT: f64 = 1e-10;

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

/// TA-Lib's least squares over the window, recomputed from the window at every bar.
#[derive(Debug, Clone)]
struct Regression {
    ring: Ring,
    fit: Fit,
    sum_x: f64,
    divisor: f64,
}

impl Step for Regression {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        self.ring.push(bar.close);
        if !self.ring.full() {
            out[0] = f64::NAN;
            return;
        }
        let n = self.ring.len();
        let (mut sum_xy, mut sum_y) = (0.0, 0.0);
        // TA-Lib weighs the oldest value by n − 1 and the newest by 0.
        for (k, value) in self.ring.iter().enumerate() {
            sum_y += value;
            sum_xy += (n - 1 - k) as f64 * value;
        }
        let nf = n as f64;
        let m = (nf * sum_xy - self.sum_x * sum_y) / self.divisor;
        let b = (sum_y - m * self.sum_x) / nf;
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

/// Pearson's correlation of the high and the low over the window, TA-Lib's running sums.
#[derive(Debug, Clone)]
struct Correl {
    window: Ring,
    pairs: Vec<(f64, f64)>,
    sums: [f64; 5],
}

impl Step for Correl {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let n = self.window.len();
        let (x, y) = (bar.high, bar.low);
        let slot = self.window.seen() % n;
        let [sum_x, sum_x2, sum_xy, sum_y, sum_y2] = &mut self.sums;
        if self.window.full() {
            let (tx, ty) = self.pairs[slot];
            *sum_x -= tx;
            *sum_x2 -= tx * tx;
            *sum_xy -= tx * ty;
            *sum_y -= ty;
            *sum_y2 -= ty * ty;
        }
        *sum_x += x;
        *sum_x2 += x * x;
        *sum_xy += x * y;
        *sum_y += y;
        *sum_y2 += y * y;
        self.pairs[slot] = (x, y);
        self.window.push(0.0);
        if !self.window.full() {
            out[0] = f64::NAN;
            return;
        }
        let nf = n as f64;
        let (spread_x, spread_y) = (
            *sum_x2 - *sum_x * *sum_x / nf,
            *sum_y2 - *sum_y * *sum_y / nf,
        );
        // A flat window's spread is rounding noise of the running sums (never rebuilt, so
        // the noise grows with the series): zero, as TA-Lib has it.
        let flat = spread_x.abs() <= FLAT * *sum_x2 || spread_y.abs() <= FLAT * *sum_y2;
        let spread = spread_x * spread_y;
        out[0] = if spread > 0.0 && !flat {
            (*sum_xy - *sum_x * *sum_y / nf) / spread.sqrt()
        } else {
            0.0
        };
    }
}

fn correl(spec: &IndicatorSpec) -> Box<dyn Step> {
    let n = spec.period(0);
    Box::new(Correl {
        window: Ring::new(n),
        pairs: vec![(0.0, 0.0); n],
        sums: [0.0; 5],
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
/// second's (`y`, the low's): `(n·Sxy − Sx·Sy)/(n·Sxx − Sx²)` over running sums of the last
/// `period` returns.
#[derive(Debug, Clone)]
struct Beta {
    period: usize,
    returns: Ring,
    lows: Ring,
    today: usize,
    last: (f64, f64),
    sums: [f64; 4],
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

impl Step for Beta {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = f64::NAN;
        let today = self.today;
        self.today += 1;
        let last = std::mem::replace(&mut self.last, (bar.high, bar.low));
        if today == 0 {
            return;
        }
        let (x, y) = (change(bar.high, last.0), change(bar.low, last.1));
        self.returns.push(x);
        self.lows.push(y);
        let [s_xx, s_x, s_xy, s_y] = &mut self.sums;
        if today > self.period {
            let (ox, oy) = (self.returns.back(self.period), self.lows.back(self.period));
            *s_xx -= ox * ox;
            *s_x -= ox;
            *s_xy -= ox * oy;
            *s_y -= oy;
        }
        *s_xx += x * x;
        *s_x += x;
        *s_xy += x * y;
        *s_y += y;
        if today < self.period {
            return;
        }
        let n = self.period as f64;
        let spread = (n * *s_xx) - (*s_x * *s_x);
        out[0] = if is_zero(spread) {
            0.0
        } else {
            ((n * *s_xy) - (*s_x * *s_y)) / spread
        };
    }
}

fn beta(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Beta {
        period,
        returns: Ring::new(period + 1),
        lows: Ring::new(period + 1),
        today: 0,
        last: (0.0, 0.0),
        sums: [0.0; 4],
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
