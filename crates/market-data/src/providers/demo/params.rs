//! Per-commodity parameters of the demo model: price anchors, volatility, factor loading, volume.
//!
//! The anchors follow the rough shape of real markets since 2010 (gold's climb, the 2014–16 oil
//! slump and the 2020 crash, the 2022 spike in gas, grains and fertilizers, cocoa in 2024) so that the
//! simulated charts look familiar; the day-to-day path around them is random.

use crate::catalog::Category;

/// How one commodity's simulated log-price behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct SymbolParams {
    /// (year as a fraction, price level) knots; the model reverts towards the log-linear line through them.
    pub anchors: &'static [(f64, f64)],
    /// Annualised volatility of daily log returns (√252 convention).
    pub volatility: f64,
    /// Loading on the category's common factor; two commodities of a category correlate about
    /// `loading_a × loading_b + GLOBAL_LOADING²`.
    pub loading: f64,
    /// Typical daily volume in contracts.
    pub volume: f64,
}

/// Typical distance (in log-price) of the simulated price from its anchor line: about ±18%.
const ANCHOR_DEVIATION: f64 = 0.18;

impl SymbolParams {
    /// Speed of reversion towards the anchor line, per year. An OU process's stationary spread is
    /// σ/√(2κ), so κ = σ²/(2·ANCHOR_DEVIATION²) gives every commodity the same ±18% leash whatever its
    /// volatility: wild markets (gas) snap back within weeks, calm ones (gold) drift for a year or two.
    /// Never below 0.5, so no path wanders off for a decade.
    pub fn mean_reversion(&self) -> f64 {
        (self.volatility.powi(2) / (2.0 * ANCHOR_DEVIATION.powi(2))).max(0.5)
    }
}

/// Loading of every commodity on one market-wide factor: it keeps cross-category correlation small
/// but positive (about 0.04), as in real commodity baskets.
pub(super) const GLOBAL_LOADING: f64 = 0.2;

const fn p(
    anchors: &'static [(f64, f64)],
    volatility: f64,
    loading: f64,
    volume: f64,
) -> SymbolParams {
    SymbolParams {
        anchors,
        volatility,
        loading,
        volume,
    }
}

/// The parameters of a symbol; a symbol added to the catalog but unknown here gets its category's
/// typical behaviour around a level of 100.
pub(super) fn params_for(symbol: &str, category: Category) -> SymbolParams {
    known(symbol).unwrap_or_else(|| fallback(category))
}

fn fallback(category: Category) -> SymbolParams {
    let volatility = match category {
        Category::Energy => 0.35,
        Category::PreciousMetals => 0.20,
        Category::IndustrialMetals => 0.22,
        Category::Agriculture => 0.25,
        Category::Livestock => 0.20,
    };
    p(&[(2010.0, 100.0)], volatility, 0.5, 10_000.0)
}

fn known(symbol: &str) -> Option<SymbolParams> {
    let params = match symbol {
        // Energy: crude and products move together; gas follows its own weather-driven market.
        "WTI" => p(
            &[
                (2010.0, 80.0),
                (2011.3, 105.0),
                (2014.5, 100.0),
                (2015.1, 50.0),
                (2016.1, 32.0),
                (2018.8, 72.0),
                (2019.9, 58.0),
                (2020.3, 22.0),
                (2020.8, 40.0),
                (2022.4, 110.0),
                (2023.5, 75.0),
                (2024.5, 80.0),
                (2025.5, 65.0),
                (2026.9, 62.0),
            ],
            0.38,
            0.97,
            350_000.0,
        ),
        "BRENT" => p(
            &[
                (2010.0, 80.0),
                (2011.3, 118.0),
                (2014.5, 110.0),
                (2015.1, 55.0),
                (2016.1, 33.0),
                (2018.8, 82.0),
                (2019.9, 64.0),
                (2020.3, 25.0),
                (2020.8, 43.0),
                (2022.4, 115.0),
                (2023.5, 78.0),
                (2024.5, 84.0),
                (2025.5, 68.0),
                (2026.9, 65.0),
            ],
            0.35,
            0.96,
            250_000.0,
        ),
        "NATURAL_GAS" => p(
            &[
                (2010.0, 5.5),
                (2012.3, 2.2),
                (2014.1, 5.0),
                (2016.2, 1.9),
                (2018.0, 3.0),
                (2020.4, 1.8),
                (2022.6, 8.5),
                (2023.2, 2.5),
                (2024.2, 1.8),
                (2025.1, 3.8),
                (2026.9, 3.5),
            ],
            0.55,
            0.25,
            150_000.0,
        ),
        "HEATING_OIL" => p(
            &[
                (2010.0, 2.1),
                (2011.3, 3.2),
                (2014.5, 2.9),
                (2016.1, 1.05),
                (2018.8, 2.3),
                (2020.3, 1.0),
                (2022.4, 4.2),
                (2023.5, 2.5),
                (2025.5, 2.2),
                (2026.9, 2.3),
            ],
            0.33,
            0.85,
            50_000.0,
        ),
        "GASOLINE" => p(
            &[
                (2010.0, 2.0),
                (2011.3, 3.1),
                (2014.5, 2.9),
                (2016.1, 1.1),
                (2018.8, 2.0),
                (2020.3, 0.7),
                (2022.4, 4.0),
                (2023.5, 2.6),
                (2025.5, 2.1),
                (2026.9, 2.0),
            ],
            0.38,
            0.80,
            50_000.0,
        ),
        "GASOIL" => p(
            &[
                (2010.0, 650.0),
                (2011.3, 1000.0),
                (2014.5, 900.0),
                (2016.1, 300.0),
                (2018.8, 700.0),
                (2020.3, 300.0),
                (2022.4, 1300.0),
                (2023.5, 750.0),
                (2025.5, 650.0),
                (2026.9, 640.0),
            ],
            0.33,
            0.85,
            60_000.0,
        ),
        "TTF_GAS" => p(
            &[
                (2010.0, 18.0),
                (2013.0, 27.0),
                (2016.3, 12.0),
                (2019.0, 18.0),
                (2020.4, 5.0),
                (2021.9, 90.0),
                (2022.6, 230.0),
                (2023.5, 35.0),
                (2025.1, 50.0),
                (2026.9, 32.0),
            ],
            0.60,
            0.25,
            30_000.0,
        ),
        // Precious metals: gold and silver move closely, platinum group metals less so.
        "GOLD" => p(
            &[
                (2010.0, 1100.0),
                (2011.7, 1750.0),
                (2013.5, 1250.0),
                (2015.9, 1080.0),
                (2019.5, 1400.0),
                (2020.6, 1950.0),
                (2022.8, 1650.0),
                (2023.9, 2000.0),
                (2024.9, 2650.0),
                (2025.5, 3300.0),
                (2026.9, 3800.0),
            ],
            0.15,
            0.90,
            200_000.0,
        ),
        "SILVER" => p(
            &[
                (2010.0, 17.0),
                (2011.3, 40.0),
                (2013.5, 20.0),
                (2015.9, 14.0),
                (2020.2, 14.0),
                (2020.6, 26.0),
                (2022.7, 19.0),
                (2024.4, 30.0),
                (2025.5, 36.0),
                (2026.9, 45.0),
            ],
            0.28,
            0.84,
            70_000.0,
        ),
        "PLATINUM" => p(
            &[
                (2010.0, 1500.0),
                (2011.6, 1800.0),
                (2015.9, 850.0),
                (2020.2, 700.0),
                (2021.1, 1150.0),
                (2024.0, 950.0),
                (2025.5, 1300.0),
                (2026.9, 1500.0),
            ],
            0.25,
            0.65,
            20_000.0,
        ),
        "PALLADIUM" => p(
            &[
                (2010.0, 420.0),
                (2011.0, 800.0),
                (2015.9, 550.0),
                (2019.0, 1400.0),
                (2020.2, 2300.0),
                (2022.2, 2500.0),
                (2023.9, 1000.0),
                (2025.5, 1050.0),
                (2026.9, 1200.0),
            ],
            0.35,
            0.50,
            5_000.0,
        ),
        // Industrial metals follow the economic cycle together.
        "COPPER" => p(
            &[
                (2010.0, 3.3),
                (2011.1, 4.5),
                (2016.1, 2.0),
                (2018.4, 3.2),
                (2020.3, 2.2),
                (2021.4, 4.6),
                (2022.6, 3.5),
                (2024.4, 4.8),
                (2026.9, 5.0),
            ],
            0.24,
            0.75,
            80_000.0,
        ),
        "ALUMINUM" => p(
            &[
                (2010.0, 2200.0),
                (2011.3, 2700.0),
                (2015.9, 1500.0),
                (2018.3, 2300.0),
                (2020.3, 1450.0),
                (2022.2, 3500.0),
                (2023.0, 2300.0),
                (2025.5, 2500.0),
                (2026.9, 2700.0),
            ],
            0.20,
            0.75,
            1_000.0,
        ),
        // Agriculture: grains and oilseeds share weather and feed demand; softs, lumber and
        // fertilizers barely move with them.
        "WHEAT" => p(
            &[
                (2010.0, 5.0),
                (2010.6, 7.5),
                (2012.6, 8.8),
                (2016.7, 3.8),
                (2020.2, 5.3),
                (2022.2, 11.5),
                (2023.5, 6.5),
                (2024.6, 5.4),
                (2026.9, 5.6),
            ],
            0.28,
            0.78,
            70_000.0,
        ),
        "KC_WHEAT" => p(
            &[
                (2010.0, 5.3),
                (2012.6, 9.0),
                (2016.7, 3.9),
                (2022.2, 12.3),
                (2024.6, 5.6),
                (2026.9, 5.4),
            ],
            0.28,
            0.78,
            40_000.0,
        ),
        "CORN" => p(
            &[
                (2010.0, 3.8),
                (2012.6, 8.0),
                (2014.8, 3.4),
                (2020.6, 3.2),
                (2022.4, 7.8),
                (2023.9, 4.7),
                (2024.6, 4.0),
                (2026.9, 4.3),
            ],
            0.25,
            0.75,
            200_000.0,
        ),
        "SOYBEANS" => p(
            &[
                (2010.0, 9.8),
                (2012.6, 17.0),
                (2014.9, 9.5),
                (2020.5, 8.5),
                (2022.5, 17.0),
                (2024.6, 11.0),
                (2026.9, 11.0),
            ],
            0.20,
            0.70,
            120_000.0,
        ),
        "SOYBEAN_OIL" => p(
            &[
                (2010.0, 0.38),
                (2011.0, 0.55),
                (2015.0, 0.30),
                (2019.5, 0.28),
                (2022.3, 0.80),
                (2024.0, 0.45),
                (2026.9, 0.50),
            ],
            0.28,
            0.50,
            80_000.0,
        ),
        "SOYBEAN_MEAL" => p(
            &[
                (2010.0, 300.0),
                (2012.6, 530.0),
                (2014.0, 460.0),
                (2016.0, 280.0),
                (2022.5, 450.0),
                (2024.6, 320.0),
                (2026.9, 300.0),
            ],
            0.26,
            0.60,
            70_000.0,
        ),
        "OATS" => p(
            &[
                (2010.0, 2.5),
                (2012.6, 4.0),
                (2016.0, 2.0),
                (2022.3, 7.0),
                (2024.0, 3.6),
                (2026.9, 3.3),
            ],
            0.30,
            0.50,
            1_000.0,
        ),
        "ROUGH_RICE" => p(
            &[
                (2010.0, 14.0),
                (2013.0, 16.0),
                (2016.0, 10.0),
                (2022.9, 18.0),
                (2024.0, 18.0),
                (2026.9, 13.0),
            ],
            0.18,
            0.25,
            1_000.0,
        ),
        "COTTON" => p(
            &[
                (2010.0, 0.75),
                (2011.2, 1.9),
                (2012.5, 0.70),
                (2016.0, 0.60),
                (2020.3, 0.55),
                (2022.4, 1.4),
                (2024.0, 0.80),
                (2026.9, 0.67),
            ],
            0.25,
            0.30,
            25_000.0,
        ),
        "SUGAR" => p(
            &[
                (2010.0, 0.27),
                (2011.0, 0.30),
                (2015.6, 0.11),
                (2018.0, 0.12),
                (2020.3, 0.10),
                (2023.8, 0.27),
                (2025.0, 0.18),
                (2026.9, 0.16),
            ],
            0.30,
            0.20,
            90_000.0,
        ),
        "COFFEE" => p(
            &[
                (2010.0, 1.4),
                (2011.3, 3.0),
                (2013.8, 1.1),
                (2014.3, 2.1),
                (2019.4, 0.9),
                (2022.2, 2.5),
                (2023.0, 1.6),
                (2025.1, 4.0),
                (2026.9, 3.6),
            ],
            0.33,
            0.15,
            20_000.0,
        ),
        "COCOA" => p(
            &[
                (2010.0, 3300.0),
                (2012.0, 2200.0),
                (2014.0, 3000.0),
                (2017.0, 1900.0),
                (2020.0, 2500.0),
                (2023.0, 3500.0),
                (2024.3, 10000.0),
                (2025.5, 8500.0),
                (2026.9, 6000.0),
            ],
            0.35,
            0.10,
            15_000.0,
        ),
        "ORANGE_JUICE" => p(
            &[
                (2010.0, 1.4),
                (2012.0, 1.9),
                (2016.0, 1.7),
                (2020.0, 1.0),
                (2023.0, 3.0),
                (2024.8, 5.0),
                (2026.9, 2.6),
            ],
            0.35,
            0.10,
            1_000.0,
        ),
        "LUMBER" => p(
            &[
                (2010.0, 250.0),
                (2013.0, 400.0),
                (2016.0, 300.0),
                (2018.4, 600.0),
                (2020.0, 400.0),
                (2021.4, 1500.0),
                (2022.0, 650.0),
                (2024.0, 550.0),
                (2026.9, 600.0),
            ],
            0.40,
            0.10,
            1_000.0,
        ),
        "PALM_OIL" => p(
            &[
                (2010.0, 2500.0),
                (2011.0, 3500.0),
                (2015.0, 2000.0),
                (2019.0, 2100.0),
                (2022.2, 6500.0),
                (2023.0, 3800.0),
                (2025.0, 4500.0),
                (2026.9, 4200.0),
            ],
            0.30,
            0.35,
            30_000.0,
        ),
        "UREA" => p(
            &[
                (2010.0, 300.0),
                (2012.0, 450.0),
                (2016.0, 200.0),
                (2020.0, 230.0),
                (2021.9, 900.0),
                (2023.0, 350.0),
                (2025.0, 400.0),
                (2026.9, 380.0),
            ],
            0.35,
            0.25,
            500.0,
        ),
        "DAP" => p(
            &[
                (2010.0, 500.0),
                (2012.0, 600.0),
                (2016.0, 330.0),
                (2020.0, 280.0),
                (2022.3, 950.0),
                (2023.0, 550.0),
                (2025.0, 650.0),
                (2026.9, 620.0),
            ],
            0.25,
            0.25,
            300.0,
        ),
        // Livestock: the cattle contracts track each other; hogs and milk have their own cycles.
        "LIVE_CATTLE" => p(
            &[
                (2010.0, 0.90),
                (2014.8, 1.65),
                (2016.8, 1.00),
                (2020.3, 0.95),
                (2023.0, 1.60),
                (2025.5, 2.20),
                (2026.9, 2.20),
            ],
            0.15,
            0.85,
            30_000.0,
        ),
        "FEEDER_CATTLE" => p(
            &[
                (2010.0, 1.10),
                (2014.8, 2.40),
                (2016.8, 1.25),
                (2020.3, 1.20),
                (2023.0, 2.30),
                (2025.5, 3.10),
                (2026.9, 3.20),
            ],
            0.18,
            0.85,
            8_000.0,
        ),
        "LEAN_HOGS" => p(
            &[
                (2010.0, 0.70),
                (2014.5, 1.30),
                (2016.0, 0.60),
                (2020.3, 0.45),
                (2021.4, 1.10),
                (2024.0, 0.85),
                (2026.9, 0.90),
            ],
            0.30,
            0.40,
            40_000.0,
        ),
        "MILK" => p(
            &[
                (2010.0, 14.0),
                (2014.7, 23.0),
                (2016.0, 14.0),
                (2020.4, 12.0),
                (2022.4, 25.0),
                (2023.5, 15.0),
                (2024.9, 22.0),
                (2026.9, 17.0),
            ],
            0.22,
            0.20,
            2_000.0,
        ),
        _ => return None,
    };
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_loading_leaves_room_for_idiosyncratic_noise() {
        let catalog = crate::catalog::Catalog::embedded().unwrap();
        for commodity in catalog.commodities() {
            let params = known(&commodity.symbol)
                .unwrap_or_else(|| panic!("{} has no demo parameters", commodity.symbol));
            assert!(params.loading.powi(2) + GLOBAL_LOADING.powi(2) < 1.0);
            assert!(params.anchors.windows(2).all(|w| w[0].0 < w[1].0));
            assert!(params.anchors.iter().all(|&(_, level)| level > 0.0));
        }
    }
}
