//! The commodity catalog: which commodities each source offers, under which code, at which interval
//! and in which unit. Loaded from `config/catalog.toml` (the file's header documents its shape) or from
//! the copy embedded in the binary, and validated before use.

mod validate;

use crate::error::MarketDataError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use store::Interval;
use validate::{Problem, RawCatalog, validate_commodity};

/// The id of the simulated source, which offers every commodity of the catalog.
pub const DEMO_SOURCE: &str = "demo";

/// The default catalog, compiled in so that the binary works from any directory.
pub const EMBEDDED_CATALOG_TOML: &str = include_str!("../../../config/catalog.toml");

/// How errors name the embedded catalog (a user never sees a path of ours).
const EMBEDDED_ORIGIN: &str = "embedded config/catalog.toml";

/// A family of commodities; the catalog and the dashboard group by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Crude oil, refined products, natural gas.
    Energy,
    /// Gold, silver, platinum, palladium.
    PreciousMetals,
    /// Copper, aluminum.
    IndustrialMetals,
    /// Grains, oilseeds, softs, forest products, fertilizers.
    Agriculture,
    /// Cattle, hogs, dairy.
    Livestock,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 5] = [
        Category::Energy,
        Category::PreciousMetals,
        Category::IndustrialMetals,
        Category::Agriculture,
        Category::Livestock,
    ];

    /// The snake_case id used in the catalog file and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Energy => "energy",
            Category::PreciousMetals => "precious_metals",
            Category::IndustrialMetals => "industrial_metals",
            Category::Agriculture => "agriculture",
            Category::Livestock => "livestock",
        }
    }

    /// A human label for the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            Category::Energy => "Energy",
            Category::PreciousMetals => "Precious metals",
            Category::IndustrialMetals => "Industrial metals",
            Category::Agriculture => "Agriculture",
            Category::Livestock => "Livestock",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == lower)
            .ok_or_else(|| {
                format!(
                    "unknown category '{s}': expected one of {}",
                    Category::ALL.map(Category::as_str).join(", ")
                )
            })
    }
}

/// What one source offers for one commodity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SourceEntry {
    /// The provider's own code for the commodity (`CLUSD`, `crude_oil`, `WTIOIL-FUT`...).
    pub code: String,
    /// Other provider codes for the same series (micro contracts, older API versions).
    pub aliases: Vec<String>,
    /// The provider function to call when the code does not imply it (Alpha Vantage gold and silver).
    pub endpoint: Option<String>,
    /// The finest interval of history the provider has for it.
    pub interval: Interval,
    /// The unit the provider quotes in (`USX/bu` is US cents a bushel).
    pub price_unit: String,
    /// Multiply the provider's number by this to get the commodity's `unit`.
    pub scale: f64,
}

impl SourceEntry {
    /// Converts a number as the provider quotes it into the commodity's unit.
    pub fn to_catalog_unit(&self, provider_value: f64) -> f64 {
        provider_value * self.scale
    }
}

/// One commodity with our stable symbol and what each source offers for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", schema(example = json!({"symbol": "GOLD", "name": "Gold", "category": "precious_metals", "unit": "USD/troy oz", "currency": "USD", "sources": {"demo": {"code": "GOLD", "aliases": [], "endpoint": null, "interval": "daily", "price_unit": "USD/troy oz", "scale": 1.0}}})))]
pub struct Commodity {
    /// Our stable symbol (`GOLD`, `WTI`...), the same across sources.
    pub symbol: String,
    /// A human name.
    pub name: String,
    /// Its family.
    pub category: Category,
    /// The unit we store and show prices in (`USD/troy oz`, `EUR/MWh`...).
    pub unit: String,
    /// The currency of its prices, as the unit names it (`USD`, `EUR` for TTF gas, `MYR` for
    /// palm oil). Prices are stored and served in it; nothing is converted.
    pub currency: String,
    /// What each source offers, by source id; always includes `demo`.
    pub sources: BTreeMap<String, SourceEntry>,
}

impl Commodity {
    /// What the given source offers for this commodity, if anything.
    pub fn source(&self, source_id: &str) -> Option<&SourceEntry> {
        self.sources.get(source_id)
    }
}

/// The commodities of one category, in catalog order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryGroup<'a> {
    /// The category.
    pub category: Category,
    /// Its commodities, in the order of the catalog file.
    pub commodities: Vec<&'a Commodity>,
}

/// The validated catalog with its look-up indexes.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Ordered by category, then by position in the file.
    commodities: Vec<Commodity>,
    /// Upper-cased symbol → index into `commodities`.
    by_symbol: HashMap<String, usize>,
    /// (source id, lower-cased code or alias) → index into `commodities`.
    by_code: HashMap<(String, String), usize>,
}

impl Catalog {
    /// The catalog compiled into the binary (a copy of `config/catalog.toml`).
    pub fn embedded() -> Result<Self, MarketDataError> {
        Self::from_toml_str(EMBEDDED_CATALOG_TOML, EMBEDDED_ORIGIN)
    }

    /// Reads and validates a catalog file; errors name the file.
    pub fn from_path(path: &Path) -> Result<Self, MarketDataError> {
        let text = std::fs::read_to_string(path).map_err(|cause| MarketDataError::CatalogRead {
            path: path.to_path_buf(),
            cause: std::sync::Arc::new(cause),
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses and validates catalog text; `origin` names it in errors (a file name, say).
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, MarketDataError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| MarketDataError::CatalogParse {
            origin: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let groups = [
            (Category::Energy, raw.energy),
            (Category::PreciousMetals, raw.precious_metals),
            (Category::IndustrialMetals, raw.industrial_metals),
            (Category::Agriculture, raw.agriculture),
            (Category::Livestock, raw.livestock),
        ];
        let mut catalog = Catalog {
            commodities: Vec::new(),
            by_symbol: HashMap::new(),
            by_code: HashMap::new(),
        };
        for (category, entries) in groups {
            for (position, raw) in entries.into_iter().enumerate() {
                let commodity = validate_commodity(origin, category, position, raw)?;
                catalog.insert(origin, commodity)?;
            }
        }
        Ok(catalog)
    }

    /// Adds a validated commodity, refusing duplicate symbols and codes claimed twice on a source.
    fn insert(&mut self, origin: &str, commodity: Commodity) -> Result<(), MarketDataError> {
        let problem = Problem {
            origin,
            entry: format!("{} {}", commodity.category, commodity.symbol),
        };
        let index = self.commodities.len();
        if let Some(&first) = self.by_symbol.get(&commodity.symbol) {
            let first = &self.commodities[first];
            return Err(problem.at(
                "symbol",
                format!(
                    "duplicate symbol {}: already defined under {}",
                    commodity.symbol, first.category
                ),
            ));
        }
        // Reverse look-ups must be unambiguous: one provider code, one of our symbols.
        let mut claimed = Vec::new();
        for (source_id, entry) in &commodity.sources {
            for code in std::iter::once(&entry.code).chain(&entry.aliases) {
                let key = (source_id.clone(), code.to_lowercase());
                if let Some(&other) = self.by_code.get(&key) {
                    return Err(problem.at(
                        format!("sources.{source_id}.code"),
                        format!(
                            "code '{code}' is already used by {} on {source_id}",
                            self.commodities[other].symbol
                        ),
                    ));
                }
                claimed.push(key);
            }
        }
        for key in claimed {
            self.by_code.insert(key, index);
        }
        self.by_symbol.insert(commodity.symbol.clone(), index);
        self.commodities.push(commodity);
        Ok(())
    }

    /// Every commodity, ordered by category and then as in the file.
    pub fn commodities(&self) -> &[Commodity] {
        &self.commodities
    }

    /// The commodity with our symbol (any case).
    pub fn commodity(&self, symbol: &str) -> Option<&Commodity> {
        self.by_symbol
            .get(&symbol.trim().to_ascii_uppercase())
            .map(|&i| &self.commodities[i])
    }

    /// Every known source id.
    pub fn source_ids() -> Vec<&'static str> {
        crate::sources::ALL
            .iter()
            .filter(|source| source.is_http() || source.simulated)
            .map(|source| source.id)
            .collect()
    }

    /// Whether `source_id` is one the catalog knows.
    pub fn is_known_source(source_id: &str) -> bool {
        Self::source_ids().contains(&source_id)
    }

    /// The commodities a source offers, grouped by category in display order (empty groups left out).
    pub fn by_category(&self, source_id: &str) -> Result<Vec<CategoryGroup<'_>>, MarketDataError> {
        check_source(source_id)?;
        let groups = Category::ALL
            .into_iter()
            .map(|category| CategoryGroup {
                category,
                commodities: self
                    .commodities
                    .iter()
                    .filter(|c| c.category == category && c.sources.contains_key(source_id))
                    .collect(),
            })
            .filter(|group| !group.commodities.is_empty())
            .collect();
        Ok(groups)
    }

    /// Our symbols that a source offers, in catalog order.
    pub fn symbols(&self, source_id: &str) -> Result<Vec<&str>, MarketDataError> {
        check_source(source_id)?;
        Ok(self
            .commodities
            .iter()
            .filter(|c| c.sources.contains_key(source_id))
            .map(|c| c.symbol.as_str())
            .collect())
    }

    /// What a source offers for our symbol (any case), if it offers it.
    pub fn entry(&self, source_id: &str, symbol: &str) -> Option<&SourceEntry> {
        self.commodity(symbol)?.source(source_id)
    }

    /// Like [`Catalog::entry`], but an unknown source or symbol is an error that lists what is known.
    pub fn require(
        &self,
        source_id: &str,
        symbol: &str,
    ) -> Result<(&Commodity, &SourceEntry), MarketDataError> {
        check_source(source_id)?;
        self.commodity(symbol)
            .and_then(|c| c.source(source_id).map(|e| (c, e)))
            .ok_or_else(|| MarketDataError::UnknownSymbol {
                source_id: source_id.to_string(),
                symbol: symbol.to_string(),
                known: self.symbols(source_id).unwrap_or_default().join(", "),
            })
    }

    /// The provider's code for our symbol on a source.
    pub fn code_for(&self, source_id: &str, symbol: &str) -> Option<&str> {
        self.entry(source_id, symbol).map(|e| e.code.as_str())
    }

    /// Our symbol for a provider's code or alias on a source, ignoring case.
    pub fn symbol_for(&self, source_id: &str, code: &str) -> Option<&str> {
        self.by_code
            .get(&(source_id.to_string(), code.trim().to_lowercase()))
            .map(|&i| self.commodities[i].symbol.as_str())
    }

    /// The finest interval of history a source has for our symbol.
    pub fn finest_interval(&self, source_id: &str, symbol: &str) -> Option<Interval> {
        self.entry(source_id, symbol).map(|e| e.interval)
    }

    /// The factor from a source's quoted number to our unit for a symbol (0.01 for US cents).
    pub fn scale(&self, source_id: &str, symbol: &str) -> Option<f64> {
        self.entry(source_id, symbol).map(|e| e.scale)
    }
}

fn check_source(source_id: &str) -> Result<(), MarketDataError> {
    if Catalog::is_known_source(source_id) {
        Ok(())
    } else {
        Err(MarketDataError::UnknownSource {
            source_id: source_id.to_string(),
            known: Catalog::source_ids().join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Catalog, MarketDataError> {
        Catalog::from_toml_str(text, "test.toml")
    }

    #[test]
    fn embedded_catalog_loads_and_covers_every_category() {
        let catalog = Catalog::embedded().expect("embedded catalog is valid");
        let groups = catalog.by_category(DEMO_SOURCE).unwrap();
        let categories: Vec<_> = groups.iter().map(|g| g.category).collect();
        assert_eq!(categories, Category::ALL.to_vec());
    }

    #[test]
    fn demo_offers_every_commodity_daily_under_our_symbol() {
        let catalog = Catalog::embedded().unwrap();
        for commodity in catalog.commodities() {
            let entry = commodity.source(DEMO_SOURCE).unwrap();
            assert_eq!(entry.code, commodity.symbol);
            assert_eq!(entry.interval, Interval::Daily);
            assert_eq!(entry.scale, 1.0);
        }
    }

    #[test]
    fn symbol_lookup_ignores_case() {
        let catalog = Catalog::embedded().unwrap();
        assert_eq!(catalog.commodity("gold").unwrap().symbol, "GOLD");
        assert_eq!(catalog.symbol_for("fmp", "gcusd"), Some("GOLD"));
        assert_eq!(catalog.symbol_for("api_ninjas", "MICRO_GOLD"), Some("GOLD"));
    }

    #[test]
    fn unknown_category_table_is_rejected_naming_it() {
        let err =
            load("[[metals]]\nsymbol = \"GOLD\"\nname = \"Gold\"\nunit = \"USD\"\n").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("test.toml"), "{message}");
        assert!(message.contains("metals"), "{message}");
    }

    #[test]
    fn lowercase_symbol_is_rejected() {
        let err =
            load("[[energy]]\nsymbol = \"wti\"\nname = \"WTI\"\nunit = \"USD/bbl\"\n").unwrap_err();
        assert!(err.to_string().contains("energy entry #1"), "{err}");
    }

    #[test]
    fn zero_scale_is_rejected_naming_the_key() {
        let text = "[[energy]]\nsymbol = \"WTI\"\nname = \"WTI\"\nunit = \"USD/bbl\"\n\
                    sources.fmp = { code = \"CLUSD\", interval = \"daily\", scale = 0 }\n";
        let err = load(text).unwrap_err().to_string();
        assert!(err.contains("energy WTI: sources.fmp.scale"), "{err}");
    }

    #[test]
    fn intraday_interval_is_rejected() {
        let text = "[[energy]]\nsymbol = \"WTI\"\nname = \"WTI\"\nunit = \"USD/bbl\"\n\
                    sources.fmp = { code = \"CLUSD\", interval = \"intraday\" }\n";
        let err = load(text).unwrap_err().to_string();
        assert!(err.contains("sources.fmp.interval"), "{err}");
    }

    #[test]
    fn every_commodity_has_the_currency_its_unit_names() {
        let catalog = Catalog::embedded().unwrap();
        for commodity in catalog.commodities() {
            assert!(
                commodity
                    .unit
                    .starts_with(&format!("{}/", commodity.currency)),
                "{}: {} in {}",
                commodity.symbol,
                commodity.unit,
                commodity.currency
            );
        }
        assert_eq!(catalog.commodity("GOLD").unwrap().currency, "USD");
        assert_eq!(catalog.commodity("TTF_GAS").unwrap().currency, "EUR");
        assert_eq!(catalog.commodity("PALM_OIL").unwrap().currency, "MYR");
    }

    #[test]
    fn a_unit_without_a_currency_is_rejected_naming_the_key() {
        for unit in ["bbl", "usd/bbl", "DOLLARS/bbl", "USD/"] {
            let text = format!("[[energy]]\nsymbol = \"WTI\"\nname = \"WTI\"\nunit = \"{unit}\"\n");
            let err = load(&text).unwrap_err().to_string();
            assert!(err.contains("energy WTI: unit"), "{unit}: {err}");
            assert!(err.contains("currency"), "{unit}: {err}");
        }
    }

    #[test]
    fn category_parses_from_its_id() {
        assert_eq!(
            "precious_metals".parse::<Category>(),
            Ok(Category::PreciousMetals)
        );
        assert!("metals".parse::<Category>().is_err());
    }
}
