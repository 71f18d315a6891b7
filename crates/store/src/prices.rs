//! Prices: batched idempotent upserts inside transactions, range reads and series summaries.

use crate::database::{Backend, BeginWrite, Store, on_pool};
use crate::error::{Result, StoreError};
use crate::model::{Interval, PriceBar, SeriesKey};
use crate::sqlite_bulk::{self, OnConflict};
use chrono::NaiveDate;
use sqlx::Row;

/// Rows per chunk [`Store::upsert_series`] hands to one call.
pub const UPSERT_BATCH_ROWS: usize = 10_000;

// Only rows whose values really change are rewritten, so that re-importing a file touches
// nothing and `rows_affected` counts exactly the new and updated rows.
macro_rules! upsert_tail {
    () => {
        " ON CONFLICT (source, symbol, date, interval) DO UPDATE SET \
     open = excluded.open, high = excluded.high, low = excluded.low, \
     close = excluded.close, volume = excluded.volume \
     WHERE prices.open IS DISTINCT FROM excluded.open \
        OR prices.high IS DISTINCT FROM excluded.high \
        OR prices.low IS DISTINCT FROM excluded.low \
        OR prices.close IS DISTINCT FROM excluded.close \
        OR prices.volume IS DISTINCT FROM excluded.volume"
    };
}
/// The conflict clause of every upsert of prices.
pub(crate) const UPSERT_TAIL: &str = upsert_tail!();

/// Rows per statement on PostgreSQL, where rows travel as column arrays.
const PG_UNNEST_BATCH_ROWS: usize = 10_000;

const PG_UNNEST_UPSERT: &str = concat!(
    "INSERT INTO prices (source, symbol, date, interval, open, high, low, close, volume) ",
    "SELECT * FROM UNNEST($1::text[], $2::text[], $3::date[], $4::text[], $5::float8[], ",
    "$6::float8[], $7::float8[], $8::float8[], $9::float8[])",
    upsert_tail!()
);

/// A chunk of rows turned into one array per column.
struct PriceColumns<'a> {
    source: Vec<&'a str>,
    symbol: Vec<&'a str>,
    date: Vec<NaiveDate>,
    interval: Vec<&'static str>,
    open: Vec<Option<f64>>,
    high: Vec<Option<f64>>,
    low: Vec<Option<f64>>,
    close: Vec<f64>,
    volume: Vec<Option<f64>>,
}

impl<'a> PriceColumns<'a> {
    fn from_rows(keys: &'a [SeriesKey], rows: &[(usize, PriceBar)]) -> Result<Self> {
        let n = rows.len();
        let mut columns = Self {
            source: Vec::with_capacity(n),
            symbol: Vec::with_capacity(n),
            date: Vec::with_capacity(n),
            interval: Vec::with_capacity(n),
            open: Vec::with_capacity(n),
            high: Vec::with_capacity(n),
            low: Vec::with_capacity(n),
            close: Vec::with_capacity(n),
            volume: Vec::with_capacity(n),
        };
        for (index, bar) in rows {
            let key = key_of(keys, *index)?;
            let bar = storable_bar(key, bar)?;
            columns.source.push(&key.source);
            columns.symbol.push(&key.symbol);
            columns.date.push(bar.date);
            columns.interval.push(key.interval.as_str());
            columns.open.push(bar.open);
            columns.high.push(bar.high);
            columns.low.push(bar.low);
            columns.close.push(bar.close);
            columns.volume.push(bar.volume);
        }
        Ok(columns)
    }
}

/// How an upsert changed the stored rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpsertCounts {
    /// Rows that did not exist before.
    pub new: u64,
    /// Rows that existed with other values.
    pub updated: u64,
    /// Rows that existed with the same values.
    pub unchanged: u64,
}

impl UpsertCounts {
    /// Derives the three counts from row counts before and after and the rows the upserts
    /// reported as written.
    pub fn from_counts(submitted: u64, before: u64, after: u64, affected: u64) -> Self {
        let new = after.saturating_sub(before);
        let updated = affected.saturating_sub(new);
        Self {
            new,
            updated,
            unchanged: submitted.saturating_sub(new + updated),
        }
    }
}

/// What is stored for one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    /// Which series.
    pub key: SeriesKey,
    /// Number of stored bars.
    pub rows: u64,
    /// First stored date.
    pub first: NaiveDate,
    /// Last stored date.
    pub last: NaiveDate,
}

/// An open transaction: everything written through it is stored on [`StoreTx::commit`] or not at
/// all (dropping it, or the process dying, rolls back).
pub struct StoreTx {
    pub(crate) inner: TxInner,
}

pub(crate) enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs the same block against whichever transaction a [`StoreTx`] holds (see `on_pool`).
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::prices::TxInner::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::prices::TxInner::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Store {
    /// Starts a write transaction: on SQLite it holds the write lock from the start, waiting
    /// for another writer to finish rather than failing (see [`BeginWrite`]).
    pub async fn begin(&self) -> Result<StoreTx> {
        let inner = match &self.backend {
            Backend::Sqlite(pool) => TxInner::Sqlite(pool.begin_write().await?),
            Backend::Postgres(pool) => TxInner::Postgres(pool.begin_write().await?),
        };
        Ok(StoreTx { inner })
    }

    /// Stores `bars` of one series in one transaction and says what changed.
    pub async fn upsert_series(&self, key: &SeriesKey, bars: &[PriceBar]) -> Result<UpsertCounts> {
        let mut tx = self.begin().await?;
        let before = tx.count_series(key).await?;
        let keys = std::slice::from_ref(key);
        let mut affected = 0;
        let mut rows = Vec::with_capacity(UPSERT_BATCH_ROWS.min(bars.len()));
        for chunk in bars.chunks(UPSERT_BATCH_ROWS) {
            rows.clear();
            rows.extend(chunk.iter().map(|bar| (0, *bar)));
            affected += tx.upsert_prices(keys, &rows).await?;
        }
        let after = tx.count_series(key).await?;
        tx.commit().await?;
        Ok(UpsertCounts::from_counts(
            bars.len() as u64,
            before,
            after,
            affected,
        ))
    }

    /// The stored bars of a series between `start` and `end` (inclusive, either open), in date
    /// order.
    pub async fn prices(
        &self,
        key: &SeriesKey,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<Vec<PriceBar>> {
        const SQL: &str = "SELECT date, open, high, low, close, volume FROM prices \
             WHERE source = $1 AND symbol = $2 AND interval = $3 AND date >= $4 AND date <= $5 \
             ORDER BY date";
        // Four-digit years on both ends: SQLite compares dates as text and PostgreSQL rejects
        // chrono's extreme dates.
        let start = start.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).expect("valid date"));
        let end = end.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date"));
        let bars = on_pool!(self, pool => {
            let rows = sqlx::query(SQL)
                .bind(&key.source)
                .bind(&key.symbol)
                .bind(key.interval.as_str())
                .bind(start)
                .bind(end)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    Ok(PriceBar {
                        date: row.try_get("date")?,
                        open: row.try_get("open")?,
                        high: row.try_get("high")?,
                        low: row.try_get("low")?,
                        close: row.try_get("close")?,
                        volume: row.try_get("volume")?,
                    })
                })
                .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(bars)
    }

    /// Every stored series with its row count and date span, ordered by source, symbol,
    /// interval.
    pub async fn series(&self) -> Result<Vec<SeriesSummary>> {
        const SQL: &str = "SELECT source, symbol, interval, COUNT(*) AS n, MIN(date) AS first, \
             MAX(date) AS last FROM prices GROUP BY source, symbol, interval \
             ORDER BY source, symbol, interval";
        let summaries = on_pool!(self, pool => {
            let rows = sqlx::query(SQL).fetch_all(pool).await?;
            rows.iter()
                .filter_map(|row| summary_from_row(row).transpose())
                .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(summaries)
    }

    /// The stored date span and row count of one series, if it has any rows.
    pub async fn series_summary(&self, key: &SeriesKey) -> Result<Option<SeriesSummary>> {
        const SQL: &str = "SELECT COUNT(*) AS n, MIN(date) AS first, MAX(date) AS last \
             FROM prices WHERE source = $1 AND symbol = $2 AND interval = $3";
        let summary = on_pool!(self, pool => {
            let row = sqlx::query(SQL)
                .bind(&key.source)
                .bind(&key.symbol)
                .bind(key.interval.as_str())
                .fetch_one(pool)
                .await?;
            let rows: i64 = row.try_get("n")?;
            if rows == 0 {
                None
            } else {
                Some(SeriesSummary {
                    key: key.clone(),
                    rows: rows as u64,
                    first: row.try_get("first")?,
                    last: row.try_get("last")?,
                })
            }
        });
        Ok(summary)
    }
}

fn summary_from_row<R>(row: &R) -> std::result::Result<Option<SeriesSummary>, sqlx::Error>
where
    R: Row,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> NaiveDate: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let interval: String = row.try_get("interval")?;
    // A row written by a newer version with an interval we do not know is left out rather
    // than failing the whole listing.
    let Ok(interval) = interval.parse::<Interval>() else {
        return Ok(None);
    };
    let rows: i64 = row.try_get("n")?;
    Ok(Some(SeriesSummary {
        key: SeriesKey::new(
            row.try_get::<String, _>("source")?,
            row.try_get::<String, _>("symbol")?,
            interval,
        ),
        rows: rows as u64,
        first: row.try_get("first")?,
        last: row.try_get("last")?,
    }))
}

/// The bar as it is stored: an open, high, low or volume that is not a finite number is
/// stored as absent, and a close that is not one is refused, so that NaN never reaches the
/// database (PostgreSQL would keep it, SQLite would turn it into NULL).
pub(crate) fn storable_bar(key: &SeriesKey, bar: &PriceBar) -> Result<PriceBar> {
    if !bar.close.is_finite() {
        return Err(StoreError::InvalidPrice(format!(
            "the close of {key} on {} is {}, not a finite number",
            bar.date, bar.close
        )));
    }
    let finite = |value: Option<f64>| value.filter(|v| v.is_finite());
    Ok(PriceBar {
        date: bar.date,
        open: finite(bar.open),
        high: finite(bar.high),
        low: finite(bar.low),
        close: bar.close,
        volume: finite(bar.volume),
    })
}

/// The key of row `index`, or an error naming the index when a caller passed too few keys.
pub(crate) fn key_of(keys: &[SeriesKey], index: usize) -> Result<&SeriesKey> {
    keys.get(index).ok_or_else(|| {
        StoreError::InvalidPrice(format!(
            "a row refers to series {index} but only {} were given",
            keys.len()
        ))
    })
}

impl StoreTx {
    /// Upserts bars of several series: each row is (index into `keys`, bar). Returns the number
    /// of rows inserted or changed (rows stored with identical values are not counted).
    pub async fn upsert_prices(
        &mut self,
        keys: &[SeriesKey],
        rows: &[(usize, PriceBar)],
    ) -> Result<u64> {
        let mut affected = 0;
        match &mut self.inner {
            TxInner::Sqlite(tx) => {
                affected = sqlite_bulk::write_rows(tx, keys, rows, OnConflict::Update).await?;
            }
            TxInner::Postgres(tx) => {
                // One statement per chunk with a column array per field: PostgreSQL plans
                // it once and the wire carries nine arrays instead of 9 x N parameters.
                for chunk in rows.chunks(PG_UNNEST_BATCH_ROWS) {
                    let columns = PriceColumns::from_rows(keys, chunk)?;
                    affected += sqlx::query(PG_UNNEST_UPSERT)
                        .bind(columns.source)
                        .bind(columns.symbol)
                        .bind(columns.date)
                        .bind(columns.interval)
                        .bind(columns.open)
                        .bind(columns.high)
                        .bind(columns.low)
                        .bind(columns.close)
                        .bind(columns.volume)
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                }
            }
        }
        Ok(affected)
    }

    /// Number of stored rows of a series, as this transaction sees them.
    pub async fn count_series(&mut self, key: &SeriesKey) -> Result<u64> {
        const SQL: &str =
            "SELECT COUNT(*) FROM prices WHERE source = $1 AND symbol = $2 AND interval = $3";
        let count: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(SQL)
                .bind(&key.source)
                .bind(&key.symbol)
                .bind(key.interval.as_str())
                .fetch_one(conn)
                .await?
        });
        Ok(count as u64)
    }

    /// Makes everything written through this transaction permanent.
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Discards everything written through this transaction.
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}
