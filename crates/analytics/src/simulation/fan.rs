//! Exact per-day percentiles of the cumulative return for the fan chart, by counting into bins.
//!
//! Selecting five percentiles out of 100,000 values for each of 252 days dominated a
//! simulation when done by repeated `select_nth_unstable`, and even a sampled bracketing pass
//! over each day's values cost more than drawing them. Here the path engine bins each day's
//! values while they are still in cache from being computed (per chunk of paths, in parallel),
//! keeping each value's bin as a `u16` beside it and counting them, with bin bounds predicted
//! before the day from the previous exact percentiles ([`FanBins::predict`]). The summed counts
//! name the bin holding each wanted order statistic; one pass over the stored bins (sixteen to
//! a 256-bit vector, a quarter of the bytes of the values) then collects just those bins'
//! values (a few hundred) to select within.
//!
//! Exactness does not depend on the prediction: the bin of a value is a monotone function of
//! it (values outside the predicted range go to the first or last bin), so every value of a
//! bin lies above every value of a lower bin, and the k-th smallest value is the right rank
//! within the bin the counts point to. A poor prediction only makes a bucket bigger. The result
//! is exactly `np.percentile(..., method="linear")`, as `stats::percentiles_unsorted` gives.
//! (A NaN would break the order; a path whose wealth became NaN stays NaN to the end, and the
//! simulation then fails as a whole on its non-finite final statistics.)

/// Bins per day: a chunk's counts for a block of days stay in L1 as `u16`, and at 100,000
/// normal-ish paths the wanted bins hold 30 to 200 values each (measured; 512 and 2048 bins
/// measured no faster).
pub(crate) const FAN_BINS: usize = 1024;

/// A monotone map from a value to one of [`FAN_BINS`] bins, fixed before the day is simulated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FanBins {
    low: f64,
    scale: f64,
}

impl FanBins {
    /// Bins spanning the last known 5th–95th percentile range (`low`, `high`) widened by two
    /// standard deviations of `days_ahead` days of returns of `daily_std` (scaled by the
    /// wealth level), which very probably covers the wanted percentiles `days_ahead` later:
    /// over `k` days the 5th percentile of a sum of normal returns moves out by at most
    /// 1.645 σ (√(t + k) − √t) ≤ 1.645 σ √k. A wider margin would only spread the values over
    /// fewer useful bins, making the wanted bins fuller; a narrower one that misses costs one
    /// big bucket (the first or last bin) that day, never exactness.
    pub(crate) fn predict(low: f64, high: f64, daily_std: f64, days_ahead: usize) -> Self {
        let level = 1.0 + low.abs().max(high.abs());
        let margin = 2.0 * daily_std * (days_ahead as f64).sqrt() * level;
        let (low, high) = (low - margin, high + margin);
        let scale = FAN_BINS as f64 / (high - low);
        // A zero-width range (every path identical so far) or an overflow: one bin for all,
        // still exact, and only as slow as plain selection.
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            0.0
        };
        Self { low, scale }
    }

    /// The bin of `value`; never decreases as `value` grows.
    #[inline(always)]
    pub(crate) fn bin(&self, value: f64) -> u16 {
        // Each step preserves order: rounded subtraction, multiplication by a scale ≥ 0, the
        // clamp (written as comparisons, which send NaN to 0 and compile to one min/max
        // instruction each), and rounding to an integer by adding 2^52, whose low mantissa
        // bits are then that integer. Unlike a saturating `as` cast this is a few vector
        // instructions.
        const ROUND: f64 = 4_503_599_627_370_496.0;
        const TOP: f64 = (FAN_BINS - 1) as f64;
        let scaled = (value - self.low) * self.scale;
        let scaled = if scaled > 0.0 { scaled } else { 0.0 };
        let scaled = if scaled < TOP { scaled } else { TOP };
        ((scaled + ROUND).to_bits() & (FAN_BINS as u64 - 1)) as u16
    }

    /// Writes the bin of each of `values` to `bins` (as long).
    #[inline(always)]
    pub(crate) fn bin_all(&self, values: &[f64], bins: &mut [u16]) {
        for (bin, &value) in bins.iter_mut().zip(values) {
            *bin = self.bin(value);
        }
    }
}

/// Adds the bins `bins` to `counts` (length [`FAN_BINS`]); a chunk of at most 65,535 values.
#[inline(always)]
pub(crate) fn count(bins: &[u16], counts: &mut [u16]) {
    let counts = &mut counts[..FAN_BINS];
    for &bin in bins {
        counts[usize::from(bin) & (FAN_BINS - 1)] += 1;
    }
}

/// Reusable buffers for [`binned_percentiles`], so that a simulation does not allocate per day.
#[derive(Debug, Default)]
pub(crate) struct PercentileScratch {
    /// Summed counts of the day, one per bin.
    totals: Vec<u32>,
    /// One bucket per wanted percentile.
    buckets: Vec<Vec<f64>>,
    /// Where the values of the wanted bins are: row, index in the row, and bin.
    wanted: Vec<(u32, u16, u16)>,
}

/// Exact numpy-linear percentiles (ascending `qs`, each in 0..=100) of the values in `rows`,
/// given each value's bin in `row_bins` (rows alike, made by one [`FanBins`]) and each row's
/// counts in `row_counts` (each [`FAN_BINS`] long).
#[inline(always)]
pub(crate) fn binned_percentiles<const K: usize>(
    rows: &[&[f64]],
    row_bins: &[&[u16]],
    row_counts: &[&[u16]],
    qs: &[f64; K],
    scratch: &mut PercentileScratch,
) -> [f64; K] {
    let n: usize = rows.iter().map(|row| row.len()).sum();
    if n == 0 || K == 0 {
        return [f64::NAN; K];
    }
    let totals = &mut scratch.totals;
    totals.clear();
    totals.resize(FAN_BINS, 0);
    for counts in row_counts {
        for (total, &count) in totals.iter_mut().zip(&counts[..FAN_BINS]) {
            *total += u32::from(count);
        }
    }

    // For each q the order statistics `lower` and `lower + 1` (numpy's linear interpolation).
    // Percentile j collects the values of the bins from lower's to upper's: `ranks[j]` is
    // lower's rank among them. Ranks ascend with `qs`, so one walk over the bins suffices.
    let mut gammas = [0.0_f64; K];
    let mut ranks = [0_usize; K];
    let mut has_upper = [false; K];
    let mut first_bins = [0_u16; K];
    let mut bin_spans = [0_u16; K];
    let mut bin = 0;
    let mut before = 0_usize;
    for j in 0..K {
        let virtual_index = (n - 1) as f64 * (qs[j] / 100.0);
        let below = virtual_index.floor();
        gammas[j] = virtual_index - below;
        let lower = (below as usize).min(n - 1);
        let upper = (lower + 1).min(n - 1);
        has_upper[j] = upper > lower;
        while before + totals[bin] as usize <= lower {
            before += totals[bin] as usize;
            bin += 1;
        }
        let (first_bin, first_before) = (bin, before);
        while before + totals[bin] as usize <= upper {
            before += totals[bin] as usize;
            bin += 1;
        }
        ranks[j] = lower - first_before;
        // Bins are below FAN_BINS, so they fit in u16.
        first_bins[j] = first_bin as u16;
        bin_spans[j] = (bin - first_bin) as u16;
    }
    scratch.buckets.resize_with(K, Vec::new);
    for bucket in &mut scratch.buckets {
        bucket.clear();
    }
    // One unsigned comparison per range: a bin below the first wraps around to a large value.
    let inside = |bin: u16, j: usize| bin.wrapping_sub(first_bins[j]) <= bin_spans[j];
    let wanted = |bin: u16| (0..K).fold(false, |any, j| any | inside(bin, j));
    // First where the wanted values are, from the bins alone, then the values: the few hundred
    // values (of 100,000) a day needs are scattered over a block that has left the cache, and
    // loads that depend on nothing but this list are in flight together, where loads inside
    // the scan waited one by one (measured).
    scratch.wanted.clear();
    for (row, bins) in row_bins.iter().enumerate() {
        // Sixteen bins at a time are tested without a branch (so the test vectorises); a group
        // holding a wanted value is then sorted out one bin at a time.
        for (group, bins) in bins[..rows[row].len()].chunks(GROUP).enumerate() {
            if bins.iter().fold(false, |any, &bin| any | wanted(bin)) {
                for (index, &bin) in bins.iter().enumerate() {
                    if wanted(bin) {
                        // Rows are chunks of at most 65,536 values, and there are fewer than
                        // 2^32 of them.
                        let at = (group * GROUP + index) as u16;
                        scratch.wanted.push((row as u32, at, bin));
                    }
                }
            }
        }
    }
    for &(row, index, bin) in &scratch.wanted {
        let value = rows[row as usize][usize::from(index)];
        for (j, bucket) in scratch.buckets.iter_mut().enumerate() {
            if inside(bin, j) {
                bucket.push(value);
            }
        }
    }

    let mut out = [0.0; K];
    for j in 0..K {
        let (_, low, rest) = scratch.buckets[j].select_nth_unstable_by(ranks[j], f64::total_cmp);
        let low = *low;
        let high = if has_upper[j] {
            rest.iter().copied().fold(f64::INFINITY, f64::min)
        } else {
            low
        };
        let diff = high - low;
        // numpy's `_lerp`, as in `percentile_sorted`.
        out[j] = if gammas[j] >= 0.5 {
            high - diff * (1.0 - gammas[j])
        } else {
            low + diff * gammas[j]
        };
    }
    out
}

/// Bins tested together by [`binned_percentiles`]: one 256-bit vector of `u16`.
const GROUP: usize = 16;

/// Plain selection over a copy of all values: the reference [`binned_percentiles`] equals.
#[cfg(test)]
fn plain_percentiles<const K: usize>(rows: &[&[f64]], qs: &[f64; K]) -> [f64; K] {
    let mut all: Vec<f64> = rows.concat();
    let result = crate::portfolio::stats::percentiles_unsorted(&mut all, qs);
    std::array::from_fn(|j| result[j])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binned<const K: usize>(values: &[f64], bins: FanBins, qs: &[f64; K]) -> [f64; K] {
        let rows: Vec<&[f64]> = values.chunks(1024).collect();
        let row_bins: Vec<Vec<u16>> = rows
            .iter()
            .map(|row| {
                let mut found = vec![0; row.len()];
                bins.bin_all(row, &mut found);
                found
            })
            .collect();
        let counts: Vec<Vec<u16>> = row_bins
            .iter()
            .map(|found| {
                let mut counts = vec![0; FAN_BINS];
                count(found, &mut counts);
                counts
            })
            .collect();
        let bin_refs: Vec<&[u16]> = row_bins.iter().map(Vec::as_slice).collect();
        let count_refs: Vec<&[u16]> = counts.iter().map(Vec::as_slice).collect();
        binned_percentiles(
            &rows,
            &bin_refs,
            &count_refs,
            qs,
            &mut PercentileScratch::default(),
        )
    }

    #[test]
    fn binned_percentiles_equal_plain_selection_whatever_the_bins() {
        let mut state = 12345_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let smooth: Vec<f64> = (0..150_001).map(|_| next() - 0.5).collect();
        let ties: Vec<f64> = (0..90_000).map(|_| (next() * 7.0).floor()).collect();
        let mut sorted_input = smooth.clone();
        sorted_input.sort_by(f64::total_cmp);
        let heavy: Vec<f64> = (0..60_000).map(|_| 1e-3 / (next() + 1e-12)).collect();
        let mut outlier = smooth[..50_000].to_vec();
        outlier[777] = 1e300;
        outlier[778] = f64::NEG_INFINITY;
        let mut signed_zeros = vec![0.0; 3000];
        signed_zeros.extend(vec![-0.0; 3000]);
        let constant = vec![0.25; 30_000];
        let cases = [
            smooth,
            ties,
            sorted_input,
            heavy,
            outlier,
            signed_zeros,
            constant,
            vec![0.5],
        ];
        // A good prediction, one far off to the side, one far too narrow, one far too wide,
        // and the degenerate single bin.
        let predictions = [
            FanBins::predict(-0.45, 0.45, 0.01, 1),
            FanBins::predict(3.0, 4.0, 0.01, 1),
            FanBins::predict(0.1, 0.1, 1e-9, 1),
            FanBins::predict(-1e6, 1e6, 1.0, 4),
            FanBins::predict(0.0, 0.0, 0.0, 1),
        ];
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for (case, values) in cases.iter().enumerate() {
            let rows: Vec<&[f64]> = values.chunks(1024).collect();
            for qs in [[5.0, 25.0, 50.0, 75.0, 95.0], [0.0, 0.1, 50.0, 99.9, 100.0]] {
                let expected = plain_percentiles(&rows, &qs);
                for (p, &bins) in predictions.iter().enumerate() {
                    let fast = binned(values, bins, &qs);
                    assert_eq!(
                        bits(&fast),
                        bits(&expected),
                        "case {case}, prediction {p}, {qs:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn bins_never_decrease_and_stay_in_range() {
        let bins = FanBins::predict(-0.1, 0.2, 0.01, 2);
        let values = [
            f64::NEG_INFINITY,
            -1e300,
            -0.5,
            -0.0,
            0.0,
            0.05,
            0.3,
            1e300,
            f64::INFINITY,
        ];
        let found: Vec<usize> = values.iter().map(|&v| usize::from(bins.bin(v))).collect();
        assert!(found.windows(2).all(|w| w[0] <= w[1]), "{found:?}");
        assert_eq!(found[0], 0);
        assert_eq!(found[8], FAN_BINS - 1);
        assert!(found[5] > 0 && found[5] < FAN_BINS - 1);
    }
}
