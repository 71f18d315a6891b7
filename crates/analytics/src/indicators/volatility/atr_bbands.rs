//! Volatility: true range, ATR, NATR and Bollinger bands.

use crate::AnalyticsError;
use crate::cpu::fma_dispatch;
use crate::indicators::moving_averages::{MaType, ma_kernel, start};
use crate::indicators::{
    all_finite, check_high_low, check_output, check_period, check_series, is_zero, scratch_vec,
};

/// TA-Lib's `TRUE_RANGE`: the largest of `h − l`, `|c₋₁ − h|` and `|c₋₁ − l|`.
#[inline(always)]
pub(crate) fn true_range(high: f64, low: f64, previous_close: f64) -> f64 {
    let mut greatest = high - low;
    let up = (previous_close - high).abs();
    if up > greatest {
        greatest = up;
    }
    let down = (previous_close - low).abs();
    if down > greatest {
        greatest = down;
    }
    greatest
}

/// ATR kernel (`TA_ATR`): SMA of the first `period` true ranges, then Wilder smoothing.
pub(crate) fn atr_kernel(high: &[f64], low: &[f64], close: &[f64], period: usize, out: &mut [f64]) {
    if !start(out, period) {
        return;
    }
    let len = close.len();
    if period == 1 {
        for i in 1..len {
            out[i] = true_range(high[i], low[i], close[i - 1]);
        }
        return;
    }
    let divisor = period as f64;
    let keep = (period - 1) as f64;
    let mut total = 0.0;
    for i in 1..=period {
        total += true_range(high[i], low[i], close[i - 1]);
    }
    let mut average = total / divisor;
    out[period] = average;
    // `a·((n−1)/n) + tr·(1/n)` rather than TA-Lib's `(a·(n−1) + tr)/n`: equal to an ulp per
    // step, damped rather than accumulated, and without a division in the dependency chain.
    let (decay, weight) = (keep / divisor, 1.0 / divisor);
    for i in period + 1..len {
        average = average * decay + true_range(high[i], low[i], close[i - 1]) * weight;
        out[i] = average;
    }
}

/// Average true range, `TA_ATR`: Wilder's smoothing of the true range, seeded with the SMA
/// of the first `period` true ranges (rows 1..=period). Lookback `period`.
pub fn atr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    check_period("atr", "period", period, 1)?;
    check_high_low(high, low, Some(close))?;
    let mut out = scratch_vec(close.len());
    atr_kernel(high, low, close, period, &mut out);
    Ok(out)
}

/// Normalised ATR, `TA_NATR`: `ATR/close · 100`, 0 where |close| < 1e-14 (TA-Lib's zero).
/// Lookback `period`.
pub fn natr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    check_period("natr", "period", period, 1)?;
    check_high_low(high, low, Some(close))?;
    let mut out = scratch_vec(close.len());
    atr_kernel(high, low, close, period, &mut out);
    for (value, &price) in out.iter_mut().zip(close).skip(period) {
        *value = if is_zero(price) {
            0.0
        } else {
            (*value / price) * 100.0
        };
    }
    Ok(out)
}

/// Bollinger bands as `(upper, middle, lower)`.
pub type BbandsOutput = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Sums of `x − shift` and `(x − shift)²` over `window`, in order.
#[inline(always)]
fn shifted_sums(window: impl Iterator<Item = f64>, shift: f64) -> (f64, f64) {
    let (mut total, mut total_squares) = (0.0, 0.0);
    for value in window {
        let deviation = value - shift;
        total += deviation;
        total_squares += deviation * deviation;
    }
    (total, total_squares)
}

/// Population variance over `period` bars (`TA_VAR`), written from index `period − 1`.
///
/// TA-Lib's cancellation-free form: running sums of deviations from a shift near the window
/// (so `E[x²] − E[x]²` never subtracts two price-squared quantities), rebuilt by a two-pass
/// computation when the variance falls below 1e-6 of the largest mean square held since the
/// last rebuild, or every `32·period` bars. A flat window gives exactly 0.
pub(crate) fn variance_kernel(input: &[f64], period: usize, out: &mut [f64]) {
    let lookback = period - 1;
    if input.len() <= lookback {
        return;
    }
    let mut variance = RollingVariance::new(period, input[..lookback].iter().copied(), input[0]);
    for (i, slot) in out.iter_mut().enumerate().take(input.len()).skip(lookback) {
        *slot = variance.next_in(input, i);
    }
}

/// The state of [`variance_kernel`] between rows, also the streaming `var` and `bbands`' state
/// (which feeds it from a ring of the last `period` values instead of a slice).
#[derive(Debug, Clone)]
pub(crate) struct RollingVariance {
    period: usize,
    inverse: f64,
    shift: f64,
    total: f64,
    total_squares: f64,
    bars_until_rebuild: usize,
    peak_squares: f64,
}

impl RollingVariance {
    /// The state before row `period − 1`, given the `period − 1` values before it (`seed`)
    /// and the first of them (`shift`).
    #[inline(always)]
    pub(crate) fn new(period: usize, seed: impl Iterator<Item = f64>, shift: f64) -> Self {
        let (total, total_squares) = shifted_sums(seed, shift);
        Self {
            period,
            inverse: 1.0 / period as f64,
            shift,
            total,
            total_squares,
            bars_until_rebuild: 32 * period,
            peak_squares: total_squares,
        }
    }

    /// [`RollingVariance::next`] for row `i` of `input` (from row `period − 1` on).
    #[inline(always)]
    fn next_in(&mut self, input: &[f64], i: usize) -> f64 {
        let first = i + 1 - self.period;
        self.next(input[i], input[first], || input[first..=i].iter().copied())
    }

    /// The variance of the window ending with `value`, whose oldest value (leaving after this
    /// row) is `oldest`; `window` lists the whole window, oldest first, for a rebuild.
    #[inline(always)]
    pub(crate) fn next<W: Iterator<Item = f64>>(
        &mut self,
        value: f64,
        oldest: f64,
        window: impl Fn() -> W,
    ) -> f64 {
        let inverse = self.inverse;
        let deviation = value - self.shift;
        self.total += deviation;
        self.total_squares += deviation * deviation;
        self.peak_squares = self.peak_squares.max(self.total_squares);
        let mean = self.total * inverse;
        let mut variance = self.total_squares * inverse - mean * mean;
        let trailing = oldest - self.shift;
        self.total -= trailing;
        self.total_squares -= trailing * trailing;
        self.bars_until_rebuild -= 1;
        if variance < 0.000001 * (self.peak_squares * inverse) || self.bars_until_rebuild == 0 {
            variance = self.rebuild(value, oldest, window);
        }
        variance
    }

    /// Recomputes the sums of the window (ending with `last`, starting with `oldest`) from a
    /// fresh shift. Inlined although rare: as a call it clobbers every vector register, and
    /// the hot loop around it then kept its sums on the stack.
    #[inline(always)]
    fn rebuild<W: Iterator<Item = f64>>(
        &mut self,
        last: f64,
        oldest: f64,
        window: impl Fn() -> W,
    ) -> f64 {
        let inverse = self.inverse;
        self.bars_until_rebuild = 32 * self.period;
        let mut sum = 0.0;
        for value in window() {
            sum += value;
        }
        self.shift = sum * inverse;
        (self.total, self.total_squares) = shifted_sums(window(), self.shift);
        let mut mean = self.total * inverse;
        let mut variance = self.total_squares * inverse - mean * mean;
        // A window flat to within its mean's rounding is re-anchored on its own last value,
        // which cannot leave the variance at rounding level again.
        if variance < 0.000001 * (self.total_squares * inverse) {
            self.shift = last;
            (self.total, self.total_squares) = shifted_sums(window(), self.shift);
            mean = self.total * inverse;
            variance = self.total_squares * inverse - mean * mean;
        }
        self.peak_squares = self.total_squares;
        if variance < 0.000000000001 * (self.total_squares * inverse) {
            variance = 0.0;
        }
        let trailing = oldest - self.shift;
        self.total -= trailing;
        self.total_squares -= trailing * trailing;
        variance
    }
}

/// Bollinger bands, `TA_BBANDS`: middle = `MA(period)`, upper/lower = middle ± `nbdev`·σ with
/// σ the population standard deviation over `period` (defaults 5, 2, 2, SMA). Lookback: the
/// moving average's.
pub fn bbands(
    close: &[f64],
    period: usize,
    nbdev_up: f64,
    nbdev_down: f64,
    ma_type: MaType,
) -> Result<BbandsOutput, AnalyticsError> {
    let len = close.len();
    let (mut upper, mut middle, mut lower) = (scratch_vec(len), scratch_vec(len), scratch_vec(len));
    bbands_into(
        close,
        (period, nbdev_up, nbdev_down, ma_type),
        [&mut upper, &mut middle, &mut lower],
    )?;
    Ok((upper, middle, lower))
}

/// [`bbands`] into caller-provided `[upper, middle, lower]` slices of the input's length, with
/// the parameters as `(period, nbdevup, nbdevdn, matype)`.
pub fn bbands_into(
    close: &[f64],
    (period, nbdev_up, nbdev_down, ma_type): (usize, f64, f64, MaType),
    out: [&mut [f64]; 3],
) -> Result<(), AnalyticsError> {
    check_period("bbands", "period", period, 2)?;
    for (name, value) in [("nbdevup", nbdev_up), ("nbdevdn", nbdev_down)] {
        if !value.is_finite() {
            return Err(AnalyticsError::InvalidParameter(format!(
                "bbands {name} must be a finite number, got {value}"
            )));
        }
    }
    let len = close.len();
    // The later of the average's and the deviation's lookbacks (they differ only for MAMA).
    let lookback = ma_type.lookback(period).max(period - 1);
    let [upper, middle, lower] = out;
    for output in [&*upper, &*middle, &*lower] {
        check_output("bbands", output.len(), len)?;
    }
    if ma_type == MaType::Sma {
        if !bbands_sma(
            close,
            period,
            (nbdev_up, nbdev_down),
            [upper, middle, lower],
        ) {
            check_series("close", close)?;
        }
        return Ok(());
    }
    check_series("close", close)?;
    start(upper, lookback);
    // The variance goes into `lower` first and is turned into the band in place; TA-Lib
    // computes it over the whole series, independently of the average's own seeding.
    ma_kernel(close, period, ma_type, middle);
    start(middle, lookback);
    variance_kernel(close, period, lower);
    if !start(lower, lookback) {
        return Ok(());
    }
    for i in lookback..len {
        (upper[i], lower[i]) = bands(middle[i], lower[i], nbdev_up, nbdev_down);
    }
    Ok(())
}

/// The upper and lower band around `middle` for the window's `variance`, as TA-Lib forms them.
#[inline(always)]
fn bands(middle: f64, variance: f64, nbdev_up: f64, nbdev_down: f64) -> (f64, f64) {
    let deviation = if variance > 0.0 { variance.sqrt() } else { 0.0 };
    if nbdev_up == nbdev_down {
        let band = deviation * nbdev_up;
        (middle + band, middle - band)
    } else {
        (
            middle + deviation * nbdev_up,
            middle - deviation * nbdev_down,
        )
    }
}

fma_dispatch! {
    /// Bollinger bands around the SMA in one pass: `sma_kernel`'s running total,
    /// `variance_kernel`'s state and the bands row by row, with the same operations as the
    /// separate kernels (so the same bits), and the three dependency chains side by side
    /// instead of one pass after another. Returns whether every input value was finite (read
    /// off the SMA's running total, which never forgets a NaN or an infinity).
    fn bbands_sma(
        input: &[f64],
        period: usize,
        nbdev: (f64, f64),
        out: [&mut [f64]; 3],
    ) -> bool {
        let (nbdev_up, nbdev_down) = nbdev;
        let [upper, middle, lower] = out;
        let lookback = period - 1;
        start(upper, lookback);
        start(middle, lookback);
        if !start(lower, lookback) {
            return all_finite(input);
        }
        let divisor = period as f64;
        let mut total = 0.0;
        for &value in &input[..lookback] {
            total += value;
        }
        let mut variance =
            RollingVariance::new(period, input[..lookback].iter().copied(), input[0]);
        let len = input.len().min(upper.len()).min(middle.len()).min(lower.len());
        for i in lookback..len {
            total += input[i];
            let current = total;
            total -= input[i - lookback];
            let mid = current / divisor;
            middle[i] = mid;
            (upper[i], lower[i]) = bands(mid, variance.next_in(input, i), nbdev_up, nbdev_down);
        }
        total.abs() < f64::INFINITY
    }
}
