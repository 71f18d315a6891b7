//! Streaming MAMA/FAMA: `mama_kernel` as a state machine, one value at a time.

use crate::indicators::mama::{Hilbert, MAMA_LOOKBACK};
use crate::indicators::overlap::averages_stream::Delay;

/// The whole state of `mama_kernel` between two bars.
#[derive(Debug, Clone)]
pub(crate) struct Mama {
    fast_limit: f64,
    slow_limit: f64,
    rad_to_deg: f64,
    /// Bars seen; its parity picks the Hilbert state, as the kernel's `today` does.
    today: usize,
    wma_sub: f64,
    wma_sum: f64,
    trailing_value: f64,
    /// `input[today − 3]`, the value leaving the 4-bar price smoother.
    delay: Delay,
    detrender: Hilbert,
    q1: Hilbert,
    j_i: Hilbert,
    j_q: Hilbert,
    slot: usize,
    period: f64,
    previous_i2: f64,
    previous_q2: f64,
    re: f64,
    im: f64,
    mama: f64,
    fama: f64,
    i1_previous2: [f64; 2],
    i1_previous3: [f64; 2],
    previous_phase: f64,
}

impl Mama {
    pub(crate) fn new(fast_limit: f64, slow_limit: f64) -> Self {
        Self {
            fast_limit,
            slow_limit,
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
            previous_i2: 0.0,
            previous_q2: 0.0,
            re: 0.0,
            im: 0.0,
            mama: 0.0,
            fama: 0.0,
            i1_previous2: [0.0; 2],
            i1_previous3: [0.0; 2],
            previous_phase: 0.0,
        }
    }

    /// Takes the next value; `Some((mama, fama))` from the 33rd value on.
    pub(crate) fn next(&mut self, value: f64) -> Option<(f64, f64)> {
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
            3..=11 => {
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
        let phase = if i1 != 0.0 {
            (quadrature / i1).atan() * rad_to_deg
        } else {
            0.0
        };

        let mut delta_phase = self.previous_phase - phase;
        self.previous_phase = phase;
        if delta_phase < 1.0 {
            delta_phase = 1.0;
        }
        let mut alpha = if delta_phase > 1.0 {
            let alpha = self.fast_limit / delta_phase;
            if alpha < self.slow_limit {
                self.slow_limit
            } else {
                alpha
            }
        } else {
            self.fast_limit
        };
        self.mama = (alpha * value) + ((1.0 - alpha) * self.mama);
        alpha *= 0.5;
        self.fama = (alpha * self.mama) + ((1.0 - alpha) * self.fama);
        let out = (today >= MAMA_LOOKBACK).then_some((self.mama, self.fama));

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
        out
    }
}
