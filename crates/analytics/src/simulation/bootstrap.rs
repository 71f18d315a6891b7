//! The `bootstrap` method: whole historical days drawn with replacement.
//!
//! Drawing a day index and taking that day's portfolio return is the same as resampling a row
//! of the asset returns matrix and weighting it, so fat tails and the cross-asset correlation
//! of each day are kept; precomputing the portfolio return of each day makes a draw one lookup.

use rand::distr::{Distribution, Uniform};

use super::paths::DailyReturnSampler;
use super::streams::ChunkRng;
use crate::AnalyticsError;
use crate::portfolio::stats::std_dev;

/// Historical daily portfolio returns to resample.
#[derive(Debug, Clone)]
pub(crate) struct BootstrapReturns {
    days: Vec<f64>,
    index: Uniform<usize>,
    std: f64,
}

impl BootstrapReturns {
    /// Takes the historical portfolio return of each day.
    pub(crate) fn new(days: Vec<f64>) -> Result<Self, AnalyticsError> {
        let index = Uniform::new(0, days.len()).map_err(|_| {
            AnalyticsError::InsufficientData(
                "bootstrap needs at least one historical day".to_owned(),
            )
        })?;
        let std = std_dev(&days, 0);
        Ok(Self { days, index, std })
    }
}

impl DailyReturnSampler for BootstrapReturns {
    fn fill(&self, rng: &mut ChunkRng, _words: &mut [u64], out: &mut [f64]) {
        // One exact uniform index per draw (rejection sampling inside `Uniform`), from the
        // chunk's ordinary generator: bootstrap draws are lookups, with nothing to vectorise.
        for r in out.iter_mut() {
            *r = self.days[self.index.sample(&mut rng.scalar)];
        }
    }

    fn daily_std(&self) -> f64 {
        self.std
    }
}
