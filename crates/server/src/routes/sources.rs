//! `GET /api/v1/sources`: every source, enabled or not, with its limits and health.

use crate::state::{AppState, SourceInfo};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use market_data::fallback::Fallback;
use serde::Serialize;
use utoipa::ToSchema;

/// The list of sources.
#[derive(Serialize, ToSchema)]
pub struct Sources {
    sources: Vec<SourceView>,
}

/// One source: what the settings say of it, and how it is doing.
#[derive(Serialize, ToSchema)]
pub struct SourceView {
    #[serde(flatten)]
    info: SourceInfo,
    health: HealthView,
}

/// A source's health. Every text is key-free (the transport builds them without the key).
#[derive(Serialize, Default, ToSchema)]
pub struct HealthView {
    /// False when the source cannot be called (no key, disabled) or rejected its key.
    healthy: bool,
    /// Why the source cannot be called, when it cannot.
    unavailable: Option<String>,
    /// When a call last returned data (this instance).
    last_success: Option<DateTime<Utc>>,
    /// The last failure (this instance).
    last_error: Option<String>,
    /// When the last failure happened.
    last_error_at: Option<DateTime<Utc>>,
    /// Requests counted against the key today (UTC): every instance's, with Redis.
    requests_today: Option<u32>,
    /// Requests left today, when the source has a daily quota.
    quota_left: Option<u32>,
}

/// Every source the server knows, in fallback order, with its health.
#[utoipa::path(
    get,
    path = "/api/v1/sources",
    tag = "catalog",
    responses((status = 200, description = "Every source, configured or not, with its limits and health.", body = Sources)),
)]
pub async fn list(State(state): State<AppState>) -> Json<Sources> {
    let registry = state.market.registry();
    let mut sources = Vec::with_capacity(state.sources.len());
    for info in state.sources.iter() {
        let health = if !Fallback::is_fetchable(&info.id) {
            // Stored-only sources (csv, demo) have nothing to call, so nothing can fail.
            HealthView {
                healthy: info.enabled,
                ..HealthView::default()
            }
        } else if let Some(health) = registry.health(&info.id).await {
            HealthView {
                healthy: health.healthy,
                unavailable: None,
                last_success: health.last_success,
                last_error: health.last_error,
                last_error_at: health.last_error_at,
                requests_today: Some(health.requests_today),
                quota_left: health.quota_left,
            }
        } else {
            HealthView {
                unavailable: registry.unavailable_reason(&info.id),
                ..HealthView::default()
            }
        };
        sources.push(SourceView {
            info: info.clone(),
            health,
        });
    }
    Json(Sources { sources })
}
