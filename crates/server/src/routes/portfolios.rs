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

/// The list answer.
#[derive(Serialize)]
pub struct PortfolioList {
    portfolios: Vec<Portfolio>,
}

/// Every saved portfolio.
pub async fn list(State(state): State<AppState>) -> Result<Json<PortfolioList>, ApiError> {
    Ok(Json(PortfolioList {
        portfolios: state.store.portfolios().await?,
    }))
}

/// Saves a new portfolio; 201 with it.
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<NewPortfolio>,
) -> Result<(StatusCode, Json<Portfolio>), ApiError> {
    let portfolio = validate(&state, body).await?;
    let saved = state.store.create_portfolio(&portfolio).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// One saved portfolio.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Portfolio>, ApiError> {
    Ok(Json(state.store.portfolio(id).await?))
}

/// Replaces a saved portfolio whole.
pub async fn replace(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<NewPortfolio>,
) -> Result<Json<Portfolio>, ApiError> {
    let portfolio = validate(&state, body).await?;
    Ok(Json(state.store.update_portfolio(id, &portfolio).await?))
}

/// Deletes a saved portfolio; 204.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_portfolio(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
