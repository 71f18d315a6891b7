//! Summaries of simulated final returns: statistics, percentiles and a histogram.

use crate::portfolio::stats::{mean, percentiles_unsorted, std_dev};

/// Bins of the final-return histogram.
pub const HISTOGRAM_BINS: usize = 50;

/// Percentiles (numpy linear) of the final cumulative return.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FinalReturnPercentiles {
    /// 1st percentile.
    pub p1: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// Statistics of the final cumulative return `wealth − 1` over all paths.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SimulationStatistics {
    /// Mean final return.
    pub mean: f64,
    /// Median final return.
    pub median: f64,
    /// Population standard deviation (ddof 0, as the original's `np.std`) of final returns.
    pub std: f64,
    /// Worst final return.
    pub min: f64,
    /// Best final return.
    pub max: f64,
    /// Percentiles 1/5/25/50/75/95/99 of the final return.
    pub percentiles: FinalReturnPercentiles,
    /// 5th percentile of the final return (a loss is negative).
    pub var_5: f64,
    /// 1st percentile of the final return.
    pub var_1: f64,
    /// Mean of the final returns at or below `var_5`.
    pub cvar_5: f64,
    /// Mean of the final returns at or below `var_1`.
    pub cvar_1: f64,
    /// Share of paths ending below their starting value (final return < 0).
    pub probability_of_loss: f64,
    /// Mean over paths of each path's maximum drawdown (≤ 0).
    pub expected_max_drawdown: f64,
}

/// Histogram of final returns with numpy's `np.histogram(values, bins)` conventions.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Histogram {
    /// `bins + 1` ascending bin edges; the last bin includes its right edge.
    pub edges: Vec<f64>,
    /// Paths per bin.
    pub counts: Vec<u64>,
}

/// Statistics of final returns (in path order) and per-path maximum drawdowns.
pub(crate) fn statistics(final_returns: &[f64], max_drawdowns: &[f64]) -> SimulationStatistics {
    // Seven selections instead of a sort: this part runs on one thread after the parallel
    // paths, so its time adds straight to the wall time.
    let mut scratch = final_returns.to_vec();
    let p = percentiles_unsorted(&mut scratch, &[1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0]);
    let percentiles = FinalReturnPercentiles {
        p1: p[0],
        p5: p[1],
        p25: p[2],
        p50: p[3],
        p75: p[4],
        p95: p[5],
        p99: p[6],
    };
    let (min, max) = final_returns
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let tail_mean = |threshold: f64| {
        let tail: Vec<f64> = final_returns
            .iter()
            .copied()
            .filter(|&r| r <= threshold)
            .collect();
        mean(&tail)
    };
    let losses = final_returns.iter().filter(|&&r| r < 0.0).count();
    SimulationStatistics {
        mean: mean(final_returns),
        median: percentiles.p50,
        std: std_dev(final_returns, 0),
        min,
        max,
        var_5: percentiles.p5,
        var_1: percentiles.p1,
        cvar_5: tail_mean(percentiles.p5),
        cvar_1: tail_mean(percentiles.p1),
        probability_of_loss: losses as f64 / final_returns.len() as f64,
        expected_max_drawdown: mean(max_drawdowns),
        percentiles,
    }
}

/// `bins` equal-width bins from min to max (widened by ±0.5 when all values are equal, as numpy).
pub(crate) fn histogram(values: &[f64], bins: usize) -> Histogram {
    let (mut low, mut high) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if low == high {
        low -= 0.5;
        high += 0.5;
    }
    let step = (high - low) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| low + i as f64 * step).collect();
    edges[bins] = high;
    let mut counts = vec![0_u64; bins];
    let scale = bins as f64 / (high - low);
    for &value in values {
        let mut index = (((value - low) * scale) as usize).min(bins - 1);
        // The scaled guess can be off by one at an edge; settle it against the edges themselves.
        if value < edges[index] {
            index -= 1;
        } else if index + 1 < bins && value >= edges[index + 1] {
            index += 1;
        }
        counts[index] += 1;
    }
    Histogram { edges, counts }
}

/// Values in the deterministic sample that brackets each wanted order statistic.
const BRACKET_SAMPLE: usize = 4096;

/// Reusable buffers for [`fan_percentiles`], so that a simulation does not allocate per day.
#[derive(Debug, Default)]
pub(crate) struct PercentileScratch {
    kept: Vec<f64>,
    tags: Vec<u8>,
    /// Values of each range as [`total_order_key`]s, which select faster than floats.
    buckets: Vec<Vec<i64>>,
}

/// Exact numpy-linear percentiles (ascending `qs`) of unsorted values, fast for large inputs.
///
/// Selecting five percentiles out of 100,000 values for each of 252 days dominated a
/// simulation when done by repeated `select_nth_unstable`. Instead, a sample (the first values
/// of every row: the values are independent paths, so any fixed subset is a fair sample, and a
/// contiguous run per row reads a few cache lines where a stride missed on every value) is
/// sorted to find, for each
/// wanted rank, a value range that very probably contains it; one branch-free pass counts the
/// values below each range and keeps the values inside a range (about a fifth), tagged with
/// it; each rank is then selected within its bucket. If ranges overlap or one misses its rank
/// (improbable), plain selection answers, so the result is always exactly `np.percentile`'s.
///
/// The values come as `rows` (one slice per chunk of paths) so they are never copied on the
/// fast path.
pub(crate) fn fan_percentiles<const K: usize>(
    rows: &[&[f64]],
    qs: &[f64; K],
    scratch: &mut PercentileScratch,
) -> [f64; K] {
    let n: usize = rows.iter().map(|row| row.len()).sum();
    let plain = |scratch: &mut PercentileScratch| {
        scratch.kept.clear();
        for row in rows {
            scratch.kept.extend_from_slice(row);
        }
        let result = percentiles_unsorted(&mut scratch.kept, qs);
        std::array::from_fn(|j| result[j])
    };
    if n < 16 * BRACKET_SAMPLE || K == 0 || K > usize::from(u8::MAX) {
        return plain(scratch);
    }
    let per_row = BRACKET_SAMPLE.div_ceil(rows.len());
    // Sorted as integer keys in `f64::total_cmp`'s order: sorting the sample with float
    // comparisons was a tenth of a simulation.
    let mut keys: Vec<i64> = rows
        .iter()
        .flat_map(|row| row[..per_row.min(row.len())].iter())
        .map(|&value| total_order_key(value))
        .collect();
    keys.sort_unstable();
    let sample = |index: usize| total_order_value(keys[index]);
    let m = keys.len();

    let mut lowers = [0_usize; K];
    let mut gammas = [0.0_f64; K];
    let mut lows = [0.0_f64; K];
    let mut highs = [0.0_f64; K];
    for j in 0..K {
        let virtual_index = (n - 1) as f64 * (qs[j] / 100.0);
        let below = virtual_index.floor();
        lowers[j] = below as usize;
        gammas[j] = virtual_index - below;
        let fraction = qs[j] / 100.0;
        // 3.5 binomial standard deviations of the rank within the sample, plus a few for ties:
        // a miss costs one plain selection, a wide range costs bucket work on every day.
        let spread = 3.5 * (m as f64 * fraction * (1.0 - fraction)).sqrt() + 3.0;
        let center = lowers[j] as f64 * m as f64 / n as f64;
        let low_index = center - spread;
        let high_index = center + spread + 1.0;
        lows[j] = if low_index < 0.0 {
            f64::NEG_INFINITY
        } else {
            sample(low_index as usize)
        };
        highs[j] = if high_index >= m as f64 {
            f64::INFINITY
        } else {
            sample(high_index as usize)
        };
    }
    if (1..K).any(|j| highs[j - 1] >= lows[j]) {
        return plain(scratch);
    }

    // Branch-free pass: every value is written at `len`, which advances only when the value
    // lies in a range, so the unpredictable "inside or not" never becomes a jump. It also counts
    // the values above each range, from which the counts below follow (see `below`).
    let mut above = [0_usize; K];
    scratch.kept.resize(n, 0.0);
    scratch.tags.resize(n, 0);
    let mut len = 0;
    // `lows` padded with +∞ so that a value above every range is never inside one.
    let mut padded_lows = [f64::INFINITY; 256];
    padded_lows[..K].copy_from_slice(&lows);
    let kept = &mut scratch.kept[..n];
    let tags = &mut scratch.tags[..n];
    for row in rows {
        for &value in *row {
            let mut range = 0_u8;
            for (count, high) in above.iter_mut().zip(&highs) {
                let is_above = value > *high;
                range += u8::from(is_above);
                *count += usize::from(is_above);
            }
            let inside = value >= padded_lows[usize::from(range)];
            kept[len] = value;
            tags[len] = range;
            len += usize::from(inside);
        }
    }

    scratch.buckets.resize_with(K, Vec::new);
    for bucket in &mut scratch.buckets {
        bucket.clear();
    }
    for (&value, &tag) in scratch.kept[..len].iter().zip(&scratch.tags[..len]) {
        scratch.buckets[usize::from(tag)].push(total_order_key(value));
    }
    // A value not above range `j` lies below it, inside it, or in the gap before it (a value in
    // an earlier range or gap is below it too), so below = n − above − inside.
    let below: [usize; K] = std::array::from_fn(|j| n - above[j] - scratch.buckets[j].len());
    let mut out = [0.0; K];
    for j in 0..K {
        let bucket = &mut scratch.buckets[j];
        let lower = lowers[j];
        let upper = (lower + 1).min(n - 1);
        if lower < below[j] || upper >= below[j] + bucket.len() {
            return plain(scratch);
        }
        let (_, low, rest) = bucket.select_nth_unstable(lower - below[j]);
        let low = total_order_value(*low);
        let high = if upper == lower {
            low
        } else {
            rest.iter()
                .copied()
                .min()
                .map_or(f64::INFINITY, total_order_value)
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

/// An integer whose order is `f64::total_cmp`'s (the same bit trick `total_cmp` applies).
fn total_order_key(value: f64) -> i64 {
    let bits = value.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The inverse of [`total_order_key`] (the transform is its own inverse).
fn total_order_value(key: i64) -> f64 {
    f64::from_bits((key ^ (((key >> 63) as u64) >> 1) as i64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fan_percentiles_equal_plain_selection_with_and_without_ties() {
        let qs = [5.0, 25.0, 50.0, 75.0, 95.0];
        let mut state = 12345_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let smooth: Vec<f64> = (0..150_001).map(|_| next() - 0.5).collect();
        let ties: Vec<f64> = (0..90_000).map(|_| (next() * 7.0).floor()).collect();
        let mut sorted_input: Vec<f64> = smooth.clone();
        sorted_input.sort_by(f64::total_cmp);
        for values in [smooth, ties, sorted_input] {
            let mut plain = values.clone();
            let rows: Vec<&[f64]> = values.chunks(1000).collect();
            let fast = fan_percentiles(&rows, &qs, &mut PercentileScratch::default());
            assert_eq!(fast.to_vec(), percentiles_unsorted(&mut plain, &qs));
        }
    }

    #[test]
    fn total_order_keys_sort_like_total_cmp_and_round_trip() {
        let mut values = [
            f64::NEG_INFINITY,
            -1e300,
            -1.5,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            2.5,
            f64::INFINITY,
        ];
        let mut keys: Vec<i64> = values.iter().map(|&v| total_order_key(v)).collect();
        keys.reverse();
        keys.sort_unstable();
        values.sort_by(f64::total_cmp);
        let back: Vec<u64> = keys
            .iter()
            .map(|&k| total_order_value(k).to_bits())
            .collect();
        let expected: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        assert_eq!(back, expected);
    }

    #[test]
    fn histogram_counts_every_value_and_closes_last_bin() {
        let values = [0.0, 0.1, 0.5, 0.99, 1.0];
        let result = histogram(&values, 2);
        assert_eq!(result.edges, vec![0.0, 0.5, 1.0]);
        assert_eq!(result.counts, vec![2, 3]);
    }

    #[test]
    fn histogram_of_identical_values_widens_range_like_numpy() {
        let result = histogram(&[0.2, 0.2], 2);
        assert_eq!(result.edges, vec![-0.3, 0.2, 0.7]);
        assert_eq!(result.counts.iter().sum::<u64>(), 2);
    }

    #[test]
    fn tail_statistics_are_ordered() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i) / 1000.0 - 0.3).collect();
        let stats = statistics(&values, &vec![-0.1; 1000]);
        assert!(stats.cvar_1 <= stats.var_1 && stats.var_1 <= stats.var_5);
        assert!(stats.cvar_5 <= stats.var_5);
        assert!((stats.probability_of_loss - 0.3).abs() < 1e-12);
        assert!((stats.expected_max_drawdown + 0.1).abs() < 1e-12);
    }
}
