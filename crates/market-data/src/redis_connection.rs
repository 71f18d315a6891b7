//! The one way this crate connects to Redis, for the series cache and the shared rate limiter
//! alike: a bounded wait at start-up, and errors whose text never carries a credential.

use crate::error::MarketDataError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;

/// How long one connection attempt may take: with Redis down, start-up reports it within a few
/// seconds instead of the client's default of retrying for about twenty.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// Attempts after the first before giving up on a connection.
const RETRIES: usize = 2;

/// A reconnecting connection to the Redis at `url`.
pub async fn connect(url: &str) -> Result<ConnectionManager, MarketDataError> {
    let client = redis::Client::open(url).map_err(redis_error)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECTION_TIMEOUT))
        .set_number_of_retries(RETRIES);
    ConnectionManager::new_with_config(client, config)
        .await
        .map_err(redis_error)
}

/// A Redis failure as this crate reports it: any URL in the driver's text is redacted.
pub fn redis_error(error: redis::RedisError) -> MarketDataError {
    MarketDataError::Redis {
        message: store::redact::scrub(&error.to_string(), &[] as &[&str]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connection_errors_hide_credentials() {
        // Nothing listens on port 1; the password must not come back in the error either way.
        let error = connect("redis://user:hunter2-secret@127.0.0.1:1/0")
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(!text.contains("hunter2-secret"), "{text}");
        let error = connect("redis://user:hunter2-secret@[bad")
            .await
            .unwrap_err();
        assert!(!error.to_string().contains("hunter2-secret"), "{error}");
    }

    #[test]
    fn driver_texts_quoting_a_url_are_redacted() {
        let error = redis::RedisError::from((
            redis::ErrorKind::Io,
            "cannot connect",
            "redis://user:pw-secret@host:6379".to_string(),
        ));
        let text = redis_error(error).to_string();
        assert!(!text.contains("pw-secret"), "{text}");
        assert!(text.contains("redis://user:***@host:6379"), "{text}");
    }
}
