//! A Redis connection opened on first use and reopened after Redis comes back, so an instance
//! starts (and keeps serving) while Redis is away.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;
use tokio::sync::Mutex;

/// How long one Redis command (or connecting) may take before it counts as a failure.
pub const COMMAND_TIMEOUT: Duration = Duration::from_millis(1500);

/// A shared, lazily connected Redis.
pub struct RedisLink {
    client: redis::Client,
    manager: Mutex<Option<ConnectionManager>>,
}

impl RedisLink {
    /// A link to `client`'s server; nothing is opened yet.
    pub fn new(client: redis::Client) -> Self {
        Self {
            client,
            manager: Mutex::new(None),
        }
    }

    /// The client, for connections of their own (pub/sub).
    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// A connection: the manager reconnects by itself after a failure once it exists; creating
    /// it is retried on every call until Redis answers.
    pub async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let mut manager = self.manager.lock().await;
        if let Some(existing) = manager.as_ref() {
            return Ok(existing.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let created = self
            .client
            .get_connection_manager_with_config(config)
            .await?;
        *manager = Some(created.clone());
        Ok(created)
    }
}
