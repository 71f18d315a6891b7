//! A PostgreSQL session-level advisory lock held on a connection of its own, so that one process
//! of a deployment can do a job (the live poller) while the others stand by.
//!
//! The lock lives as long as the session: if the process dies, PostgreSQL drops the connection
//! and frees the lock at once, and another contender takes it on its next try.

use crate::error::{Result, StoreError};
use crate::redact::redact_url;
use sqlx::{Connection, PgConnection};

/// One contender for a PostgreSQL advisory lock.
pub struct AdvisoryLock {
    url: String,
    key: i64,
    connection: Option<PgConnection>,
    held: bool,
}

impl std::fmt::Debug for AdvisoryLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdvisoryLock")
            .field("url", &redact_url(&self.url))
            .field("key", &self.key)
            .field("held", &self.held)
            .finish()
    }
}

impl AdvisoryLock {
    /// A contender for lock `key` on the PostgreSQL database at `url`; nothing is opened yet.
    pub fn new(url: impl Into<String>, key: i64) -> Self {
        Self {
            url: url.into(),
            key,
            connection: None,
            held: false,
        }
    }

    /// Takes the lock if it is free, or checks that the session holding it is still alive.
    /// `Ok(true)` means this contender holds it now. A lost connection loses the lock (the
    /// server frees it with the session), so the next call reconnects and tries again.
    pub async fn try_hold(&mut self) -> Result<bool> {
        if self.connection.is_none() {
            self.held = false;
            let connection =
                PgConnection::connect(&self.url)
                    .await
                    .map_err(|e| StoreError::Connect {
                        backend: "postgres",
                        url: redact_url(&self.url),
                        message: e.to_string(),
                    })?;
            self.connection = Some(connection);
        }
        let Some(connection) = self.connection.as_mut() else {
            return Ok(false);
        };
        let answer = if self.held {
            // Holding: a trivial query proves the session (and so the lock) is still there.
            sqlx::query_scalar::<_, i32>("SELECT 1")
                .fetch_one(&mut *connection)
                .await
                .map(|_| true)
        } else {
            sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1)")
                .bind(self.key)
                .fetch_one(&mut *connection)
                .await
        };
        match answer {
            Ok(held) => {
                self.held = held;
                Ok(held)
            }
            Err(error) => {
                self.connection = None;
                self.held = false;
                Err(error.into())
            }
        }
    }

    /// Whether the last [`AdvisoryLock::try_hold`] found the lock held by this contender.
    pub fn is_held(&self) -> bool {
        self.held
    }

    /// Frees the lock (if held) and closes the session.
    pub async fn release(&mut self) {
        if let Some(mut connection) = self.connection.take() {
            if self.held {
                let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(self.key)
                    .execute(&mut connection)
                    .await;
            }
            let _ = connection.close().await;
        }
        self.held = false;
    }
}
