//! Getting an update to every instance's clients exactly once.
//!
//! Without Redis the poller runs in this process and hands updates straight to the hub. With
//! Redis the poller only publishes on the channel, and every instance (the poller's included)
//! forwards what the channel carries to its own clients: one path per update, so no client sees
//! an update twice. The forwarder resubscribes by itself when Redis restarts. On PostgreSQL
//! without Redis, LISTEN/NOTIFY plays the channel's part ([`super::notify`]).

use super::hub::Hub;
use super::message::Update;
use super::notify::PgFanout;
use super::redis_link::{COMMAND_TIMEOUT, RedisLink};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Where the poller publishes.
#[derive(Clone)]
pub enum Fanout {
    /// Straight to this instance's clients (no Redis: a single instance).
    InProcess(Hub),
    /// To the Redis channel every instance forwards from.
    Redis {
        /// The shared connection.
        link: Arc<RedisLink>,
        /// The channel's name.
        channel: String,
    },
    /// To the PostgreSQL NOTIFY channel every instance listens on.
    Postgres(PgFanout),
}

/// A publish that did not happen; the update is lost for every client, not duplicated.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Redis or PostgreSQL did not take it.
    #[error("cannot publish a live update: {0}")]
    Unreachable(String),
    /// Too large for PostgreSQL's NOTIFY; other updates still go.
    #[error(
        "a live update of {bytes} bytes is larger than the {limit} bytes a NOTIFY carries; not sent"
    )]
    TooLarge {
        /// Its size as JSON.
        bytes: usize,
        /// The most NOTIFY carries.
        limit: usize,
    },
}

impl Fanout {
    /// Publishes one update to every instance's clients.
    pub async fn publish(&self, update: &Update) -> Result<(), PublishError> {
        match self {
            Fanout::InProcess(hub) => {
                hub.deliver(update);
                Ok(())
            }
            Fanout::Redis { link, channel } => {
                let unreachable =
                    |error: String| PublishError::Unreachable(format!("Redis: {error}"));
                let text = serde_json::to_string(update).map_err(|e| unreachable(e.to_string()))?;
                let mut connection = link
                    .connection()
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                let mut command = redis::cmd("PUBLISH");
                command.arg(channel).arg(text);
                let publish = command.query_async::<i64>(&mut connection);
                match tokio::time::timeout(COMMAND_TIMEOUT, publish).await {
                    Ok(Ok(_receivers)) => Ok(()),
                    Ok(Err(error)) => Err(unreachable(error.to_string())),
                    Err(_) => Err(unreachable("no answer in time".to_string())),
                }
            }
            Fanout::Postgres(postgres) => postgres.publish(update).await,
        }
    }
}

/// Longest pause between two attempts to resubscribe.
const MAX_RESUBSCRIBE_DELAY: Duration = Duration::from_secs(1);

/// Forwards every update of `channel` to `hub` until `stop` turns true, resubscribing with a
/// short backoff whenever the subscription breaks (Redis restarted, network cut).
pub async fn forward(
    client: redis::Client,
    channel: String,
    hub: Hub,
    mut stop: watch::Receiver<bool>,
) {
    let mut delay = Duration::from_millis(100);
    let mut was_connected = true;
    loop {
        let attempt = async {
            let mut pubsub = tokio::time::timeout(COMMAND_TIMEOUT, client.get_async_pubsub())
                .await
                .map_err(|_| "Redis did not answer in time".to_string())?
                .map_err(|e| e.to_string())?;
            tokio::time::timeout(COMMAND_TIMEOUT, pubsub.subscribe(&channel))
                .await
                .map_err(|_| "Redis did not answer in time".to_string())?
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(pubsub.into_on_message())
        };
        let outcome = tokio::select! {
            outcome = attempt => outcome,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        match outcome {
            Ok(mut messages) => {
                if !was_connected {
                    tracing::info!(%channel, "live fan-out: subscribed to Redis again");
                }
                was_connected = true;
                delay = Duration::from_millis(100);
                loop {
                    tokio::select! {
                        message = messages.next() => match message {
                            Some(message) => match message.get_payload::<String>() {
                                Ok(text) => hub.deliver_json(text),
                                Err(error) => tracing::warn!(%error, "live fan-out: unreadable message"),
                            },
                            None => break,
                        },
                        _ = stop.wait_for(|stopped| *stopped) => return,
                    }
                }
                tracing::warn!(%channel, "live fan-out: the Redis subscription ended; resubscribing");
            }
            Err(error) => {
                if was_connected {
                    tracing::warn!(%error, "live fan-out: cannot subscribe to Redis; retrying");
                }
                was_connected = false;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {},
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        delay = (delay * 2).min(MAX_RESUBSCRIBE_DELAY);
    }
}
