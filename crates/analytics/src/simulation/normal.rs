//! The `normal` method: daily portfolio returns drawn from the fitted normal distribution.
//!
//! The original draws one 20-asset multivariate normal vector per day and takes `w·x`. With
//! constant weights, `w·x` for `x ~ N(μ, Σ)` is exactly `N(w·μ, w'Σw)`, and the sample mean and
//! variance of the historical portfolio returns are exactly `w·μ̂` and `w'Σ̂w` (sample mean and
//! covariance, ddof 1). So one standard normal per day per path gives the same distribution of
//! paths as the original, with no Cholesky factor and N-assets times fewer random numbers.

use rand::RngExt;
use rand_distr::{Distribution, Open01, StandardNormal};

use super::paths::DailyReturnSampler;
use super::streams::{ChunkRng, LANES, SimRng};
use super::ziggurat_tables::{F, R, X};
use crate::portfolio::stats::{mean, std_dev};

/// Normal daily portfolio returns with the historical mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NormalReturns {
    mean: f64,
    std: f64,
}

impl NormalReturns {
    /// Fits the mean and sample std (ddof 1) of the historical portfolio returns.
    pub(crate) fn fit(portfolio_returns: &[f64]) -> Self {
        Self {
            mean: mean(portfolio_returns),
            std: std_dev(portfolio_returns, 1),
        }
    }
}

impl DailyReturnSampler for NormalReturns {
    #[inline(always)]
    fn fill(&self, rng: &mut ChunkRng, words: &mut [u64], out: &mut [f64]) {
        // The ziggurat of `rand_distr::StandardNormal` (its tables, its layer and sign from one
        // 64-bit word), in passes: the words of all lanes (vector code), the rectangle test of
        // every draw, listing the few (about 1%) outside their rectangle, the slow cases for
        // just those, then the scaling (vector code). One draw at a time
        // through `sample` was a third of a simulation, and an inlined per-draw loop still
        // waited on each generator step.
        let words = &mut words[..out.len().next_multiple_of(LANES)];
        rng.lanes.fill(words);
        let mut outside = [0_u16; SLOW_BLOCK];
        for (block, block_words) in out.chunks_mut(SLOW_BLOCK).zip(words.chunks(SLOW_BLOCK)) {
            // Four draws at a time, as fixed-size arrays, read whole before any is written:
            // LLVM then computes them in one vector, gathering the table entries lane by lane,
            // about half the instructions of a draw-by-draw loop. (Reading and writing a lane
            // at a time, it must assume a write may change the next word, since slices reached
            // through `cpu::with_fma`'s closure lose their no-alias guarantee, and stays
            // scalar.)
            let mut count = 0;
            let (quads, rest) = block.as_chunks_mut::<4>();
            let quad_words = block_words.as_chunks::<4>().0;
            for (quad, (z, &words)) in quads.iter_mut().zip(quad_words).enumerate() {
                let mut candidates = [0.0; 4];
                let mut is_outside = [false; 4];
                for lane in 0..4 {
                    let (layer, _, x) = rectangle_draw(words[lane]);
                    candidates[lane] = x;
                    is_outside[lane] = x.abs() >= X[layer + 1];
                }
                *z = candidates;
                if is_outside.iter().fold(false, |any, &o| any | o) {
                    for (lane, &o) in is_outside.iter().enumerate() {
                        if o {
                            outside[count] = (quad * 4 + lane) as u16;
                            count += 1;
                        }
                    }
                }
            }
            let done = quads.len() * 4;
            for (index, z) in rest.iter_mut().enumerate() {
                let (layer, _, x) = rectangle_draw(block_words[done + index]);
                *z = x;
                if x.abs() >= X[layer + 1] {
                    outside[count] = (done + index) as u16;
                    count += 1;
                }
            }
            for &index in &outside[..count] {
                let index = usize::from(index);
                let (layer, u, x) = rectangle_draw(block_words[index]);
                block[index] = outside_rectangle(&mut rng.scalar, layer, u, x);
            }
        }
        for r in out.iter_mut() {
            // A long-only portfolio of positive prices cannot lose more than everything in a
            // day; the normal tail can, so a draw below -100% is clamped to a total loss.
            let daily = self.mean + self.std * *r;
            *r = if daily > -1.0 { daily } else { -1.0 };
        }
    }

    fn daily_std(&self) -> f64 {
        self.std
    }
}

/// Draws whose slow cases are listed together (indices fit in `u16`, the list on the stack).
const SLOW_BLOCK: usize = 1024;

/// The ziggurat's layer, uniform `u` in [-1, 1) and candidate `x = u * X[layer]` of `word`.
#[inline(always)]
fn rectangle_draw(word: u64) -> (usize, f64, f64) {
    let layer = (word & 0xff) as usize;
    // The top 52 bits as a float in [2, 4), minus 3: uniform in [-1, 1).
    let u = f64::from_bits((word >> 12) | 0x4000_0000_0000_0000) - 3.0;
    (layer, u, u * X[layer])
}

/// The rare ziggurat cases, as `rand_distr`: the tail beyond `R`, the wedge test, and on
/// rejection a fresh draw (a rejected ziggurat draw restarts, which is a new independent
/// standard normal).
#[cold]
fn outside_rectangle(rng: &mut SimRng, layer: usize, u: f64, x: f64) -> f64 {
    if layer == 0 {
        loop {
            let x_: f64 = rng.sample(Open01);
            let y_: f64 = rng.sample(Open01);
            let tail = x_.ln() / R;
            if -2.0 * y_.ln() >= tail * tail {
                return if u < 0.0 { tail - R } else { R - tail };
            }
        }
    }
    if F[layer + 1] + (F[layer] - F[layer + 1]) * rng.random::<f64>() < (-x * x / 2.0).exp() {
        return x;
    }
    StandardNormal.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_ziggurat_has_standard_normal_moments_and_tails() {
        // A small std keeps the -100% clamp out of reach; draws are scaled back to z.
        let std = 0.01;
        let sampler = NormalReturns { mean: 0.0, std };
        let mut rng = ChunkRng::new(3, 0);
        let n = 1 << 20;
        let mut out = vec![0.0; n];
        let mut words = vec![0; 1024];
        // Odd lengths too: a chunk need not be a multiple of the lanes.
        for o in out.chunks_mut(1021) {
            sampler.fill(&mut rng, &mut words, o);
        }
        let z: Vec<f64> = out.iter().map(|r| r / std).collect();
        let count = n as f64;
        let mean = z.iter().sum::<f64>() / count;
        let variance = z.iter().map(|z| z * z).sum::<f64>() / count - mean * mean;
        let fourth = z.iter().map(|z| z.powi(4)).sum::<f64>() / count;
        // Standard errors at 2^20 draws: mean 0.001, variance 0.0014, fourth moment 0.01.
        assert!(mean.abs() < 0.005, "mean {mean}");
        assert!((variance - 1.0).abs() < 0.007, "variance {variance}");
        assert!((fourth - 3.0).abs() < 0.05, "fourth moment {fourth}");
        // P(|z| > R = 3.654) is 2.58e-4: about 270 draws come from the tail algorithm.
        let tail = z.iter().filter(|z| z.abs() > R).count();
        assert!((200..350).contains(&tail), "{tail} draws beyond R");
        let below_one = z.iter().filter(|&&z| z < -1.0).count() as f64 / count;
        assert!(
            (below_one - 0.158_655).abs() < 0.002,
            "P(z < -1) = {below_one}"
        );
    }
}
