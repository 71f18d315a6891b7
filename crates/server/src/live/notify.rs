//! The fan-out on PostgreSQL without Redis: the poller sends each update with NOTIFY, and every
//! instance (the poller's included) LISTENs and hands what it hears to its own clients, so
//! clients of every instance behind a load balancer get every update once.
//!
//! NOTIFY carries at most 7999 bytes: a larger update (a portfolio with very many assets) is
//! refused with a warning rather than cut. The listener reconnects by itself after its session
//! is lost (PostgreSQL restarted, `pg_terminate_backend`); what was sent meanwhile is lost to
//! that instance, as with Redis.

use super::fanout::PublishError;
use super::hub::Hub;
use super::message::Update;
use std::time::Duration;
use store::notify::MAX_NOTIFY_PAYLOAD_BYTES;
use store::{Heard, NotificationListener, Notifier};
use tokio::sync::watch;

/// How long one NOTIFY may take before it counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_millis(1500);

/// Longest pause between two attempts to listen again.
const MAX_RELISTEN_DELAY: Duration = Duration::from_secs(1);

/// Where the poller sends updates on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgFanout {
    notifier: Notifier,
    channel: String,
}

impl PgFanout {
    /// Sends on `channel` through `notifier`.
    pub fn new(notifier: Notifier, channel: impl Into<String>) -> Self {
        Self {
            notifier,
            channel: channel.into(),
        }
    }

    /// Sends one update to every instance's listener.
    pub async fn publish(&self, update: &Update) -> Result<(), PublishError> {
        let text =
            serde_json::to_string(update).map_err(|e| PublishError::Unreachable(e.to_string()))?;
        if text.len() > MAX_NOTIFY_PAYLOAD_BYTES {
            let refused = PublishError::TooLarge {
                bytes: text.len(),
                limit: MAX_NOTIFY_PAYLOAD_BYTES,
            };
            tracing::warn!(symbol = update.symbol(), error = %refused, "live fan-out: update refused");
            return Err(refused);
        }
        match tokio::time::timeout(SEND_TIMEOUT, self.notifier.notify(&self.channel, &text)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(PublishError::Unreachable(format!("PostgreSQL: {error}"))),
            Err(_) => Err(PublishError::Unreachable(
                "PostgreSQL did not answer in time".to_string(),
            )),
        }
    }
}

/// Hands every update heard on `channel` to `hub` until `stop` turns true, listening again with
/// a short backoff whenever the session is lost. `listening` turns true once the first LISTEN
/// is in place (tests wait for it before sending).
pub async fn forward(
    mut listener: NotificationListener,
    hub: Hub,
    mut stop: watch::Receiver<bool>,
    listening: watch::Sender<bool>,
) {
    let mut delay = Duration::from_millis(100);
    let mut failing = false;
    loop {
        let heard = tokio::select! {
            heard = async {
                listener.listen().await?;
                listening.send_replace(true);
                listener.next().await
            } => heard,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        match heard {
            Ok(Heard::Payload(text)) => {
                delay = Duration::from_millis(100);
                hub.deliver_json(text);
            }
            Ok(Heard::Reconnected) => {
                failing = false;
                delay = Duration::from_millis(100);
                tracing::info!("live fan-out: listening to PostgreSQL again");
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(%error, "live fan-out: lost the PostgreSQL listener; retrying");
                }
                failing = true;
                tokio::select! {
                    () = tokio::time::sleep(delay) => {},
                    _ = stop.wait_for(|stopped| *stopped) => return,
                }
                delay = (delay * 2).min(MAX_RELISTEN_DELAY);
            }
        }
    }
}
