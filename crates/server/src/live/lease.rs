//! "Exactly one poller per deployment": the lease an instance must hold to poll.
//!
//! - With Redis: a key set with `SET NX PX` to a random token; only the owner renews or deletes it
//!   (a Lua script compares the token first), so a paused instance whose lease expired cannot
//!   extend or free someone else's. If renewals fail (Redis away), the owner stops counting
//!   itself as owner once its own last renewal is `ttl` old.
//! - Without Redis, on PostgreSQL: a session advisory lock on a connection of its own.
//! - On SQLite the deployment is this one process: the lease is always held.

use super::redis_link::{COMMAND_TIMEOUT, RedisLink};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::AdvisoryLock;

/// Renews the lease if (and only if) the caller's token still owns it.
const RENEW_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0";

/// Deletes the lease if (and only if) the caller's token still owns it.
const RELEASE_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

/// A lease in Redis.
pub struct RedisLease {
    link: Arc<RedisLink>,
    key: String,
    token: String,
    ttl: Duration,
    /// Until when this instance may count itself owner, from its last successful renewal.
    held_until: Option<Instant>,
}

impl RedisLease {
    /// A contender for the lease at `key` that lives `ttl` unless renewed.
    pub fn new(link: Arc<RedisLink>, key: impl Into<String>, ttl: Duration) -> Self {
        Self {
            link,
            key: key.into(),
            token: uuid::Uuid::new_v4().to_string(),
            ttl,
            held_until: None,
        }
    }

    async fn renew(&self) -> redis::RedisResult<bool> {
        let mut connection = self.link.connection().await?;
        let renewed: i64 = redis::Script::new(RENEW_SCRIPT)
            .key(&self.key)
            .arg(&self.token)
            .arg(self.ttl.as_millis() as u64)
            .invoke_async(&mut connection)
            .await?;
        Ok(renewed == 1)
    }

    async fn acquire(&self) -> redis::RedisResult<bool> {
        let mut connection = self.link.connection().await?;
        let set: Option<String> = redis::cmd("SET")
            .arg(&self.key)
            .arg(&self.token)
            .arg("NX")
            .arg("PX")
            .arg(self.ttl.as_millis() as u64)
            .query_async(&mut connection)
            .await?;
        Ok(set.is_some())
    }

    async fn try_hold(&mut self) -> bool {
        let started = Instant::now();
        if self.held_until.is_some() {
            match tokio::time::timeout(COMMAND_TIMEOUT, self.renew()).await {
                Ok(Ok(true)) => {
                    self.held_until = Some(started + self.ttl);
                    return true;
                }
                // Someone else owns it now (ours expired, or Redis restarted empty).
                Ok(Ok(false)) => self.held_until = None,
                Ok(Err(_)) | Err(_) => {
                    // Redis is unreachable: ours until our own clock says it has expired,
                    // and then certainly not, since the key expires on the same schedule.
                    if self.held_until.is_some_and(|until| Instant::now() < until) {
                        return true;
                    }
                    self.held_until = None;
                    return false;
                }
            }
        }
        match tokio::time::timeout(COMMAND_TIMEOUT, self.acquire()).await {
            Ok(Ok(true)) => {
                self.held_until = Some(started + self.ttl);
                true
            }
            _ => false,
        }
    }

    async fn release(&mut self) {
        if self.held_until.take().is_none() {
            return;
        }
        let release = async {
            let mut connection = self.link.connection().await?;
            redis::Script::new(RELEASE_SCRIPT)
                .key(&self.key)
                .arg(&self.token)
                .invoke_async::<i64>(&mut connection)
                .await
        };
        if let Ok(Err(error)) = tokio::time::timeout(COMMAND_TIMEOUT, release).await {
            tracing::warn!(%error, "cannot release the poller lease; it expires by itself");
        }
    }
}

/// The lease of one instance, whichever way the deployment keeps it.
pub enum Lease {
    /// A single process (SQLite): always held.
    InProcess,
    /// A key in Redis.
    Redis(RedisLease),
    /// A PostgreSQL advisory lock.
    Postgres(AdvisoryLock),
}

impl Lease {
    /// Takes or renews the lease; true when this instance holds it now.
    pub async fn try_hold(&mut self) -> bool {
        match self {
            Lease::InProcess => true,
            Lease::Redis(lease) => lease.try_hold().await,
            Lease::Postgres(lock) => {
                match tokio::time::timeout(COMMAND_TIMEOUT * 2, lock.try_hold()).await {
                    Ok(Ok(held)) => held,
                    Ok(Err(error)) => {
                        tracing::debug!(%error, "poller lock: PostgreSQL unavailable");
                        false
                    }
                    Err(_) => {
                        // A hung check leaves the session in an unknown state: start over.
                        lock.release().await;
                        false
                    }
                }
            }
        }
    }

    /// Gives the lease up, so that another instance takes over at once.
    pub async fn release(&mut self) {
        match self {
            Lease::InProcess => {}
            Lease::Redis(lease) => lease.release().await,
            Lease::Postgres(lock) => lock.release().await,
        }
    }

    /// What keeps the lease, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Lease::InProcess => "in-process",
            Lease::Redis(_) => "redis",
            Lease::Postgres(_) => "postgres",
        }
    }
}
