//! Live prices: the poller (one per deployment, behind a lease), the fan-out to every
//! instance's clients, and the hub each instance's WebSocket clients read from.
//!
//! [`start`] wires them from the state (Redis; else PostgreSQL's LISTEN/NOTIFY; else, on
//! SQLite, in process) and returns a [`LiveHandle`] whose [`LiveHandle::shutdown`] stops
//! polling, releases the lease and closes the clients.

pub mod fanout;
pub mod hub;
pub mod lease;
pub mod message;
pub mod notify;
pub mod poller;
pub mod redis_link;
pub mod ticker;

pub use hub::{ClientSettings, Hub};
pub use message::{ClientCommand, Notice, Update};

use crate::state::AppState;
use fanout::Fanout;
use lease::{Lease, RedisLease};
use poller::Poller;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How live updates run.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// Time between two polls.
    pub poll_interval: Duration,
    /// How long the lease lives unless renewed; renewed five times per TTL (at most every
    /// second), so a standby takes over within about one TTL of the poller's death.
    pub lease_ttl: Duration,
    /// Prefix of the Redis lease key and fan-out channel.
    pub redis_prefix: String,
    /// The PostgreSQL URL for the advisory lock when there is no Redis; `None` on SQLite.
    pub postgres_url: Option<String>,
}

impl LiveConfig {
    /// The Redis key of the poller lease.
    pub fn lease_key(&self) -> String {
        format!("{}:poller", self.redis_prefix)
    }

    /// The Redis channel updates are published on.
    pub fn channel(&self) -> String {
        format!("{}:updates", self.redis_prefix)
    }

    /// The PostgreSQL NOTIFY channel of the fan-out without Redis: named from the same hash
    /// as the advisory lock, so deployments with different prefixes do not hear each other.
    pub fn notify_channel(&self) -> String {
        format!("commodex_live_{:016x}", self.advisory_key())
    }

    /// The advisory lock key: a fixed hash of the prefix, so deployments on one database with
    /// different prefixes do not share a poller.
    pub fn advisory_key(&self) -> i64 {
        let hash = self
            .redis_prefix
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        i64::from_le_bytes(hash.to_le_bytes())
    }
}

/// The running live tasks of one instance.
pub struct LiveHandle {
    hub: Hub,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// How long shutdown waits for the poller to release its lease.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Starts the poller (and, with Redis, the forwarder) for `state`, whose `live` hub the
/// WebSocket clients read from.
pub fn start(state: &AppState, config: &LiveConfig) -> LiveHandle {
    let hub = state.live.clone();
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    let renew_interval =
        (config.lease_ttl / 5).clamp(Duration::from_millis(100), Duration::from_secs(1));
    let (fanout, lease) = match &state.redis {
        Some(link) => {
            tasks.push(tokio::spawn(fanout::forward(
                link.client().clone(),
                config.channel(),
                hub.clone(),
                stopped.clone(),
            )));
            (
                Fanout::Redis {
                    link: Arc::clone(link),
                    channel: config.channel(),
                },
                Lease::Redis(RedisLease::new(
                    Arc::clone(link),
                    config.lease_key(),
                    config.lease_ttl,
                )),
            )
        }
        None => match &config.postgres_url {
            Some(url) => (
                postgres_fanout(url, config, &hub, &stopped, &mut tasks),
                Lease::Postgres(store::AdvisoryLock::new(url, config.advisory_key())),
            ),
            None => (Fanout::InProcess(hub.clone()), Lease::InProcess),
        },
    };
    tracing::info!(
        lease = lease.kind(),
        poll_interval_secs = config.poll_interval.as_secs_f64(),
        "live updates: starting"
    );
    let poller = Poller::new(
        state.clone(),
        fanout,
        lease,
        config.poll_interval,
        renew_interval,
    );
    tasks.push(tokio::spawn(poller.run(stopped)));
    LiveHandle { hub, stop, tasks }
}

/// The NOTIFY fan-out, with this instance's listener started; in-process (this instance's
/// clients only) if the URL cannot even be parsed.
fn postgres_fanout(
    url: &str,
    config: &LiveConfig,
    hub: &Hub,
    stopped: &watch::Receiver<bool>,
    tasks: &mut Vec<JoinHandle<()>>,
) -> Fanout {
    let notifier = match store::Notifier::new(url) {
        Ok(notifier) => notifier,
        Err(error) => {
            tracing::error!(%error, "live updates: no NOTIFY fan-out; only this instance's clients get updates");
            return Fanout::InProcess(hub.clone());
        }
    };
    let channel = config.notify_channel();
    let (listening, _) = watch::channel(false);
    tasks.push(tokio::spawn(notify::forward(
        store::NotificationListener::new(url, &channel),
        hub.clone(),
        stopped.clone(),
        listening,
    )));
    Fanout::Postgres(notify::PgFanout::new(notifier, channel))
}

impl LiveHandle {
    /// The hub the instance's clients read from.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Stops polling (releasing the lease so that another instance takes over at once) and
    /// tells every client the server is going away.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        self.hub.close();
        for task in self.tasks {
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                tracing::warn!("live updates: a task did not stop in time");
            }
        }
    }
}
