//! Keeps the `demo` source's simulated history stored, so that a fresh data dir has it ready
//! with no network and no key.

use chrono::{Days, Utc};
use market_data::{Catalog, DemoSource};
use store::{Interval, SeriesKey, Store};

/// Stores the demo history of `symbols` (all of the catalog when empty) up to yesterday,
/// writing only what is missing.
pub async fn ensure_history(store: &Store, symbols: &[&str]) -> anyhow::Result<()> {
    let catalog = Catalog::embedded()?;
    let demo = DemoSource::new(&catalog);
    let wanted: Vec<String> = if symbols.is_empty() {
        demo.symbols().iter().map(|s| s.to_string()).collect()
    } else {
        symbols.iter().map(|s| s.to_string()).collect()
    };
    let yesterday = Utc::now().date_naive() - Days::new(1);
    for symbol in wanted {
        let key = SeriesKey::new(DemoSource::ID, &symbol, Interval::Daily);
        let start = match store.series_summary(&key).await? {
            // A weekend can make the last business day older than yesterday: nothing to add.
            Some(summary) if summary.last + Days::new(4) > yesterday => continue,
            Some(summary) => summary.last + Days::new(1),
            None => DemoSource::first_date(),
        };
        let bars = demo.history(&symbol, start, yesterday)?;
        if !bars.is_empty() {
            store.upsert_series(&key, &bars).await?;
        }
    }
    Ok(())
}
