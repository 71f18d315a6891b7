//! The `normal` method: daily portfolio returns drawn from the fitted normal distribution.
//!
//! The original draws one 20-asset multivariate normal vector per day and takes `w·x`. With
//! constant weights, `w·x` for `x ~ N(μ, Σ)` is exactly `N(w·μ, w'Σw)`, and the sample mean and
//! variance of the historical portfolio returns are exactly `w·μ̂` and `w'Σ̂w` (sample mean and
//! covariance, ddof 1). So one standard normal per day per path gives the same distribution of
//! paths as the original, with no Cholesky factor and N-assets times fewer random numbers.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::paths::DailyReturnSampler;
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
    fn fill(&self, rng: &mut ChaCha8Rng, out: &mut [f64]) {
        for r in out.iter_mut() {
            let z: f64 = StandardNormal.sample(rng);
            // A long-only portfolio of positive prices cannot lose more than everything in a
            // day; the normal tail can, so a draw below -100% is clamped to a total loss.
            *r = (self.mean + self.std * z).max(-1.0);
        }
    }
}
