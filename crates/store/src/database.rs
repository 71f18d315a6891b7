//! Opening the database (SQLite or PostgreSQL), migrating it and checking it is alive.

use crate::error::{Result, StoreError};
use crate::redact::redact_url;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// Runs the same block against whichever pool the store holds.
///
/// SQL in this crate is written once with `$n` placeholders, which both SQLite and PostgreSQL
/// accept, so each query body type-checks against both drivers without being written twice.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::database::Backend::Sqlite($pool) => $body,
            $crate::database::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// How long a SQLite write waits for another connection's write transaction to end before it
/// fails with "database is locked". An import holds the write lock for its whole file (SPEC:
/// a file is stored whole or not at all), which for a large file takes seconds: the poller's
/// and the API's writes queue behind it instead of failing.
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts transactions that will write.
///
/// On SQLite a plain `BEGIN` is deferred: the transaction reads under a snapshot and asks for
/// the write lock at its first write. If another connection committed in between, SQLite
/// cannot let it write from a stale snapshot and fails at once with "database is locked",
/// without waiting on the busy timeout. `BEGIN IMMEDIATE` takes the write lock first (waiting
/// for it up to the busy timeout), so a writer that waits always succeeds. PostgreSQL's row
/// locks need nothing of the kind.
pub(crate) trait BeginWrite {
    /// The backend.
    type Database: sqlx::Database;

    /// A transaction holding (on SQLite) the write lock from its start.
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Self::Database>>;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;

    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;

    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }
}

/// The connection pool of one backend.
#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// How to open the database.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// `sqlite://PATH` (created if missing) or `postgres://...`.
    pub url: String,
    /// Upper bound on pooled connections.
    pub max_connections: u32,
    /// How long to wait for a connection before giving up.
    pub acquire_timeout_secs: u64,
}

impl ConnectOptions {
    /// Options for `url` with the pool defaults.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
            acquire_timeout_secs: 5,
        }
    }
}

/// The database: prices, saved portfolios and import runs, on SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) backend: Backend,
}

impl Store {
    /// Opens the database named by `options.url` (creating a SQLite file and its folder if
    /// missing). Does not migrate: call [`Store::migrate`].
    pub async fn connect(options: &ConnectOptions) -> Result<Self> {
        let url = options.url.trim();
        let acquire = Duration::from_secs(options.acquire_timeout_secs.max(1));
        if url.starts_with("sqlite:") {
            let connect_error = |message: String| StoreError::Connect {
                backend: "sqlite",
                url: redact_url(url),
                message,
            };
            let sqlite_options = SqliteConnectOptions::from_str(url)
                .map_err(|e| connect_error(e.to_string()))?
                .create_if_missing(true)
                // 16 KiB pages (for a new file; an existing one keeps its own): a bulk load
                // of a million prices took about a fifth less CPU than with 4 KiB pages,
                // fewer page splits and a shallower tree for each of the two B-trees.
                .page_size(16_384)
                .journal_mode(SqliteJournalMode::Wal)
                // WAL with NORMAL is durable across application crashes; only an OS crash can
                // lose the last commits, never corrupt the file.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT);
            if let Some(parent) = Path::new(sqlite_options.get_filename()).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    connect_error(format!("cannot create folder {}: {e}", parent.display()))
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections.max(1))
                .acquire_timeout(acquire)
                .connect_with(sqlite_options)
                .await
                .map_err(|e| connect_error(e.to_string()))?;
            Ok(Self {
                backend: Backend::Sqlite(pool),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections.max(1))
                .acquire_timeout(acquire)
                .connect(url)
                .await
                .map_err(|e| StoreError::Connect {
                    backend: "postgres",
                    url: redact_url(url),
                    message: e.to_string(),
                })?;
            Ok(Self {
                backend: Backend::Postgres(pool),
            })
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Applies every pending migration of this backend; safe to run any number of times and
    /// from several processes at once (sqlx takes a lock).
    pub async fn migrate(&self) -> Result<()> {
        let outcome = match &self.backend {
            Backend::Sqlite(pool) => crate::migrations::sqlite().run(pool).await,
            Backend::Postgres(pool) => crate::migrations::postgres().run(pool).await,
        };
        outcome.map_err(|e| StoreError::Migrate(e.to_string()))
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes every pooled connection, waiting for the ones in use.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}
