//! The bulk loader of an import: batches of rows written into one open transaction.
//!
//! Into series that have no stored rows yet, PostgreSQL gets one binary `COPY` for the whole
//! import, streamed batch by batch: the server inserts while the file is still being read,
//! and one statement replaces a hundred. Series that already have rows, which need the
//! upsert's conflict handling, go through [`StoreTx::upsert_prices`].
//!
//! On SQLite, rows into empty series are plain inserts (a row that exists after all fails the
//! import, as the copy does), and a load expected to be larger than the database builds the
//! `(symbol, date)` index once at the end instead of row by row: SQLite's own `.import` of a
//! million rows took 1.9 times as long with that index kept up to date as without it, while
//! building it afterwards cost a third of that difference. The index is dropped and built again inside
//! the import's transaction, so every other connection sees it throughout, and a failed
//! import rolls back to the index as it was.

use crate::error::Result;
use crate::model::{PriceBar, SeriesKey};
use crate::pg_binary::{BinaryRows, COPY_BINARY_STATEMENT};
use crate::prices::{StoreTx, TxInner};
use crate::sqlite_bulk::{self, OnConflict};
use sqlx::postgres::{PgConnection, PgCopyIn};
use sqlx::sqlite::SqliteConnection;

/// Writes the rows of one import through a transaction; see the module docs for how.
///
/// Call [`PriceLoader::finish`] after the last batch, or [`PriceLoader::abort`] to give up;
/// either way nothing is stored before the transaction commits.
pub struct PriceLoader<'t> {
    inner: LoaderInner<'t>,
}

enum LoaderInner<'t> {
    Copy {
        copy: PgCopyIn<&'t mut PgConnection>,
        encoder: BinaryRows,
        buffer: Vec<u8>,
    },
    Upsert {
        tx: &'t mut StoreTx,
        keys: Vec<SeriesKey>,
        affected: u64,
    },
    Sqlite {
        connection: &'t mut SqliteConnection,
        keys: Vec<SeriesKey>,
        on_conflict: OnConflict,
        affected: u64,
        /// The `(symbol, date)` index was dropped and is built again by `finish`.
        rebuild_index: bool,
    },
}

/// The `(symbol, date)` index as migration 0001 creates it on SQLite.
const SQLITE_SYMBOL_DATE_INDEX: &str = "CREATE INDEX prices_symbol_date ON prices (symbol, date)";

/// Below this many expected rows, maintaining the index row by row costs less than a
/// rebuild's fixed costs.
const MIN_ROWS_FOR_REBUILD: u64 = 50_000;

/// Fewest bytes a stored price takes in SQLite (key, values and the index entry): dividing the
/// database's size by it over-estimates the rows stored, so a rebuild is chosen only when
/// the load is really larger.
const MIN_SQLITE_BYTES_PER_ROW: u64 = 64;

impl std::fmt::Debug for PriceLoader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.inner {
            LoaderInner::Copy { .. } => "copy",
            LoaderInner::Upsert { .. } => "upsert",
            LoaderInner::Sqlite {
                rebuild_index: true,
                ..
            } => "sqlite, index built at the end",
            LoaderInner::Sqlite { .. } => "sqlite",
        };
        f.debug_struct("PriceLoader").field("how", &how).finish()
    }
}

impl StoreTx {
    /// A loader for rows of `keys` (rows index into it). `all_new` says the caller has checked,
    /// in this transaction, that none of the series has stored rows: PostgreSQL then copies
    /// instead of upserting, and a row that exists after all (another writer got there
    /// first) fails the transaction rather than being overwritten.
    pub async fn price_loader(
        &mut self,
        keys: &[SeriesKey],
        all_new: bool,
    ) -> Result<PriceLoader<'_>> {
        self.sized_price_loader(keys, all_new, 0).await
    }

    /// [`StoreTx::price_loader`] for a load of about `expected_rows` rows (0 when unknown),
    /// which decides on SQLite whether the `(symbol, date)` index is built at the end (see the
    /// module docs).
    pub async fn sized_price_loader(
        &mut self,
        keys: &[SeriesKey],
        all_new: bool,
        expected_rows: u64,
    ) -> Result<PriceLoader<'_>> {
        let inner = match (self, all_new) {
            (
                StoreTx {
                    inner: TxInner::Postgres(tx),
                },
                true,
            ) => {
                let copy = tx.copy_in_raw(COPY_BINARY_STATEMENT).await?;
                let mut buffer = Vec::new();
                BinaryRows::push_header(&mut buffer);
                LoaderInner::Copy {
                    copy,
                    encoder: BinaryRows::new(keys),
                    buffer,
                }
            }
            (
                StoreTx {
                    inner: TxInner::Sqlite(tx),
                },
                all_new,
            ) => {
                let connection: &mut SqliteConnection = tx;
                let rebuild_index = rebuild_pays(connection, expected_rows).await?;
                if rebuild_index {
                    sqlx::query("DROP INDEX prices_symbol_date")
                        .execute(&mut *connection)
                        .await?;
                }
                LoaderInner::Sqlite {
                    connection,
                    keys: keys.to_vec(),
                    on_conflict: if all_new {
                        OnConflict::Fail
                    } else {
                        OnConflict::Update
                    },
                    affected: 0,
                    rebuild_index,
                }
            }
            (tx, _) => LoaderInner::Upsert {
                tx,
                keys: keys.to_vec(),
                affected: 0,
            },
        };
        Ok(PriceLoader { inner })
    }
}

/// Whether building the `(symbol, date)` index once after a load of `expected_rows` costs less
/// than keeping it up to date: the load must be big, and bigger than what is already stored
/// (a rebuild sorts every row, not only the new ones).
async fn rebuild_pays(connection: &mut SqliteConnection, expected_rows: u64) -> Result<bool> {
    if expected_rows < MIN_ROWS_FOR_REBUILD {
        return Ok(false);
    }
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut *connection)
        .await?;
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut *connection)
        .await?;
    let stored_rows_at_most =
        pages.max(0) as u64 * page_size.max(0) as u64 / MIN_SQLITE_BYTES_PER_ROW;
    Ok(stored_rows_at_most <= expected_rows)
}

impl PriceLoader<'_> {
    /// Writes one batch of `(series index, bar)` rows.
    pub async fn write(&mut self, rows: &[(usize, PriceBar)]) -> Result<()> {
        match &mut self.inner {
            LoaderInner::Copy {
                copy,
                encoder,
                buffer,
            } => {
                encoder.push_rows(buffer, rows)?;
                copy.send(buffer.as_slice()).await?;
                buffer.clear();
            }
            LoaderInner::Upsert { tx, keys, affected } => {
                *affected += tx.upsert_prices(keys, rows).await?;
            }
            LoaderInner::Sqlite {
                connection,
                keys,
                on_conflict,
                affected,
                ..
            } => {
                *affected += sqlite_bulk::write_rows(connection, keys, rows, *on_conflict).await?;
            }
        }
        Ok(())
    }

    /// Ends the load and returns the number of rows inserted or changed (rows stored with
    /// identical values are not counted).
    pub async fn finish(self) -> Result<u64> {
        match self.inner {
            LoaderInner::Copy {
                mut copy,
                mut buffer,
                ..
            } => {
                BinaryRows::push_trailer(&mut buffer);
                copy.send(buffer.as_slice()).await?;
                Ok(copy.finish().await?)
            }
            LoaderInner::Upsert { affected, .. } => Ok(affected),
            LoaderInner::Sqlite {
                connection,
                affected,
                rebuild_index,
                ..
            } => {
                if rebuild_index {
                    sqlx::query(SQLITE_SYMBOL_DATE_INDEX)
                        .execute(connection)
                        .await?;
                }
                Ok(affected)
            }
        }
    }

    /// Gives up: the rows sent so far are discarded and the transaction can only roll back.
    pub async fn abort(self, reason: &str) {
        if let LoaderInner::Copy { copy, .. } = self.inner
            && let Err(error) = copy.abort(reason).await
        {
            // The server may have failed the copy already; the rollback follows either way.
            tracing::debug!(%error, "aborting the copy");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::database::{Backend, ConnectOptions};
    use crate::model::Interval;

    async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&ConnectOptions::new(url)).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    /// The SQL SQLite keeps for the `(symbol, date)` index, if it exists.
    async fn index_sql(store: &Store) -> Option<String> {
        let Backend::Sqlite(pool) = &store.backend else {
            panic!("a SQLite store");
        };
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'prices_symbol_date'")
            .fetch_optional(pool)
            .await
            .unwrap()
    }

    fn rows(count: usize) -> Vec<(usize, PriceBar)> {
        let start: chrono::NaiveDate = "1750-01-01".parse().unwrap();
        (0..count)
            .map(|day| {
                let date = start + chrono::Days::new(day as u64 / 2);
                (day % 2, PriceBar::close_only(date, day as f64 + 0.125))
            })
            .collect()
    }

    #[tokio::test]
    async fn a_large_load_builds_the_index_at_the_end_as_the_migration_made_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let migrated = index_sql(&store)
            .await
            .expect("the migration makes the index");
        let keys = [
            SeriesKey::new("csv", "GOLD", Interval::Daily),
            SeriesKey::new("csv", "WTI", Interval::Daily),
        ];
        let mut tx = store.begin().await.unwrap();
        let mut loader = tx.sized_price_loader(&keys, true, 1_000_000).await.unwrap();
        assert!(format!("{loader:?}").contains("index built at the end"));
        for batch in rows(60_000).chunks(10_000) {
            loader.write(batch).await.unwrap();
        }
        assert_eq!(loader.finish().await.unwrap(), 60_000);
        tx.commit().await.unwrap();
        assert_eq!(index_sql(&store).await.as_deref(), Some(migrated.as_str()));
        let gold = store.prices(&keys[0], None, None).await.unwrap();
        assert_eq!(gold.len(), 30_000);
        assert_eq!(gold[1].close, 2.125);
    }

    #[tokio::test]
    async fn a_failed_large_load_leaves_the_index_and_no_rows() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let migrated = index_sql(&store).await;
        let keys = [SeriesKey::new("csv", "GOLD", Interval::Daily)];
        let mut tx = store.begin().await.unwrap();
        let mut loader = tx.sized_price_loader(&keys, true, 1_000_000).await.unwrap();
        loader.write(&rows(1)).await.unwrap();
        // The same row again: plain inserts into new series refuse a stored key.
        let error = loader.write(&rows(1)).await.expect_err("a duplicate key");
        assert!(error.to_string().contains("UNIQUE"), "{error}");
        loader.abort("a bad row").await;
        tx.rollback().await.unwrap();
        assert_eq!(index_sql(&store).await, migrated);
        assert!(store.prices(&keys[0], None, None).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_small_load_or_a_load_smaller_than_the_database_keeps_the_index_row_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let keys = [
            SeriesKey::new("csv", "GOLD", Interval::Daily),
            SeriesKey::new("csv", "WTI", Interval::Daily),
        ];
        let mut tx = store.begin().await.unwrap();
        let mut loader = tx
            .sized_price_loader(&keys, true, MIN_ROWS_FOR_REBUILD - 1)
            .await
            .unwrap();
        assert!(!format!("{loader:?}").contains("index built at the end"));
        loader.write(&rows(60_000)).await.unwrap();
        loader.finish().await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let TxInner::Sqlite(connection) = &mut tx.inner else {
            panic!("a SQLite transaction");
        };
        // 60,000 stored rows outweigh a load of 50,000, not one of ten million.
        assert!(
            !rebuild_pays(connection, MIN_ROWS_FOR_REBUILD)
                .await
                .unwrap()
        );
        assert!(rebuild_pays(connection, 10_000_000).await.unwrap());
        tx.rollback().await.unwrap();
    }
}
