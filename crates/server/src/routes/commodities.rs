//! `GET /api/v1/commodities[?source=]`: the catalog, grouped by category.

use crate::error::ApiError;
use crate::service::prices::check_source;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use market_data::{Category, Commodity};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Query of the catalog.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommoditiesQuery {
    /// Only what this source offers; every commodity when absent.
    source: Option<String>,
}

/// The catalog answer.
#[derive(Serialize, ToSchema)]
pub struct Commodities<'a> {
    /// The source asked about, if any.
    source: Option<String>,
    /// Non-empty categories in display order.
    categories: Vec<Group<'a>>,
}

/// One category of commodities.
#[derive(Serialize, ToSchema)]
pub struct Group<'a> {
    /// Its id (`energy`, `precious_metals`, ...).
    category: Category,
    /// Its name for people.
    label: &'static str,
    /// Its commodities, each with the sources that offer it.
    #[schema(value_type = Vec<Commodity>)]
    commodities: Vec<&'a Commodity>,
}

/// The catalog grouped by category, for one source or all.
#[utoipa::path(
    get,
    path = "/api/v1/commodities",
    tag = "catalog",
    params(CommoditiesQuery),
    responses((status = 200, description = "Non-empty categories in display order.", body = Commodities)),
)]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<CommoditiesQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let source = query.source.filter(|s| !s.is_empty());
    if let Some(source) = &source {
        check_source(&state, source)?;
    }
    let categories = Category::ALL
        .into_iter()
        .map(|category| Group {
            category,
            label: category.label(),
            commodities: state
                .catalog
                .commodities()
                .iter()
                .filter(|c| c.category == category)
                .filter(|c| source.as_deref().is_none_or(|s| c.source(s).is_some()))
                .collect(),
        })
        .filter(|group| !group.commodities.is_empty())
        .collect();
    // Serialised here because the groups borrow the catalog held by `state`.
    let body = serde_json::to_value(Commodities { source, categories }).map_err(|error| {
        tracing::error!(%error, "cannot serialise the catalog");
        ApiError::new(crate::ErrorKind::Internal, "internal error")
    })?;
    Ok(Json(body))
}
