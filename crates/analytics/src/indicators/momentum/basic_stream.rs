//! Streaming momentum indicators: RSI and CMO (Wilder's gain and loss), ROC, MOM, MACD,
//! APO/PPO and TRIX, each repeating its batch kernel's operations in `momentum.rs`.

use crate::indicators::is_zero;
use crate::indicators::moving_averages::{MaType, Smoothing};
use crate::indicators::overlap::averages_stream::{Delay, Ema, MaStage};

/// `wilder_gain_loss_kernel`: Wilder-smoothed average gain and loss, seeded with their
/// plain means over the first `period` changes.
#[derive(Debug, Clone)]
pub(crate) struct Wilder {
    period: usize,
    seen: usize,
    divisor: f64,
    smoothing: Smoothing,
    previous: f64,
    gain: f64,
    loss: f64,
}

impl Wilder {
    pub(crate) fn new(period: usize) -> Self {
        let divisor = period as f64;
        Self {
            period,
            seen: 0,
            divisor,
            smoothing: Smoothing::wilder(period),
            previous: 0.0,
            gain: 0.0,
            loss: 0.0,
        }
    }

    /// The next `(gain, loss)` pair, from the `period + 1`-th value on.
    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<(f64, f64)> {
        let change = value - self.previous;
        self.previous = value;
        if self.seen <= self.period {
            if self.seen == 0 {
                self.seen = 1;
                return None;
            }
            if change < 0.0 {
                self.loss -= change;
            } else {
                self.gain += change;
            }
            self.seen += 1;
            if self.seen <= self.period {
                return None;
            }
            self.loss /= self.divisor;
            self.gain /= self.divisor;
            return Some((self.gain, self.loss));
        }
        let (up, down) = if change < 0.0 {
            (0.0, -change)
        } else {
            (change, 0.0)
        };
        self.gain = self.smoothing.step(self.gain, up);
        self.loss = self.smoothing.step(self.loss, down);
        Some((self.gain, self.loss))
    }
}

/// RSI from Wilder's averages (`rsi_kernel`'s `emit`).
#[inline(always)]
pub(crate) fn rsi_value((gain, loss): (f64, f64)) -> f64 {
    let total = gain + loss;
    if total > 0.0 {
        100.0 * (gain / total)
    } else {
        0.0
    }
}

/// CMO from Wilder's averages (`cmo`'s `emit`).
#[inline(always)]
pub(crate) fn cmo_value((gain, loss): (f64, f64)) -> f64 {
    let total = gain + loss;
    if total > 0.0 {
        100.0 * ((gain - loss) / total)
    } else {
        0.0
    }
}

/// The value `period` bars back, for ROC and MOM.
#[derive(Debug, Clone)]
pub(crate) struct Lagged {
    period: usize,
    seen: usize,
    delay: Delay,
}

impl Lagged {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            seen: 0,
            delay: Delay::new(period),
        }
    }

    /// `(value, value period bars back)` once there is one.
    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<(f64, f64)> {
        let old = self.delay.swap(value);
        if self.seen < self.period {
            self.seen += 1;
            return None;
        }
        Some((value, old))
    }
}

/// `roc_kernel`'s formula.
#[inline(always)]
pub(crate) fn roc_value((value, previous): (f64, f64)) -> f64 {
    if previous != 0.0 {
        ((value / previous) - 1.0) * 100.0
    } else {
        0.0
    }
}

/// `macd_kernel`: both EMAs seeded at the slow lookback, then the signal EMA seeded with the
/// mean of the first `signal` MACD values.
#[derive(Debug, Clone)]
pub(crate) struct Macd {
    fast: usize,
    slow: usize,
    signal: usize,
    lookback: usize,
    fast_smoothing: Smoothing,
    slow_smoothing: Smoothing,
    signal_smoothing: Smoothing,
    seen: usize,
    fast_ema: f64,
    slow_ema: f64,
    line: f64,
    signal_total: f64,
    signal_ema: f64,
}

impl Macd {
    pub(crate) fn new(fast: usize, slow: usize, signal: usize) -> Self {
        Self {
            fast,
            slow,
            signal,
            lookback: slow - 1 + (signal - 1),
            fast_smoothing: Smoothing::ema(fast),
            slow_smoothing: Smoothing::ema(slow),
            signal_smoothing: Smoothing::ema(signal),
            seen: 0,
            fast_ema: 0.0,
            slow_ema: 0.0,
            line: 0.0,
            signal_total: 0.0,
            signal_ema: 0.0,
        }
    }

    fn first_signal(&mut self) -> (f64, f64, f64) {
        self.signal_total += self.line;
        self.signal_ema = self.signal_total / self.signal as f64;
        (self.line, self.signal_ema, self.line - self.signal_ema)
    }

    /// `(macd, signal, hist)` from row `slow − 1 + signal − 1` on.
    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<(f64, f64, f64)> {
        let today = self.seen;
        self.seen += 1;
        if today > self.lookback {
            self.fast_ema = self.fast_smoothing.talib_ema_step(self.fast_ema, value);
            self.slow_ema = self.slow_smoothing.talib_ema_step(self.slow_ema, value);
            let line = self.fast_ema - self.slow_ema;
            self.signal_ema = self.signal_smoothing.talib_ema_step(self.signal_ema, line);
            return Some((line, self.signal_ema, line - self.signal_ema));
        }
        if today < self.slow {
            // The EMAs hold their seeds' running sums until the slow seed is complete.
            self.slow_ema += value;
            if today >= self.slow - self.fast {
                self.fast_ema += value;
            }
            if today < self.slow - 1 {
                return None;
            }
            self.fast_ema /= self.fast as f64;
            self.slow_ema /= self.slow as f64;
            self.line = self.fast_ema - self.slow_ema;
            return (today == self.lookback).then(|| self.first_signal());
        }
        self.signal_total += self.line;
        self.fast_ema = self.fast_smoothing.talib_ema_step(self.fast_ema, value);
        self.slow_ema = self.slow_smoothing.talib_ema_step(self.slow_ema, value);
        self.line = self.fast_ema - self.slow_ema;
        (today == self.lookback).then(|| self.first_signal())
    }
}

/// `price_oscillator_kernel`: both averages run from the first row.
#[derive(Debug, Clone)]
pub(crate) struct PriceOscillator {
    fast: MaStage,
    slow: MaStage,
    percent: bool,
}

impl PriceOscillator {
    pub(crate) fn new(fast: usize, slow: usize, ma_type: MaType, percent: bool) -> Self {
        Self {
            fast: MaStage::new(fast, ma_type),
            slow: MaStage::new(slow, ma_type),
            percent,
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        // The fast average's lookback is never the longer one.
        let fast_value = self.fast.next(value);
        let slow_value = self.slow.next(value)?;
        let fast_value = fast_value?;
        Some(if !self.percent {
            fast_value - slow_value
        } else if is_zero(slow_value) {
            0.0
        } else {
            ((fast_value - slow_value) / slow_value) * 100.0
        })
    }
}

/// `trix`: the one-bar rate of change of a triple EMA.
#[derive(Debug, Clone)]
pub(crate) struct Trix {
    first: Ema,
    second: Ema,
    third: Ema,
    previous: Option<f64>,
}

impl Trix {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            first: Ema::new(period),
            second: Ema::new(period),
            third: Ema::new(period),
            previous: None,
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let first = self.first.next(value)?;
        let second = self.second.next(first)?;
        let third = self.third.next(second)?;
        let previous = self.previous.replace(third)?;
        Some(roc_value((third, previous)))
    }
}
