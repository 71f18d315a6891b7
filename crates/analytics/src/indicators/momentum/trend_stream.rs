//! Streaming true-range, directional, Aroon, SAR and volume indicators, repeating
//! `volatility.rs`, `trend.rs`, `aroon.rs` and `volume.rs` operation for operation.

use crate::indicators::overlap::averages_stream::Delay;
use crate::indicators::volatility::true_range;
use crate::indicators::{is_zero, is_zero_scaled};

/// One bar of high, low and close.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Bar {
    pub(crate) high: f64,
    pub(crate) low: f64,
    pub(crate) close: f64,
}

/// `atr_kernel`: the mean of the first `period` true ranges, then Wilder smoothing.
#[derive(Debug, Clone)]
pub(crate) struct Atr {
    period: usize,
    today: usize,
    previous_close: f64,
    divisor: f64,
    decay: f64,
    weight: f64,
    average: f64,
}

impl Atr {
    pub(crate) fn new(period: usize) -> Self {
        let divisor = period as f64;
        Self {
            period,
            today: 0,
            previous_close: 0.0,
            divisor,
            decay: (period - 1) as f64 / divisor,
            weight: 1.0 / divisor,
            average: 0.0,
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, bar: Bar) -> Option<f64> {
        let today = self.today;
        self.today += 1;
        let previous_close = std::mem::replace(&mut self.previous_close, bar.close);
        if today == 0 {
            return None;
        }
        let range = true_range(bar.high, bar.low, previous_close);
        if self.period == 1 {
            return Some(range);
        }
        if today > self.period {
            self.average = self.average * self.decay + range * self.weight;
            return Some(self.average);
        }
        // `average` holds the seed's running sum until the seed is complete.
        self.average += range;
        if today < self.period {
            return None;
        }
        self.average /= self.divisor;
        Some(self.average)
    }
}

/// `bar_movement`: one bar's (+DM, −DM, true range).
#[inline(always)]
fn bar_movement(previous: Bar, bar: Bar) -> (f64, f64, f64) {
    let diff_plus = bar.high - previous.high;
    let diff_minus = previous.low - bar.low;
    let minus = (diff_minus > 0.0) & (diff_plus < diff_minus);
    let plus = !minus & (diff_plus > 0.0) & (diff_plus > diff_minus);
    (
        if plus { diff_plus } else { 0.0 },
        if minus { diff_minus } else { 0.0 },
        true_range(bar.high, bar.low, previous.close),
    )
}

/// `for_each_directional`: Wilder-smoothed +DM, −DM and true range.
#[derive(Debug, Clone)]
pub(crate) struct Directional {
    period: usize,
    today: usize,
    decay: f64,
    previous: Bar,
    plus_dm: f64,
    minus_dm: f64,
    range: f64,
}

impl Directional {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            today: 0,
            decay: 1.0 - 1.0 / period as f64,
            previous: Bar::default(),
            plus_dm: 0.0,
            minus_dm: 0.0,
            range: 0.0,
        }
    }

    /// The smoothed `(+DM, −DM, TR)` from row `period` on.
    #[inline(always)]
    pub(crate) fn next(&mut self, bar: Bar) -> Option<(f64, f64, f64)> {
        let today = self.today;
        self.today += 1;
        let previous = std::mem::replace(&mut self.previous, bar);
        if today == 0 {
            return None;
        }
        let (plus, minus, tr) = bar_movement(previous, bar);
        if today < self.period {
            self.plus_dm += plus;
            self.minus_dm += minus;
            self.range += tr;
            return None;
        }
        self.plus_dm = self.plus_dm * self.decay + plus;
        self.minus_dm = self.minus_dm * self.decay + minus;
        self.range = self.range * self.decay + tr;
        Some((self.plus_dm, self.minus_dm, self.range))
    }
}

/// `directional_index`: `100·DM/TR`, 0 on a zero range.
#[inline(always)]
pub(crate) fn directional_index(dm: f64, range: f64) -> f64 {
    if is_zero(range) {
        0.0
    } else {
        100.0 * (dm / range)
    }
}

/// `one_bar_di`: TA-Lib's period-1 DI, the bar's own DM over its true range as a fraction.
#[derive(Debug, Clone)]
pub(crate) struct OneBarDi {
    plus: bool,
    today: usize,
    previous: Bar,
}

impl OneBarDi {
    pub(crate) fn new(plus: bool) -> Self {
        Self {
            plus,
            today: 0,
            previous: Bar::default(),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, bar: Bar) -> Option<f64> {
        let today = self.today;
        self.today += 1;
        let previous = std::mem::replace(&mut self.previous, bar);
        if today == 0 {
            return None;
        }
        let diff_plus = bar.high - previous.high;
        let diff_minus = previous.low - bar.low;
        let dm = if self.plus && diff_plus > 0.0 && diff_plus > diff_minus {
            diff_plus
        } else if !self.plus && diff_minus > 0.0 && diff_plus < diff_minus {
            diff_minus
        } else {
            return Some(0.0);
        };
        let range = true_range(bar.high, bar.low, previous.close);
        Some(if is_zero(range) { 0.0 } else { dm / range })
    }
}

/// `directional_movement_index`: DX, `None` where TA-Lib leaves the average unchanged.
#[inline(always)]
pub(crate) fn directional_movement_index(plus: f64, minus: f64, range: f64) -> Option<f64> {
    if is_zero(range) {
        return None;
    }
    let minus_di = 100.0 * (minus / range);
    let plus_di = 100.0 * (plus / range);
    let total = minus_di + plus_di;
    if is_zero(total) {
        None
    } else {
        Some(100.0 * ((minus_di - plus_di).abs() / total))
    }
}

/// `adx_kernel`: the mean of the first `period` DX values, then Wilder smoothing.
#[derive(Debug, Clone)]
pub(crate) struct Adx {
    directional: Directional,
    period: usize,
    count: usize,
    divisor: f64,
    average_decay: f64,
    weight: f64,
    average: f64,
}

impl Adx {
    pub(crate) fn new(period: usize) -> Self {
        let divisor = period as f64;
        Self {
            directional: Directional::new(period),
            period,
            count: 0,
            divisor,
            average_decay: (period - 1) as f64 / divisor,
            weight: 1.0 / divisor,
            average: 0.0,
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, bar: Bar) -> Option<f64> {
        let (plus, minus, range) = self.directional.next(bar)?;
        let dx = directional_movement_index(plus, minus, range);
        if self.count >= self.period {
            if let Some(dx) = dx {
                self.average = self.average * self.average_decay + dx * self.weight;
            }
            return Some(self.average);
        }
        // `average` holds the sum of the first DX values (an undefined one adds 0).
        self.average += dx.unwrap_or(0.0);
        self.count += 1;
        if self.count < self.period {
            return None;
        }
        self.average /= self.divisor;
        Some(self.average)
    }
}

/// `adxr`: the mean of ADX and ADX `period − 1` bars back.
#[derive(Debug, Clone)]
pub(crate) struct Adxr {
    adx: Adx,
    lag: usize,
    count: usize,
    delay: Delay,
}

impl Adxr {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            adx: Adx::new(period),
            lag: period - 1,
            count: 0,
            delay: Delay::new(period - 1),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, bar: Bar) -> Option<f64> {
        let adx = self.adx.next(bar)?;
        let old = self.delay.swap(adx);
        if self.count < self.lag {
            self.count += 1;
            return None;
        }
        Some((adx + old) / 2.0)
    }
}

/// `sar`: Wilder's parabolic stop and reverse, its first direction from row 1's −DM.
#[derive(Debug, Clone)]
pub(crate) struct Sar {
    acceleration: f64,
    maximum: f64,
    today: usize,
    first: (f64, f64),
    factor: f64,
    is_long: bool,
    extreme: f64,
    sar: f64,
    new_low: f64,
    new_high: f64,
}

impl Sar {
    pub(crate) fn new(acceleration: f64, maximum: f64) -> Self {
        let acceleration = acceleration.min(maximum);
        Self {
            acceleration,
            maximum,
            today: 0,
            first: (0.0, 0.0),
            factor: acceleration,
            is_long: true,
            extreme: 0.0,
            sar: 0.0,
            new_low: 0.0,
            new_high: 0.0,
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, high: f64, low: f64) -> Option<f64> {
        let today = self.today;
        self.today += 1;
        if today == 0 {
            self.first = (high, low);
            return None;
        }
        if today == 1 {
            let (high0, low0) = self.first;
            let diff_plus = high - high0;
            let diff_minus = low0 - low;
            self.is_long = !(diff_minus > 0.0 && diff_plus < diff_minus);
            (self.extreme, self.sar) = if self.is_long {
                (high, low0)
            } else {
                (low, high0)
            };
            (self.new_low, self.new_high) = (low, high);
        }
        let (acceleration, maximum) = (self.acceleration, self.maximum);
        let (previous_low, previous_high) = (self.new_low, self.new_high);
        let (new_low, new_high) = (low, high);
        self.new_low = new_low;
        self.new_high = new_high;
        let (sar, extreme, factor) = (&mut self.sar, &mut self.extreme, &mut self.factor);
        let out;
        if self.is_long {
            if new_low <= *sar {
                self.is_long = false;
                *sar = extreme.max(previous_high).max(new_high);
                out = *sar;
                *factor = acceleration;
                *extreme = new_low;
                *sar += *factor * (*extreme - *sar);
                *sar = sar.max(previous_high).max(new_high);
            } else {
                out = *sar;
                if new_high > *extreme {
                    *extreme = new_high;
                    *factor = (*factor + acceleration).min(maximum);
                }
                *sar += *factor * (*extreme - *sar);
                *sar = sar.min(previous_low).min(new_low);
            }
        } else if new_high >= *sar {
            self.is_long = true;
            *sar = extreme.min(previous_low).min(new_low);
            out = *sar;
            *factor = acceleration;
            *extreme = new_high;
            *sar += *factor * (*extreme - *sar);
            *sar = sar.min(previous_low).min(new_low);
        } else {
            out = *sar;
            if new_low < *extreme {
                *extreme = new_low;
                *factor = (*factor + acceleration).min(maximum);
            }
            *sar += *factor * (*extreme - *sar);
            *sar = sar.max(previous_high).max(new_high);
        }
        Some(out)
    }
}

/// `for_each_aroon`: where the highest high and lowest low of the last `period + 1` bars
/// are, rescanning only when one leaves the window, ties going to the latest bar.
#[derive(Debug, Clone)]
pub(crate) struct Aroon {
    period: usize,
    today: usize,
    highs: Box<[f64]>,
    lows: Box<[f64]>,
    highest: (usize, f64),
    lowest: (usize, f64),
}

impl Aroon {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            today: 0,
            highs: vec![0.0; period + 1].into_boxed_slice(),
            lows: vec![0.0; period + 1].into_boxed_slice(),
            highest: (0, 0.0),
            lowest: (0, 0.0),
        }
    }

    /// Rescans `[from, to]` of the window for the extreme that `better(value, best)` prefers.
    fn rescan(
        values: &[f64],
        from: usize,
        to: usize,
        better: fn(f64, f64) -> bool,
    ) -> (usize, f64) {
        let span = values.len();
        let mut best = (from, values[from % span]);
        for i in from + 1..=to {
            let value = values[i % span];
            if better(value, best.1) {
                best = (i, value);
            }
        }
        best
    }

    /// `(today, highest index, lowest index)`, the indices counted from the first bar.
    #[inline(always)]
    pub(crate) fn next(&mut self, high: f64, low: f64) -> Option<(usize, usize, usize)> {
        let today = self.today;
        self.today += 1;
        let span = self.period + 1;
        self.highs[today % span] = high;
        self.lows[today % span] = low;
        if today < self.period {
            return None;
        }
        let at_least = |value: f64, best: f64| value >= best;
        let at_most = |value: f64, best: f64| value <= best;
        if today == self.period {
            self.highest = Self::rescan(&self.highs, 0, today, at_least);
            self.lowest = Self::rescan(&self.lows, 0, today, at_most);
        } else {
            let trailing = today - self.period;
            if self.highest.0 < trailing {
                self.highest = Self::rescan(&self.highs, trailing, today, at_least);
            } else if high >= self.highest.1 {
                self.highest = (today, high);
            }
            if self.lowest.0 < trailing {
                self.lowest = Self::rescan(&self.lows, trailing, today, at_most);
            } else if low <= self.lowest.1 {
                self.lowest = (today, low);
            }
        }
        Some((today, self.highest.0, self.lowest.0))
    }
}

/// `mfi`: a ring of the last `period` bars' (positive, negative) money flows.
#[derive(Debug, Clone)]
pub(crate) struct Mfi {
    period: usize,
    today: usize,
    slot: usize,
    previous: f64,
    positive: f64,
    negative: f64,
    empty_run: usize,
    ring: Box<[(f64, f64)]>,
}

impl Mfi {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            today: 0,
            slot: 0,
            previous: 0.0,
            positive: 0.0,
            negative: 0.0,
            empty_run: 0,
            ring: vec![(0.0, 0.0); period].into_boxed_slice(),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, bar: Bar, volume: f64) -> Option<f64> {
        let i = self.today;
        self.today += 1;
        let typical = (bar.high + bar.low + bar.close) / 3.0;
        if i == 0 {
            self.previous = typical;
            return None;
        }
        let period = self.period;
        if i > period {
            let (old_positive, old_negative) = self.ring[self.slot];
            self.positive -= old_positive;
            self.negative -= old_negative;
        }
        let change = typical - self.previous;
        let scale = typical.abs() + self.previous.abs();
        self.previous = typical;
        let flow = if is_zero_scaled(change, scale) {
            0.0
        } else {
            typical * volume
        };
        let flows = if change < 0.0 {
            (0.0, flow)
        } else {
            (flow, 0.0)
        };
        self.ring[self.slot] = flows;
        self.positive += flows.0;
        self.negative += flows.1;
        self.empty_run = if flows.0 == 0.0 && flows.1 == 0.0 {
            self.empty_run + 1
        } else {
            0
        };
        if self.empty_run >= period {
            self.empty_run = period;
            self.positive = 0.0;
            self.negative = 0.0;
        }
        self.slot += 1;
        if self.slot == period {
            self.slot = 0;
        }
        if i < period {
            return None;
        }
        let (positive, negative) = (self.positive, self.negative);
        let total = positive + negative;
        Some(if total <= 0.0 {
            0.0
        } else {
            100.0 * (positive.clamp(0.0, total) / total)
        })
    }
}

/// `obv`: the running volume signed by the close's direction.
#[derive(Debug, Clone, Default)]
pub(crate) struct Obv {
    started: bool,
    total: f64,
    previous: f64,
}

impl Obv {
    #[inline(always)]
    pub(crate) fn next(&mut self, close: f64, volume: f64) -> f64 {
        if !self.started {
            self.started = true;
            self.total = volume;
        } else if close > self.previous {
            self.total += volume;
        } else if close < self.previous {
            self.total -= volume;
        }
        self.previous = close;
        self.total
    }
}
