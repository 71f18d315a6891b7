//! The catalog file's shape as written, and the rules an entry must follow before it becomes a
//! [`Commodity`]. Kept apart from the look-ups so each file stays readable.

use super::{Catalog, Category, Commodity, DEMO_SOURCE, SourceEntry};
use crate::error::MarketDataError;
use serde::Deserialize;
use std::collections::BTreeMap;
use store::Interval;

/// The file as written: one array of tables per category, so an unknown category is an unknown key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalog {
    #[serde(default)]
    pub energy: Vec<RawCommodity>,
    #[serde(default)]
    pub precious_metals: Vec<RawCommodity>,
    #[serde(default)]
    pub industrial_metals: Vec<RawCommodity>,
    #[serde(default)]
    pub agriculture: Vec<RawCommodity>,
    #[serde(default)]
    pub livestock: Vec<RawCommodity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCommodity {
    symbol: String,
    name: String,
    unit: String,
    #[serde(default)]
    sources: BTreeMap<String, RawSourceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourceEntry {
    code: String,
    #[serde(default)]
    aliases: Vec<String>,
    endpoint: Option<String>,
    interval: Interval,
    price_unit: Option<String>,
    scale: Option<f64>,
}

/// Builds `CatalogInvalid` errors for one entry of one file.
pub(super) struct Problem<'a> {
    pub origin: &'a str,
    pub entry: String,
}

impl Problem<'_> {
    pub fn at(&self, key: impl Into<String>, problem: impl Into<String>) -> MarketDataError {
        MarketDataError::CatalogInvalid {
            origin: self.origin.to_string(),
            entry: self.entry.clone(),
            key: key.into(),
            problem: problem.into(),
        }
    }
}

/// Checks one entry of the file and turns it into a commodity, adding the implicit `demo` offer.
pub(super) fn validate_commodity(
    origin: &str,
    category: Category,
    position: usize,
    raw: RawCommodity,
) -> Result<Commodity, MarketDataError> {
    let symbol = raw.symbol.trim().to_string();
    // Until the symbol is known good, name the entry by its position so the user can find it.
    let mut problem = Problem {
        origin,
        entry: format!("{category} entry #{}", position + 1),
    };
    let well_formed = symbol.starts_with(|c: char| c.is_ascii_uppercase())
        && symbol
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Err(problem.at(
            "symbol",
            format!(
                "'{symbol}' is not a symbol: use capitals, digits and _, starting with a letter"
            ),
        ));
    }
    problem.entry = format!("{category} {symbol}");
    let name = non_empty(&problem, "name", &raw.name)?;
    let unit = non_empty(&problem, "unit", &raw.unit)?;
    let currency = currency_of(&unit).ok_or_else(|| {
        problem.at(
            "unit",
            format!(
                "'{unit}' does not name its currency: write it as CUR/quantity with an ISO 4217 \
                 code, e.g. USD/bbl or EUR/MWh"
            ),
        )
    })?;

    let mut sources = BTreeMap::new();
    for (source_id, raw_entry) in raw.sources {
        let key = format!("sources.{source_id}");
        if source_id == DEMO_SOURCE {
            return Err(problem.at(
                key,
                "the demo source offers every commodity already; remove this entry",
            ));
        }
        if !Catalog::is_known_source(&source_id) {
            return Err(problem.at(
                key,
                format!(
                    "unknown source '{source_id}'; known sources: {}",
                    Catalog::source_ids()
                        .into_iter()
                        .filter(|id| *id != DEMO_SOURCE)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let code = non_empty(&problem, &format!("{key}.code"), &raw_entry.code)?;
        let aliases = raw_entry
            .aliases
            .iter()
            .map(|alias| non_empty(&problem, &format!("{key}.aliases"), alias))
            .collect::<Result<Vec<_>, _>>()?;
        let endpoint = raw_entry
            .endpoint
            .as_deref()
            .map(|e| non_empty(&problem, &format!("{key}.endpoint"), e))
            .transpose()?;
        if raw_entry.interval == Interval::Intraday {
            return Err(problem.at(
                format!("{key}.interval"),
                "intraday bars are cached, not stored: give the finest of daily, weekly, monthly, quarterly, annual",
            ));
        }
        let price_unit = match raw_entry.price_unit.as_deref() {
            Some(u) => non_empty(&problem, &format!("{key}.price_unit"), u)?,
            None => unit.clone(),
        };
        let scale = raw_entry.scale.unwrap_or(1.0);
        if !(scale.is_finite() && scale > 0.0) {
            return Err(problem.at(
                format!("{key}.scale"),
                format!("{scale} is not a positive number"),
            ));
        }
        sources.insert(
            source_id,
            SourceEntry {
                code,
                aliases,
                endpoint,
                interval: raw_entry.interval,
                price_unit,
                scale,
            },
        );
    }
    sources.insert(
        DEMO_SOURCE.to_string(),
        SourceEntry {
            code: symbol.clone(),
            aliases: Vec::new(),
            endpoint: None,
            interval: Interval::Daily,
            price_unit: unit.clone(),
            scale: 1.0,
        },
    );
    Ok(Commodity {
        symbol,
        name,
        category,
        unit,
        currency,
        sources,
    })
}

/// The ISO 4217 code a unit starts with (`EUR` of `EUR/MWh`), if it is written `CUR/quantity`.
/// The currency is read from the unit rather than written beside it, so the two cannot
/// disagree.
fn currency_of(unit: &str) -> Option<String> {
    let (currency, quantity) = unit.split_once('/')?;
    let is_code = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
    (is_code && !quantity.trim().is_empty()).then(|| currency.to_string())
}

/// The trimmed value, or an error naming the key if nothing is left.
fn non_empty(problem: &Problem<'_>, key: &str, value: &str) -> Result<String, MarketDataError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(problem.at(key, "must not be empty"))
    } else {
        Ok(trimmed.to_string())
    }
}
