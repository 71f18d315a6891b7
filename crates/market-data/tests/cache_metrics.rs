//! The cache and fallback counters, read through a debugging recorder. One test in its own
//! binary: the recorder is global, and another test's requests would move the counts.

mod replay;

use chrono::NaiveDate;
use market_data::cache::{CACHE_HITS, CACHE_MISSES, CacheConfig, SeriesCache};
use market_data::fallback::{Ask, FALLBACK_ATTEMPTS, Fallback, FallbackConfig};
use market_data::http::{SourceClient, SourceConfig, key_fingerprint};
use market_data::providers::http_provider;
use market_data::rate_limit::RateLimiter;
use market_data::registry::SourceRegistry;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use replay::{Reply, fixture, spawn_replay};
use std::collections::BTreeMap;
use std::sync::Arc;
use store::Interval;
use store::testing::TestDb;

/// Increments of the cache and fallback counters since the last call, by name and sorted
/// labels (the transport's own counters are left out: they are not what this test is about).
fn deltas(snapshotter: &Snapshotter) -> BTreeMap<String, u64> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, _, _, _)| {
            [CACHE_HITS, CACHE_MISSES, FALLBACK_ATTEMPTS].contains(&key.key().name())
        })
        .filter_map(|(key, _, _, value)| {
            let DebugValue::Counter(count) = value else {
                return None;
            };
            let key = key.key();
            let mut labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            labels.sort();
            (count > 0).then(|| (format!("{}{{{}}}", key.name(), labels.join(",")), count))
        })
        .collect()
}

fn expect(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[tokio::test]
async fn cache_layers_and_fallback_attempts_are_counted() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("the only recorder of this binary");

    let fmp = spawn_replay(vec![Reply::ok(fixture("fmp/historical_gcusd.json"))]).await;
    let db = TestDb::sqlite().await;
    let mut registry = SourceRegistry::new();
    registry.add_client(
        SourceClient::new(
            http_provider("fmp", "KEY").unwrap(),
            &key_fingerprint("KEY"),
            SourceConfig::new(&fmp.base_url),
            Arc::new(RateLimiter::in_process()),
        )
        .unwrap(),
    );
    let fallback = Fallback::new(
        FallbackConfig::default(),
        Arc::new(registry),
        Arc::new(SeriesCache::new(db.store.clone(), CacheConfig::default())),
        Arc::new(market_data::Catalog::embedded().unwrap()),
    );
    let ask = Ask {
        symbol: "GOLD",
        interval: Interval::Daily,
        start: Some(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()),
        end: NaiveDate::from_ymd_opt(2025, 6, 13).unwrap(),
        caller: market_data::anonymous_budget::Caller::Operator,
    };
    let hits = |layer: &str| format!("{CACHE_HITS}{{layer={layer}}}");
    let misses = |layer: &str| format!("{CACHE_MISSES}{{layer={layer}}}");
    let attempts = |source: &str, outcome: &str| {
        format!("{FALLBACK_ATTEMPTS}{{outcome={outcome},source={source}}}")
    };

    // Nothing anywhere: memory and database miss, the provider is asked.
    fallback.auto(&ask).await.unwrap();
    assert_eq!(
        deltas(&snapshotter),
        expect(&[
            (&misses("memory"), 1),
            (&misses("database"), 1),
            (&attempts("alpha_vantage", "not_configured"), 1),
            (&attempts("fmp", "served"), 1),
        ])
    );
    // Asked again: memory answers.
    fallback.from_source("fmp", &ask).await.unwrap();
    assert_eq!(
        deltas(&snapshotter),
        expect(&[(&hits("memory"), 1), (&attempts("fmp", "served"), 1)])
    );
    // Memory forgotten: the database has it all, nothing is asked.
    fallback.cache().clear_memory();
    fallback.from_source("fmp", &ask).await.unwrap();
    assert_eq!(
        deltas(&snapshotter),
        expect(&[
            (&misses("memory"), 1),
            (&hits("database"), 1),
            (&attempts("fmp", "served"), 1),
        ])
    );
    assert_eq!(fmp.hits().len(), 1);
}
