//! Summaries of simulated final returns: statistics, percentiles and a histogram.

use crate::portfolio::stats::{mean, percentiles_unsorted, std_dev};

/// Bins of the final-return histogram.
pub const HISTOGRAM_BINS: usize = 50;

/// Percentiles (numpy linear) of the final cumulative return.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
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

#[cfg(test)]
mod tests {
    use super::*;

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
