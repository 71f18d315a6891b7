//! The Hilbert-transform core TA-Lib's HT_* functions share with MAMA: a 4-bar WMA smoother,
//! the detrender and quadrature transforms, and Ehlers' dominant cycle period, in TA-Lib's
//! order of operations (the same arithmetic as `overlap::mama_stream`).

use crate::indicators::mama::Hilbert;
use crate::indicators::overlap::averages_stream::Delay;

/// What one bar gives once the smoother is primed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cycle {
    /// The bar's index from the first bar.
    pub(crate) today: usize,
    /// The smoothed price.
    pub(crate) smoothed: f64,
    /// The in-phase component (the detrender three bars back).
    pub(crate) in_phase: f64,
    /// The quadrature component.
    pub(crate) quadrature: f64,
    /// The smoothed dominant cycle period.
    pub(crate) smooth_period: f64,
}

/// The state of the Hilbert core between bars.
#[derive(Debug, Clone)]
pub(crate) struct HilbertCore {
    /// The last bar of the smoother's warm-up: TA-Lib primes it over 9 bars after the first
    /// 3 where the lookback is 32, over 34 where it is 63.
    last_warmup: usize,
    rad_to_deg: f64,
    today: usize,
    wma_sub: f64,
    wma_sum: f64,
    trailing_value: f64,
    delay: Delay,
    detrender: Hilbert,
    q1: Hilbert,
    j_i: Hilbert,
    j_q: Hilbert,
    slot: usize,
    period: f64,
    smooth_period: f64,
    previous_i2: f64,
    previous_q2: f64,
    re: f64,
    im: f64,
    i1_previous2: [f64; 2],
    i1_previous3: [f64; 2],
}

impl HilbertCore {
    /// A fresh core whose smoother is primed over `warmup` bars after the first three.
    pub(crate) fn new(warmup: usize) -> Self {
        Self {
            last_warmup: 2 + warmup,
            rad_to_deg: 180.0 / (4.0 * 1f64.atan()),
            today: 0,
            wma_sub: 0.0,
            wma_sum: 0.0,
            trailing_value: 0.0,
            delay: Delay::new(3),
            detrender: Hilbert::default(),
            q1: Hilbert::default(),
            j_i: Hilbert::default(),
            j_q: Hilbert::default(),
            slot: 0,
            period: 0.0,
            smooth_period: 0.0,
            previous_i2: 0.0,
            previous_q2: 0.0,
            re: 0.0,
            im: 0.0,
            i1_previous2: [0.0; 2],
            i1_previous3: [0.0; 2],
        }
    }

    /// Degrees per radian, as TA-Lib computes it.
    pub(crate) fn rad_to_deg(&self) -> f64 {
        self.rad_to_deg
    }

    /// Takes the next value; `Some` once the smoother is primed.
    pub(crate) fn next(&mut self, value: f64) -> Option<Cycle> {
        let today = self.today;
        self.today += 1;
        let leaving = self.delay.swap(value);
        match today {
            0 => {
                self.wma_sub = value;
                self.wma_sum = value;
                return None;
            }
            1 | 2 => {
                self.wma_sub += value;
                self.wma_sum += value * (today + 1) as f64;
                return None;
            }
            _ if today <= self.last_warmup => {
                self.wma_sub += value;
                self.wma_sub -= self.trailing_value;
                self.wma_sum += value * 4.0;
                self.trailing_value = leaving;
                self.wma_sum -= self.wma_sub;
                return None;
            }
            _ => {}
        }
        let rad_to_deg = self.rad_to_deg;
        let adjusted_period = (0.075 * self.period) + 0.54;
        self.wma_sub += value;
        self.wma_sub -= self.trailing_value;
        self.wma_sum += value * 4.0;
        self.trailing_value = leaving;
        let smoothed = self.wma_sum * 0.1;
        self.wma_sum -= self.wma_sub;

        let parity = usize::from(today.is_multiple_of(2));
        let other = 1 - parity;
        let slot = self.slot;
        let i1 = self.i1_previous3[parity];
        let detrended = self.detrender.step(parity, slot, smoothed, adjusted_period);
        let quadrature = self.q1.step(parity, slot, detrended, adjusted_period);
        let ji = self.j_i.step(parity, slot, i1, adjusted_period);
        let jq = self.j_q.step(parity, slot, quadrature, adjusted_period);
        if parity == 1 {
            self.slot += 1;
            if self.slot == 3 {
                self.slot = 0;
            }
        }
        let q2 = (0.2 * (quadrature + ji)) + (0.8 * self.previous_q2);
        let i2 = (0.2 * (i1 - jq)) + (0.8 * self.previous_i2);
        self.i1_previous3[other] = self.i1_previous2[other];
        self.i1_previous2[other] = detrended;

        self.re = (0.2 * ((i2 * self.previous_i2) + (q2 * self.previous_q2))) + (0.8 * self.re);
        self.im = (0.2 * ((i2 * self.previous_q2) - (q2 * self.previous_i2))) + (0.8 * self.im);
        self.previous_q2 = q2;
        self.previous_i2 = i2;
        let last_period = self.period;
        let mut period = last_period;
        if self.im != 0.0 && self.re != 0.0 {
            period = 360.0 / ((self.im / self.re).atan() * rad_to_deg);
        }
        if period > 1.5 * last_period {
            period = 1.5 * last_period;
        }
        if period < 0.67 * last_period {
            period = 0.67 * last_period;
        }
        period = period.clamp(6.0, 50.0);
        self.period = (0.2 * period) + (0.8 * last_period);
        self.smooth_period = (0.33 * self.period) + (0.67 * self.smooth_period);
        Some(Cycle {
            today,
            smoothed,
            in_phase: i1,
            quadrature,
            smooth_period: self.smooth_period,
        })
    }
}
