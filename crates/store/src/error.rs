//! The one error type of the storage crate.

/// What can go wrong talking to the database, phrased so a caller can act on it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL has a scheme we do not speak.
    #[error("unsupported database URL '{0}': expected sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot connect to the {backend} database at {url}: {message}")]
    Connect {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The URL with any password redacted.
        url: String,
        /// What the driver said.
        message: String,
    },
    /// Applying the schema migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(String),
    /// A row asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A price cannot be stored as given (a close that is not a finite number, say).
    #[error("invalid price: {0}")]
    InvalidPrice(String),
    /// A query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Result alias for storage operations.
pub type Result<T> = std::result::Result<T, StoreError>;
