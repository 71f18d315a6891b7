//! Hierarchical risk parity as PyPortfolioOpt 1.6.0's `HRPOpt(returns).optimize()`
//! (López de Prado, 2016):
//! 1. correlation and covariance of the period returns as pandas computes them (Welford's
//!    running sums, unbiased covariance);
//! 2. distances `√(clip((1 − ρ)/2, 0, 1))`, clustered by single linkage exactly as scipy's
//!    `linkage(method="single")` does it (Prim's minimum spanning tree from asset 0, merges
//!    sorted stably by distance, the smaller cluster id on the left);
//! 3. the tree's leaves in pre-order (left first) give the quasi-diagonal order;
//! 4. recursive bisection of that order into halves, each half's weight scaled by
//!    `1 − V_half / (V_left + V_right)` with `V` the inverse-variance portfolio's variance.
//!
//! Reproducing scipy's tie-breaking makes the weights equal to PyPortfolioOpt's to rounding.

use crate::AnalyticsError;

/// HRP weights of the assets whose period returns are given (one column per asset).
pub fn hrp(returns: &[Vec<f64>]) -> Result<Vec<f64>, AnalyticsError> {
    let n = returns.len();
    let length = returns.first().map_or(0, Vec::len);
    if n == 0 || returns.iter().any(|c| c.len() != length) {
        return Err(AnalyticsError::InvalidInput(
            "HRP needs returns of at least one asset, all of the same length".into(),
        ));
    }
    if length < 2 {
        return Err(AnalyticsError::InsufficientData(
            "HRP needs at least 2 returns per asset".into(),
        ));
    }
    if returns.iter().flatten().any(|r| !r.is_finite()) {
        return Err(AnalyticsError::InvalidInput(
            "the returns hold a value that is not a finite number".into(),
        ));
    }
    let mut covariance = vec![0.0; n * n];
    let mut correlation = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let sums = welford(&returns[i], &returns[j]);
            let divisor = (sums.squares_x * sums.squares_y).sqrt();
            let rho = if divisor != 0.0 {
                sums.cross / divisor
            } else {
                f64::NAN
            };
            let cov = sums.cross / (length - 1) as f64;
            for (a, b) in [(i, j), (j, i)] {
                covariance[a * n + b] = cov;
                correlation[a * n + b] = rho;
            }
        }
    }
    if let Some(asset) =
        (0..n).find(|&i| covariance[i * n + i].is_nan() || covariance[i * n + i] <= 0.0)
    {
        return Err(AnalyticsError::InvalidInput(format!(
            "asset {} has constant returns, so HRP cannot weight it by inverse variance",
            asset + 1
        )));
    }
    let distance: Vec<f64> = correlation
        .iter()
        .map(|rho| ((1.0 - rho) / 2.0).clamp(0.0, 1.0).sqrt())
        .collect();
    let order = quasi_diagonal_order(&single_linkage(&distance, n), n);
    Ok(bisect(&covariance, n, &order))
}

/// pandas' pairwise running sums (`nancorr`): co-moment and the two second moments.
struct Sums {
    cross: f64,
    squares_x: f64,
    squares_y: f64,
}

fn welford(x: &[f64], y: &[f64]) -> Sums {
    let (mut mean_x, mut mean_y) = (0.0, 0.0);
    let mut sums = Sums {
        cross: 0.0,
        squares_x: 0.0,
        squares_y: 0.0,
    };
    for (count, (&vx, &vy)) in x.iter().zip(y).enumerate() {
        let dx = vx - mean_x;
        let dy = vy - mean_y;
        let observations = (count + 1) as f64;
        mean_x += dx / observations;
        mean_y += dy / observations;
        sums.squares_x += (vx - mean_x) * dx;
        sums.squares_y += (vy - mean_y) * dy;
        sums.cross += (vx - mean_x) * dy;
    }
    sums
}

/// One merge of the linkage: the two cluster ids joined (left < right).
#[derive(Debug, Clone, Copy)]
struct Merge {
    left: usize,
    right: usize,
}

/// scipy's `mst_single_linkage` followed by its `label` pass.
fn single_linkage(distance: &[f64], n: usize) -> Vec<Merge> {
    let mut edges: Vec<(usize, usize, f64)> = Vec::with_capacity(n.saturating_sub(1));
    let mut merged = vec![false; n];
    let mut nearest = vec![f64::INFINITY; n];
    let mut x = 0;
    for _ in 1..n {
        merged[x] = true;
        let mut best = f64::INFINITY;
        let mut y = x;
        for i in 0..n {
            if merged[i] {
                continue;
            }
            let d = distance[x * n + i];
            if nearest[i] > d {
                nearest[i] = d;
            }
            // NaN distances (a constant pair) never win, as in scipy.
            if nearest[i] < best {
                best = nearest[i];
                y = i;
            }
        }
        if y == x {
            // Only NaN distances left: take the first unmerged asset so the tree completes.
            y = (0..n).find(|&i| !merged[i]).unwrap_or(x);
        }
        edges.push((x, y, best));
        x = y;
    }
    // A stable sort, as numpy's argsort(kind="mergesort").
    edges.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut parent: Vec<usize> = (0..2 * n).collect();
    let find = |parent: &mut Vec<usize>, mut node: usize| {
        while parent[node] != node {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        node
    };
    edges
        .iter()
        .enumerate()
        .map(|(k, &(a, b, _))| {
            let (root_a, root_b) = (find(&mut parent, a), find(&mut parent, b));
            let new_id = n + k;
            parent[root_a] = new_id;
            parent[root_b] = new_id;
            Merge {
                left: root_a.min(root_b),
                right: root_a.max(root_b),
            }
        })
        .collect()
}

/// The leaves of the linkage tree in pre-order, left first (scipy's `to_tree().pre_order()`).
fn quasi_diagonal_order(merges: &[Merge], n: usize) -> Vec<usize> {
    if n == 1 {
        return vec![0];
    }
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![n + merges.len() - 1];
    while let Some(node) = stack.pop() {
        if node < n {
            order.push(node);
        } else {
            let merge = merges[node - n];
            stack.push(merge.right);
            stack.push(merge.left);
        }
    }
    order
}

/// PyPortfolioOpt's `_raw_hrp_allocation`: level by level, halve every cluster and split its
/// weight by the halves' inverse-variance portfolio variances.
fn bisect(covariance: &[f64], n: usize, order: &[usize]) -> Vec<f64> {
    let mut weights = vec![1.0; n];
    let mut clusters: Vec<&[usize]> = vec![order];
    while !clusters.is_empty() {
        clusters = clusters
            .iter()
            .filter(|c| c.len() > 1)
            .flat_map(|c| {
                let (first, second) = c.split_at(c.len() / 2);
                [first, second]
            })
            .collect();
        for pair in clusters.chunks(2) {
            let first_variance = cluster_variance(covariance, n, pair[0]);
            let second_variance = cluster_variance(covariance, n, pair[1]);
            let alpha = 1.0 - first_variance / (first_variance + second_variance);
            for &i in pair[0] {
                weights[i] *= alpha;
            }
            for &i in pair[1] {
                weights[i] *= 1.0 - alpha;
            }
        }
    }
    weights
}

/// The variance of the inverse-variance portfolio of `members`.
fn cluster_variance(covariance: &[f64], n: usize, members: &[usize]) -> f64 {
    let inverse: Vec<f64> = members
        .iter()
        .map(|&i| 1.0 / covariance[i * n + i])
        .collect();
    let total: f64 = inverse.iter().sum();
    let weights: Vec<f64> = inverse.iter().map(|w| w / total).collect();
    // (wᵀ C) w, in numpy's multi_dot order.
    let row: Vec<f64> = (0..members.len())
        .map(|b| {
            members
                .iter()
                .zip(&weights)
                .map(|(&a, w)| w * covariance[a * n + members[b]])
                .sum()
        })
        .collect();
    row.iter().zip(&weights).map(|(r, w)| r * w).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_uncorrelated_assets_get_inverse_variance_weights() {
        let returns = vec![
            vec![0.01, -0.01, 0.01, -0.01],
            vec![0.02, 0.02, -0.02, -0.02],
        ];
        let weights = hrp(&returns).unwrap();
        // Variances 1:4, so weights 4/5 and 1/5.
        assert!((weights[0] - 0.8).abs() < 1e-15 && (weights[1] - 0.2).abs() < 1e-15);
    }

    #[test]
    fn the_closest_pair_is_merged_first_and_ordered_by_id() {
        // Distances: 0–2 closest, then 1 joins.
        let d = [0.0, 0.5, 0.1, 0.5, 0.0, 0.4, 0.1, 0.4, 0.0];
        let merges = single_linkage(&d, 3);
        assert_eq!((merges[0].left, merges[0].right), (0, 2));
        assert_eq!((merges[1].left, merges[1].right), (1, 3));
        assert_eq!(quasi_diagonal_order(&merges, 3), vec![1, 0, 2]);
    }
}
