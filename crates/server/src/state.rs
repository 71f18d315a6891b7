//! What every handler can reach.

use store::Store;

/// Shared state of the server, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Redis, when configured (readiness checks it).
    pub redis: Option<redis::Client>,
}
