//! The moving averages TA-Lib 0.8 added as MA types: HMA (9), ZLEMA (12) and RMA (13), one
//! value in, `Some` once the lookback is over. `TA_MA` copies its input for a period of 1,
//! which [`super::averages_stream::MaStage`] does before these are made.

use super::averages_stream::{Delay, MaStage};
use crate::indicators::moving_averages::MaType;

/// Hull: `WMA(2·WMA(x, ⌊n/2⌋) − WMA(x, n), ⌊√n⌋)`, each WMA TA-Lib's running sums.
#[derive(Debug, Clone)]
pub(crate) struct Hma {
    half: MaStage,
    full: MaStage,
    outer: MaStage,
}

impl Hma {
    /// A Hull average of `period` ≥ 2.
    pub(crate) fn new(period: usize) -> Self {
        Self {
            half: MaStage::new(period / 2, MaType::Wma),
            full: MaStage::new(period, MaType::Wma),
            outer: MaStage::new(period.isqrt(), MaType::Wma),
        }
    }

    /// Consumes the next value.
    #[inline]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let half = self.half.next(value);
        let full = self.full.next(value)?;
        self.outer.next(2.0 * half? - full)
    }
}

/// Zero-lag EMA: the EMA (TA-Lib's step, seeded by the mean of the first `n` values) of
/// `2·x[t] − x[t−lag]`, `lag = (n−1)/2`.
#[derive(Debug, Clone)]
pub(crate) struct Zlema {
    period: usize,
    factor: f64,
    lag: Delay,
    lag_len: usize,
    seen: usize,
    sum: f64,
    previous: f64,
}

impl Zlema {
    /// A zero-lag EMA of `period` ≥ 2.
    pub(crate) fn new(period: usize) -> Self {
        let lag = (period - 1) / 2;
        Self {
            period,
            factor: 2.0 / (period as f64 + 1.0),
            lag: Delay::new(lag),
            lag_len: lag,
            seen: 0,
            sum: 0.0,
            previous: 0.0,
        }
    }

    /// Consumes the next value.
    #[inline]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let old = if self.lag_len == 0 {
            value
        } else {
            self.lag.swap(value)
        };
        self.seen += 1;
        if self.seen <= self.lag_len {
            return None;
        }
        let delagged = 2.0 * value - old;
        let count = self.seen - self.lag_len;
        if count < self.period {
            self.sum += delagged;
            return None;
        }
        if count == self.period {
            self.sum += delagged;
            self.previous = self.sum / self.period as f64;
        } else {
            self.previous = (delagged - self.previous) * self.factor + self.previous;
        }
        Some(self.previous)
    }
}

/// Wilder's average: the mean of the first `n` values, then `(s·(n−1) + x)/n`.
#[derive(Debug, Clone)]
pub(crate) struct Rma {
    period: f64,
    count: usize,
    target: usize,
    value: f64,
}

impl Rma {
    /// A Wilder average of `period` ≥ 2.
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period: period as f64,
            count: 0,
            target: period,
            value: 0.0,
        }
    }

    /// Consumes the next value.
    #[inline]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        if self.count < self.target {
            self.count += 1;
            self.value += value;
            if self.count < self.target {
                return None;
            }
            self.value /= self.period;
            return Some(self.value);
        }
        self.value = (self.value * (self.period - 1.0) + value) / self.period;
        Some(self.value)
    }
}
