//! Validation of saved portfolios before they reach the store.

use crate::error::{ApiError, ErrorKind};
use crate::service::prices::canonical_symbol;
use crate::state::AppState;
use serde_json::json;
use store::NewPortfolio;

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Most assets a portfolio may hold.
pub const MAX_ASSETS: usize = 50;

/// Checks a portfolio and returns it tidied (name trimmed, symbols as the catalog spells them).
///
/// Every problem is reported at once in `details.problems`, each with the field it is about,
/// so that a form can mark them all.
pub async fn validate(state: &AppState, portfolio: NewPortfolio) -> Result<NewPortfolio, ApiError> {
    let mut problems = Vec::new();
    let mut tidy = portfolio.clone();
    tidy.name = portfolio.name.trim().to_string();
    if tidy.name.is_empty() {
        problems.push(json!({"field": "name", "problem": "must not be empty"}));
    } else if tidy.name.chars().count() > MAX_NAME_CHARS {
        problems.push(json!({"field": "name", "problem": format!("must be at most {MAX_NAME_CHARS} characters")}));
    }
    if tidy.assets.is_empty() || tidy.assets.len() > MAX_ASSETS {
        problems.push(
            json!({"field": "assets", "problem": format!("must hold 1 to {MAX_ASSETS} assets")}),
        );
    }
    for (index, asset) in tidy.assets.iter_mut().enumerate() {
        let field = |name: &str| format!("assets[{index}].{name}");
        if !(asset.weight.is_finite() && asset.weight > 0.0) {
            problems
                .push(json!({"field": field("weight"), "problem": "must be a positive number"}));
        }
        if state.source(&asset.source).is_none() {
            problems.push(json!({"field": field("source"), "problem": format!("unknown source '{}'", asset.source)}));
            continue;
        }
        match canonical_symbol(state, &[asset.source.as_str()], &asset.symbol).await {
            Ok(symbol) => asset.symbol = symbol,
            Err(error) if error.kind == ErrorKind::Validation => {
                problems.push(json!({"field": field("symbol"), "problem": error.message}));
            }
            Err(error) => return Err(error),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (index, asset) in tidy.assets.iter().enumerate() {
        if !seen.insert((asset.source.as_str(), asset.symbol.as_str())) {
            problems.push(json!({
                "field": format!("assets[{index}]"),
                "problem": format!("{} on {} is listed twice", asset.symbol, asset.source),
            }));
        }
    }
    if problems.is_empty() {
        return Ok(tidy);
    }
    let first = problems[0]["field"]
        .as_str()
        .unwrap_or("portfolio")
        .to_string();
    let message = if problems.len() == 1 {
        format!(
            "the portfolio is not valid: {first} {}",
            problems[0]["problem"].as_str().unwrap_or_default()
        )
    } else {
        format!(
            "the portfolio is not valid: {} problems, see details",
            problems.len()
        )
    };
    Err(ApiError::new(ErrorKind::Validation, message).with_details(json!({ "problems": problems })))
}
