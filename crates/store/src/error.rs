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

/// Hides the password of a URL (`postgres://user:secret@host/db` → `postgres://user:***@host/db`).
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let user_info = &authority[..at];
    let Some(colon) = user_info.find(':') else {
        return url.to_string();
    };
    format!(
        "{}://{}:***{}",
        &url[..scheme_end],
        &user_info[..colon],
        &rest[at..]
    )
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn redact_url_hides_password_only() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/commodex"),
            "postgres://app:***@db:5432/commodex"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact_url("sqlite://data/commodex.db"),
            "sqlite://data/commodex.db"
        );
        assert_eq!(
            redact_url("redis://:pw@localhost:6379"),
            "redis://:***@localhost:6379"
        );
    }
}
