//! Validation of saved portfolios before they reach the store.

use crate::service::prices::canonical_symbol;
use crate::service::{Error, Problem};
use crate::state::AppState;
use store::NewPortfolio;

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Most assets a portfolio may hold.
pub const MAX_ASSETS: usize = 50;

/// Checks a portfolio and returns it tidied (name trimmed, symbols as the catalog spells them).
///
/// Every problem is reported at once in `details.problems`, each with the field it is about,
/// so that a form can mark them all.
pub async fn validate(state: &AppState, portfolio: NewPortfolio) -> Result<NewPortfolio, Error> {
    let mut problems = Vec::new();
    let mut problem = |field: String, text: String| {
        problems.push(Problem {
            field,
            problem: text,
        })
    };
    let mut tidy = portfolio.clone();
    tidy.name = portfolio.name.trim().to_string();
    if tidy.name.is_empty() {
        problem("name".into(), "must not be empty".into());
    } else if tidy.name.chars().count() > MAX_NAME_CHARS {
        problem(
            "name".into(),
            format!("must be at most {MAX_NAME_CHARS} characters"),
        );
    }
    if tidy.assets.is_empty() || tidy.assets.len() > MAX_ASSETS {
        problem(
            "assets".into(),
            format!("must hold 1 to {MAX_ASSETS} assets"),
        );
    }
    for (index, asset) in tidy.assets.iter_mut().enumerate() {
        let field = |name: &str| format!("assets[{index}].{name}");
        if !(asset.weight.is_finite() && asset.weight > 0.0) {
            problem(field("weight"), "must be a positive number".into());
        }
        if state.source(&asset.source).is_none() {
            problem(
                field("source"),
                format!("unknown source '{}'", asset.source),
            );
            continue;
        }
        match canonical_symbol(state, &[asset.source.as_str()], &asset.symbol).await {
            Ok(symbol) => asset.symbol = symbol,
            Err(error) if error.is_invalid() => problem(field("symbol"), error.to_string()),
            Err(error) => return Err(error),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (index, asset) in tidy.assets.iter().enumerate() {
        if !seen.insert((asset.source.as_str(), asset.symbol.as_str())) {
            problem(
                format!("assets[{index}]"),
                format!("{} on {} is listed twice", asset.symbol, asset.source),
            );
        }
    }
    if problems.is_empty() {
        Ok(tidy)
    } else {
        Err(Error::InvalidPortfolio(problems))
    }
}
