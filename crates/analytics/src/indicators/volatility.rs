//! Volatility: true range, ATR, NATR and Bollinger bands.

use super::moving_averages::{MaType, ma_into, sma_into, start};
use super::{check_high_low, check_period, check_series, is_zero, is_zero_or_negative, nan_vec};
use crate::AnalyticsError;

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
pub(crate) fn atr_into(high: &[f64], low: &[f64], close: &[f64], period: usize, out: &mut [f64]) {
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
    for i in period + 1..len {
        average *= keep;
        average += true_range(high[i], low[i], close[i - 1]);
        average /= divisor;
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
    let mut out = nan_vec(close.len());
    atr_into(high, low, close, period, &mut out);
    Ok(out)
}

/// Normalised ATR, `TA_NATR`: `ATR/close · 100`, 0 where the close is (TA-Lib-)zero.
/// Lookback `period`.
pub fn natr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    check_period("natr", "period", period, 1)?;
    check_high_low(high, low, Some(close))?;
    let mut out = nan_vec(close.len());
    atr_into(high, low, close, period, &mut out);
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

/// Population standard deviation over `period` bars around a precomputed SMA
/// (`TA_INT_stddev_using_precalc_ma`), written from index `period − 1`.
fn stddev_around_sma(input: &[f64], sma: &[f64], period: usize, out: &mut [f64]) {
    let lookback = period - 1;
    let divisor = period as f64;
    let mut total_squares = 0.0;
    for &value in &input[..lookback] {
        total_squares += value * value;
    }
    for i in lookback..input.len() {
        let value = input[i];
        total_squares += value * value;
        let mut mean_square = total_squares / divisor;
        let trailing = input[i - lookback];
        total_squares -= trailing * trailing;
        let mean = sma[i];
        mean_square -= mean * mean;
        out[i] = if is_zero_or_negative(mean_square) {
            0.0
        } else {
            mean_square.sqrt()
        };
    }
}

/// Population standard deviation from running sums (`TA_VAR` then `TA_STDDEV` with factor 1).
fn stddev(input: &[f64], period: usize, out: &mut [f64]) {
    let lookback = period - 1;
    let divisor = period as f64;
    let (mut total, mut total_squares) = (0.0, 0.0);
    for &value in &input[..lookback] {
        total += value;
        total_squares += value * value;
    }
    for i in lookback..input.len() {
        let value = input[i];
        total += value;
        total_squares += value * value;
        let mean = total / divisor;
        let mean_square = total_squares / divisor;
        let trailing = input[i - lookback];
        total -= trailing;
        total_squares -= trailing * trailing;
        let variance = mean_square - mean * mean;
        out[i] = if is_zero_or_negative(variance) {
            0.0
        } else {
            variance.sqrt()
        };
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
    check_period("bbands", "period", period, 2)?;
    for (name, value) in [("nbdevup", nbdev_up), ("nbdevdn", nbdev_down)] {
        if !value.is_finite() {
            return Err(AnalyticsError::InvalidParameter(format!(
                "bbands {name} must be a finite number, got {value}"
            )));
        }
    }
    ma_type.check_supported()?;
    check_series("close", close)?;
    let len = close.len();
    let lookback = ma_type.lookback(period);
    let (mut upper, mut middle, mut lower) = (nan_vec(len), nan_vec(len), nan_vec(len));
    if len <= lookback {
        return Ok((upper, middle, lower));
    }
    // The deviation goes into `lower` first and is turned into the band in place.
    if ma_type == MaType::Sma {
        sma_into(close, period, &mut middle);
        stddev_around_sma(close, &middle, period, &mut lower);
    } else {
        ma_into(close, period, ma_type, &mut middle);
        let offset = lookback + 1 - period;
        stddev(&close[offset..], period, &mut lower[offset..]);
        lower[..lookback].fill(f64::NAN);
    }
    for i in lookback..len {
        let (mid, deviation) = (middle[i], lower[i]);
        if nbdev_up == nbdev_down {
            let band = if nbdev_up == 1.0 {
                deviation
            } else {
                deviation * nbdev_up
            };
            upper[i] = mid + band;
            lower[i] = mid - band;
        } else {
            upper[i] = mid + deviation * nbdev_up;
            lower[i] = mid - deviation * nbdev_down;
        }
    }
    Ok((upper, middle, lower))
}
