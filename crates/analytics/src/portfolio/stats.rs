//! Descriptive statistics computed the way numpy computes them.
//!
//! The golden tests compare against numpy at 1e-9 relative, so the sums here follow numpy's
//! pairwise summation and its two-pass variance, and percentiles follow `np.percentile`'s
//! default `linear` method, including its interpolation formula.

/// Sum of `values` with numpy's pairwise algorithm (8 accumulators, blocks of 128).
///
/// Pairwise summation keeps the rounding error at O(log n) instead of O(n), and matching
/// numpy's exact order makes our means agree with its means to the last bit or two.
pub(crate) fn pairwise_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = values.len();
    if n < 8 {
        let mut total = 0.0;
        for &value in values {
            total += value;
        }
        total
    } else if n <= BLOCK {
        let mut acc = [0.0_f64; 8];
        acc.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        for chunk in values[8..whole].chunks_exact(8) {
            for (a, &v) in acc.iter_mut().zip(chunk) {
                *a += v;
            }
        }
        let mut total =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for &value in &values[whole..] {
            total += value;
        }
        total
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
    }
}

/// Arithmetic mean, as `np.mean`. The caller guarantees a non-empty slice.
pub(crate) fn mean(values: &[f64]) -> f64 {
    pairwise_sum(values) / values.len() as f64
}

/// Variance with `ddof` delta degrees of freedom, two-pass as `np.var`.
pub(crate) fn variance(values: &[f64], ddof: usize) -> f64 {
    let center = mean(values);
    let squares: Vec<f64> = values
        .iter()
        .map(|&v| {
            let d = v - center;
            d * d
        })
        .collect();
    pairwise_sum(&squares) / (values.len() - ddof) as f64
}

/// Standard deviation with `ddof` delta degrees of freedom, as `np.std`.
pub(crate) fn std_dev(values: &[f64], ddof: usize) -> f64 {
    variance(values, ddof).sqrt()
}

/// Sample covariance (ddof 1) of two equally long series whose means are given.
pub(crate) fn covariance_centered(a: &[f64], mean_a: f64, b: &[f64], mean_b: f64) -> f64 {
    let mut total = 0.0;
    for (&x, &y) in a.iter().zip(b) {
        total += (x - mean_a) * (y - mean_b);
    }
    total / (a.len() - 1) as f64
}

/// Linear interpolation between two order statistics exactly as numpy's `_lerp`.
fn lerp(below: f64, above: f64, gamma: f64) -> f64 {
    let diff = above - below;
    if gamma >= 0.5 {
        above - diff * (1.0 - gamma)
    } else {
        below + diff * gamma
    }
}

/// The `q`-th percentile (0..=100) of an ascending sorted slice, as `np.percentile` (linear).
pub(crate) fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let virtual_index = (n - 1) as f64 * (q / 100.0);
    let below = virtual_index.floor();
    let gamma = virtual_index - below;
    let lower = (below as usize).min(n - 1);
    let upper = (lower + 1).min(n - 1);
    lerp(sorted[lower], sorted[upper], gamma)
}

/// Several percentiles (ascending `qs`, 0..=100) of unsorted values, reordering `values`.
///
/// Uses selection instead of a full sort: each needed order statistic is selected from the
/// part not yet partitioned, and its right neighbour is the minimum of the rest, so the cost
/// is a few linear passes. This is what makes per-day fan percentiles over 100,000 paths cheap.
pub(crate) fn percentiles_unsorted(values: &mut [f64], qs: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut start = 0;
    let mut last: Option<(usize, f64, f64)> = None;
    let mut out = Vec::with_capacity(qs.len());
    for &q in qs {
        let virtual_index = (n - 1) as f64 * (q / 100.0);
        let below = virtual_index.floor();
        let gamma = virtual_index - below;
        let lower = (below as usize).min(n - 1);
        let (low_value, high_value) = match last {
            Some((index, low, high)) if index == lower => (low, high),
            _ => {
                let (_, nth, rest) =
                    values[start..].select_nth_unstable_by(lower - start, f64::total_cmp);
                let low = *nth;
                let high = rest.iter().copied().fold(f64::INFINITY, f64::min);
                let high = if lower + 1 < n { high } else { low };
                start = lower + 1;
                (low, high)
            }
        };
        last = Some((lower, low_value, high_value));
        out.push(lerp(low_value, high_value, gamma));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_matches_plain_sum_on_integers() {
        let values: Vec<f64> = (1..=1000).map(f64::from).collect();
        assert_eq!(pairwise_sum(&values), 500_500.0);
        assert_eq!(pairwise_sum(&values[..5]), 15.0);
        assert_eq!(pairwise_sum(&values[..100]), 5050.0);
    }

    #[test]
    fn percentile_interpolates_like_numpy_linear() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(percentile_sorted(&sorted, 50.0), 3.0);
        assert!((percentile_sorted(&sorted, 90.0) - 7.6).abs() < 1e-12);
        assert_eq!(percentile_sorted(&sorted, 0.0), 1.0);
        assert_eq!(percentile_sorted(&sorted, 100.0), 10.0);
    }

    #[test]
    fn percentiles_by_selection_equal_percentiles_of_sorted_data() {
        let mut values: Vec<f64> = (0..1001)
            .map(|i| ((i * 7919) % 1001) as f64 * 0.37)
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let qs = [1.0, 5.0, 25.0, 50.0, 50.0, 75.0, 95.0, 99.0, 100.0];
        let got = percentiles_unsorted(&mut values, &qs);
        for (q, value) in qs.iter().zip(got) {
            assert_eq!(value, percentile_sorted(&sorted, *q), "q = {q}");
        }
    }

    #[test]
    fn variance_uses_requested_degrees_of_freedom() {
        let values = [1.0, 2.0, 3.0, 4.0];
        assert!((variance(&values, 0) - 1.25).abs() < 1e-15);
        assert!((variance(&values, 1) - 5.0 / 3.0).abs() < 1e-15);
    }
}
