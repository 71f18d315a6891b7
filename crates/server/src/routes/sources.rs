//! `GET /api/v1/sources`: every source, enabled or not, with its limits.

use crate::state::{AppState, SourceInfo};
use axum::Json;
use axum::extract::State;
use serde::Serialize;

/// The list of sources.
#[derive(Serialize)]
pub struct Sources {
    sources: Vec<SourceInfo>,
}

/// Every source the server knows, in fallback order.
pub async fn list(State(state): State<AppState>) -> Json<Sources> {
    Json(Sources {
        sources: state.sources.to_vec(),
    })
}
