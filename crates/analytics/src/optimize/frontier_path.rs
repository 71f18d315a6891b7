//! The efficient frontier traced exactly, as Markowitz's critical line: between two turning
//! points the efficient-return portfolio moves on a straight line in the target return, so
//! one linear solve per segment gives every frontier point in it.
//!
//! The problem is PyPortfolioOpt's efficient-return with weight bounds only: minimise
//! `½wᵀQw` (`Q = 2(Σ + γI)`) subject to `1ᵀw = 1`, `μᵀw = r`, `lo ≤ w ≤ hi`. With the assets
//! split into free ones (F) and ones held at a bound (B), the KKT conditions are linear:
//! `Q_FF w_F + Q_FB w_B = ν₁1 + ν₂μ_F` with the two equalities, so `w_F`, `ν₁` and `ν₂` are
//! affine in `r`. A segment ends where a free weight reaches a bound, or where the multiplier
//! `g_i = (Qw)_i − ν₁ − ν₂μ_i` of a held asset changes sign (it wants to move off its bound);
//! the asset changes side and the next segment starts there. The optimality conditions hold
//! at every point by construction, so each point is the exact optimum, to rounding, where an
//! interior-point solver stops at its tolerance.
//!
//! The trace starts from the minimum-volatility portfolio an interior-point solve gave, whose
//! active set it reads; whenever something does not hold exactly as it should (the start's
//! conditions, a singular system, too many turning points) it gives up and the caller solves
//! each point on its own instead.

use super::matrix::{Cholesky, dot};

/// Where an asset sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Free,
    Lower,
    Upper,
}

/// A mean-variance problem with bounds only.
pub(crate) struct BoxProblem<'a> {
    /// `Q`, row-major `n × n`.
    pub(crate) quadratic: &'a [f64],
    /// Expected returns `μ`.
    pub(crate) returns: &'a [f64],
    /// Lower bounds.
    pub(crate) lower: &'a [f64],
    /// Upper bounds.
    pub(crate) upper: &'a [f64],
}

/// One segment: the free weights and the held assets' multipliers, each `a + b·r`.
struct Segment {
    free: Vec<usize>,
    weight: Vec<(f64, f64)>,
    multiplier: Vec<(f64, f64)>,
}

impl BoxProblem<'_> {
    fn n(&self) -> usize {
        self.returns.len()
    }

    /// The weights at each of `targets` (ascending, the first being `start`'s return), or
    /// `None` when the path cannot be traced exactly from `start`.
    pub(crate) fn trace(&self, start: &[f64], targets: &[f64]) -> Option<Vec<Vec<f64>>> {
        let n = self.n();
        let scale = self
            .quadratic
            .iter()
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        let mut sides: Vec<Side> = (0..n)
            .map(|i| {
                let (lo, hi, w) = (self.lower[i], self.upper[i], start[i]);
                if hi - lo <= 1e-12 || w <= lo + 1e-7 {
                    Side::Lower
                } else if w >= hi - 1e-7 {
                    Side::Upper
                } else {
                    Side::Free
                }
            })
            .collect();
        let mut r = *targets.first()?;
        let mut out = Vec::with_capacity(targets.len());
        let mut pending = targets.iter().copied().peekable();
        let tolerance = 1e-9;
        for _ in 0..(4 * n + 16) {
            let segment = self.segment(&sides)?;
            // The conditions must hold where the segment starts; if they do not, the active
            // set read from `start` (or an event) was wrong, and the trace is not exact.
            for (k, &i) in segment.free.iter().enumerate() {
                let w = segment.weight[k].0 + segment.weight[k].1 * r;
                if w < self.lower[i] - 1e-7 || w > self.upper[i] + 1e-7 {
                    return None;
                }
            }
            for (side, &(a, b)) in sides.iter().zip(&segment.multiplier) {
                let g = a + b * r;
                let wrong = match side {
                    Side::Free => false,
                    Side::Lower => g < -1e-7 * scale,
                    Side::Upper => g > 1e-7 * scale,
                };
                if wrong {
                    return None;
                }
            }
            // The next turning point.
            let mut next = f64::INFINITY;
            let mut event = None;
            for (k, &i) in segment.free.iter().enumerate() {
                let (a, b) = segment.weight[k];
                let at = if b > 0.0 {
                    (self.upper[i] - a) / b
                } else if b < 0.0 {
                    (self.lower[i] - a) / b
                } else {
                    f64::INFINITY
                };
                if at < next {
                    next = at;
                    event = Some((i, if b > 0.0 { Side::Upper } else { Side::Lower }));
                }
            }
            for (i, side) in sides.iter().enumerate() {
                let (a, b) = segment.multiplier[i];
                let leaves = match side {
                    Side::Free => false,
                    Side::Lower => b < 0.0,
                    Side::Upper => b > 0.0,
                };
                if leaves && self.upper[i] - self.lower[i] > 1e-12 {
                    let at = -a / b;
                    if at < next {
                        next = at;
                        event = Some((i, Side::Free));
                    }
                }
            }
            let next = next.max(r);
            while let Some(&target) = pending.peek() {
                if target > next + tolerance * target.abs().max(1.0) {
                    break;
                }
                out.push(self.assemble(&sides, &segment, target));
                pending.next();
            }
            if pending.peek().is_none() {
                return self.verified(out, targets);
            }
            let (asset, side) = event?;
            sides[asset] = side;
            r = next;
        }
        None
    }

    /// Solves the segment where the assets sit on `sides`.
    fn segment(&self, sides: &[Side]) -> Option<Segment> {
        let n = self.n();
        let q = |i: usize, j: usize| self.quadratic[i * n + j];
        let free: Vec<usize> = (0..n).filter(|&i| sides[i] == Side::Free).collect();
        let held = |i: usize| match sides[i] {
            Side::Lower => self.lower[i],
            Side::Upper => self.upper[i],
            Side::Free => 0.0,
        };
        let m = free.len();
        if m == 0 {
            return None;
        }
        let mut block = vec![0.0; m * m];
        for (a, &i) in free.iter().enumerate() {
            for (b, &j) in free.iter().enumerate() {
                block[a * m + b] = q(i, j);
            }
        }
        let factor = Cholesky::factor(&block, m)?;
        let ones = vec![1.0; m];
        let mu: Vec<f64> = free.iter().map(|&i| self.returns[i]).collect();
        let coupling: Vec<f64> = free
            .iter()
            .map(|&i| {
                (0..n)
                    .filter(|&j| sides[j] != Side::Free)
                    .map(|j| q(i, j) * held(j))
                    .sum()
            })
            .collect();
        let x1 = factor.solve(&ones);
        let xm = factor.solve(&mu);
        let xc = factor.solve(&coupling);
        // 1ᵀw_F = s and μ_Fᵀw_F = r − μ_Bᵀw_B, with w_F = ν₁x1 + ν₂xm − xc.
        let held_sum: f64 = (0..n).map(held).sum();
        let held_return: f64 = (0..n).map(|i| held(i) * self.returns[i]).sum();
        let (a11, a12, a22) = (dot(&ones, &x1), dot(&ones, &xm), dot(&mu, &xm));
        let det = a11 * a22 - a12 * a12;
        // NaN (a singular block gone through) fails this test too.
        if det.is_nan() || det <= 1e-12 * (a11 * a22).abs() {
            return None;
        }
        // Right-hand sides as c + d·r.
        let (c1, d1) = (1.0 - held_sum + dot(&ones, &xc), 0.0);
        let (c2, d2) = (-held_return + dot(&mu, &xc), 1.0);
        let nu1 = ((a22 * c1 - a12 * c2) / det, (a22 * d1 - a12 * d2) / det);
        let nu2 = ((a11 * c2 - a12 * c1) / det, (a11 * d2 - a12 * d1) / det);
        let weight: Vec<(f64, f64)> = (0..m)
            .map(|k| {
                (
                    nu1.0 * x1[k] + nu2.0 * xm[k] - xc[k],
                    nu1.1 * x1[k] + nu2.1 * xm[k],
                )
            })
            .collect();
        let multiplier = (0..n)
            .map(|i| {
                let mut a = -nu1.0 - nu2.0 * self.returns[i];
                let mut b = -nu1.1 - nu2.1 * self.returns[i];
                for (k, &j) in free.iter().enumerate() {
                    a += q(i, j) * weight[k].0;
                    b += q(i, j) * weight[k].1;
                }
                for j in (0..n).filter(|&j| sides[j] != Side::Free) {
                    a += q(i, j) * held(j);
                }
                (a, b)
            })
            .collect();
        Some(Segment {
            free,
            weight,
            multiplier,
        })
    }

    fn assemble(&self, sides: &[Side], segment: &Segment, r: f64) -> Vec<f64> {
        let mut weights: Vec<f64> = (0..self.n())
            .map(|i| match sides[i] {
                Side::Lower => self.lower[i],
                Side::Upper => self.upper[i],
                Side::Free => 0.0,
            })
            .collect();
        for (k, &i) in segment.free.iter().enumerate() {
            weights[i] = segment.weight[k].0 + segment.weight[k].1 * r;
        }
        weights
    }

    /// The points, if each sums to 1, meets its bounds and its target return to rounding.
    fn verified(&self, points: Vec<Vec<f64>>, targets: &[f64]) -> Option<Vec<Vec<f64>>> {
        let ok = points.len() == targets.len()
            && points.iter().zip(targets).all(|(w, &target)| {
                let sum: f64 = w.iter().sum();
                (sum - 1.0).abs() <= 1e-9
                    && (dot(w, self.returns) - target).abs() <= 1e-9 * target.abs().max(1.0)
                    && w.iter()
                        .zip(self.lower.iter().zip(self.upper))
                        .all(|(w, (lo, hi))| *w >= lo - 1e-9 && *w <= hi + 1e-9)
            });
        ok.then_some(points)
    }
}
