//! Trend strength and direction: +DI, −DI, ADX, ADXR and the parabolic SAR.

use crate::AnalyticsError;
use crate::indicators::moving_averages::start;
use crate::indicators::volatility::true_range;
use crate::indicators::{
    check_high_low, check_output, check_period, is_zero, output_vec, scratch_vec,
};

/// One bar's (+DM, −DM, true range); at most one DM is non-zero. Selecting 0.0 rather than
/// skipping the addition keeps the sums bit-identical (adding 0.0 to a non-negative sum is
/// exact) and leaves no unpredictable branch in the loop.
#[inline(always)]
fn bar_movement(high: &[f64], low: &[f64], close: &[f64], today: usize) -> (f64, f64, f64) {
    let diff_plus = high[today] - high[today - 1];
    let diff_minus = low[today - 1] - low[today];
    let minus = (diff_minus > 0.0) & (diff_plus < diff_minus);
    let plus = !minus & (diff_plus > 0.0) & (diff_plus > diff_minus);
    (
        if plus { diff_plus } else { 0.0 },
        if minus { diff_minus } else { 0.0 },
        true_range(high[today], low[today], close[today - 1]),
    )
}

/// Wilder-smoothed +DM, −DM and true range as TA-Lib keeps them for the DI/DX family: plain
/// sums over the first `period − 1` bars, then `s − s/period + x` on every later bar. Calls
/// `emit(today, plus_dm, minus_dm, true_range)` from row `period` on.
#[inline(always)]
fn for_each_directional(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    mut emit: impl FnMut(usize, f64, f64, f64),
) {
    let len = close.len();
    if len <= period {
        return;
    }
    let movement = |today: usize| bar_movement(high, low, close, today);
    let (mut plus_dm, mut minus_dm, mut range) = (0.0, 0.0, 0.0);
    for today in 1..period {
        let (plus, minus, tr) = movement(today);
        plus_dm += plus;
        minus_dm += minus;
        range += tr;
    }
    // `s·(1 − 1/n) + x` for TA-Lib's `s − s/n + x`: an ulp apart per step, damped by the
    // smoothing, and without a division in the bar-to-bar dependency chain.
    let decay = 1.0 - 1.0 / period as f64;
    for today in period..len {
        let (plus, minus, tr) = movement(today);
        plus_dm = plus_dm * decay + plus;
        minus_dm = minus_dm * decay + minus;
        range = range * decay + tr;
        emit(today, plus_dm, minus_dm, range);
    }
}

/// TA-Lib's period-1 DI: the bar's own DM over its true range, as a fraction (TA-Lib does not
/// scale this case by 100), 0 when the bar's movement is not in the wanted direction.
fn one_bar_di(high: &[f64], low: &[f64], close: &[f64], plus: bool, out: &mut [f64]) {
    for today in 1..close.len() {
        let diff_plus = high[today] - high[today - 1];
        let diff_minus = low[today - 1] - low[today];
        let dm = if plus && diff_plus > 0.0 && diff_plus > diff_minus {
            diff_plus
        } else if !plus && diff_minus > 0.0 && diff_plus < diff_minus {
            diff_minus
        } else {
            out[today] = 0.0;
            continue;
        };
        let range = true_range(high[today], low[today], close[today - 1]);
        out[today] = if is_zero(range) { 0.0 } else { dm / range };
    }
}

#[inline(always)]
fn directional_index(dm: f64, range: f64) -> f64 {
    if is_zero(range) {
        0.0
    } else {
        100.0 * (dm / range)
    }
}

/// Plus directional indicator, `TA_PLUS_DI`: `100·(smoothed +DM)/(smoothed TR)`; for period 1
/// TA-Lib returns the unscaled fraction `+DM/TR`. Lookback `period`.
pub fn plus_di(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    check_period("plus_di", "period", period, 1)?;
    check_high_low(high, low, Some(close))?;
    let mut out = output_vec(close.len(), period);
    if period == 1 {
        one_bar_di(high, low, close, true, &mut out);
        return Ok(out);
    }
    for_each_directional(high, low, close, period, |today, plus, _, range| {
        out[today] = directional_index(plus, range);
    });
    Ok(out)
}

/// Minus directional indicator, `TA_MINUS_DI`: `100·(smoothed −DM)/(smoothed TR)`; for period 1
/// TA-Lib returns the unscaled fraction `−DM/TR`. Lookback `period`.
pub fn minus_di(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    check_period("minus_di", "period", period, 1)?;
    check_high_low(high, low, Some(close))?;
    let mut out = output_vec(close.len(), period);
    if period == 1 {
        one_bar_di(high, low, close, false, &mut out);
        return Ok(out);
    }
    for_each_directional(high, low, close, period, |today, _, minus, range| {
        out[today] = directional_index(minus, range);
    });
    Ok(out)
}

/// DX from smoothed DMs and true range, `None` where TA-Lib leaves the average unchanged
/// (a range or a DI total that is zero).
#[inline(always)]
fn directional_movement_index(plus: f64, minus: f64, range: f64) -> Option<f64> {
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

/// ADX kernel (`TA_ADX`) writing from row `2·period − 1`: the DM/TR smoothing of
/// [`for_each_directional`] inlined into one loop, so its state stays in registers.
fn adx_kernel(high: &[f64], low: &[f64], close: &[f64], period: usize, out: &mut [f64]) {
    let lookback = 2 * period - 1;
    if !start(out, lookback) {
        return;
    }
    let divisor = period as f64;
    let decay = 1.0 - 1.0 / divisor;
    let (average_decay, weight) = ((period - 1) as f64 / divisor, 1.0 / divisor);
    let (mut plus_dm, mut minus_dm, mut range) = (0.0, 0.0, 0.0);
    for today in 1..period {
        let (plus, minus, tr) = bar_movement(high, low, close, today);
        plus_dm += plus;
        minus_dm += minus;
        range += tr;
    }
    // The first ADX is the mean of the first `period` DX values (an undefined DX adds 0).
    let mut sum_dx = 0.0;
    for today in period..=lookback {
        let (plus, minus, tr) = bar_movement(high, low, close, today);
        plus_dm = plus_dm * decay + plus;
        minus_dm = minus_dm * decay + minus;
        range = range * decay + tr;
        sum_dx += directional_movement_index(plus_dm, minus_dm, range).unwrap_or(0.0);
    }
    let mut average = sum_dx / divisor;
    out[lookback] = average;
    for (today, slot) in out.iter_mut().enumerate().skip(lookback + 1) {
        let (plus, minus, tr) = bar_movement(high, low, close, today);
        plus_dm = plus_dm * decay + plus;
        minus_dm = minus_dm * decay + minus;
        range = range * decay + tr;
        // An undefined DX leaves the average as it is, as in TA-Lib.
        if let Some(dx) = directional_movement_index(plus_dm, minus_dm, range) {
            average = average * average_decay + dx * weight;
        }
        *slot = average;
    }
}

/// Average directional index, `TA_ADX`: Wilder's smoothing of
/// `DX = 100·|+DI − −DI|/(+DI + −DI)`, seeded with the mean of the first `period` DX values.
/// Lookback `2·period − 1`.
pub fn adx(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = scratch_vec(close.len());
    adx_into(high, low, close, period, &mut out)?;
    Ok(out)
}

/// [`adx`] into a caller-provided slice of the input's length, without allocating.
pub fn adx_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    out: &mut [f64],
) -> Result<(), AnalyticsError> {
    check_period("adx", "period", period, 2)?;
    check_high_low(high, low, Some(close))?;
    check_output("adx", out.len(), close.len())?;
    adx_kernel(high, low, close, period, out);
    Ok(())
}

/// Average directional movement rating, `TA_ADXR`: `(ADX + ADX[−(period − 1)])/2`.
/// Lookback `3·period − 2`.
pub fn adxr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    check_period("adxr", "period", period, 2)?;
    check_high_low(high, low, Some(close))?;
    let len = close.len();
    let mut adx_line = scratch_vec(len);
    adx_kernel(high, low, close, period, &mut adx_line);
    let lookback = 3 * period - 2;
    let mut out = output_vec(len, lookback);
    for i in lookback.min(len)..len {
        out[i] = (adx_line[i] + adx_line[i - (period - 1)]) / 2.0;
    }
    Ok(out)
}

/// Parabolic SAR, `TA_SAR` (defaults acceleration 0.02, maximum 0.2). The first direction
/// is short when row 1 has a positive −DM (its low fell more than its high rose), long
/// otherwise; an acceleration above the maximum is clamped to it. Lookback 1.
pub fn sar(
    high: &[f64],
    low: &[f64],
    acceleration: f64,
    maximum: f64,
) -> Result<Vec<f64>, AnalyticsError> {
    for (name, value) in [("acceleration", acceleration), ("maximum", maximum)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(AnalyticsError::InvalidParameter(format!(
                "sar {name} must be a non-negative number, got {value}"
            )));
        }
    }
    check_high_low(high, low, None)?;
    let len = high.len();
    let mut out = output_vec(len, 1);
    if len < 2 {
        return Ok(out);
    }
    let acceleration = acceleration.min(maximum);
    let mut factor = acceleration;
    let diff_plus = high[1] - high[0];
    let diff_minus = low[0] - low[1];
    let mut is_long = !(diff_minus > 0.0 && diff_plus < diff_minus);
    let (mut extreme, mut sar) = if is_long {
        (high[1], low[0])
    } else {
        (low[1], high[0])
    };
    let (mut new_low, mut new_high) = (low[1], high[1]);
    for today in 1..len {
        let (previous_low, previous_high) = (new_low, new_high);
        new_low = low[today];
        new_high = high[today];
        if is_long {
            if new_low <= sar {
                is_long = false;
                sar = extreme.max(previous_high).max(new_high);
                out[today] = sar;
                factor = acceleration;
                extreme = new_low;
                sar += factor * (extreme - sar);
                sar = sar.max(previous_high).max(new_high);
            } else {
                out[today] = sar;
                if new_high > extreme {
                    extreme = new_high;
                    factor = (factor + acceleration).min(maximum);
                }
                sar += factor * (extreme - sar);
                sar = sar.min(previous_low).min(new_low);
            }
        } else if new_high >= sar {
            is_long = true;
            sar = extreme.min(previous_low).min(new_low);
            out[today] = sar;
            factor = acceleration;
            extreme = new_high;
            sar += factor * (extreme - sar);
            sar = sar.min(previous_low).min(new_low);
        } else {
            out[today] = sar;
            if new_low < extreme {
                extreme = new_low;
                factor = (factor + acceleration).min(maximum);
            }
            sar += factor * (extreme - sar);
            sar = sar.max(previous_high).max(new_high);
        }
    }
    Ok(out)
}
