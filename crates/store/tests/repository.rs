//! The repository suite: every test runs on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use store::testing::TestDb;
use store::{
    ImportRun, Interval, NewPortfolio, PortfolioAsset, PriceBar, SeriesKey, Store, StoreError,
    UpsertCounts,
};

/// Runs each behaviour against both backends: the SQLite variant always, the PostgreSQL one
/// when the service suites are asked for (`--include-ignored`).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = super::TestDb::sqlite().await;
                    super::$name(&db.store).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL"]
                async fn $name() {
                    let db = super::TestDb::postgres().await;
                    super::$name(&db.store).await;
                    db.finish().await;
                }
            )*
        }
    };
}

on_both_backends!(
    upsert_then_read_back_in_date_order,
    reimporting_the_same_rows_changes_nothing,
    changed_values_count_as_updated,
    absent_values_round_trip_as_none,
    uncommitted_transaction_stores_nothing,
    series_are_kept_apart_by_source_interval_and_symbol,
    range_reads_are_inclusive,
    series_listing_reports_span_and_count,
    portfolio_crud_round_trips,
    missing_portfolio_is_not_found,
    import_runs_are_recorded_with_the_rows,
    large_batches_are_split_and_all_stored,
    loader_into_new_series_stores_every_value_exactly,
    loader_never_stores_a_value_that_is_not_finite,
    loader_into_stored_series_counts_new_and_updated,
    aborted_loader_stores_nothing_and_the_store_goes_on,
    a_writer_waits_for_another_write_transaction_instead_of_failing,
);

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn bar(date: &str, close: f64) -> PriceBar {
    PriceBar::close_only(day(date), close)
}

fn gold() -> SeriesKey {
    SeriesKey::new("csv", "GOLD", Interval::Daily)
}

async fn upsert_then_read_back_in_date_order(store: &Store) {
    let bars = vec![
        bar("2024-01-03", 2050.5),
        bar("2024-01-01", 2040.25),
        bar("2024-01-02", 2045.0),
    ];
    let counts = store.upsert_series(&gold(), &bars).await.unwrap();
    assert_eq!(
        counts,
        UpsertCounts {
            new: 3,
            updated: 0,
            unchanged: 0
        }
    );
    let read = store.prices(&gold(), None, None).await.unwrap();
    let dates: Vec<_> = read.iter().map(|b| b.date.to_string()).collect();
    assert_eq!(dates, ["2024-01-01", "2024-01-02", "2024-01-03"]);
    assert_eq!(read[0].close, 2040.25);
}

async fn reimporting_the_same_rows_changes_nothing(store: &Store) {
    let bars = vec![bar("2024-01-01", 1.0), bar("2024-01-02", 2.0)];
    store.upsert_series(&gold(), &bars).await.unwrap();
    let again = store.upsert_series(&gold(), &bars).await.unwrap();
    assert_eq!(
        again,
        UpsertCounts {
            new: 0,
            updated: 0,
            unchanged: 2
        }
    );
}

async fn changed_values_count_as_updated(store: &Store) {
    store
        .upsert_series(&gold(), &[bar("2024-01-01", 1.0), bar("2024-01-02", 2.0)])
        .await
        .unwrap();
    let counts = store
        .upsert_series(
            &gold(),
            &[
                bar("2024-01-01", 1.0),
                bar("2024-01-02", 2.5),
                bar("2024-01-03", 3.0),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        counts,
        UpsertCounts {
            new: 1,
            updated: 1,
            unchanged: 1
        }
    );
    let read = store.prices(&gold(), None, None).await.unwrap();
    assert_eq!(read[1].close, 2.5);
}

async fn absent_values_round_trip_as_none(store: &Store) {
    let full = PriceBar {
        date: day("2024-02-01"),
        open: Some(10.0),
        high: Some(12.0),
        low: Some(9.5),
        close: 11.0,
        volume: Some(12345.0),
    };
    let partial = PriceBar {
        volume: None,
        open: None,
        ..full
    };
    let partial = PriceBar {
        date: day("2024-02-02"),
        ..partial
    };
    store
        .upsert_series(&gold(), &[full, partial])
        .await
        .unwrap();
    let read = store.prices(&gold(), None, None).await.unwrap();
    assert_eq!(read, vec![full, partial]);
    // Dropping a value that was present is an update, not "unchanged".
    let counts = store
        .upsert_series(
            &gold(),
            &[PriceBar {
                volume: None,
                ..full
            }],
        )
        .await
        .unwrap();
    assert_eq!(counts.updated, 1);
}

async fn uncommitted_transaction_stores_nothing(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_prices(&[gold()], &[(0, bar("2024-01-01", 1.0))])
        .await
        .unwrap();
    drop(tx);
    assert!(store.prices(&gold(), None, None).await.unwrap().is_empty());
    let mut tx = store.begin().await.unwrap();
    tx.upsert_prices(&[gold()], &[(0, bar("2024-01-01", 1.0))])
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(store.prices(&gold(), None, None).await.unwrap().is_empty());
}

/// A long write (an import) holds its transaction open while another writer (the poller)
/// reads, then writes: the second waits for the first and succeeds. On SQLite, a deferred
/// transaction that has read cannot wait for the write lock and fails with "database is
/// locked" at once.
async fn a_writer_waits_for_another_write_transaction_instead_of_failing(store: &Store) {
    let mut long = store.begin().await.unwrap();
    long.upsert_prices(&[gold()], &[(0, bar("2024-01-01", 1.0))])
        .await
        .unwrap();
    let other = store.clone();
    let waiting = tokio::spawn(async move {
        // Counts the series first, then writes, in one transaction.
        other
            .upsert_series(&silver(), &[bar("2024-01-01", 2.0), bar("2024-01-02", 3.0)])
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    if store.backend_name() == "sqlite" {
        // One writer at a time; PostgreSQL's writers of other rows do not wait at all.
        assert!(!waiting.is_finished(), "the second writer did not wait");
    }
    long.commit().await.unwrap();
    let counts = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
        .await
        .expect("the second writer went on once the first committed")
        .unwrap()
        .expect("the second writer succeeded");
    assert_eq!(counts.new, 2);
    assert_eq!(store.prices(&gold(), None, None).await.unwrap().len(), 1);
    assert_eq!(store.prices(&silver(), None, None).await.unwrap().len(), 2);
}

async fn series_are_kept_apart_by_source_interval_and_symbol(store: &Store) {
    let keys = [
        gold(),
        SeriesKey::new("demo", "GOLD", Interval::Daily),
        SeriesKey::new("csv", "GOLD", Interval::Monthly),
        SeriesKey::new("csv", "SILVER", Interval::Daily),
    ];
    let mut tx = store.begin().await.unwrap();
    let rows: Vec<_> = (0..keys.len())
        .map(|i| (i, bar("2024-01-01", 100.0 + i as f64)))
        .collect();
    assert_eq!(tx.upsert_prices(&keys, &rows).await.unwrap(), 4);
    tx.commit().await.unwrap();
    for (i, key) in keys.iter().enumerate() {
        let read = store.prices(key, None, None).await.unwrap();
        assert_eq!(read, vec![bar("2024-01-01", 100.0 + i as f64)], "{key}");
    }
}

async fn range_reads_are_inclusive(store: &Store) {
    let bars: Vec<_> = (1..=9)
        .map(|d| bar(&format!("2024-03-0{d}"), d as f64))
        .collect();
    store.upsert_series(&gold(), &bars).await.unwrap();
    let read = store
        .prices(&gold(), Some(day("2024-03-03")), Some(day("2024-03-05")))
        .await
        .unwrap();
    assert_eq!(
        read.iter().map(|b| b.close).collect::<Vec<_>>(),
        [3.0, 4.0, 5.0]
    );
    let tail = store
        .prices(&gold(), Some(day("2024-03-08")), None)
        .await
        .unwrap();
    assert_eq!(tail.len(), 2);
}

async fn series_listing_reports_span_and_count(store: &Store) {
    store
        .upsert_series(&gold(), &[bar("2020-01-01", 1.0), bar("2021-06-30", 2.0)])
        .await
        .unwrap();
    let listed = store.series().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key, gold());
    assert_eq!(listed[0].rows, 2);
    assert_eq!(listed[0].first, day("2020-01-01"));
    assert_eq!(listed[0].last, day("2021-06-30"));
    let one = store.series_summary(&gold()).await.unwrap().unwrap();
    assert_eq!(one, listed[0]);
    let none = store
        .series_summary(&SeriesKey::new("csv", "NOPE", Interval::Daily))
        .await
        .unwrap();
    assert!(none.is_none());
}

fn asset(source: &str, symbol: &str, weight: f64) -> PortfolioAsset {
    PortfolioAsset {
        source: source.into(),
        symbol: symbol.into(),
        weight,
    }
}

async fn portfolio_crud_round_trips(store: &Store) {
    let created = store
        .create_portfolio(&NewPortfolio {
            name: "Metals <b>&</b> oil".into(),
            assets: vec![asset("demo", "GOLD", 0.6), asset("demo", "WTI", 0.4)],
        })
        .await
        .unwrap();
    assert_eq!(store.portfolio(created.id).await.unwrap(), created);
    let updated = store
        .update_portfolio(
            created.id,
            &NewPortfolio {
                name: "Metals".into(),
                assets: vec![asset("demo", "SILVER", 1.0)],
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "Metals");
    assert_eq!(updated.assets, vec![asset("demo", "SILVER", 1.0)]);
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at >= created.updated_at);
    assert_eq!(store.portfolios().await.unwrap(), vec![updated]);
    store.delete_portfolio(created.id).await.unwrap();
    assert!(store.portfolios().await.unwrap().is_empty());
}

async fn missing_portfolio_is_not_found(store: &Store) {
    assert!(matches!(
        store.portfolio(999).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_portfolio(999).await,
        Err(StoreError::NotFound(_))
    ));
    let update = store
        .update_portfolio(
            999,
            &NewPortfolio {
                name: "x".into(),
                assets: vec![],
            },
        )
        .await;
    assert!(matches!(update, Err(StoreError::NotFound(_))));
}

async fn import_runs_are_recorded_with_the_rows(store: &Store) {
    let now = chrono::Utc::now();
    let run = ImportRun {
        file: "gold.csv".into(),
        source: "csv".into(),
        started_at: now,
        finished_at: now,
        status: "succeeded".into(),
        counts: UpsertCounts {
            new: 2,
            updated: 0,
            unchanged: 0,
        },
        skipped: 1,
        error: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_prices(
        &[gold()],
        &[(0, bar("2024-01-01", 1.0)), (0, bar("2024-01-02", 2.0))],
    )
    .await
    .unwrap();
    tx.record_import_run(&run).await.unwrap();
    drop(tx);
    assert!(
        store.import_runs(10).await.unwrap().is_empty(),
        "rolled back with the rows"
    );
    let mut tx = store.begin().await.unwrap();
    tx.record_import_run(&run).await.unwrap();
    tx.commit().await.unwrap();
    let failed = ImportRun {
        status: "failed".into(),
        error: Some("line 3: bad".into()),
        counts: UpsertCounts::default(),
        ..run.clone()
    };
    store.record_import_run(&failed).await.unwrap();
    let runs = store.import_runs(10).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].status, "failed");
    assert_eq!(runs[1].counts, run.counts);
    assert_eq!(runs[1].skipped, 1);
}

async fn large_batches_are_split_and_all_stored(store: &Store) {
    let start = day("2000-01-01");
    let bars: Vec<_> = (0..2_500)
        .map(|i| PriceBar::close_only(start + chrono::Days::new(i), i as f64 + 0.5))
        .collect();
    let counts = store.upsert_series(&gold(), &bars).await.unwrap();
    assert_eq!(counts.new, 2_500);
    let read = store.prices(&gold(), None, None).await.unwrap();
    assert_eq!(read, bars);
}

fn silver() -> SeriesKey {
    SeriesKey::new("csv", "SILVER", Interval::Daily)
}

/// Writes `batches` through a loader in one transaction and commits; returns what `finish` said.
async fn load(
    store: &Store,
    keys: &[SeriesKey],
    all_new: bool,
    batches: &[Vec<(usize, PriceBar)>],
) -> u64 {
    let mut tx = store.begin().await.unwrap();
    let mut loader = tx.price_loader(keys, all_new).await.unwrap();
    for batch in batches {
        loader.write(batch).await.unwrap();
    }
    let written = loader.finish().await.unwrap();
    tx.commit().await.unwrap();
    written
}

async fn loader_into_new_series_stores_every_value_exactly(store: &Store) {
    // Values a decimal rendering could round, dates on both sides of 2000-01-01 (PostgreSQL's
    // day zero), every optional field absent in turn, over several batches.
    let full = PriceBar {
        date: day("1800-01-01"),
        open: Some(0.1 + 0.2),
        high: Some(f64::MAX),
        low: Some(-37.63),
        close: 1.0 / 3.0,
        volume: Some(5e-324),
    };
    let gold_bars = vec![
        full,
        PriceBar {
            date: day("1999-12-31"),
            open: None,
            ..full
        },
        PriceBar {
            date: day("2000-01-01"),
            high: None,
            ..full
        },
        PriceBar {
            date: day("2000-01-02"),
            low: None,
            ..full
        },
        PriceBar {
            date: day("9999-12-31"),
            volume: None,
            ..full
        },
    ];
    let silver_bars = vec![bar("2024-01-01", 23.5), bar("2024-01-02", -0.5)];
    let batches = vec![
        vec![(0, gold_bars[0]), (1, silver_bars[0]), (0, gold_bars[1])],
        vec![],
        vec![
            (0, gold_bars[2]),
            (0, gold_bars[3]),
            (1, silver_bars[1]),
            (0, gold_bars[4]),
        ],
    ];
    assert_eq!(load(store, &[gold(), silver()], true, &batches).await, 7);
    assert_eq!(store.prices(&gold(), None, None).await.unwrap(), gold_bars);
    let silver_read = store.prices(&silver(), None, None).await.unwrap();
    assert_eq!(silver_read, silver_bars);
}

async fn loader_never_stores_a_value_that_is_not_finite(store: &Store) {
    let odd = PriceBar {
        date: day("2024-01-01"),
        open: Some(f64::NAN),
        high: Some(f64::INFINITY),
        low: Some(f64::NEG_INFINITY),
        close: 5.0,
        volume: Some(f64::NAN),
    };
    for all_new in [true, false] {
        let key = SeriesKey::new("csv", if all_new { "NEW" } else { "OLD" }, Interval::Daily);
        load(
            store,
            std::slice::from_ref(&key),
            all_new,
            &[vec![(0, odd)]],
        )
        .await;
        let read = store.prices(&key, None, None).await.unwrap();
        assert_eq!(read, vec![bar("2024-01-01", 5.0)], "all_new {all_new}");
    }
    for all_new in [true, false] {
        let mut tx = store.begin().await.unwrap();
        let mut loader = tx.price_loader(&[gold()], all_new).await.unwrap();
        let refused = loader.write(&[(0, bar("2024-01-02", f64::NAN))]).await;
        let error = refused.expect_err("a NaN close is refused").to_string();
        assert!(
            error.contains("csv/GOLD/daily") && error.contains("2024-01-02"),
            "{error}"
        );
        loader.abort("test").await;
        tx.rollback().await.unwrap();
    }
    assert!(store.prices(&gold(), None, None).await.unwrap().is_empty());
}

async fn loader_into_stored_series_counts_new_and_updated(store: &Store) {
    store
        .upsert_series(&gold(), &[bar("2024-01-01", 1.0), bar("2024-01-02", 2.0)])
        .await
        .unwrap();
    let batch = vec![
        (0, bar("2024-01-01", 1.0)),
        (0, bar("2024-01-02", 2.5)),
        (0, bar("2024-01-03", 3.0)),
    ];
    assert_eq!(
        load(store, &[gold()], false, &[batch]).await,
        2,
        "one new, one updated"
    );
    let closes: Vec<_> = store
        .prices(&gold(), None, None)
        .await
        .unwrap()
        .iter()
        .map(|b| b.close)
        .collect();
    assert_eq!(closes, [1.0, 2.5, 3.0]);
}

async fn aborted_loader_stores_nothing_and_the_store_goes_on(store: &Store) {
    for all_new in [true, false] {
        let mut tx = store.begin().await.unwrap();
        let mut loader = tx.price_loader(&[gold()], all_new).await.unwrap();
        loader.write(&[(0, bar("2024-01-01", 1.0))]).await.unwrap();
        loader.abort("the file had a bad row").await;
        tx.rollback().await.unwrap();
        assert!(store.prices(&gold(), None, None).await.unwrap().is_empty());
    }
    // After the aborts the same store takes a whole load.
    assert_eq!(
        load(store, &[gold()], true, &[vec![(0, bar("2024-01-01", 1.0))]]).await,
        1
    );
}

/// The copy path's promise on PostgreSQL: a row that exists after all fails the load instead
/// of silently overwriting it.
#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn copy_into_a_series_with_rows_fails_rather_than_overwriting() {
    let db = TestDb::postgres().await;
    db.store
        .upsert_series(&gold(), &[bar("2024-01-01", 1.0)])
        .await
        .unwrap();
    let mut tx = db.store.begin().await.unwrap();
    let mut loader = tx.price_loader(&[gold()], true).await.unwrap();
    loader.write(&[(0, bar("2024-01-01", 9.0))]).await.unwrap();
    let error = loader
        .finish()
        .await
        .expect_err("duplicate key")
        .to_string();
    assert!(error.contains("duplicate key"), "{error}");
    drop(tx);
    let read = db.store.prices(&gold(), None, None).await.unwrap();
    assert_eq!(read, vec![bar("2024-01-01", 1.0)]);
    db.finish().await;
}

// ---- SQLite's staged imports -----------------------------------------------------------------

/// While an import stages its rows, another writer goes on at once; the import's rows appear
/// only when it commits, all of them.
#[tokio::test]
async fn a_staging_import_does_not_hold_the_write_lock() {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    let mut staged = store
        .stage_import(&[gold()])
        .await
        .unwrap()
        .expect("SQLite stages imports");
    let rows: Vec<(usize, PriceBar)> = (0..20_000)
        .map(|i| {
            let date = day("1970-01-01") + chrono::Days::new(i);
            (0, PriceBar::close_only(date, 1.0 + i as f64))
        })
        .collect();
    staged.write(&rows).await.unwrap();
    let other = store.clone();
    let written = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        other.upsert_series(&silver(), &[bar("2024-01-01", 2.0)]),
    )
    .await
    .expect("the other writer did not wait for the staging import")
    .unwrap();
    assert_eq!(written.new, 1);
    assert!(store.prices(&gold(), None, None).await.unwrap().is_empty());

    assert_eq!(staged.staged(), 20_000);
    let mut tx = staged.begin().await.unwrap();
    assert_eq!(tx.insert_staged(true).await.unwrap(), 20_000);
    tx.commit().await.unwrap();
    let stored = store.prices(&gold(), None, None).await.unwrap();
    assert_eq!(stored.len(), 20_000);
    assert_eq!(stored[19_999].close, 20_000.0);
    db.finish().await;
}

/// A staged import into stored series upserts: changed rows update, equal ones stay; an
/// import given up before `begin` leaves nothing, and the next one starts clean.
#[tokio::test]
async fn a_staged_import_upserts_and_an_abandoned_one_leaves_nothing() {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    store
        .upsert_series(&gold(), &[bar("2024-01-01", 1.0), bar("2024-01-02", 2.0)])
        .await
        .unwrap();
    let mut abandoned = store.stage_import(&[gold()]).await.unwrap().unwrap();
    abandoned
        .write(&[(0, bar("2024-01-03", 9.0))])
        .await
        .unwrap();
    drop(abandoned);
    assert_eq!(store.prices(&gold(), None, None).await.unwrap().len(), 2);

    let mut staged = store.stage_import(&[gold()]).await.unwrap().unwrap();
    staged
        .write(&[(0, bar("2024-01-02", 2.5)), (0, bar("2024-01-01", 1.0))])
        .await
        .unwrap();
    let mut tx = staged.begin().await.unwrap();
    assert_eq!(tx.insert_staged(false).await.unwrap(), 1, "one row changed");
    tx.commit().await.unwrap();
    let stored = store.prices(&gold(), None, None).await.unwrap();
    assert_eq!(
        stored.iter().map(|b| b.close).collect::<Vec<_>>(),
        [1.0, 2.5]
    );
    assert!(store.stage_import(&[gold()]).await.unwrap().is_some());
    db.finish().await;
}
