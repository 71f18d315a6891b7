//! The catalog: the shipped file is valid and complete, and bad input is reported naming the entry.

use market_data::MarketDataError;
use market_data::catalog::{Catalog, Category, DEMO_SOURCE};
use store::Interval;

const ONE_ENTRY: &str = r#"
[[energy]]
symbol = "WTI"
name = "Crude oil, WTI"
unit = "USD/bbl"
sources.fmp = { code = "CLUSD", interval = "daily" }
"#;

fn load(text: &str) -> Result<Catalog, MarketDataError> {
    Catalog::from_toml_str(text, "my-catalog.toml")
}

fn error_text(text: &str) -> String {
    load(text)
        .expect_err("catalog should be rejected")
        .to_string()
}

/// Every provider code that /work/shared/providers.md lists, with the symbol it must map back to.
const PROVIDER_CODES: &[(&str, &[(&str, &str)])] = &[
    (
        "alpha_vantage",
        &[
            ("WTI", "WTI"),
            ("BRENT", "BRENT"),
            ("NATURAL_GAS", "NATURAL_GAS"),
            ("COPPER", "COPPER"),
            ("ALUMINUM", "ALUMINUM"),
            ("WHEAT", "WHEAT"),
            ("CORN", "CORN"),
            ("COTTON", "COTTON"),
            ("SUGAR", "SUGAR"),
            ("COFFEE", "COFFEE"),
            ("GOLD", "GOLD"),
            ("XAU", "GOLD"),
            ("SILVER", "SILVER"),
            ("XAG", "SILVER"),
        ],
    ),
    (
        "fmp",
        &[
            ("GCUSD", "GOLD"),
            ("CLUSD", "WTI"),
            ("NGUSD", "NATURAL_GAS"),
            ("PLUSD", "PLATINUM"),
            ("DCUSD", "MILK"),
            ("ZMUSD", "SOYBEAN_MEAL"),
            ("HEUSX", "LEAN_HOGS"),
            ("KEUSX", "KC_WHEAT"),
            ("OUSX", "OATS"),
            ("SIUSD", "SILVER"),
            ("BZUSD", "BRENT"),
            ("HGUSD", "COPPER"),
        ],
    ),
    (
        "api_ninjas",
        &[
            ("crude_oil", "WTI"),
            ("brent_crude_oil", "BRENT"),
            ("natural_gas", "NATURAL_GAS"),
            ("heating_oil", "HEATING_OIL"),
            ("gasoline_rbob", "GASOLINE"),
            ("gold", "GOLD"),
            ("silver", "SILVER"),
            ("platinum", "PLATINUM"),
            ("palladium", "PALLADIUM"),
            ("micro_gold", "GOLD"),
            ("micro_silver", "SILVER"),
            ("copper", "COPPER"),
            ("aluminum", "ALUMINUM"),
            ("wheat", "WHEAT"),
            ("corn", "CORN"),
            ("soybean", "SOYBEANS"),
            ("soybean_oil", "SOYBEAN_OIL"),
            ("soybean_meal", "SOYBEAN_MEAL"),
            ("lumber", "LUMBER"),
            ("lean_hogs", "LEAN_HOGS"),
            ("live_cattle", "LIVE_CATTLE"),
            ("feeder_cattle", "FEEDER_CATTLE"),
            ("class_3_milk", "MILK"),
            ("rough_rice", "ROUGH_RICE"),
            ("oat", "OATS"),
            ("cotton", "COTTON"),
            ("coffee", "COFFEE"),
            ("sugar", "SUGAR"),
            ("cocoa", "COCOA"),
            ("orange_juice", "ORANGE_JUICE"),
        ],
    ),
    (
        "commodity_price_api",
        &[
            ("XAU", "GOLD"),
            ("XAG", "SILVER"),
            ("WTIOIL-FUT", "WTI"),
            ("WTIOIL", "WTI"),
            ("BRENTOIL-FUT", "BRENT"),
            ("NG-FUT", "NATURAL_GAS"),
            ("TTF-GAS", "TTF_GAS"),
            ("LGO", "GASOIL"),
            ("UREA", "UREA"),
            ("DIAPH", "DAP"),
            ("AL-FUT", "ALUMINUM"),
            ("ZW-FUT", "WHEAT"),
            ("CORN", "CORN"),
            ("SOYBEAN-FUT", "SOYBEANS"),
            ("PO", "PALM_OIL"),
            ("RB-SPOT", "GASOLINE"),
            ("ZL", "SOYBEAN_OIL"),
            ("ZM", "SOYBEAN_MEAL"),
        ],
    ),
];

#[test]
fn every_provider_code_from_providers_md_maps_back_to_our_symbol() {
    let catalog = Catalog::embedded().unwrap();
    for (source, codes) in PROVIDER_CODES {
        for (code, symbol) in *codes {
            assert_eq!(
                catalog.symbol_for(source, code),
                Some(*symbol),
                "{source} code {code}"
            );
            // Reverse look-ups ignore case: providers are not consistent about it.
            assert_eq!(
                catalog.symbol_for(source, &code.to_lowercase()),
                Some(*symbol)
            );
        }
    }
}

#[test]
fn every_code_round_trips_through_its_symbol() {
    let catalog = Catalog::embedded().unwrap();
    for commodity in catalog.commodities() {
        for (source, entry) in &commodity.sources {
            assert_eq!(
                catalog.symbol_for(source, &entry.code),
                Some(commodity.symbol.as_str())
            );
            assert_eq!(
                catalog.code_for(source, &commodity.symbol),
                Some(entry.code.as_str())
            );
        }
    }
}

#[test]
fn spec_symbols_are_in_the_catalog() {
    let catalog = Catalog::embedded().unwrap();
    for symbol in [
        "GOLD",
        "SILVER",
        "PLATINUM",
        "PALLADIUM",
        "WTI",
        "BRENT",
        "NATURAL_GAS",
        "HEATING_OIL",
        "GASOLINE",
        "COPPER",
        "ALUMINUM",
        "WHEAT",
        "CORN",
        "SOYBEANS",
        "COTTON",
        "SUGAR",
        "COFFEE",
        "COCOA",
        "OATS",
        "ROUGH_RICE",
        "LIVE_CATTLE",
        "LEAN_HOGS",
    ] {
        assert!(catalog.commodity(symbol).is_some(), "{symbol} missing");
    }
}

#[test]
fn finest_interval_is_daily_for_av_wti_and_monthly_for_av_copper() {
    let catalog = Catalog::embedded().unwrap();
    assert_eq!(
        catalog.finest_interval("alpha_vantage", "WTI"),
        Some(Interval::Daily)
    );
    assert_eq!(
        catalog.finest_interval("alpha_vantage", "COPPER"),
        Some(Interval::Monthly)
    );
    assert_eq!(
        catalog.finest_interval("demo", "COCOA"),
        Some(Interval::Daily)
    );
    assert_eq!(catalog.finest_interval("alpha_vantage", "COCOA"), None);
}

#[test]
fn cents_quotes_scale_to_dollars() {
    let catalog = Catalog::embedded().unwrap();
    assert_eq!(catalog.scale("fmp", "LEAN_HOGS"), Some(0.01));
    assert_eq!(catalog.scale("api_ninjas", "CORN"), Some(0.01));
    assert_eq!(catalog.scale("fmp", "GOLD"), Some(1.0));
    let corn = catalog.entry("api_ninjas", "CORN").unwrap();
    assert_eq!(corn.price_unit, "USX/bu");
    // The API Ninjas corn fixture quotes 438.25 US cents a bushel.
    assert!((corn.to_catalog_unit(438.25) - 4.3825).abs() < 1e-12);
}

#[test]
fn alpha_vantage_per_tonne_prices_convert_to_our_units() {
    let catalog = Catalog::embedded().unwrap();
    // The copper_monthly fixture: 9532.41 USD per metric ton is about 4.32 USD a pound.
    let copper = catalog.entry("alpha_vantage", "COPPER").unwrap();
    assert!((copper.to_catalog_unit(9532.41) - 4.3238).abs() < 1e-3);
    let wheat = catalog.entry("alpha_vantage", "WHEAT").unwrap();
    assert!((wheat.to_catalog_unit(250.0) - 6.804).abs() < 1e-3);
}

#[test]
fn alpha_vantage_gold_names_its_endpoint() {
    let catalog = Catalog::embedded().unwrap();
    let gold = catalog.entry("alpha_vantage", "GOLD").unwrap();
    assert_eq!(gold.endpoint.as_deref(), Some("GOLD_SILVER_HISTORY"));
    assert_eq!(gold.code, "XAU");
}

#[test]
fn a_source_groups_its_commodities_by_category_in_display_order() {
    let catalog = Catalog::embedded().unwrap();
    let groups = catalog.by_category("alpha_vantage").unwrap();
    let categories: Vec<Category> = groups.iter().map(|g| g.category).collect();
    assert_eq!(
        categories,
        [
            Category::Energy,
            Category::PreciousMetals,
            Category::IndustrialMetals,
            Category::Agriculture
        ]
    );
    let energy: Vec<&str> = groups[0]
        .commodities
        .iter()
        .map(|c| c.symbol.as_str())
        .collect();
    assert_eq!(energy, ["WTI", "BRENT", "NATURAL_GAS"]);
}

#[test]
fn demo_offers_the_whole_catalog() {
    let catalog = Catalog::embedded().unwrap();
    assert_eq!(
        catalog.symbols(DEMO_SOURCE).unwrap().len(),
        catalog.commodities().len()
    );
}

#[test]
fn unknown_source_in_a_lookup_is_an_error_listing_known_sources() {
    let catalog = Catalog::embedded().unwrap();
    let err = catalog.by_category("yahoo").unwrap_err().to_string();
    assert!(
        err.contains("yahoo") && err.contains("alpha_vantage"),
        "{err}"
    );
    let err = catalog
        .require("fmp", "COCOA_BUTTER")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("COCOA_BUTTER") && err.contains("GOLD"),
        "{err}"
    );
}

#[test]
fn a_minimal_catalog_loads() {
    let catalog = load(ONE_ENTRY).unwrap();
    assert_eq!(catalog.code_for("fmp", "wti"), Some("CLUSD"));
    assert_eq!(catalog.code_for(DEMO_SOURCE, "WTI"), Some("WTI"));
}

#[test]
fn invalid_toml_is_rejected_naming_the_file() {
    let err = error_text("[[energy]\nsymbol = ");
    assert!(err.contains("my-catalog.toml"), "{err}");
}

#[test]
fn duplicate_symbol_is_rejected_naming_the_entry() {
    let text = format!(
        "{ONE_ENTRY}\n[[agriculture]]\nsymbol = \"WTI\"\nname = \"Again\"\nunit = \"USD/bbl\"\n"
    );
    let err = error_text(&text);
    assert!(err.contains("agriculture WTI"), "{err}");
    assert!(err.contains("duplicate symbol"), "{err}");
    assert!(err.contains("energy"), "{err}");
}

#[test]
fn unknown_source_is_rejected_naming_the_entry_and_the_source() {
    let text = ONE_ENTRY.replace("sources.fmp", "sources.yahoo");
    let err = error_text(&text);
    assert!(err.contains("my-catalog.toml"), "{err}");
    assert!(err.contains("energy WTI"), "{err}");
    assert!(err.contains("sources.yahoo"), "{err}");
    assert!(err.contains("alpha_vantage"), "{err}");
}

#[test]
fn a_demo_entry_is_rejected_because_demo_is_implicit() {
    let text = format!("{ONE_ENTRY}sources.demo = {{ code = \"WTI\", interval = \"daily\" }}\n");
    let err = error_text(&text);
    assert!(err.contains("sources.demo"), "{err}");
}

#[test]
fn empty_code_is_rejected_naming_the_key() {
    let err = error_text(&ONE_ENTRY.replace("\"CLUSD\"", "\"  \""));
    assert!(err.contains("energy WTI: sources.fmp.code"), "{err}");
}

#[test]
fn misspelt_field_is_rejected_naming_it() {
    let err = error_text(&ONE_ENTRY.replace("interval = ", "intervall = "));
    assert!(err.contains("intervall"), "{err}");
}

#[test]
fn unknown_interval_is_rejected() {
    let err = error_text(&ONE_ENTRY.replace("\"daily\"", "\"hourly\""));
    assert!(err.contains("hourly"), "{err}");
}

#[test]
fn a_code_claimed_by_two_commodities_on_one_source_is_rejected() {
    let text = format!(
        "{ONE_ENTRY}\n[[energy]]\nsymbol = \"BRENT\"\nname = \"Brent\"\nunit = \"USD/bbl\"\n\
         sources.fmp = {{ code = \"clusd\", interval = \"daily\" }}\n"
    );
    let err = error_text(&text);
    assert!(err.contains("energy BRENT") && err.contains("WTI"), "{err}");
}

#[test]
fn catalog_file_is_read_from_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.toml");
    std::fs::write(&path, ONE_ENTRY).unwrap();
    let catalog = Catalog::from_path(&path).unwrap();
    assert_eq!(catalog.commodities().len(), 1);
}

#[test]
fn missing_catalog_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.toml");
    let err = Catalog::from_path(&path).unwrap_err();
    assert!(matches!(err, MarketDataError::CatalogRead { .. }));
    assert!(err.to_string().contains("nope.toml"));
}

#[test]
fn the_shipped_file_matches_the_embedded_copy() {
    let on_disk = Catalog::from_path(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/catalog.toml"),
    )
    .unwrap();
    assert_eq!(
        on_disk.commodities(),
        Catalog::embedded().unwrap().commodities()
    );
}
