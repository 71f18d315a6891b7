//! Technical indicators matching TA-Lib.
//!
//! Every indicator follows the C function of TA-Lib it names (TA-Lib 0.8.1, default
//! compatibility, unstable period 0): the same parameters and defaults, the same lookback, the
//! same seeding (EMA from an SMA, Wilder sums, MACD's fast EMA seeded at the slow lookback),
//! the same zero tests (TA-Lib's `TA_EPSILON` of 1e-14, scaled to the prices where TA-Lib
//! scales it) and the same quirks (period-1 DI as a fraction, SAR's first direction from −DM,
//! KAMA's efficiency ratio). Where cancellation makes the last bits matter (running sums that
//! are later subtracted, CCI's mean, the variance), the floating-point operations are TA-Lib's,
//! in its order. Wilder smoothing (RSI, CMO, ATR, DI, ADX) multiplies by `1/n` where TA-Lib
//! divides by `n`, and the EMA indicator and RSI take one fused multiply-add per step
//! (`moving_averages::Smoothing`): an ulp apart per step, damped by the smoothing, and faster.
//! EMAs that are later subtracted (MACD, APO, TRIX...) keep TA-Lib's step exactly. Hot loops
//! are compiled for AVX2 and FMA and chosen at run time (`crate::cpu`). The golden tests
//! (`tests/golden_indicators.rs`) hold every output within 1e-9 relative.
//!
//! Outputs have the length of the input; the first `lookback` values are `f64::NAN`. A
//! series with no more rows than the lookback gives an all-NaN output rather than an error, so
//! a chart of a short history still renders. A NaN or infinity inside a series, a high below
//! its low, or series of different lengths are [`AnalyticsError::InvalidInput`] naming the
//! row; parameters outside TA-Lib's ranges are [`AnalyticsError::InvalidParameter`]. Nothing
//! here panics on user input.
//!
//! Entry points: [`IndicatorSpec`] (parsed from `"macd(12,26,9)"`) for callers that hold a
//! spec string, one plain function per indicator (`rsi`, `macd`, ...) for Rust callers, and
//! `_into` variants of the hot ones that write into caller-provided slices.
//!
//! Layout: one folder per TA-Lib group (`overlap/`, `momentum/`, `volume/`, `volatility/`,
//! `price/`, `cycle/`, `statistic/`, `math/`), each function's batch kernel beside its
//! streaming form (`momentum/basic.rs` and `momentum/basic_stream.rs`). One definition table
//! ([`definitions`]: name, group, inputs, parameters with defaults and ranges, outputs with
//! their short names and which are integers, lookback) is what `spec.rs` parses against and
//! what `commodex indicators --list` prints: `catalog.rs` holds the 35 functions with
//! hand-tuned batch kernels, and each group's `mod.rs` the rest of TA-Lib 0.8.2 (all but MAVP
//! and the candlestick patterns), which are computed by a bar-at-a-time state (`step.rs`):
//! the batch output is that state run over the series, the stream the same state fed chunk
//! by chunk, so the two are the same bits by construction. A definition's `integer` bits
//! mark outputs that are integers (row indexes, trends, pattern signals), written as whole
//! numbers and empty during the lookback.

mod batch;
mod catalog;
mod cycle;
mod function_info;
mod known;
mod math;
mod momentum;
mod overlap;
pub mod pattern;
mod price;
mod spec;
mod statistic;
mod step;
mod step_blocks;
mod stream;
mod volatility;
mod volume;

// The families of kernels by their old names, which the spec, the stream and the kernels use.
use momentum::{aroon, oscillators, trend};
use overlap::{mama, moving_averages};

pub use aroon::{AroonOutput, aroon, aroonosc};
pub use catalog::{Default as ParamKind, Definition, Group, Param, definitions, known_indicators};
pub use function_info::{
    FunctionInfo, MA_TYPES, MAX_PERIOD, OutputInfo, ParameterInfo, function_infos, input_names,
};
pub use known::KNOWN_INDICATORS;
pub use mama::{MamaOutput, mama};
pub use momentum::{MacdOutput, apo, cmo, macd, macd_into, mom, ppo, roc, rsi, rsi_into, trix};
pub use moving_averages::{MaType, dema, ema, ema_into, kama, ma, sma, t3, tema, trima, wma};
pub use oscillators::{
    StochOutput, cci, cci_into, stoch, stoch_into, stochf, stochrsi, ultosc, willr, willr_into,
};
pub use spec::IndicatorSpec;
pub use stream::IndicatorStream;
pub use trend::{adx, adx_into, adxr, minus_di, plus_di, sar};
pub use volatility::{BbandsOutput, atr, bbands, bbands_into, natr};
pub use volume::{mfi, obv};

use crate::AnalyticsError;

/// One OHLCV series as slices of equal length; only `close` is mandatory.
#[derive(Debug, Clone, Copy)]
pub struct Ohlcv<'a> {
    /// Opening prices, when the source has them.
    pub open: Option<&'a [f64]>,
    /// Highest prices of each bar.
    pub high: Option<&'a [f64]>,
    /// Lowest prices of each bar.
    pub low: Option<&'a [f64]>,
    /// Closing prices (the input of single-series indicators).
    pub close: &'a [f64],
    /// Traded volume of each bar.
    pub volume: Option<&'a [f64]>,
}

impl<'a> Ohlcv<'a> {
    /// A close-only series, enough for every indicator whose [`Inputs`] is close alone.
    pub fn from_close(close: &'a [f64]) -> Self {
        Self {
            open: None,
            high: None,
            low: None,
            close,
            volume: None,
        }
    }

    /// The bars in `range` (which must lie within the series).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Self {
        Self {
            open: self.open.map(|v| &v[range.clone()]),
            high: self.high.map(|v| &v[range.clone()]),
            low: self.low.map(|v| &v[range.clone()]),
            close: &self.close[range.clone()],
            volume: self.volume.map(|v| &v[range]),
        }
    }
}

/// Which columns of an [`Ohlcv`] an indicator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Inputs {
    /// Needs opening prices.
    pub open: bool,
    /// Needs high prices.
    pub high: bool,
    /// Needs low prices.
    pub low: bool,
    /// Needs closing prices.
    pub close: bool,
    /// Needs volume.
    pub volume: bool,
}

/// TA-Lib's `TA_EPSILON` (1e-14 since its fix of issue #253; it was 1e-8 before).
pub(crate) const EPSILON: f64 = 1e-14;

/// TA-Lib's `TA_IS_ZERO`: the fixed band below which TA-Lib treats a divisor as zero.
#[inline(always)]
pub(crate) fn is_zero(value: f64) -> bool {
    -EPSILON < value && value < EPSILON
}

/// TA-Lib's `TA_IS_ZERO_SCALED`: zero within `EPSILON` of the operands' magnitude, used where
/// the value is a difference of prices so the test does not depend on the quote unit.
#[inline(always)]
pub(crate) fn is_zero_scaled(value: f64, scale: f64) -> bool {
    value.abs() <= EPSILON * scale
}

/// An output vector of `len` NaNs, for buffers whose writer does not cover every row.
#[inline]
pub(crate) fn nan_vec(len: usize) -> Vec<f64> {
    vec![f64::NAN; len]
}

/// An output vector whose first `lookback` rows are NaN; the caller writes every later row.
///
/// The rest starts as zeros because a zeroed allocation comes straight from the allocator's
/// fresh pages (calloc), which saves a whole write pass over a 10M-row output.
#[inline]
pub(crate) fn output_vec(len: usize, lookback: usize) -> Vec<f64> {
    let mut values = vec![0.0; len];
    values[..lookback.min(len)].fill(f64::NAN);
    values
}

/// A scratch buffer that a kernel calling `moving_averages::start` fills completely.
#[inline]
pub(crate) fn scratch_vec(len: usize) -> Vec<f64> {
    vec![0.0; len]
}

/// Rejects a period outside TA-Lib's accepted range with a sentence naming the indicator.
pub(crate) fn check_period(
    indicator: &str,
    param: &str,
    value: usize,
    min: usize,
) -> Result<(), AnalyticsError> {
    const MAX_PERIOD: usize = 100_000;
    if value < min || value > MAX_PERIOD {
        return Err(AnalyticsError::InvalidParameter(format!(
            "{indicator} {param} must be between {min} and {MAX_PERIOD}, got {value}"
        )));
    }
    Ok(())
}

/// Rejects a series holding a NaN or an infinity, naming the first bad row.
pub(crate) fn check_series(name: &str, values: &[f64]) -> Result<(), AnalyticsError> {
    check_series_from(name, values, 0)
}

/// Whether every value is finite: a branch-free scan; the position of a bad value is only
/// searched for when there is one.
#[inline]
pub(crate) fn all_finite(values: &[f64]) -> bool {
    values
        .iter()
        .fold(1u8, |good, v| good & u8::from(v.abs() < f64::INFINITY))
        == 1
}

/// [`check_series`] on a chunk whose first row is row `first_row` of the series.
pub(crate) fn check_series_from(
    name: &str,
    values: &[f64],
    first_row: usize,
) -> Result<(), AnalyticsError> {
    if all_finite(values) {
        return Ok(());
    }
    let row = first_row + values.iter().position(|v| !v.is_finite()).unwrap_or(0);
    Err(AnalyticsError::InvalidInput(format!(
        "{name} has a missing or non-finite value at row {row}"
    )))
}

/// Whether `good` holds on every row of three equally long series, without an early exit:
/// eight independent lanes let the compiler turn the scan into SIMD compares.
#[inline(always)]
fn all_rows(a: &[f64], b: &[f64], c: &[f64], good: impl Fn(f64, f64, f64) -> bool) -> bool {
    const LANES: usize = 8;
    let mut lanes = [true; LANES];
    let (a_chunks, b_chunks, c_chunks) = (
        a.chunks_exact(LANES),
        b.chunks_exact(LANES),
        c.chunks_exact(LANES),
    );
    let remainder = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .zip(c_chunks.remainder())
        .all(|((&x, &y), &z)| good(x, y, z));
    for ((x, y), z) in a_chunks.zip(b_chunks).zip(c_chunks) {
        for lane in 0..LANES {
            lanes[lane] &= good(x[lane], y[lane], z[lane]);
        }
    }
    remainder && lanes.iter().all(|&lane| lane)
}

/// Whether a bar's high and low are finite with high >= low: `h >= l` is also false when
/// either is NaN, and `|x| < ∞` for NaN and infinities.
#[inline(always)]
pub(crate) fn bar_is_valid(high: f64, low: f64) -> bool {
    (high >= low) & (high.abs() < f64::INFINITY) & (low.abs() < f64::INFINITY)
}

/// Whether every bar of equally long high, low and close is finite with high >= low: the
/// branch-free scan of [`check_high_low`], inlined into kernels that check block by block.
#[inline(always)]
pub(crate) fn bars_are_valid(high: &[f64], low: &[f64], close: &[f64]) -> bool {
    all_rows(high, low, close, |h, l, c| {
        bar_is_valid(h, l) & (c.abs() < f64::INFINITY)
    })
}

/// The length part of [`check_high_low`]: high, low and close (when given) have one length.
pub(crate) fn check_bar_lengths(
    high: &[f64],
    low: &[f64],
    close: Option<&[f64]>,
) -> Result<(), AnalyticsError> {
    let len = high.len();
    if low.len() != len || close.is_some_and(|c| c.len() != len) {
        return Err(AnalyticsError::InvalidInput(format!(
            "high, low and close must have the same number of rows (high {len}, low {}, close {})",
            low.len(),
            close.map_or(len, <[f64]>::len)
        )));
    }
    Ok(())
}

/// Checks that high, low and close have one length, hold finite values and that high >= low.
#[inline]
pub(crate) fn check_high_low(
    high: &[f64],
    low: &[f64],
    close: Option<&[f64]>,
) -> Result<(), AnalyticsError> {
    check_high_low_from(high, low, close, 0)
}

/// [`check_high_low`] on a chunk whose first row is row `first_row` of the series.
#[inline]
pub(crate) fn check_high_low_from(
    high: &[f64],
    low: &[f64],
    close: Option<&[f64]>,
    first_row: usize,
) -> Result<(), AnalyticsError> {
    check_bar_lengths(high, low, close)?;
    // One branch-free pass decides whether anything is wrong; only then are rows searched.
    let all_good = match close {
        Some(close) => bars_are_valid(high, low, close),
        None => all_rows(high, low, high, |h, l, _| bar_is_valid(h, l)),
    };
    if all_good {
        return Ok(());
    }
    check_series_from("high", high, first_row)?;
    check_series_from("low", low, first_row)?;
    if let Some(close) = close {
        check_series_from("close", close, first_row)?;
    }
    if let Some(row) = high.iter().zip(low).position(|(h, l)| h < l) {
        return Err(AnalyticsError::InvalidInput(format!(
            "high is below low at row {} ({} < {})",
            first_row + row,
            high[row],
            low[row]
        )));
    }
    Ok(())
}

/// Checks that a caller-provided output slice has the input's length.
pub(crate) fn check_output(name: &str, output: usize, input: usize) -> Result<(), AnalyticsError> {
    if output != input {
        return Err(AnalyticsError::InvalidInput(format!(
            "{name} output has {output} rows where the input has {input}"
        )));
    }
    Ok(())
}

/// Checks that a companion series (volume) has the length of the main one and is finite.
pub(crate) fn check_same_length(
    name: &str,
    values: &[f64],
    len: usize,
) -> Result<(), AnalyticsError> {
    check_same_length_from(name, values, len, 0)
}

/// [`check_same_length`] on a chunk whose first row is row `first_row` of the series.
pub(crate) fn check_same_length_from(
    name: &str,
    values: &[f64],
    len: usize,
    first_row: usize,
) -> Result<(), AnalyticsError> {
    if values.len() != len {
        return Err(AnalyticsError::InvalidInput(format!(
            "{name} has {} rows where the prices have {len}",
            values.len()
        )));
    }
    check_series_from(name, values, first_row)
}
