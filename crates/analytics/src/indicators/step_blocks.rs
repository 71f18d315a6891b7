//! Small states the bar-at-a-time functions compose: a moving average of a derived value,
//! window sums, a chain of two states.

use super::moving_averages::MaType;
use super::overlap::averages_stream::MaStage;
use super::step::{Ring, Single};

/// TA-Lib's moving average `ma_type` of `period` as a [`Single`].
pub(crate) fn average(period: usize, ma_type: MaType) -> MaStage {
    MaStage::new(period, ma_type)
}

/// Feeds the output of `first` to `second`.
#[derive(Debug, Clone)]
pub(crate) struct Chain<A: Single, B: Single>(pub(crate) A, pub(crate) B);

impl<A: Single, B: Single> Single for Chain<A, B> {
    #[inline]
    fn push(&mut self, value: f64) -> Option<f64> {
        let inner = self.0.push(value)?;
        self.1.push(inner)
    }
}

/// The sum of the last `len` values, summed afresh from the window (oldest first) at every
/// bar, so that a flat or zero window sums to exactly 0.
#[derive(Debug, Clone)]
pub(crate) struct WindowSum {
    pub(crate) ring: Ring,
}

impl WindowSum {
    /// A sum over `len` values.
    pub(crate) fn new(len: usize) -> Self {
        Self {
            ring: Ring::new(len),
        }
    }
}

impl Single for WindowSum {
    #[inline]
    fn push(&mut self, value: f64) -> Option<f64> {
        self.ring.push(value);
        self.ring.full().then(|| self.ring.iter().sum())
    }
}

/// Delays values by `lag` bars: `Some(x[t − lag])` from row `lag` on.
#[derive(Debug, Clone)]
pub(crate) struct Lag {
    pub(crate) ring: Ring,
}

impl Lag {
    /// A delay of `lag` bars.
    pub(crate) fn new(lag: usize) -> Self {
        Self {
            ring: Ring::new(lag + 1),
        }
    }
}

impl Single for Lag {
    #[inline]
    fn push(&mut self, value: f64) -> Option<f64> {
        self.ring.push(value);
        self.ring
            .full()
            .then(|| self.ring.back(self.ring.len() - 1))
    }
}
