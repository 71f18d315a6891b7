//! Streaming range oscillators: the stochastic family, WILLR, CCI and ULTOSC, repeating
//! `oscillators.rs` operation for operation.

use crate::indicators::momentum::basic_stream::{Wilder, rsi_value};
use crate::indicators::moving_averages::MaType;
use crate::indicators::oscillators::{cci_value, deviation_sum};
use crate::indicators::overlap::averages_stream::MaStage;
use crate::indicators::volatility::true_range;
use crate::indicators::{is_zero, is_zero_scaled};

#[inline(always)]
fn larger(a: f64, b: f64) -> f64 {
    if a >= b { a } else { b }
}

#[inline(always)]
fn smaller(a: f64, b: f64) -> f64 {
    if a <= b { a } else { b }
}

/// `for_each_range_block` one bar at a time: the extremes of the last `period` bars from the
/// same blocks of `period` bars (counted from the first bar), so that every comparison, and
/// hence which of two equal extremes (0.0 and −0.0) is kept, is the batch kernel's.
#[derive(Debug, Clone)]
pub(crate) struct RangeWindow {
    period: usize,
    seen: usize,
    offset: usize,
    block_high: Box<[f64]>,
    block_low: Box<[f64]>,
    suffix_high: Box<[f64]>,
    suffix_low: Box<[f64]>,
    prefix_high: f64,
    prefix_low: f64,
}

impl RangeWindow {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            seen: 0,
            offset: 0,
            block_high: vec![0.0; period].into_boxed_slice(),
            block_low: vec![0.0; period].into_boxed_slice(),
            // Index `period` is the empty suffix, as in the kernel.
            suffix_high: vec![f64::NEG_INFINITY; period + 1].into_boxed_slice(),
            suffix_low: vec![f64::INFINITY; period + 1].into_boxed_slice(),
            prefix_high: f64::NEG_INFINITY,
            prefix_low: f64::INFINITY,
        }
    }

    /// `(highest, lowest)` of the window ending at this bar, once it is full.
    #[inline(always)]
    pub(crate) fn next(&mut self, high: f64, low: f64) -> Option<(f64, f64)> {
        let offset = self.offset;
        if offset == 0 {
            if self.seen > 0 {
                self.block_suffixes();
            }
            self.prefix_high = f64::NEG_INFINITY;
            self.prefix_low = f64::INFINITY;
        }
        self.block_high[offset] = high;
        self.block_low[offset] = low;
        self.prefix_high = larger(high, self.prefix_high);
        self.prefix_low = smaller(low, self.prefix_low);
        let highest = larger(self.suffix_high[offset + 1], self.prefix_high);
        let lowest = smaller(self.suffix_low[offset + 1], self.prefix_low);
        self.offset = if offset + 1 == self.period {
            0
        } else {
            offset + 1
        };
        self.seen += 1;
        (self.seen >= self.period).then_some((highest, lowest))
    }

    /// Suffix extremes of the block just completed.
    fn block_suffixes(&mut self) {
        let (mut running_high, mut running_low) = (f64::NEG_INFINITY, f64::INFINITY);
        for j in (0..self.period).rev() {
            running_high = larger(self.block_high[j], running_high);
            running_low = smaller(self.block_low[j], running_low);
            self.suffix_high[j] = running_high;
            self.suffix_low[j] = running_low;
        }
    }
}

/// `fast_k_kernel`'s formula.
#[inline(always)]
pub(crate) fn fast_k(price: f64, (highest, lowest): (f64, f64)) -> f64 {
    let range = highest - lowest;
    if is_zero_scaled(range, highest.abs() + lowest.abs()) {
        0.0
    } else {
        ((price - lowest) / range) * 100.0
    }
}

/// `willr_into`'s formula.
#[inline(always)]
pub(crate) fn willr_value(price: f64, (highest, lowest): (f64, f64)) -> f64 {
    let range = highest - lowest;
    if is_zero_scaled(range, highest.abs() + lowest.abs()) {
        0.0
    } else {
        (((highest - price) / range) * -100.0).clamp(-100.0, 0.0)
    }
}

/// `stoch_kernel`: raw %K, then (for STOCH) `MA(slowk)`, then `MA(slowd)` of that.
#[derive(Debug, Clone)]
pub(crate) struct Stoch {
    range: RangeWindow,
    slow_k: Option<MaStage>,
    slow_d: MaStage,
}

impl Stoch {
    pub(crate) fn new(
        fastk_period: usize,
        slow_k: Option<(usize, MaType)>,
        slow_d: (usize, MaType),
    ) -> Self {
        Self {
            range: RangeWindow::new(fastk_period),
            slow_k: slow_k.map(|(period, ma_type)| MaStage::new(period, ma_type)),
            slow_d: MaStage::new(slow_d.0, slow_d.1),
        }
    }

    /// `(k, d)` once both are past the lookback.
    #[inline(always)]
    pub(crate) fn next(&mut self, high: f64, low: f64, close: f64) -> Option<(f64, f64)> {
        let raw = fast_k(close, self.range.next(high, low)?);
        let k = match &mut self.slow_k {
            Some(stage) => stage.next(raw)?,
            None => raw,
        };
        let d = self.slow_d.next(k)?;
        Some((k, d))
    }
}

/// `stochrsi`: STOCHF over the RSI series.
#[derive(Debug, Clone)]
pub(crate) struct StochRsi {
    rsi: Wilder,
    stoch: Stoch,
}

impl StochRsi {
    pub(crate) fn new(period: usize, fastk: usize, fastd: usize, fastd_ma: MaType) -> Self {
        Self {
            rsi: Wilder::new(period),
            stoch: Stoch::new(fastk, None, (fastd, fastd_ma)),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, close: f64) -> Option<(f64, f64)> {
        let rsi = rsi_value(self.rsi.next(close)?);
        self.stoch.next(rsi, rsi, rsi)
    }
}

/// `cci_into`: the typical prices in a ring summed in ring-slot order, as TA-Lib does.
#[derive(Debug, Clone)]
pub(crate) struct Cci {
    period: usize,
    seen: usize,
    slot: usize,
    divisor: f64,
    ring: Box<[f64]>,
}

impl Cci {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            seen: 0,
            slot: 0,
            divisor: period as f64,
            ring: vec![0.0; period].into_boxed_slice(),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let last = (high + low + close) / 3.0;
        self.ring[self.slot] = last;
        if self.seen < self.period - 1 {
            self.seen += 1;
            self.slot += 1;
            return None;
        }
        let mut total = 0.0;
        for &value in self.ring.iter() {
            total += value;
        }
        let mean = total / self.divisor;
        // The window in row order: the previous run's end, then this run.
        let (run, rest) = self.ring.split_at(self.slot + 1);
        let sum = deviation_sum(rest.iter().chain(run).copied(), mean);
        let value = cci_value(sum, last, mean, self.divisor);
        self.slot += 1;
        if self.slot == self.period {
            self.slot = 0;
        }
        Some(value)
    }
}

/// `ultosc`: three running sums of buying pressure and true range; the terms leaving each
/// window come from a ring of the last `long` terms (a term is a pure function of its bar,
/// so a stored one is the recomputed one).
#[derive(Debug, Clone)]
pub(crate) struct Ultosc {
    short: usize,
    medium: usize,
    long: usize,
    today: usize,
    previous_close: f64,
    sums: [f64; 6],
    terms: Box<[(f64, f64)]>,
}

impl Ultosc {
    pub(crate) fn new(period1: usize, period2: usize, period3: usize) -> Self {
        let mut sorted = [period1, period2, period3];
        sorted.sort_unstable();
        let [short, medium, long] = sorted;
        Self {
            short,
            medium,
            long,
            today: 0,
            previous_close: 0.0,
            sums: [0.0; 6],
            terms: vec![(0.0, 0.0); long].into_boxed_slice(),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let today = self.today;
        self.today += 1;
        let close_yesterday = std::mem::replace(&mut self.previous_close, close);
        if today == 0 {
            return None;
        }
        let true_low = low.min(close_yesterday);
        let term = (close - true_low, true_range(high, low, close_yesterday));
        let long = self.long;
        self.terms[today % long] = term;
        let [a1, b1, a2, b2, a3, b3] = &mut self.sums;
        let (a, b) = term;
        let lookback = long;
        if today < lookback {
            if today + self.short > lookback {
                *a1 += a;
                *b1 += b;
            }
            if today + self.medium > lookback {
                *a2 += a;
                *b2 += b;
            }
            *a3 += a;
            *b3 += b;
            return None;
        }
        *a1 += a;
        *a2 += a;
        *a3 += a;
        *b1 += b;
        *b2 += b;
        *b3 += b;
        let mut value = 0.0;
        if !is_zero(*b1) {
            value += 4.0 * (*a1 / *b1);
        }
        if !is_zero(*b2) {
            value += 2.0 * (*a2 / *b2);
        }
        if !is_zero(*b3) {
            value += *a3 / *b3;
        }
        let (a, b) = self.terms[(today + 1 - self.short) % long];
        *a1 -= a;
        *b1 -= b;
        let (a, b) = self.terms[(today + 1 - self.medium) % long];
        *a2 -= a;
        *b2 -= b;
        let (a, b) = self.terms[(today + 1 - long) % long];
        *a3 -= a;
        *b3 -= b;
        Some(100.0 * (value / 7.0))
    }
}
