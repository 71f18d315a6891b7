//! The one error type of the analytics crate.

/// Everything that can go wrong in an analytics computation, phrased for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyticsError {
    /// A parameter is out of its allowed range (for example `rsi(0)`).
    #[error("{0}")]
    InvalidParameter(String),
    /// The input data cannot be used as given (NaN inside a series, high below low, ...).
    #[error("{0}")]
    InvalidInput(String),
    /// There is not enough data for the computation asked for.
    #[error("{0}")]
    InsufficientData(String),
    /// Constraints that no portfolio can meet, or a target beyond what they allow; the
    /// sentence names the constraints that clash.
    #[error("{0}")]
    Infeasible(String),
    /// The numerical solver stopped without an answer it could vouch for.
    #[error("{0}")]
    SolverFailed(String),
    /// The caller asked the computation to stop (its client went away).
    #[error("the computation was stopped before it finished")]
    Cancelled,
}
