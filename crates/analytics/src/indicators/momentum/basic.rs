//! Momentum indicators on one series: RSI, CMO, ROC, MOM, MACD, APO, PPO, TRIX.

use crate::AnalyticsError;
use crate::cpu::fma_dispatch;
use crate::indicators::moving_averages::{
    EmaStep, MaType, Smoothing, ema_kernel, ma_kernel, start,
};
use crate::indicators::{
    all_finite, check_output, check_period, check_series, is_zero, nan_vec, output_vec, scratch_vec,
};

/// Wilder-smoothed average gain and loss as TA-Lib's RSI and CMO keep them; `emit` turns the
/// pair into the output value.
///
/// Returns whether every input value was finite, read off the final averages: a NaN or
/// infinite input makes an average non-finite for good (∞ − ∞ is NaN, NaN stays NaN), and a
/// checking pass of its own over a long series costs a third as much as the RSI. When it
/// returns false the output is meaningless and the caller names the row.
#[inline(always)]
fn wilder_gain_loss_kernel(
    input: &[f64],
    period: usize,
    out: &mut [f64],
    emit: impl Fn(f64, f64) -> f64 + Copy,
) -> bool {
    let lookback = period;
    if !start(out, lookback) {
        return all_finite(input);
    }
    let divisor = period as f64;
    let mut previous = input[0];
    let mut gain = 0.0;
    let mut loss = 0.0;
    for &value in &input[1..=period] {
        let change = value - previous;
        previous = value;
        if change < 0.0 {
            loss -= change;
        } else {
            gain += change;
        }
    }
    loss /= divisor;
    gain /= divisor;
    out[lookback] = emit(gain, loss);
    let (gain, loss) = wilder_loop(
        &input[period..],
        &mut out[period + 1..],
        (gain, loss),
        Smoothing::wilder(period),
        emit,
    );
    (gain.abs() < f64::INFINITY) & (loss.abs() < f64::INFINITY)
}

/// Rows per block of [`wilder_loop`]: two blocks of averages stay in L1.
const WILDER_BLOCK: usize = 512;

fma_dispatch! {
    /// The bar-to-bar part of [`wilder_gain_loss_kernel`]: `input` starts at the last value
    /// of the seed, `out` one row later; returns the final averages. The averages of a block
    /// are computed first, one fused multiply-add each on the chain, then `emit` runs over
    /// the block with no dependency between rows, 4 rows per instruction on AVX2.
    fn wilder_loop(
        input: &[f64],
        out: &mut [f64],
        averages: (f64, f64),
        smoothing: Smoothing,
        emit: impl Fn(f64, f64) -> f64 + Copy,
    ) -> (f64, f64) {
        let (mut gain, mut loss) = averages;
        let mut gains = [0.0; WILDER_BLOCK];
        let mut losses = [0.0; WILDER_BLOCK];
        let mut changes = input.windows(2).map(|pair| pair[1] - pair[0]);
        for block in out.chunks_mut(WILDER_BLOCK) {
            let averages = gains.iter_mut().zip(losses.iter_mut()).take(block.len());
            for ((block_gain, block_loss), change) in averages.zip(&mut changes) {
                let (up, down) = if change < 0.0 {
                    (0.0, -change)
                } else {
                    (change, 0.0)
                };
                gain = smoothing.step(gain, up);
                loss = smoothing.step(loss, down);
                *block_gain = gain;
                *block_loss = loss;
            }
            for ((slot, &block_gain), &block_loss) in block.iter_mut().zip(&gains).zip(&losses) {
                *slot = emit(block_gain, block_loss);
            }
        }
        (gain, loss)
    }
}

/// RSI kernel (`TA_RSI`); returns whether every input value was finite.
pub(crate) fn rsi_kernel(input: &[f64], period: usize, out: &mut [f64]) -> bool {
    wilder_gain_loss_kernel(input, period, out, |gain, loss| {
        // Both averages are non-negative: the total is zero only when nothing moved, so
        // TA-Lib tests it exactly rather than against a band in the quote's unit.
        let total = gain + loss;
        if total > 0.0 {
            100.0 * (gain / total)
        } else {
            0.0
        }
    })
}

/// Relative strength index, `TA_RSI`: `100·G/(G+L)` with Wilder-smoothed average gain G and
/// loss L seeded by their plain means over the first `period` changes; 0 when `G+L` is 0.
/// Lookback `period`.
pub fn rsi(close: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = scratch_vec(close.len());
    rsi_into(close, period, &mut out)?;
    Ok(out)
}

/// [`rsi`] into a caller-provided slice of the input's length, without allocating.
pub fn rsi_into(close: &[f64], period: usize, out: &mut [f64]) -> Result<(), AnalyticsError> {
    check_period("rsi", "period", period, 2)?;
    check_output("rsi", out.len(), close.len())?;
    if !rsi_kernel(close, period, out) {
        check_series("close", close)?;
    }
    Ok(())
}

/// Chande momentum oscillator, `TA_CMO`: `100·(G−L)/(G+L)` with RSI's Wilder-smoothed gain
/// and loss. Lookback `period`.
pub fn cmo(close: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    check_period("cmo", "period", period, 2)?;
    check_series("close", close)?;
    let mut out = output_vec(close.len(), period);
    wilder_gain_loss_kernel(close, period, &mut out, |gain, loss| {
        let total = gain + loss;
        if total > 0.0 {
            100.0 * ((gain - loss) / total)
        } else {
            0.0
        }
    });
    Ok(out)
}

/// Rate of change kernel (`TA_ROC`).
pub(crate) fn roc_kernel(input: &[f64], period: usize, out: &mut [f64]) {
    if !start(out, period) {
        return;
    }
    for i in period..input.len() {
        let previous = input[i - period];
        out[i] = if previous != 0.0 {
            ((input[i] / previous) - 1.0) * 100.0
        } else {
            0.0
        };
    }
}

/// Rate of change, `TA_ROC`: `(x / x[−period] − 1)·100`, 0 when the old value is 0.
/// Lookback `period`.
pub fn roc(close: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    check_period("roc", "period", period, 1)?;
    check_series("close", close)?;
    let mut out = output_vec(close.len(), period);
    roc_kernel(close, period, &mut out);
    Ok(out)
}

/// Momentum, `TA_MOM`: `x − x[−period]`. Lookback `period`.
pub fn mom(close: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    check_period("mom", "period", period, 1)?;
    check_series("close", close)?;
    let mut out = output_vec(close.len(), period);
    if start(&mut out, period) {
        for i in period..close.len() {
            out[i] = close[i] - close[i - period];
        }
    }
    Ok(out)
}

/// MACD lines as `(macd, signal, hist)`.
pub type MacdOutput = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Sum of `values` from 0.0 in order, as TA-Lib seeds an EMA with an SMA.
#[inline]
fn seed_mean(values: &[f64]) -> f64 {
    let mut total = 0.0;
    for &value in values {
        total += value;
    }
    total / values.len() as f64
}

/// MACD kernel (`TA_INT_MACD`) writing the three lines in one pass.
///
/// Both EMAs start at the slow lookback: TA-Lib seeds the fast one with the SMA of the `fast`
/// values ending there, not of the first `fast` values of the series. The signal EMA is
/// seeded with the mean of the first `signal` MACD values. Each EMA takes TA-Lib's step
/// ([`EmaStep::TaLib`]): the MACD line is a difference of two EMAs and crosses zero, where
/// only TA-Lib's own rounding matches TA-Lib's values to 1e-9 relative (the fused step was
/// 1e-8 off there on a 2,000,000-row random walk). Returns whether every input value was
/// finite, as [`rsi_kernel`] does.
pub(crate) fn macd_kernel(
    input: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
    out_macd: &mut [f64],
    out_signal: &mut [f64],
    out_hist: &mut [f64],
) -> bool {
    let slow_lookback = slow - 1;
    let lookback = slow_lookback + (signal - 1);
    start(out_signal, lookback);
    start(out_hist, lookback);
    if !start(out_macd, lookback) {
        return all_finite(input);
    }
    let (fast_smoothing, slow_smoothing, signal_smoothing) = (
        Smoothing::ema(fast),
        Smoothing::ema(slow),
        Smoothing::ema(signal),
    );
    let mut fast_ema = seed_mean(&input[slow - fast..slow]);
    let mut slow_ema = seed_mean(&input[..slow]);
    let mut line = fast_ema - slow_ema;
    // Phase 1: the MACD values that only seed the signal line.
    let mut signal_total = 0.0;
    for &value in &input[slow..=lookback] {
        signal_total += line;
        fast_ema = fast_smoothing.talib_ema_step(fast_ema, value);
        slow_ema = slow_smoothing.talib_ema_step(slow_ema, value);
        line = fast_ema - slow_ema;
    }
    signal_total += line;
    let signal_ema = signal_total / signal as f64;
    out_macd[lookback] = line;
    out_signal[lookback] = signal_ema;
    out_hist[lookback] = line - signal_ema;
    let after = lookback + 1;
    let (fast_ema, slow_ema) = macd_loop(
        &input[after..],
        [
            &mut out_macd[after..],
            &mut out_signal[after..],
            &mut out_hist[after..],
        ],
        (fast_ema, slow_ema, signal_ema),
        [fast_smoothing, slow_smoothing, signal_smoothing],
    );
    // As for the EMA: a non-finite input leaves a non-finite EMA behind it for good.
    (fast_ema.abs() < f64::INFINITY) & (slow_ema.abs() < f64::INFINITY)
}

fma_dispatch! {
    /// Phase 2 of [`macd_kernel`]: all three lines, from the EMAs after the seeds; returns
    /// the final fast and slow EMAs.
    fn macd_loop(
        input: &[f64],
        out: [&mut [f64]; 3],
        emas: (f64, f64, f64),
        smoothings: [Smoothing; 3],
    ) -> (f64, f64) {
        let [out_macd, out_signal, out_hist] = out;
        let [fast_smoothing, slow_smoothing, signal_smoothing] = smoothings;
        let (mut fast_ema, mut slow_ema, mut signal_ema) = emas;
        let len = input
            .len()
            .min(out_macd.len())
            .min(out_signal.len())
            .min(out_hist.len());
        let mut row = |index: usize| {
            let value = input[index];
            fast_ema = fast_smoothing.talib_ema_step(fast_ema, value);
            slow_ema = slow_smoothing.talib_ema_step(slow_ema, value);
            let line = fast_ema - slow_ema;
            signal_ema = signal_smoothing.talib_ema_step(signal_ema, line);
            out_macd[index] = line;
            out_signal[index] = signal_ema;
            out_hist[index] = line - signal_ema;
        };
        // Two rows per turn: with one, the compiler copies each EMA between registers on
        // its dependency chain.
        let mut index = 0;
        while index + 1 < len {
            row(index);
            row(index + 1);
            index += 2;
        }
        if index < len {
            row(index);
        }
        (fast_ema, slow_ema)
    }
}

/// Moving average convergence/divergence, `TA_MACD`: `EMA(fast) − EMA(slow)`, its
/// `EMA(signal)`, and their difference. Lookback `slow − 1 + signal − 1`. TA-Lib swaps a fast
/// period longer than the slow one; this rejects it instead.
pub fn macd(
    close: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
) -> Result<MacdOutput, AnalyticsError> {
    let len = close.len();
    let (mut line, mut sig, mut hist) = (scratch_vec(len), scratch_vec(len), scratch_vec(len));
    macd_into(close, fast, slow, signal, [&mut line, &mut sig, &mut hist])?;
    Ok((line, sig, hist))
}

/// [`macd`] into caller-provided `[macd, signal, hist]` slices of the input's length.
pub fn macd_into(
    close: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
    out: [&mut [f64]; 3],
) -> Result<(), AnalyticsError> {
    check_period("macd", "fast period", fast, 2)?;
    check_period("macd", "slow period", slow, 2)?;
    check_period("macd", "signal period", signal, 1)?;
    if fast >= slow {
        return Err(AnalyticsError::InvalidParameter(format!(
            "macd fast period must be shorter than the slow period, got fast {fast} and slow {slow}"
        )));
    }
    let [line, sig, hist] = out;
    for output in [&*line, &*sig, &*hist] {
        check_output("macd", output.len(), close.len())?;
    }
    if !macd_kernel(close, fast, slow, signal, line, sig, hist) {
        check_series("close", close)?;
    }
    Ok(())
}

/// Price-oscillator kernel (`TA_APO`/`TA_PPO`): fast average minus slow average.
pub(crate) fn price_oscillator_kernel(
    input: &[f64],
    fast: usize,
    slow: usize,
    ma_type: MaType,
    percent: bool,
    out: &mut [f64],
) {
    let lookback = ma_type.lookback(slow.max(fast));
    if !start(out, lookback) {
        return;
    }
    // Unlike MACD, TA-Lib's APO/PPO run both averages from the first row of the series.
    let len = input.len();
    let mut fast_line = scratch_vec(len);
    ma_kernel(input, fast, ma_type, &mut fast_line);
    let mut slow_line = scratch_vec(len);
    ma_kernel(input, slow, ma_type, &mut slow_line);
    for i in lookback..len {
        let (fast_value, slow_value) = (fast_line[i], slow_line[i]);
        out[i] = if !percent {
            fast_value - slow_value
        } else if is_zero(slow_value) {
            0.0
        } else {
            ((fast_value - slow_value) / slow_value) * 100.0
        };
    }
}

fn check_oscillator_periods(name: &str, fast: usize, slow: usize) -> Result<(), AnalyticsError> {
    check_period(name, "fast period", fast, 2)?;
    check_period(name, "slow period", slow, 2)?;
    if fast >= slow {
        return Err(AnalyticsError::InvalidParameter(format!(
            "{name} fast period must be shorter than the slow period, got fast {fast} and slow {slow}"
        )));
    }
    Ok(())
}

/// Absolute price oscillator, `TA_APO`: `MA(fast) − MA(slow)` (TA-Lib default SMA).
/// Lookback: that of the slow average.
pub fn apo(
    close: &[f64],
    fast: usize,
    slow: usize,
    ma_type: MaType,
) -> Result<Vec<f64>, AnalyticsError> {
    check_oscillator_periods("apo", fast, slow)?;
    check_series("close", close)?;
    let mut out = scratch_vec(close.len());
    price_oscillator_kernel(close, fast, slow, ma_type, false, &mut out);
    Ok(out)
}

/// Percentage price oscillator, `TA_PPO`: `(MA(fast) − MA(slow)) / MA(slow) · 100`, 0 when the
/// slow average is below 1e-14 in magnitude (TA-Lib's zero). Lookback: that of the slow average.
pub fn ppo(
    close: &[f64],
    fast: usize,
    slow: usize,
    ma_type: MaType,
) -> Result<Vec<f64>, AnalyticsError> {
    check_oscillator_periods("ppo", fast, slow)?;
    check_series("close", close)?;
    let mut out = scratch_vec(close.len());
    price_oscillator_kernel(close, fast, slow, ma_type, true, &mut out);
    Ok(out)
}

/// TRIX, `TA_TRIX`: the one-bar rate of change (percent) of a triple EMA.
/// Lookback `3·(period − 1) + 1`.
pub fn trix(close: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    check_period("trix", "period", period, 1)?;
    check_series("close", close)?;
    let len = close.len();
    let mut out = nan_vec(len);
    let step = period - 1;
    if len <= 3 * step + 1 {
        return Ok(out);
    }
    let mut first = scratch_vec(len);
    ema_kernel(close, period, EmaStep::TaLib, &mut first);
    let mut second = scratch_vec(len);
    ema_kernel(&first[step..], period, EmaStep::TaLib, &mut second[step..]);
    // The third EMA reuses `first`, which is no longer needed.
    let third = &mut first;
    ema_kernel(
        &second[2 * step..],
        period,
        EmaStep::TaLib,
        &mut third[2 * step..],
    );
    roc_kernel(&third[3 * step..], 1, &mut out[3 * step..]);
    out[..3 * step].fill(f64::NAN);
    Ok(out)
}
