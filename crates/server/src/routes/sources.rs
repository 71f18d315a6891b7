//! `GET /api/v1/sources`: every source, enabled or not, with its limits.

use crate::state::{AppState, SourceInfo};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// The list of sources.
#[derive(Serialize, ToSchema)]
pub struct Sources {
    /// Every source, in fallback order.
    sources: Vec<SourceInfo>,
}

/// Every source the server knows, in fallback order.
#[utoipa::path(
    get,
    path = "/api/v1/sources",
    tag = "catalog",
    responses((status = 200, description = "Every source, configured or not, with its limits.", body = Sources)),
)]
pub async fn list(State(state): State<AppState>) -> Json<Sources> {
    Json(Sources {
        sources: state.sources.to_vec(),
    })
}
