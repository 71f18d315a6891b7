//! Saved portfolios: `GET|POST /api/v1/portfolios`, `GET|PUT|DELETE /api/v1/portfolios/{id}`.
//! Writes pass through [`crate::auth::require_token_for_writes`].

use crate::error::ApiError;
use crate::service::portfolios::validate;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use store::{NewPortfolio, Portfolio};
use utoipa::ToSchema;

/// The list answer.
#[derive(Serialize, ToSchema)]
pub struct PortfolioList {
    /// Every saved portfolio, oldest first.
    portfolios: Vec<Portfolio>,
}

/// Every saved portfolio.
#[utoipa::path(
    get,
    path = "/api/v1/portfolios",
    tag = "portfolios",
    responses((status = 200, description = "Every saved portfolio.", body = PortfolioList)),
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<PortfolioList>, ApiError> {
    Ok(Json(PortfolioList {
        portfolios: state.store.portfolios().await?,
    }))
}

/// Saves a new portfolio; 201 with it.
#[utoipa::path(
    post,
    path = "/api/v1/portfolios",
    tag = "portfolios",
    request_body = NewPortfolio,
    security(("bearer" = [])),
    responses((status = 201, description = "Saved.", body = Portfolio)),
)]
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<NewPortfolio>,
) -> Result<(StatusCode, Json<Portfolio>), ApiError> {
    let portfolio = validate(&state, body).await?;
    let saved = state.store.create_portfolio(&portfolio).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// One saved portfolio.
#[utoipa::path(
    get,
    path = "/api/v1/portfolios/{id}",
    tag = "portfolios",
    params(("id" = i64, Path, description = "The portfolio's id.")),
    responses((status = 200, description = "The portfolio.", body = Portfolio)),
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Portfolio>, ApiError> {
    Ok(Json(state.store.portfolio(id).await?))
}

/// Replaces a saved portfolio whole.
#[utoipa::path(
    put,
    path = "/api/v1/portfolios/{id}",
    tag = "portfolios",
    params(("id" = i64, Path, description = "The portfolio's id.")),
    request_body = NewPortfolio,
    security(("bearer" = [])),
    responses((status = 200, description = "The portfolio as replaced.", body = Portfolio)),
)]
pub async fn replace(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<NewPortfolio>,
) -> Result<Json<Portfolio>, ApiError> {
    let portfolio = validate(&state, body).await?;
    Ok(Json(state.store.update_portfolio(id, &portfolio).await?))
}

/// Deletes a saved portfolio; 204.
#[utoipa::path(
    delete,
    path = "/api/v1/portfolios/{id}",
    tag = "portfolios",
    params(("id" = i64, Path, description = "The portfolio's id.")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted.")),
)]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_portfolio(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
