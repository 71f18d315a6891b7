//! Range oscillators: STOCH, STOCHF, STOCHRSI, WILLR, CCI, ULTOSC.

use crate::AnalyticsError;
use crate::cpu::fma_dispatch;
use crate::indicators::momentum::rsi_kernel;
use crate::indicators::moving_averages::{MaType, ma_kernel, start};
use crate::indicators::{
    bar_is_valid, bars_are_valid, check_bar_lengths, check_high_low, check_high_low_from,
    check_output, check_period, check_series, is_zero, is_zero_scaled, output_vec, scratch_vec,
};

#[inline(always)]
fn larger(a: f64, b: f64) -> f64 {
    if a >= b { a } else { b }
}

#[inline(always)]
fn smaller(a: f64, b: f64) -> f64 {
    if a <= b { a } else { b }
}

/// Rows per block of [`for_each_range_block`]: its four buffers of `RANGE_BLOCK + period`
/// values stay in L1 (48 KB here) while the passes run over them. Measured at 10M bars: 256
/// rows took WILLR 2.6 ns a bar, 512 rows 3.0, 2,048 rows (66 KB of buffers) 4.3, 128 rows 3.3.
const RANGE_BLOCK: usize = 256;

/// Calls `emit(first, runs, valid)` block by block, where `runs.extremes()` gives the highest
/// and lowest of the `period`-bar window ending at each row from `first` on, and `valid` says
/// whether every high and low the block's windows cover is finite with high >= low (checked
/// in the first pass, which reads them anyway).
///
/// A sparse table per block of [`RANGE_BLOCK`] rows (more for long periods): pass after pass, each value becomes the
/// extreme of itself and the value `width` rows later, doubling `width` up to the largest
/// power of two `w ≤ period`; a window is then the extreme of two overlapping `w`-row runs.
/// That is `log2(period) + 1` element-wise passes with no dependency from one row to the
/// next, which run 4 rows per instruction on AVX2, instead of a running maximum whose each
/// step waits for the one before. Extremes are exact whatever the grouping, so the values are
/// the plain windows' bit for bit. Only the extremes are produced, which is all %K and %R need.
#[inline(always)]
fn for_each_range_block(
    high: &[f64],
    low: &[f64],
    period: usize,
    mut emit: impl FnMut(usize, Runs<'_>, bool),
) {
    let len = high.len();
    let lookback = period - 1;
    if len <= lookback {
        return;
    }
    if period == 1 {
        // Each window is its own bar.
        let valid = high
            .iter()
            .zip(low)
            .fold(true, |valid, (&h, &l)| valid & bar_is_valid(h, l));
        emit(
            0,
            Runs {
                high,
                low,
                offset: 0,
            },
            valid,
        );
        return;
    }
    // Each block recomputes the `lookback` rows before it: with long periods the block grows
    // so that this stays under a fifth of the work.
    let block = RANGE_BLOCK.max(4 * period);
    let span = block + lookback;
    let mut buffers = [
        vec![0.0; span],
        vec![0.0; span],
        vec![0.0; span],
        vec![0.0; span],
    ];
    let mut first = lookback;
    while first < len {
        let end = (first + block).min(len);
        let rows = end - first + lookback;
        let [high_run, low_run, high_next, low_next] = &mut buffers;
        // `*_run[j]` is the extreme of rows `j .. j + width` of the block. The first pass
        // (period ≥ 2 here, so there is one) reads the series itself, 4 rows at once where
        // the period allows, and checks each row on the way.
        let (block_high, block_low) = (&high[first - lookback..end], &low[first - lookback..end]);
        let mut width = if period >= 4 { 4 } else { 2 };
        let runs = rows + 1 - width;
        let mut valid = block_high[runs..]
            .iter()
            .zip(&block_low[runs..])
            .fold(true, |valid, (&h, &l)| valid & bar_is_valid(h, l));
        let (high_out, low_out) = (&mut high_run[..runs], &mut low_run[..runs]);
        if width == 4 {
            let highs = block_high.iter().zip(&block_high[1..]);
            let highs = highs.zip(block_high[2..].iter().zip(&block_high[3..]));
            let lows = block_low.iter().zip(&block_low[1..]);
            let lows = lows.zip(block_low[2..].iter().zip(&block_low[3..]));
            let rows = high_out
                .iter_mut()
                .zip(low_out.iter_mut())
                .zip(highs.zip(lows));
            for ((top, bottom), (((&h0, &h1), (&h2, &h3)), ((&l0, &l1), (&l2, &l3)))) in rows {
                *top = larger(larger(h0, h1), larger(h2, h3));
                *bottom = smaller(smaller(l0, l1), smaller(l2, l3));
                valid &= bar_is_valid(h0, l0);
            }
        } else {
            let highs = block_high.iter().zip(&block_high[1..]);
            let lows = block_low.iter().zip(&block_low[1..]);
            let rows = high_out
                .iter_mut()
                .zip(low_out.iter_mut())
                .zip(highs.zip(lows));
            for ((top, bottom), ((&h0, &h1), (&l0, &l1))) in rows {
                *top = larger(h0, h1);
                *bottom = smaller(l0, l1);
                valid &= bar_is_valid(h0, l0);
            }
        }
        while 2 * width <= period {
            let valid = rows - width;
            double_runs(&high_run[..rows], &mut high_next[..valid], width, larger);
            double_runs(&low_run[..rows], &mut low_next[..valid], width, smaller);
            std::mem::swap(high_run, high_next);
            std::mem::swap(low_run, low_next);
            width *= 2;
        }
        // The window of `period` rows from `j` is the runs from `j` and from `j + period − w`;
        // the caller takes that last extreme as it reads the window.
        let count = end - first;
        let tail = period - width;
        emit(
            first,
            Runs {
                high: &high_run[..count + tail],
                low: &low_run[..count + tail],
                offset: tail,
            },
            valid,
        );
        first = end;
    }
}

/// A block's runs of [`for_each_range_block`]: the window ending at the block's row `o`
/// spans the runs at `o` and `o + offset`.
#[derive(Clone, Copy)]
struct Runs<'a> {
    high: &'a [f64],
    low: &'a [f64],
    offset: usize,
}

impl Runs<'_> {
    /// Rows of the block.
    #[inline(always)]
    fn len(&self) -> usize {
        self.high.len() - self.offset
    }

    /// `(highest, lowest)` of each window, in row order.
    #[inline(always)]
    fn extremes(self) -> impl Iterator<Item = (f64, f64)> {
        let count = self.len();
        let highs = self.high[..count].iter().zip(&self.high[self.offset..]);
        let lows = self.low[..count].iter().zip(&self.low[self.offset..]);
        highs
            .zip(lows)
            .map(|((&h0, &h1), (&l0, &l1))| (larger(h0, h1), smaller(l0, l1)))
    }
}

/// `out[j] = pick(runs[j], runs[j + offset])` for every `j` of `out`.
#[inline(always)]
fn double_runs(runs: &[f64], out: &mut [f64], offset: usize, pick: fn(f64, f64) -> f64) {
    let count = out.len();
    let ahead = &runs[offset..offset + count];
    for ((slot, &here), &there) in out.iter_mut().zip(&runs[..count]).zip(ahead) {
        *slot = pick(here, there);
    }
}

/// Raw %K kernel: `(close − lowest)/(highest − lowest)·100`, 0 on a window flat to within
/// `EPSILON` of its own extremes (TA-Lib's scaled test, so a flat window's rounding residue
/// does not divide into noise).
fn fast_k_kernel(high: &[f64], low: &[f64], close: &[f64], period: usize, out: &mut [f64]) {
    start(out, period - 1);
    for_each_range_block(high, low, period, |first, runs, _| {
        let rows = first..first + runs.len();
        let slots = out[rows.clone()].iter_mut().zip(&close[rows]);
        for ((slot, &price), (highest, lowest)) in slots.zip(runs.extremes()) {
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
    check_output("willr", out.len(), close.len())?;
    willr_checked(high, low, close, period, out)
}

fma_dispatch! {
    /// The checks and the kernel of [`willr_into`], compiled for AVX2 where the CPU has it:
    /// the window passes (which check the rows they read) are element-wise and run 4 rows at
    /// a time.
    fn willr_checked(
        high: &[f64],
        low: &[f64],
        close: &[f64],
        period: usize,
        out: &mut [f64],
    ) -> Result<(), AnalyticsError> {
        check_bar_lengths(high, low, Some(close))?;
        let lookback = (period - 1).min(close.len());
        check_high_low(&high[..lookback], &low[..lookback], Some(&close[..lookback]))?;
        start(out, period - 1);
        // Each block's rows are checked in the window passes, which read them anyway: a
        // checking pass of its own over three long series cost a third of %R.
        let mut checked = Ok(());
        // `inline(always)`: otherwise the closure is compiled once, for the baseline, and the
        // AVX2 copy of this function calls it.
        for_each_range_block(high, low, period, #[inline(always)]
        |first: usize, runs: Runs<'_>, valid: bool| {
            let rows = first..first + runs.len();
            if checked.is_err() {
                return;
            }
            let mut valid = valid;
            let slots = out[rows.clone()].iter_mut().zip(&close[rows.clone()]);
            for ((slot, &price), (highest, lowest)) in slots.zip(runs.extremes()) {
                valid &= price.abs() < f64::INFINITY;
                let range = highest - lowest;
                *slot = if is_zero_scaled(range, highest.abs() + lowest.abs()) {
                    0.0
                } else {
                    // The clamp only matters for a close outside its own bar's range.
                    (((highest - price) / range) * -100.0).clamp(-100.0, 0.0)
                };
            }
            if !valid {
                // The windows' rows, the lookback's included, as the batch check names them.
                let window = first + 1 - period..rows.end;
                checked = check_high_low_from(
                    &high[window.clone()],
                    &low[window.clone()],
                    Some(&close[window]),
                    first + 1 - period,
                );
            }
        });
        checked
    }
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
    check_output("cci", out.len(), close.len())?;
    cci_checked(high, low, close, period, out)
}

/// Rows per block of [`cci_checked`]: the block's typical prices stay in L1.
const CCI_BLOCK: usize = 2048;

fma_dispatch! {
    /// The checks and the kernel of [`cci_into`].
    ///
    /// TA-Lib keeps the typical prices in a ring and sums the whole ring, slot 0 first, for
    /// each bar's mean; `tp − mean` cancels, so that order decides the value, and is kept. But
    /// slot 0 always holds the first row of the current run of `period` rows, so the ring in
    /// slot order is that run up to today, then the rest of the window from the previous run:
    /// the first part's sum grows by one addition a bar, and only the second is summed anew.
    /// What remains per bar depends on no other bar, so the processor overlaps the bars
    /// instead of waiting on one chain of `period` additions each. The mean deviation has
    /// no cancellation to respect; it is summed in row order ([`deviation_sum`]), eight bars
    /// side by side in vector lanes. Rows are checked block by block as they are reached,
    /// while in cache.
    fn cci_checked(
        high: &[f64],
        low: &[f64],
        close: &[f64],
        period: usize,
        out: &mut [f64],
    ) -> Result<(), AnalyticsError> {
        let len = close.len();
        check_bar_lengths(high, low, Some(close))?;
        let lookback = period - 1;
        if !start(out, lookback) {
            return check_high_low(high, low, Some(close));
        }
        check_high_low(&high[..lookback], &low[..lookback], Some(&close[..lookback]))?;
        let divisor = period as f64;
        let typical = |k: usize| (high[k] + low[k] + close[k]) / 3.0;
        // `run_total`: the slot-order sum of the current run, rows `base..=today`.
        let mut run_total = 0.0;
        for k in 0..lookback {
            run_total += typical(k);
        }
        let mut prices = vec![0.0; CCI_BLOCK + lookback];
        let mut means = vec![0.0; CCI_BLOCK];
        let mut slot = lookback;
        let mut first = lookback;
        while first < len {
            let end = (first + CCI_BLOCK).min(len);
            let (block_high, block_low) = (&high[first..end], &low[first..end]);
            if !bars_are_valid(block_high, block_low, &close[first..end]) {
                check_high_low_from(block_high, block_low, Some(&close[first..end]), first)?;
            }
            // `prices[k - origin]` is the typical price of row `k`.
            let origin = first - lookback;
            for (price, k) in prices.iter_mut().zip(origin..end) {
                *price = typical(k);
            }
            // The means first: the sums in ring-slot order, one bar after another.
            let count = end - first;
            for (today, mean) in (first..end).zip(&mut means[..count]) {
                // Ring slots `0..=slot` are this run, `slot + 1..` the previous run's end.
                let rest = &prices[today + 1 - period - origin..today - slot - origin];
                run_total = if slot == 0 {
                    0.0 + prices[today - origin]
                } else {
                    run_total + prices[today - origin]
                };
                let mut total = run_total;
                for &price in rest {
                    total += price;
                }
                *mean = total / divisor;
                slot = if slot + 1 == period { 0 } else { slot + 1 };
            }
            // Then the deviations, eight bars side by side: bar `o`'s window is
            // `prices[o..o + period]` (rows `first + o − lookback ..= first + o`).
            let outputs = &mut out[first..end];
            let (groups, _) = outputs.as_chunks_mut::<CCI_LANES>();
            let grouped = groups.len() * CCI_LANES;
            for (group, chunk) in groups.iter_mut().enumerate() {
                let o = group * CCI_LANES;
                let mean: [f64; CCI_LANES] = std::array::from_fn(|lane| means[o + lane]);
                let sums = lane_deviation_sums(&prices[o..o + CCI_LANES + lookback], &mean);
                for lane in 0..CCI_LANES {
                    let last = prices[o + lane + lookback];
                    chunk[lane] = cci_value(sums[lane], last, mean[lane], divisor);
                }
            }
            for (o, value) in outputs.iter_mut().enumerate().skip(grouped) {
                let window = &prices[o..o + period];
                let sum = deviation_sum(window.iter().copied(), means[o]);
                *value = cci_value(sum, window[lookback], means[o], divisor);
            }
            first = end;
        }
        Ok(())
    }
}

/// Bars whose deviations [`lane_deviation_sums`] computes side by side.
const CCI_LANES: usize = 8;

/// The sum of `|x − mean|` over a window in row order (oldest first), in two partial sums
/// (even and odd positions) added at the end: all terms are positive, so the grouping
/// changes only last bits, and it halves the dependency chain. The streaming CCI sums its
/// ring in this same order, and [`lane_deviation_sums`] each of its lanes.
#[inline(always)]
pub(crate) fn deviation_sum(window: impl Iterator<Item = f64>, mean: f64) -> f64 {
    let (mut even, mut odd) = (0.0f64, 0.0f64);
    for (position, value) in window.enumerate() {
        if position % 2 == 0 {
            even += (value - mean).abs();
        } else {
            odd += (value - mean).abs();
        }
    }
    even + odd
}

/// [`deviation_sum`] for `CCI_LANES` consecutive windows at once: lane `b`'s window is
/// `prices[b..b + period]`, where `prices` holds `CCI_LANES + period − 1` values. Each lane
/// adds its terms in `deviation_sum`'s order, so the results are its bits; position `j` of
/// every lane is one contiguous load, which the compiler makes one vector operation.
#[inline(always)]
fn lane_deviation_sums(prices: &[f64], mean: &[f64; CCI_LANES]) -> [f64; CCI_LANES] {
    let period = prices.len() + 1 - CCI_LANES;
    let mut even = [0.0f64; CCI_LANES];
    let mut odd = [0.0f64; CCI_LANES];
    let mut position = 0;
    while position + 1 < period {
        let here: &[f64; CCI_LANES] = prices[position..position + CCI_LANES]
            .try_into()
            .expect("a lane's worth of prices");
        let next: &[f64; CCI_LANES] = prices[position + 1..position + 1 + CCI_LANES]
            .try_into()
            .expect("a lane's worth of prices");
        for lane in 0..CCI_LANES {
            even[lane] += (here[lane] - mean[lane]).abs();
            odd[lane] += (next[lane] - mean[lane]).abs();
        }
        position += 2;
    }
    if position < period {
        let here: &[f64; CCI_LANES] = prices[position..position + CCI_LANES]
            .try_into()
            .expect("a lane's worth of prices");
        for lane in 0..CCI_LANES {
            even[lane] += (here[lane] - mean[lane]).abs();
        }
    }
    std::array::from_fn(|lane| even[lane] + odd[lane])
}

/// CCI of one bar from the sum of its window's absolute deviations ([`deviation_sum`]),
/// today's typical price `last` and the window's `mean`.
#[inline(always)]
pub(crate) fn cci_value(deviation_sum: f64, last: f64, mean: f64, divisor: f64) -> f64 {
    let deviation = deviation_sum / divisor;
    let distance = last - mean;
    // Flatness is judged against the window's own price level (TA-Lib issue #253).
    let scale = mean.abs();
    if !is_zero_scaled(distance, scale) && !is_zero_scaled(deviation, scale) {
        distance / (0.015 * deviation)
    } else {
        0.0
    }
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
