//! PostgreSQL's LISTEN/NOTIFY, for instances that share a database and no Redis: one sends a
//! short text on a channel, and every session listening on that channel in the same database
//! receives it, in commit order.
//!
//! Both sides reconnect by themselves: the sender's pool checks a connection before using it,
//! and the listener, once its session is gone (a restart, `pg_terminate_backend`), reports
//! [`Heard::Reconnected`] and listens again. Notifications sent while a listener is away are
//! lost to it: NOTIFY is a signal, not a queue.

use crate::error::{Result, StoreError};
use crate::redact::redact_url;
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use std::time::Duration;

/// The longest payload PostgreSQL carries: it refuses 8000 bytes or more.
pub const MAX_NOTIFY_PAYLOAD_BYTES: usize = 7999;

/// How long connecting (or getting a connection) may take before a send fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

fn connect_error(url: &str, error: &sqlx::Error) -> StoreError {
    StoreError::Connect {
        backend: "postgres",
        url: redact_url(url),
        message: error.to_string(),
    }
}

/// Sends notifications on a connection of its own, opened on first use.
#[derive(Clone)]
pub struct Notifier {
    pool: PgPool,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").finish_non_exhaustive()
    }
}

impl Notifier {
    /// A sender to the PostgreSQL database at `url`; nothing is opened yet.
    pub fn new(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(CONNECT_TIMEOUT)
            // A session killed since its last use is found out here, not by a lost send.
            .test_before_acquire(true)
            .connect_lazy(url)
            .map_err(|error| connect_error(url, &error))?;
        Ok(Self { pool })
    }

    /// Sends `payload` to every session listening on `channel`. PostgreSQL refuses a payload
    /// longer than [`MAX_NOTIFY_PAYLOAD_BYTES`].
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// What a listener heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A notification's payload.
    Payload(String),
    /// The session was lost and a new one listens again; what was sent meanwhile is lost.
    Reconnected,
}

/// Listens on one channel on a session of its own.
pub struct NotificationListener {
    url: String,
    channel: String,
    listener: Option<PgListener>,
    /// The last session was lost: the next one's start is reported as heard.
    lost: bool,
}

impl std::fmt::Debug for NotificationListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationListener")
            .field("url", &redact_url(&self.url))
            .field("channel", &self.channel)
            .field("connected", &self.listener.is_some())
            .finish()
    }
}

impl NotificationListener {
    /// A listener on `channel` of the database at `url`; nothing is opened yet.
    pub fn new(url: impl Into<String>, channel: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            channel: channel.into(),
            listener: None,
            lost: false,
        }
    }

    /// Connects and listens, unless already listening. After it returns `Ok`, every
    /// notification sent on the channel is heard.
    pub async fn listen(&mut self) -> Result<()> {
        if self.listener.is_none() {
            let connect = async {
                let mut listener = PgListener::connect(&self.url).await?;
                listener.listen(&self.channel).await?;
                Ok::<_, sqlx::Error>(listener)
            };
            let listener = tokio::time::timeout(CONNECT_TIMEOUT, connect)
                .await
                .map_err(|_| StoreError::Connect {
                    backend: "postgres",
                    url: redact_url(&self.url),
                    message: "no answer in time".to_string(),
                })?
                .map_err(|error| connect_error(&self.url, &error))?;
            self.listener = Some(listener);
        }
        Ok(())
    }

    /// The next thing heard. An error means the session is gone and could not be replaced
    /// yet: the next call tries again (the caller decides how long to wait first).
    pub async fn next(&mut self) -> Result<Heard> {
        self.listen().await?;
        if std::mem::take(&mut self.lost) {
            return Ok(Heard::Reconnected);
        }
        let Some(listener) = self.listener.as_mut() else {
            return Ok(Heard::Reconnected);
        };
        match listener.try_recv().await {
            Ok(Some(notification)) => Ok(Heard::Payload(notification.payload().to_string())),
            // sqlx noticed the lost session and has already listened again on a new one.
            Ok(None) => Ok(Heard::Reconnected),
            Err(error) => {
                // A terminated session answers with an error first; start afresh next time.
                self.listener = None;
                self.lost = true;
                Err(error.into())
            }
        }
    }
}
