//! One module per resource.

pub mod commodities;
pub mod health;
pub mod indicators;
pub mod portfolio;
pub mod portfolios;
pub mod prices;
pub mod sources;

use crate::error::{ApiError, ErrorKind};

/// Runs CPU-bound work on the blocking pool, so that the async threads keep serving.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(%error, "a computation panicked or was cancelled");
        ApiError::new(ErrorKind::Internal, "the computation failed")
    })?
}
