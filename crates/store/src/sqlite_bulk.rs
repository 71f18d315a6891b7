//! Writing many price rows into SQLite: the statement shape and the binding.
//!
//! A row bound the general way costs nine parameters, and the driver copies each text one
//! into a fresh `String` and formats each date through chrono's format parser. Here a
//! statement holds as many rows as SQLite's parameter limit allows and binds only what varies:
//! - the source and interval (the same for a whole import) not at all when every row of the
//!   chunk shares them: they are written into the statement as SQL text literals;
//! - the symbol and date as shared strings (`Arc<str>`): a symbol's text is made once per
//!   call, a date's once per distinct date, and the driver clones the pointer, not the text;
//! - open, high, low and volume only when some row of the chunk has one (a close-only file
//!   binds three parameters a row instead of nine).
//!
//! Every parameter is a plain `?`: sqlx asks SQLite the name of each parameter it binds, and
//! SQLite finds a numbered one (`?7`) by walking the list of every numbered parameter, so a
//! statement of 30,000 numbered parameters costs 30,000² steps to bind (a million rows took
//! minutes); plain ones have no name to look up.
//!
//! The SQL text depends only on the row count, the shape and the shared key, so full chunks
//! reuse one prepared statement from the driver's cache.

use crate::error::Result;
use crate::model::{PriceBar, SeriesKey};
use crate::prices::{UPSERT_TAIL, key_of, storable_bar};
use chrono::{Datelike, NaiveDate};
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, SqliteConnection};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// The most parameters one statement may have (SQLite's `SQLITE_MAX_VARIABLE_NUMBER` since
/// 3.32).
const MAX_PARAMETERS: usize = 32_766;

/// The most rows in one statement, whatever their width: bigger statements take longer to
/// prepare than they save.
const MAX_ROWS: usize = 10_000;

/// What happens when a row's key is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum OnConflict {
    /// The statement fails (rows into series the caller knows to be empty).
    Fail,
    /// The stored row takes the new values, and is rewritten only when they differ.
    Update,
}

/// The table rows go into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Table {
    /// `prices`.
    Prices,
    /// An import's staging table (`temp.import_prices`, see `staged_import.rs`).
    Staging,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Prices => "prices",
            Table::Staging => "temp.import_prices",
        }
    }
}

/// Inserts `rows` (index into `keys`, bar) into `prices` and returns the number of rows
/// written.
pub(crate) async fn write_rows(
    connection: &mut SqliteConnection,
    keys: &[SeriesKey],
    rows: &[(usize, PriceBar)],
    on_conflict: OnConflict,
) -> Result<u64> {
    write_rows_into(connection, Table::Prices, keys, rows, on_conflict).await
}

/// [`write_rows`] into `table`.
pub(crate) async fn write_rows_into(
    connection: &mut SqliteConnection,
    table: Table,
    keys: &[SeriesKey],
    rows: &[(usize, PriceBar)],
    on_conflict: OnConflict,
) -> Result<u64> {
    let texts = KeyTexts::new(keys);
    let mut dates = DateTexts::default();
    let mut affected = 0;
    let mut start = 0;
    while start < rows.len() {
        let shape = Shape::of(keys, &rows[start..]);
        let count = shape.rows_per_statement().min(rows.len() - start);
        let chunk = &rows[start..start + count];
        // A chunk's shape was decided on its first rows; a later row may need more.
        let shape = Shape::of(keys, chunk);
        let shared = if shape.shared_key {
            let key = key_of(keys, chunk[0].0)?;
            Some((key.source.as_str(), key.interval.as_str()))
        } else {
            None
        };
        let sql = statement(table, shape, chunk.len(), on_conflict, shared);
        let mut arguments = SqliteArguments::default();
        Arguments::reserve(&mut arguments, chunk.len() * shape.parameters_per_row(), 0);
        for (index, bar) in chunk {
            let key = key_of(keys, *index)?;
            let bar = storable_bar(key, bar)?;
            if !shape.shared_key {
                add(&mut arguments, Arc::clone(&texts.sources[*index]))?;
                add(&mut arguments, key.interval.as_str())?;
            }
            add(&mut arguments, Arc::clone(&texts.symbols[*index]))?;
            add(&mut arguments, dates.text(bar.date))?;
            add(&mut arguments, bar.close)?;
            if shape.full {
                add(&mut arguments, bar.open)?;
                add(&mut arguments, bar.high)?;
                add(&mut arguments, bar.low)?;
                add(&mut arguments, bar.volume)?;
            }
        }
        affected += sqlx::query_with(sqlx::AssertSqlSafe(sql), arguments)
            .execute(&mut *connection)
            .await?
            .rows_affected();
        start += count;
    }
    Ok(affected)
}

/// The SQL of a statement; those of full chunks are made once per process.
fn statement(
    table: Table,
    shape: Shape,
    rows: usize,
    on_conflict: OnConflict,
    shared: Option<(&str, &str)>,
) -> Arc<str> {
    type Statements =
        Mutex<HashMap<(Table, Shape, OnConflict, Option<(String, String)>), Arc<str>>>;
    static FULL: LazyLock<Statements> = LazyLock::new(Statements::default);
    if rows != shape.rows_per_statement() {
        return Arc::from(shape.sql(table, rows, on_conflict, shared));
    }
    let key = (
        table,
        shape,
        on_conflict,
        shared.map(|(source, interval)| (source.to_string(), interval.to_string())),
    );
    let mut full = FULL.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(
        full.entry(key)
            .or_insert_with(|| Arc::from(shape.sql(table, rows, on_conflict, shared))),
    )
}

/// `text` as an SQL string literal: quoted, with its quotes doubled.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn add<'q, T>(arguments: &mut SqliteArguments, value: T) -> Result<()>
where
    T: sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + 'q,
{
    Arguments::add(arguments, value).map_err(|error| sqlx::Error::Encode(error).into())
}

/// The shape of one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Shape {
    /// Every row has the same source and interval: written into the SQL as literals.
    shared_key: bool,
    /// Some row has an open, high, low or volume: all four are bound for every row.
    full: bool,
}

impl Shape {
    /// The shape for the first rows of `rows` (as many as one statement of that shape holds).
    fn of(keys: &[SeriesKey], rows: &[(usize, PriceBar)]) -> Self {
        let mut shape = Shape {
            shared_key: true,
            full: false,
        };
        let first = rows.first().and_then(|(index, _)| keys.get(*index));
        for (index, bar) in rows.iter().take(MAX_ROWS) {
            if let (Some(first), Some(key)) = (first, keys.get(*index))
                && (key.source != first.source || key.interval != first.interval)
            {
                shape.shared_key = false;
            }
            shape.full |= bar.open.is_some()
                || bar.high.is_some()
                || bar.low.is_some()
                || bar.volume.is_some();
        }
        shape
    }

    fn parameters_per_row(self) -> usize {
        let key = if self.shared_key { 0 } else { 2 };
        let values = if self.full { 7 } else { 3 };
        key + values
    }

    fn rows_per_statement(self) -> usize {
        (MAX_PARAMETERS / self.parameters_per_row()).min(MAX_ROWS)
    }

    /// `INSERT ... VALUES (...), ...` for `rows` rows, with the `shared` source and interval
    /// as literals (when the shape shares them) and every other value a plain `?`.
    fn sql(
        self,
        table: Table,
        rows: usize,
        on_conflict: OnConflict,
        shared: Option<(&str, &str)>,
    ) -> String {
        let mut sql = String::with_capacity(200 + rows * 40);
        sql.push_str("INSERT INTO ");
        sql.push_str(table.name());
        sql.push_str(" (source, interval, symbol, date, close");
        if self.full {
            sql.push_str(", open, high, low, volume");
        }
        sql.push_str(") VALUES ");
        let key = match shared.filter(|_| self.shared_key) {
            Some((source, interval)) => format!("{},{},", literal(source), literal(interval)),
            None => "?,?,".to_string(),
        };
        let values = if self.full { "?,?,?,?,?,?,?" } else { "?,?,?" };
        for row in 0..rows {
            if row > 0 {
                sql.push(',');
            }
            sql.push('(');
            sql.push_str(&key);
            sql.push_str(values);
            sql.push(')');
        }
        if on_conflict == OnConflict::Update {
            sql.push_str(UPSERT_TAIL);
        }
        sql
    }
}

/// Each key's source and symbol as shared text, made once per call.
struct KeyTexts {
    sources: Vec<Arc<str>>,
    symbols: Vec<Arc<str>>,
}

impl KeyTexts {
    fn new(keys: &[SeriesKey]) -> Self {
        Self {
            sources: keys
                .iter()
                .map(|key| Arc::from(key.source.as_str()))
                .collect(),
            symbols: keys
                .iter()
                .map(|key| Arc::from(key.symbol.as_str()))
                .collect(),
        }
    }
}

/// The text of the last date asked for, reused while rows keep that date (every row of a
/// wide table's line has it).
#[derive(Default)]
struct DateTexts {
    last: Option<(NaiveDate, Arc<str>)>,
}

impl DateTexts {
    fn text(&mut self, date: NaiveDate) -> Arc<str> {
        if let Some((last, text)) = &self.last
            && *last == date
        {
            return Arc::clone(text);
        }
        let text: Arc<str> = Arc::from(iso_date(date).as_str());
        self.last = Some((date, Arc::clone(&text)));
        text
    }
}

/// `YYYY-MM-DD`, as chrono writes a date of years 0 to 9999 (the ones SQLite compares
/// correctly as text), without its format machinery; other years as chrono writes them.
fn iso_date(date: NaiveDate) -> String {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        return date.format("%Y-%m-%d").to_string();
    }
    let mut text = String::with_capacity(10);
    let digits = |text: &mut String, value: u32, width: u32| {
        for power in (0..width).rev() {
            let digit = (value / 10u32.pow(power)) % 10;
            text.push(char::from(b'0' + digit as u8));
        }
    };
    digits(&mut text, year as u32, 4);
    text.push('-');
    digits(&mut text, date.month(), 2);
    text.push('-');
    digits(&mut text, date.day(), 2);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Interval;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for text in ["0001-01-01", "1750-01-01", "2024-02-29", "9999-12-31"] {
            let date: NaiveDate = text.parse().unwrap();
            assert_eq!(iso_date(date), text);
            assert_eq!(iso_date(date), date.to_string());
        }
        let far = NaiveDate::from_ymd_opt(12345, 6, 7).unwrap();
        assert_eq!(iso_date(far), far.format("%Y-%m-%d").to_string());
    }

    fn bar(close: f64) -> PriceBar {
        PriceBar::close_only("2024-01-02".parse().unwrap(), close)
    }

    #[test]
    fn a_close_only_chunk_of_one_source_binds_three_parameters_a_row() {
        let keys = [
            SeriesKey::new("csv", "GOLD", Interval::Daily),
            SeriesKey::new("csv", "WTI", Interval::Daily),
        ];
        let rows = [(0, bar(1.0)), (1, bar(2.0))];
        let shape = Shape::of(&keys, &rows);
        assert_eq!(
            shape,
            Shape {
                shared_key: true,
                full: false
            }
        );
        assert_eq!(
            shape.sql(Table::Prices, 2, OnConflict::Fail, Some(("csv", "daily"))),
            "INSERT INTO prices (source, interval, symbol, date, close) VALUES \
             ('csv','daily',?,?,?),('csv','daily',?,?,?)"
        );
        // A quote in a source cannot end the literal.
        assert!(
            shape
                .sql(
                    Table::Prices,
                    1,
                    OnConflict::Fail,
                    Some(("o'hare", "daily"))
                )
                .contains("('o''hare','daily',?,?,?)")
        );
        assert_eq!(shape.rows_per_statement(), MAX_ROWS);
    }

    #[test]
    fn mixed_sources_and_full_bars_bind_every_column() {
        let keys = [
            SeriesKey::new("csv", "GOLD", Interval::Daily),
            SeriesKey::new("demo", "GOLD", Interval::Daily),
        ];
        let mut full = bar(1.0);
        full.volume = Some(5.0);
        let rows = [(0, bar(1.0)), (1, full)];
        let shape = Shape::of(&keys, &rows);
        assert_eq!(
            shape,
            Shape {
                shared_key: false,
                full: true
            }
        );
        let sql = shape.sql(Table::Prices, 1, OnConflict::Update, None);
        assert!(
            sql.starts_with(
                "INSERT INTO prices (source, interval, symbol, date, close, open, high, low, \
                 volume) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT"
            ),
            "{sql}"
        );
        assert!(shape.rows_per_statement() * 9 <= MAX_PARAMETERS);
    }
}
