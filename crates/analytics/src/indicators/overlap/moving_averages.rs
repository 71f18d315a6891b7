//! Moving averages: SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA, T3 and the `matype` switch.
//!
//! The `*_kernel` functions write into an output slice of the input's length, NaN during the
//! lookback; they assume validated parameters and finite input. Composite indicators call
//! them on a sub-slice `input[offset..]` to reproduce TA-Lib's habit of seeding an inner
//! average at `startIdx - inner_lookback` rather than at the first row.

use std::fmt;
use std::str::FromStr;

use crate::AnalyticsError;
use crate::cpu::fma_dispatch;
use crate::indicators::{all_finite, check_output, check_period, check_series, scratch_vec};

/// TA-Lib 0.8's moving-average types (`TA_MAType`), numbered 0 to 13 as TA-Lib numbers them;
/// 11 (`default`, the function's own default) is resolved when a spec is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaType {
    /// Simple moving average (0).
    #[default]
    Sma,
    /// Exponential moving average seeded with an SMA (1).
    Ema,
    /// Linearly weighted moving average (2).
    Wma,
    /// Double exponential moving average (3).
    Dema,
    /// Triple exponential moving average (4).
    Tema,
    /// Triangular moving average (5).
    Trima,
    /// Kaufman adaptive moving average (6).
    Kama,
    /// MESA adaptive moving average (7), with TA-Lib's limits 0.5 and 0.05; the period is
    /// ignored.
    Mama,
    /// Tillson T3 with volume factor 0.7, as TA-Lib's `TA_MA` uses it (8).
    T3,
    /// Hull moving average (9).
    Hma,
    /// No average: the input itself, lookback 0 (10).
    None,
    /// Zero-lag EMA (12).
    Zlema,
    /// Wilder's smoothed moving average (13).
    Rma,
}

impl MaType {
    /// The lower-case name used in spec strings (`sma`, `ema`, ...).
    pub fn name(self) -> &'static str {
        match self {
            MaType::Sma => "sma",
            MaType::Ema => "ema",
            MaType::Wma => "wma",
            MaType::Dema => "dema",
            MaType::Tema => "tema",
            MaType::Trima => "trima",
            MaType::Kama => "kama",
            MaType::Mama => "mama",
            MaType::T3 => "t3",
            MaType::Hma => "hma",
            MaType::None => "none",
            MaType::Zlema => "zlema",
            MaType::Rma => "rma",
        }
    }

    /// TA-Lib's lookback of `TA_MA` with this type and period (period 1 is the identity).
    pub fn lookback(self, period: usize) -> usize {
        if period <= 1 {
            return 0;
        }
        match self {
            MaType::Sma | MaType::Ema | MaType::Wma | MaType::Trima => period - 1,
            MaType::Dema => 2 * (period - 1),
            MaType::Tema => 3 * (period - 1),
            MaType::Kama => period,
            MaType::Mama => 32,
            MaType::T3 => 6 * (period - 1),
            MaType::Hma => period - 1 + period.isqrt() - 1,
            MaType::None => 0,
            MaType::Zlema => period - 1 + (period - 1) / 2,
            MaType::Rma => period - 1,
        }
    }
}

impl fmt::Display for MaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MaType {
    type Err = AnalyticsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "sma" | "0" => MaType::Sma,
            "ema" | "1" => MaType::Ema,
            "wma" | "2" => MaType::Wma,
            "dema" | "3" => MaType::Dema,
            "tema" | "4" => MaType::Tema,
            "trima" | "5" => MaType::Trima,
            "kama" | "6" => MaType::Kama,
            "mama" | "7" => MaType::Mama,
            "t3" | "8" => MaType::T3,
            "hma" | "9" => MaType::Hma,
            "none" | "10" => MaType::None,
            "zlema" | "12" => MaType::Zlema,
            "rma" | "13" => MaType::Rma,
            _ => {
                return Err(AnalyticsError::InvalidParameter(format!(
                    "unknown moving-average type '{}'; expected one of sma, ema, wma, dema, tema, trima, kama, mama, t3, hma, none, default, zlema, rma",
                    text.trim()
                )));
            }
        })
    }
}

/// Fills `out[..lookback]` with NaN and tells whether there is anything left to compute.
#[inline]
pub(crate) fn start(out: &mut [f64], lookback: usize) -> bool {
    let len = out.len();
    out[..lookback.min(len)].fill(f64::NAN);
    len > lookback
}

/// TA-Lib's `TA_MA` dispatch into `out` (same length as `input`).
pub(crate) fn ma_kernel(input: &[f64], period: usize, ma_type: MaType, out: &mut [f64]) {
    if period <= 1 {
        // TA_MA copies its input for a period of 1, whatever the type.
        out.copy_from_slice(input);
        return;
    }
    match ma_type {
        MaType::Sma => sma_kernel(input, period, out),
        MaType::Ema => {
            ema_kernel(input, period, EmaStep::TaLib, out);
        }
        MaType::Wma => wma_kernel(input, period, out),
        MaType::Dema => dema_kernel(input, period, out),
        MaType::Tema => tema_kernel(input, period, out),
        MaType::Trima => trima_kernel(input, period, out),
        MaType::Kama => kama_kernel(input, period, out),
        MaType::Mama => crate::indicators::mama::mama_kernel(input, 0.5, 0.05, out, None),
        MaType::T3 => t3_kernel(input, period, 0.7, out),
        MaType::None => out.copy_from_slice(input),
        MaType::Hma | MaType::Zlema | MaType::Rma => {
            // The averages TA-Lib 0.8 added run their streaming state over the series.
            let mut stage =
                crate::indicators::overlap::averages_stream::MaStage::new(period, ma_type);
            for (slot, &value) in out.iter_mut().zip(input) {
                *slot = stage.next(value).unwrap_or(f64::NAN);
            }
        }
    }
}

/// Simple moving average kernel (`TA_INT_SMA`: add the newest, then remove the oldest).
pub(crate) fn sma_kernel(input: &[f64], period: usize, out: &mut [f64]) {
    let lookback = period - 1;
    if !start(out, lookback) {
        return;
    }
    let divisor = period as f64;
    let mut total = 0.0;
    for &value in &input[..lookback] {
        total += value;
    }
    for (i, slot) in out.iter_mut().enumerate().skip(lookback) {
        total += input[i];
        let current = total;
        total -= input[i - lookback];
        *slot = current / divisor;
    }
}

/// An exponential smoothing `s' = s·decay + x·weight`, the recurrence of an EMA (weight `k`)
/// and of Wilder's averages (weight `1/n`).
///
/// TA-Lib writes the EMA as `(x − s)·k + s` and Wilder's as `(s·(n−1) + x)/n`. Here the step
/// is one fused multiply-add on `s`, with `x·weight` computed off the bar-to-bar dependency
/// chain: that chain is what bounds these loops' speed, and it is one instruction long
/// instead of three (with a division, for Wilder). Each step is within an ulp or two of
/// TA-Lib's, and the smoothing damps those ulps rather than accumulating them; the golden
/// tests hold the results within 1e-9 relative. `mul_add` is exactly rounded on every CPU, so
/// the results are the same wherever they are computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Smoothing {
    weight: f64,
    decay: f64,
    /// TA-Lib's own factor, for [`Smoothing::talib_ema_step`].
    factor: f64,
}

impl Smoothing {
    /// An EMA of `period`, TA-Lib's factor `k = 2/(period+1)`; the decay is `1 − k` rounded.
    pub(crate) fn ema(period: usize) -> Self {
        let k = 2.0 / (period as f64 + 1.0);
        // The weight is the exact complement of the rounded decay (1 − decay is exact for a
        // decay in [0.5, 1]), so a constant input is a fixed point: a weight of k itself would
        // pull the average off the input by about ulp/k, a bias that no longer cancels when
        // two averages of different periods are subtracted (MACD).
        let decay = 1.0 - k;
        Self {
            weight: 1.0 - decay,
            decay,
            factor: k,
        }
    }

    /// Wilder's smoothing over `period`: weight `1/period`.
    pub(crate) fn wilder(period: usize) -> Self {
        // The weight complements the rounded decay exactly, as in `ema`.
        let decay = (period - 1) as f64 / period as f64;
        Self {
            weight: 1.0 - decay,
            decay,
            factor: 1.0 / period as f64,
        }
    }

    /// The next smoothed value after `previous`, given the new input `value`.
    #[inline(always)]
    pub(crate) fn step(self, previous: f64, value: f64) -> f64 {
        previous.mul_add(self.decay, value * self.weight)
    }

    /// TA-Lib's EMA step `(x − s)·k + s` with TA-Lib's `k`, the multiply-add fused.
    #[inline(always)]
    pub(crate) fn talib_ema_step(self, previous: f64, value: f64) -> f64 {
        self.factor.mul_add(value - previous, previous)
    }
}

/// Which form of the EMA step a kernel takes.
///
/// Both are exact on a constant input and within about 1e-15 of each other on an EMA's
/// value; they differ where two EMAs are subtracted (see `TaLib`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EmaStep {
    /// TA-Lib's `(x − s)·k + s` ([`Smoothing::talib_ema_step`]): a subtraction and a fused
    /// multiply-add on the bar-to-bar chain, TA-Lib's own operations on a CPU with FMA. For
    /// every EMA whose value is later subtracted from another (MACD, APO, PPO, TRIX, DEMA,
    /// TEMA, the EMA moving-average type of composite indicators), where the difference
    /// crosses zero and only the same rounding keeps it within 1e-9 relative of TA-Lib's.
    TaLib,
    /// `s·(1−k) + x·k` ([`Smoothing::step`]): one fused multiply-add on the chain, a third
    /// faster. For the EMA indicator itself, whose values are prices and never cancel.
    Fused,
}

/// Exponential moving average kernel with TA-Lib's factor `2/(period+1)`, seeded by the SMA
/// of the first `period`.
///
/// Returns whether every input value was finite. That is read off the final EMA rather than
/// checked value by value: a NaN or infinite input makes the EMA non-finite, and a non-finite
/// EMA stays so (∞ − ∞ is NaN, NaN stays NaN). When it returns false the output is
/// meaningless and the caller names the row.
pub(crate) fn ema_kernel(input: &[f64], period: usize, step: EmaStep, out: &mut [f64]) -> bool {
    let lookback = period - 1;
    if !start(out, lookback) {
        return all_finite(input);
    }
    let mut seed = 0.0;
    for &value in &input[..period] {
        seed += value;
    }
    let previous = seed / period as f64;
    out[lookback] = previous;
    let last = ema_loop(
        &input[period..],
        &mut out[period..],
        previous,
        Smoothing::ema(period),
        step,
    );
    last.abs() < f64::INFINITY
}

fma_dispatch! {
    /// The bar-to-bar part of [`ema_kernel`], from the seed `previous`; returns the last EMA.
    fn ema_loop(
        input: &[f64],
        out: &mut [f64],
        previous: f64,
        smoothing: Smoothing,
        step: EmaStep,
    ) -> f64 {
        let mut previous = previous;
        match step {
            EmaStep::TaLib => {
                for (slot, &value) in out.iter_mut().zip(input) {
                    previous = smoothing.talib_ema_step(previous, value);
                    *slot = previous;
                }
            }
            EmaStep::Fused => {
                for (slot, &value) in out.iter_mut().zip(input) {
                    previous = smoothing.step(previous, value);
                    *slot = previous;
                }
            }
        }
        previous
    }
}

/// Weighted moving average kernel, TA-Lib's running weighted-sum formulation.
pub(crate) fn wma_kernel(input: &[f64], period: usize, out: &mut [f64]) {
    let lookback = period - 1;
    if !start(out, lookback) {
        return;
    }
    let divider = ((period * (period + 1)) >> 1) as f64;
    let weight = period as f64;
    let mut period_sum = 0.0;
    let mut period_sub = 0.0;
    for (i, &value) in input[..lookback].iter().enumerate() {
        period_sub += value;
        period_sum += value * (i + 1) as f64;
    }
    let mut trailing_value = 0.0;
    let mut until_rebuild = WMA_REBUILD * period;
    for i in lookback..input.len() {
        let value = input[i];
        until_rebuild -= 1;
        if until_rebuild == 0 {
            // TA-Lib 0.8 recomputes both sums from the window every 8·period outputs.
            until_rebuild = WMA_REBUILD * period;
            (period_sub, period_sum) = wma_sums(input[i - lookback..=i].iter().copied());
        } else {
            period_sub += value;
            period_sub -= trailing_value;
            period_sum += value * weight;
        }
        trailing_value = input[i - lookback];
        out[i] = period_sum / divider;
        period_sum -= period_sub;
    }
}

/// TA-Lib 0.8's WMA rebuilds its running sums from the window every this many periods.
pub(crate) const WMA_REBUILD: usize = 8;

/// The plain sum and the weighted sum (weights 1, 2, ... from the oldest) of a window, in
/// TA-Lib's order: what its WMA's running sums are rebuilt to.
#[inline]
pub(crate) fn wma_sums(window: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut sub, mut sum) = (0.0, 0.0);
    for (weight, value) in window.into_iter().enumerate() {
        sub += value;
        sum += value * (weight + 1) as f64;
    }
    (sub, sum)
}

/// Double EMA kernel: `2·EMA − EMA(EMA)`.
pub(crate) fn dema_kernel(input: &[f64], period: usize, out: &mut [f64]) {
    let lookback = 2 * (period - 1);
    if !start(out, lookback) {
        return;
    }
    let first_offset = period - 1;
    let mut first = scratch_vec(input.len());
    ema_kernel(input, period, EmaStep::TaLib, &mut first);
    let mut second = scratch_vec(input.len());
    ema_kernel(
        &first[first_offset..],
        period,
        EmaStep::TaLib,
        &mut second[first_offset..],
    );
    for i in lookback..input.len() {
        out[i] = 2.0 * first[i] - second[i];
    }
}

/// Triple EMA kernel: `3·EMA − 3·EMA(EMA) + EMA(EMA(EMA))`.
pub(crate) fn tema_kernel(input: &[f64], period: usize, out: &mut [f64]) {
    let lookback = 3 * (period - 1);
    if !start(out, lookback) {
        return;
    }
    let step = period - 1;
    let len = input.len();
    let mut first = scratch_vec(len);
    ema_kernel(input, period, EmaStep::TaLib, &mut first);
    let mut second = scratch_vec(len);
    ema_kernel(&first[step..], period, EmaStep::TaLib, &mut second[step..]);
    let mut third = scratch_vec(len);
    ema_kernel(
        &second[2 * step..],
        period,
        EmaStep::TaLib,
        &mut third[2 * step..],
    );
    for i in lookback..len {
        out[i] = third[i] + ((3.0 * first[i]) - (3.0 * second[i]));
    }
}

/// Triangular moving average kernel, TA-Lib's running form (`TA_TRIMA`).
///
/// The weights are 1, 2, .., 2, 1. The numerator moves to the next bar in four steps: remove
/// the rising half's sum, slide that half, add the falling half's sum, slide that half and
/// add the newest value. The same steps in the same order keep the rounding TA-Lib's.
pub(crate) fn trima_kernel(input: &[f64], period: usize, out: &mut [f64]) {
    let lookback = period - 1;
    if !start(out, lookback) {
        return;
    }
    let half = period >> 1;
    let odd = period % 2 == 1;
    let factor = 1.0
        / if odd {
            (half + 1) * (half + 1)
        } else {
            half * (half + 1)
        } as f64;
    let mut middle = if odd { half } else { half - 1 };
    let mut today = middle + half;
    let (mut numerator, mut numerator_sub, mut numerator_add) = (0.0, 0.0, 0.0);
    for i in (0..=middle).rev() {
        numerator_sub += input[i];
        numerator += numerator_sub;
    }
    middle += 1;
    for &value in &input[middle..=today] {
        numerator_add += value;
        numerator += numerator_add;
    }
    let mut trailing = 0;
    let mut trailing_value = input[trailing];
    trailing += 1;
    out[lookback] = numerator * factor;
    today += 1;
    while today < input.len() {
        numerator -= numerator_sub;
        numerator_sub -= trailing_value;
        let middle_value = input[middle];
        middle += 1;
        numerator_sub += middle_value;
        if odd {
            numerator += numerator_add;
            numerator_add -= middle_value;
        } else {
            numerator_add -= middle_value;
            numerator += numerator_add;
        }
        let newest = input[today];
        numerator_add += newest;
        numerator += newest;
        trailing_value = input[trailing];
        trailing += 1;
        out[today] = numerator * factor;
        today += 1;
    }
}

/// Kaufman adaptive moving average kernel (`TA_KAMA`, fast 2, slow 30).
pub(crate) fn kama_kernel(input: &[f64], period: usize, out: &mut [f64]) {
    let lookback = period;
    if !start(out, lookback) {
        return;
    }
    let const_max = 2.0 / (30.0 + 1.0);
    let const_diff = 2.0 / (2.0 + 1.0) - const_max;
    let mut sum_roc1 = 0.0;
    for i in 0..period {
        sum_roc1 += (input[i] - input[i + 1]).abs();
    }
    let mut previous = input[period - 1];
    let mut trailing_value = input[0];
    let smoothing = |sum_roc1: f64, period_roc: f64| {
        let efficiency = if sum_roc1 <= period_roc || crate::indicators::is_zero(sum_roc1) {
            1.0
        } else {
            (period_roc / sum_roc1).abs()
        };
        let constant = efficiency * const_diff + const_max;
        constant * constant
    };
    // The first KAMA uses the seeded sum as it stands, without sliding it.
    let today = period;
    let constant = smoothing(sum_roc1, input[today] - input[0]);
    previous = (input[today] - previous) * constant + previous;
    out[today] = previous;
    for today in period + 1..input.len() {
        let value = input[today];
        let trailing = input[today - period];
        let period_roc = value - trailing;
        sum_roc1 -= (trailing_value - trailing).abs();
        sum_roc1 += (value - input[today - 1]).abs();
        trailing_value = trailing;
        let constant = smoothing(sum_roc1, period_roc);
        previous = (value - previous) * constant + previous;
        out[today] = previous;
    }
}

/// Tillson T3 kernel with volume factor `v_factor` (`TA_T3`).
pub(crate) fn t3_kernel(input: &[f64], period: usize, v_factor: f64, out: &mut [f64]) {
    let lookback = 6 * (period - 1);
    if !start(out, lookback) {
        return;
    }
    let k = 2.0 / (period as f64 + 1.0);
    let one_minus_k = 1.0 - k;
    let divisor = period as f64;
    let mut today = 0;
    let mut total = 0.0;
    for _ in 0..period {
        total += input[today];
        today += 1;
    }
    let mut e1 = total / divisor;
    // Each further stage is seeded with the mean of its first `period` inputs.
    let mut stages = [0.0f64; 6];
    stages[0] = e1;
    for stage in 1..6 {
        let mut total = stages[stage - 1];
        for _ in 1..period {
            e1 = k * input[today] + one_minus_k * e1;
            stages[0] = e1;
            for s in 1..stage {
                stages[s] = k * stages[s - 1] + one_minus_k * stages[s];
            }
            total += stages[stage - 1];
            today += 1;
        }
        stages[stage] = total / divisor;
    }
    let squared = v_factor * v_factor;
    let c1 = -squared * v_factor;
    let c2 = 3.0 * (squared - c1);
    let c3 = -6.0 * squared - 3.0 * (v_factor - c1);
    let c4 = 1.0 + 3.0 * v_factor - c1 + 3.0 * squared;
    let [mut e1, mut e2, mut e3, mut e4, mut e5, mut e6] = stages;
    out[lookback] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
    for i in lookback + 1..input.len() {
        e1 = k * input[i] + one_minus_k * e1;
        e2 = k * e1 + one_minus_k * e2;
        e3 = k * e2 + one_minus_k * e3;
        e4 = k * e3 + one_minus_k * e4;
        e5 = k * e4 + one_minus_k * e5;
        e6 = k * e5 + one_minus_k * e6;
        out[i] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
    }
}

fn single(
    name: &str,
    input: &[f64],
    period: usize,
    kernel: impl FnOnce(&[f64], &mut [f64]),
) -> Result<Vec<f64>, AnalyticsError> {
    check_period(name, "period", period, 2)?;
    check_series("close", input)?;
    let mut out = scratch_vec(input.len());
    kernel(input, &mut out);
    Ok(out)
}

/// Simple moving average, `TA_SMA`: mean of the last `period` values. Lookback `period − 1`.
pub fn sma(input: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    single("sma", input, period, |i, o| sma_kernel(i, period, o))
}

/// Exponential moving average, `TA_EMA`: `e = (x − e)·k + e`, `k = 2/(period+1)`, seeded with
/// the SMA of the first `period` values. Lookback `period − 1`.
pub fn ema(input: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = scratch_vec(input.len());
    ema_into(input, period, &mut out)?;
    Ok(out)
}

/// [`ema`] into a caller-provided slice of the input's length, without allocating.
pub fn ema_into(input: &[f64], period: usize, out: &mut [f64]) -> Result<(), AnalyticsError> {
    check_period("ema", "period", period, 2)?;
    check_output("ema", out.len(), input.len())?;
    if !ema_kernel(input, period, EmaStep::Fused, out) {
        check_series("close", input)?;
    }
    Ok(())
}

/// Weighted moving average, `TA_WMA`: weights 1..period, newest heaviest. Lookback `period − 1`.
pub fn wma(input: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    single("wma", input, period, |i, o| wma_kernel(i, period, o))
}

/// Double exponential moving average, `TA_DEMA`: `2·EMA − EMA(EMA)`. Lookback `2·(period − 1)`.
pub fn dema(input: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    single("dema", input, period, |i, o| dema_kernel(i, period, o))
}

/// Triple exponential moving average, `TA_TEMA`: `3·E1 − 3·E2 + E3`. Lookback `3·(period − 1)`.
pub fn tema(input: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    single("tema", input, period, |i, o| tema_kernel(i, period, o))
}

/// Triangular moving average, `TA_TRIMA`: an SMA of an SMA. Lookback `period − 1`.
pub fn trima(input: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    single("trima", input, period, |i, o| trima_kernel(i, period, o))
}

/// Kaufman adaptive moving average, `TA_KAMA`: an EMA whose factor is
/// `(ER·(2/3 − 2/31) + 2/31)²` with efficiency ratio `ER = |x − x[−n]| / Σ|Δx|`. Lookback `period`.
pub fn kama(input: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    single("kama", input, period, |i, o| kama_kernel(i, period, o))
}

/// Tillson T3, `TA_T3`: six chained EMAs combined with volume factor `v_factor` (TA-Lib
/// default 0.7). Lookback `6·(period − 1)`.
pub fn t3(input: &[f64], period: usize, v_factor: f64) -> Result<Vec<f64>, AnalyticsError> {
    if !(0.0..=1.0).contains(&v_factor) {
        return Err(AnalyticsError::InvalidParameter(format!(
            "t3 vfactor must be between 0 and 1, got {v_factor}"
        )));
    }
    single("t3", input, period, |i, o| {
        t3_kernel(i, period, v_factor, o)
    })
}

/// Any moving average by type, `TA_MA`; a period of 1 returns the input. Lookback per
/// [`MaType::lookback`].
pub fn ma(input: &[f64], period: usize, ma_type: MaType) -> Result<Vec<f64>, AnalyticsError> {
    check_period("ma", "period", period, 1)?;
    check_series("close", input)?;
    let mut out = scratch_vec(input.len());
    ma_kernel(input, period, ma_type, &mut out);
    Ok(out)
}
