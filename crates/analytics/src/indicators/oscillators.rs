//! Range oscillators: STOCH, STOCHF, STOCHRSI, WILLR, CCI, ULTOSC.

use super::momentum::rsi_kernel;
use super::moving_averages::{MaType, ma_kernel, start};
use super::{
    check_high_low, check_output, check_period, check_series, is_zero, is_zero_scaled, output_vec,
    scratch_vec,
};
use crate::AnalyticsError;

#[inline(always)]
fn larger(a: f64, b: f64) -> f64 {
    if a >= b { a } else { b }
}

#[inline(always)]
fn smaller(a: f64, b: f64) -> f64 {
    if a <= b { a } else { b }
}

/// Calls `emit(first, highest, lowest)` block by block, where `highest[o]` and `lowest[o]`
/// are the extremes of the `period`-bar window ending at row `first + o`.
///
/// Van Herk/Gil-Werman: the series is cut into blocks of `period` bars; a window ending in a
/// block is the suffix of the previous block plus the prefix of its own, so each bar costs
/// three comparisons per series whatever the data, and no branch depends on the prices. The
/// caller's per-row work then runs over plain slices, which the compiler vectorises. Only the
/// extreme values are produced, which is all %K and %R need.
#[inline(always)]
fn for_each_range_block(
    high: &[f64],
    low: &[f64],
    period: usize,
    mut emit: impl FnMut(usize, &[f64], &[f64]),
) {
    let len = high.len();
    let lookback = period - 1;
    if len <= lookback {
        return;
    }
    // Suffix extremes of the previous block: `suffix_high[j]` is the highest of its bars
    // j..period. Index `period` is an empty suffix, so a window that is exactly one block
    // needs no branch.
    let mut suffix_high = vec![f64::NEG_INFINITY; period + 1];
    let mut suffix_low = vec![f64::INFINITY; period + 1];
    let mut window_high = vec![0.0; period];
    let mut window_low = vec![0.0; period];
    let mut block_start = 0;
    while block_start < len {
        let block_end = (block_start + period).min(len);
        if block_start > 0 {
            let previous_high = &high[block_start - period..block_start];
            let previous_low = &low[block_start - period..block_start];
            let (mut running_high, mut running_low) = (f64::NEG_INFINITY, f64::INFINITY);
            for j in (0..period).rev() {
                running_high = larger(previous_high[j], running_high);
                running_low = smaller(previous_low[j], running_low);
                suffix_high[j] = running_high;
                suffix_low[j] = running_low;
            }
        }
        // The window ending at block offset `o` starts at offset `o + 1` of the previous block.
        let (mut prefix_high, mut prefix_low) = (f64::NEG_INFINITY, f64::INFINITY);
        let bars = high[block_start..block_end]
            .iter()
            .zip(&low[block_start..block_end])
            .zip(suffix_high[1..].iter().zip(&suffix_low[1..]))
            .zip(window_high.iter_mut().zip(window_low.iter_mut()));
        for (((&bar_high, &bar_low), (&tail_high, &tail_low)), (top, bottom)) in bars {
            prefix_high = larger(bar_high, prefix_high);
            prefix_low = smaller(bar_low, prefix_low);
            *top = larger(tail_high, prefix_high);
            *bottom = smaller(tail_low, prefix_low);
        }
        // In the first block only its last bar ends a full window.
        let skip = if block_start == 0 { lookback } else { 0 };
        let count = block_end - block_start;
        emit(
            block_start + skip,
            &window_high[skip..count],
            &window_low[skip..count],
        );
        block_start = block_end;
    }
}

/// Raw %K kernel: `(close − lowest)/(highest − lowest)·100`, 0 on a window flat to within
/// `EPSILON` of its own extremes (TA-Lib's scaled test, so a flat window's rounding residue
/// does not divide into noise).
fn fast_k_kernel(high: &[f64], low: &[f64], close: &[f64], period: usize, out: &mut [f64]) {
    start(out, period - 1);
    for_each_range_block(high, low, period, |first, highs, lows| {
        let rows = first..first + highs.len();
        let slots = out[rows.clone()].iter_mut().zip(&close[rows]);
        for ((slot, &price), (&highest, &lowest)) in slots.zip(highs.iter().zip(lows)) {
            let range = highest - lowest;
            *slot = if is_zero_scaled(range, highest.abs() + lowest.abs()) {
                0.0
            } else {
                ((price - lowest) / range) * 100.0
            };
        }
    });
}

/// Stochastic lines as `(k, d)`.
pub type StochOutput = (Vec<f64>, Vec<f64>);

/// Full stochastic kernel: raw %K, then `MA(slowk)`, then `MA(slowd)` of that.
#[allow(clippy::too_many_arguments)]
fn stoch_kernel(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk_period: usize,
    slowk: Option<(usize, MaType)>,
    slowd: (usize, MaType),
    out_k: &mut [f64],
    out_d: &mut [f64],
) {
    let k_lookback = fastk_period - 1;
    let slowk_lookback = slowk.map_or(0, |(p, t)| t.lookback(p));
    let lookback = k_lookback + slowk_lookback + slowd.1.lookback(slowd.0);
    start(out_d, lookback);
    if !start(out_k, lookback) {
        return;
    }
    // The raw %K goes into `out_d` as scratch: no allocation beyond the caller's outputs.
    if let Some((period, ma_type)) = slowk {
        fast_k_kernel(high, low, close, fastk_period, out_d);
        ma_kernel(
            &out_d[k_lookback..],
            period,
            ma_type,
            &mut out_k[k_lookback..],
        );
    } else {
        fast_k_kernel(high, low, close, fastk_period, out_k);
    }
    let d_offset = k_lookback + slowk_lookback;
    let (period, ma_type) = slowd;
    ma_kernel(&out_k[d_offset..], period, ma_type, &mut out_d[d_offset..]);
    out_k[..lookback].fill(f64::NAN);
    out_d[..lookback].fill(f64::NAN);
}

/// Slow stochastic, `TA_STOCH`: %K = `MA(slowk)` of raw %K over `fastk` bars, %D = `MA(slowd)`
/// of %K (TA-Lib defaults 5, 3 SMA, 3 SMA). Lookback `fastk − 1 + lb(slowk) + lb(slowd)`.
#[allow(clippy::too_many_arguments)]
pub fn stoch(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk_period: usize,
    slowk_period: usize,
    slowk_ma: MaType,
    slowd_period: usize,
    slowd_ma: MaType,
) -> Result<StochOutput, AnalyticsError> {
    let (mut k, mut d) = (scratch_vec(close.len()), scratch_vec(close.len()));
    stoch_into(
        high,
        low,
        close,
        (fastk_period, slowk_period, slowk_ma, slowd_period, slowd_ma),
        [&mut k, &mut d],
    )?;
    Ok((k, d))
}

/// [`stoch`] into caller-provided `[k, d]` slices of the input's length, with the parameters
/// as `(fastk, slowk, slowk_ma, slowd, slowd_ma)`.
pub fn stoch_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    (fastk_period, slowk_period, slowk_ma, slowd_period, slowd_ma): (
        usize,
        usize,
        MaType,
        usize,
        MaType,
    ),
    out: [&mut [f64]; 2],
) -> Result<(), AnalyticsError> {
    check_period("stoch", "fastk period", fastk_period, 1)?;
    check_period("stoch", "slowk period", slowk_period, 1)?;
    check_period("stoch", "slowd period", slowd_period, 1)?;
    check_high_low(high, low, Some(close))?;
    let [k, d] = out;
    check_output("stoch", k.len(), close.len())?;
    check_output("stoch", d.len(), close.len())?;
    stoch_kernel(
        high,
        low,
        close,
        fastk_period,
        Some((slowk_period, slowk_ma)),
        (slowd_period, slowd_ma),
        k,
        d,
    );
    Ok(())
}

/// Fast stochastic, `TA_STOCHF`: raw %K over `fastk` bars and %D = `MA(fastd)` of it
/// (defaults 5, 3 SMA). Lookback `fastk − 1 + lb(fastd)`.
pub fn stochf(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk_period: usize,
    fastd_period: usize,
    fastd_ma: MaType,
) -> Result<StochOutput, AnalyticsError> {
    check_period("stochf", "fastk period", fastk_period, 1)?;
    check_period("stochf", "fastd period", fastd_period, 1)?;
    check_high_low(high, low, Some(close))?;
    let (mut k, mut d) = (scratch_vec(close.len()), scratch_vec(close.len()));
    stoch_kernel(
        high,
        low,
        close,
        fastk_period,
        None,
        (fastd_period, fastd_ma),
        &mut k,
        &mut d,
    );
    Ok((k, d))
}

/// Stochastic RSI, `TA_STOCHRSI`: STOCHF(fastk, fastd) applied to RSI(period) as high, low
/// and close (defaults 14, 5, 3 SMA). Lookback `period + fastk − 1 + lb(fastd)`.
pub fn stochrsi(
    close: &[f64],
    period: usize,
    fastk_period: usize,
    fastd_period: usize,
    fastd_ma: MaType,
) -> Result<StochOutput, AnalyticsError> {
    check_period("stochrsi", "period", period, 2)?;
    check_period("stochrsi", "fastk period", fastk_period, 1)?;
    check_period("stochrsi", "fastd period", fastd_period, 1)?;
    check_series("close", close)?;
    let len = close.len();
    let lookback = period + fastk_period - 1 + fastd_ma.lookback(fastd_period);
    let (mut k, mut d) = (output_vec(len, lookback), output_vec(len, lookback));
    if len <= period {
        return Ok((k, d));
    }
    let mut rsi = scratch_vec(len);
    rsi_kernel(close, period, &mut rsi);
    let rsi = &rsi[period..];
    stoch_kernel(
        rsi,
        rsi,
        rsi,
        fastk_period,
        None,
        (fastd_period, fastd_ma),
        &mut k[period..],
        &mut d[period..],
    );
    Ok((k, d))
}

/// Williams' %R, `TA_WILLR`: `(highest − close)/(highest − lowest)·(−100)` over `period` bars,
/// clamped to [−100, 0], 0 on a flat window. Lookback `period − 1`.
pub fn willr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = scratch_vec(close.len());
    willr_into(high, low, close, period, &mut out)?;
    Ok(out)
}

/// [`willr`] into a caller-provided slice of the input's length, without allocating.
pub fn willr_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    out: &mut [f64],
) -> Result<(), AnalyticsError> {
    check_period("willr", "period", period, 2)?;
    check_high_low(high, low, Some(close))?;
    check_output("willr", out.len(), close.len())?;
    start(out, period - 1);
    for_each_range_block(high, low, period, |first, highs, lows| {
        let rows = first..first + highs.len();
        let slots = out[rows.clone()].iter_mut().zip(&close[rows]);
        for ((slot, &price), (&highest, &lowest)) in slots.zip(highs.iter().zip(lows)) {
            let range = highest - lowest;
            *slot = if is_zero_scaled(range, highest.abs() + lowest.abs()) {
                0.0
            } else {
                // The clamp only matters for a close outside its own bar's range.
                (((highest - price) / range) * -100.0).clamp(-100.0, 0.0)
            };
        }
    });
    Ok(())
}

/// Commodity channel index, `TA_CCI`: `(tp − mean)/(0.015·meandev)` over `period` bars of the
/// typical price `tp = (h+l+c)/3`; 0 when either term is within 1e-14 of the mean's magnitude
/// (a flat window). Lookback `period − 1`.
pub fn cci(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = scratch_vec(close.len());
    cci_into(high, low, close, period, &mut out)?;
    Ok(out)
}

/// [`cci`] into a caller-provided slice of the input's length.
pub fn cci_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    out: &mut [f64],
) -> Result<(), AnalyticsError> {
    check_period("cci", "period", period, 2)?;
    check_high_low(high, low, Some(close))?;
    check_output("cci", out.len(), close.len())?;
    let len = close.len();
    let lookback = period - 1;
    if !start(out, lookback) {
        return Ok(());
    }
    // The mean is summed in ring-slot order, as TA-Lib does: `tp − mean` cancels, so the
    // summation order of the mean decides the value, not only its last bit.
    let mut ring = vec![0.0; period];
    let mut slot = 0;
    let divisor = period as f64;
    for i in 0..lookback {
        ring[slot] = (high[i] + low[i] + close[i]) / 3.0;
        slot += 1;
    }
    for today in lookback..len {
        let last = (high[today] + low[today] + close[today]) / 3.0;
        ring[slot] = last;
        let mut total = 0.0;
        for &value in &ring {
            total += value;
        }
        let mean = total / divisor;
        // The absolute deviations are all positive, so four partial sums change only the
        // last bits, and they break the dependency chain of one accumulator.
        let mut parts = [0.0f64; 4];
        let mut chunks = ring.chunks_exact(4);
        for chunk in &mut chunks {
            for (part, &value) in parts.iter_mut().zip(chunk) {
                *part += (value - mean).abs();
            }
        }
        let mut deviation = (parts[0] + parts[1]) + (parts[2] + parts[3]);
        for &value in chunks.remainder() {
            deviation += (value - mean).abs();
        }
        let deviation = deviation / divisor;
        let distance = last - mean;
        // Flatness is judged against the window's own price level (TA-Lib issue #253).
        let scale = mean.abs();
        out[today] = if !is_zero_scaled(distance, scale) && !is_zero_scaled(deviation, scale) {
            distance / (0.015 * deviation)
        } else {
            0.0
        };
        slot += 1;
        if slot == period {
            slot = 0;
        }
    }
    Ok(())
}

/// Ultimate oscillator, `TA_ULTOSC`: `100·(4·A₁/B₁ + 2·A₂/B₂ + A₃/B₃)/7` with
/// `A = Σ(close − true low)`, `B = Σ true range` over the three periods sorted shortest first
/// (defaults 7, 14, 28). Lookback: the longest period.
pub fn ultosc(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period1: usize,
    period2: usize,
    period3: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    check_period("ultosc", "period1", period1, 1)?;
    check_period("ultosc", "period2", period2, 1)?;
    check_period("ultosc", "period3", period3, 1)?;
    check_high_low(high, low, Some(close))?;
    let mut sorted = [period1, period2, period3];
    sorted.sort_unstable();
    let [short, medium, long] = sorted;
    let len = close.len();
    let lookback = long;
    let mut out = output_vec(len, lookback);
    if len <= lookback {
        return Ok(out);
    }
    let term = |i: usize| {
        let (low_today, high_today, close_yesterday) = (low[i], high[i], close[i - 1]);
        let true_low = low_today.min(close_yesterday);
        let mut true_range = high_today - low_today;
        let up = (close_yesterday - high_today).abs();
        if up > true_range {
            true_range = up;
        }
        let down = (close_yesterday - low_today).abs();
        if down > true_range {
            true_range = down;
        }
        (close[i] - true_low, true_range)
    };
    let (mut a1, mut b1, mut a2, mut b2, mut a3, mut b3) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for i in lookback - long + 1..lookback {
        let (a, b) = term(i);
        if i + short > lookback {
            a1 += a;
            b1 += b;
        }
        if i + medium > lookback {
            a2 += a;
            b2 += b;
        }
        a3 += a;
        b3 += b;
    }
    for (today, slot) in out.iter_mut().enumerate().skip(lookback) {
        let (a, b) = term(today);
        a1 += a;
        a2 += a;
        a3 += a;
        b1 += b;
        b2 += b;
        b3 += b;
        let mut value = 0.0;
        if !is_zero(b1) {
            value += 4.0 * (a1 / b1);
        }
        if !is_zero(b2) {
            value += 2.0 * (a2 / b2);
        }
        if !is_zero(b3) {
            value += a3 / b3;
        }
        // The terms leaving each window are recomputed: they are a pure function of the bar.
        let (a, b) = term(today + 1 - short);
        a1 -= a;
        b1 -= b;
        let (a, b) = term(today + 1 - medium);
        a2 -= a;
        b2 -= b;
        let (a, b) = term(today + 1 - long);
        a3 -= a;
        b3 -= b;
        *slot = 100.0 * (value / 7.0);
    }
    Ok(out)
}
