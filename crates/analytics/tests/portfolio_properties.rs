//! Properties every portfolio result must have, on random prices and weights.

use analytics::portfolio::{AssetPrices, compute_metrics, series};
use proptest::prelude::*;

/// 2–5 assets, 12–80 days of returns in (-20%, +20%), weights in [0, 1] with a positive one.
fn portfolio() -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<f64>, f64)> {
    (2usize..=5, 12usize..=80).prop_flat_map(|(assets, days)| {
        (
            prop::collection::vec(prop::collection::vec(-0.2f64..0.2, days), assets),
            prop::collection::vec(0.0f64..1.0, assets - 1),
            0.01f64..1.0,
            -0.05f64..0.1,
        )
            .prop_map(|(returns, mut weights, last, risk_free)| {
                weights.push(last);
                let prices = returns
                    .iter()
                    .map(|series| {
                        let mut prices = vec![100.0];
                        for r in series {
                            let next = prices[prices.len() - 1] * (1.0 + r);
                            prices.push(next);
                        }
                        prices
                    })
                    .collect();
                (prices, weights, risk_free)
            })
    })
}

proptest! {
    #[test]
    fn metrics_are_consistent((prices, weights, risk_free) in portfolio()) {
        let symbols: Vec<String> = (0..prices.len()).map(|i| format!("S{i}")).collect();
        let assets: Vec<AssetPrices<'_>> = symbols.iter().zip(&prices).map(|(symbol, prices)| AssetPrices { symbol, prices }).collect();
        let metrics = compute_metrics(&assets, &weights, risk_free).unwrap();

        let shares: f64 = metrics.risk_decomposition.iter().map(|c| c.percent).sum();
        prop_assert!((shares - 1.0).abs() < 1e-9, "risk shares sum to {}", shares);
        prop_assert!(metrics.cvar_95 <= metrics.var_95);
        prop_assert!(metrics.cvar_99 <= metrics.var_99);
        prop_assert!(metrics.var_99 <= metrics.var_95);
        prop_assert!((-1.0..=0.0).contains(&metrics.max_drawdown));
        prop_assert!(metrics.diversification_ratio >= 1.0 - 1e-12);
        for (i, row) in metrics.correlation_matrix.matrix.iter().enumerate() {
            prop_assert_eq!(row[i], 1.0);
            for value in row {
                prop_assert!((-1.0..=1.0).contains(value));
            }
        }

        let series = series(&assets, &weights, risk_free, 10).unwrap();
        prop_assert!(series.drawdown.iter().all(|d| (-1.0..=0.0).contains(d)));
        let deepest = series.drawdown.iter().copied().fold(0.0, f64::min);
        prop_assert_eq!(deepest, metrics.max_drawdown);
    }
}
