//! Two `commodex serve` instances on one PostgreSQL database and one Redis (a redis-server of
//! the test's own, on a spare port), polling every second: clients of either instance get the
//! same updates, none twice; killing the polling instance hands polling to the other within a
//! few seconds; restarting Redis makes readiness fail and then the fan-out resume by itself.
//! Without Redis, the same through PostgreSQL's LISTEN/NOTIFY, which survives its sessions
//! being killed.

use futures::{SinkExt, StreamExt};
use std::collections::HashSet;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::testing::TestDb;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A redis-server of this test's own, without persistence, so a restart starts empty.
struct Redis {
    port: u16,
    child: Child,
}

impl Redis {
    async fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server must be installed for this test");
        let redis = Self { port, child };
        let client = redis::Client::open(redis.url()).unwrap();
        let started = Instant::now();
        loop {
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .is_ok()
            {
                return redis;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn stop(mut self) {
        self.child.kill().await.unwrap();
    }
}

fn spare_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One `commodex serve` process and the log lines it wrote so far.
struct Instance {
    child: Child,
    address: String,
    logs: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Instance {
    /// An instance on `database_url`; with `redis_url` in production, else (production
    /// requires Redis) in development.
    async fn start(database_url: &str, redis_url: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_commodex"));
        match redis_url {
            Some(url) => command
                .env("COMMODEX_PROFILE", "production")
                .env("COMMODEX_REDIS_URL", url),
            None => command
                .env("COMMODEX_PROFILE", "development")
                .env_remove("COMMODEX_REDIS_URL"),
        };
        let mut child = command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .current_dir(dir.path())
            .env("COMMODEX_DATABASE_URL", database_url)
            .env("COMMODEX_API_TOKEN", "cluster-test-token-0123456789")
            .env("COMMODEX_DATA_DIR", dir.path().join("data"))
            .env("COMMODEX_LOGGING__FILES", "false")
            .env("COMMODEX_LOGGING__LEVEL", "warn,server::live=info")
            .env("COMMODEX_LIVE__POLL_INTERVAL_SECS", "1")
            .env("COMMODEX_LIVE__LEASE_TTL_SECS", "3")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let (address_tx, address_rx) = tokio::sync::oneshot::channel();
        let sink = Arc::clone(&logs);
        tokio::spawn(async move {
            let mut address_tx = Some(address_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(address) = line.strip_prefix("commodex listening on ")
                    && let Some(tx) = address_tx.take()
                {
                    let _ = tx.send(address.trim().to_string());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let address = tokio::time::timeout(Duration::from_secs(120), address_rx)
            .await
            .expect("the instance listens within 120 s")
            .unwrap_or_else(|_| panic!("the instance exited: {:?}", logs.lock().unwrap()));
        let instance = Self {
            child,
            address,
            logs,
            _dir: dir,
        };
        instance.wait_ready(true, Duration::from_secs(30)).await;
        instance
    }

    async fn ready(&self) -> Option<u16> {
        let answer = reqwest::Client::new()
            .get(format!("{}/api/v1/ready", self.address))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        Some(answer.status().as_u16())
    }

    /// Waits until readiness answers 200 (`ready`) or 503 (not).
    async fn wait_ready(&self, ready: bool, within: Duration) {
        let wanted = if ready { 200 } else { 503 };
        let started = Instant::now();
        loop {
            if self.ready().await == Some(wanted) {
                return;
            }
            assert!(
                started.elapsed() < within,
                "readiness did not become {wanted} within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn polls(&self) -> bool {
        let logs = self.logs.lock().unwrap();
        let took = logs
            .iter()
            .rposition(|line| line.contains("this instance now polls"));
        let lost = logs.iter().rposition(|line| line.contains("lease lost"));
        match (took, lost) {
            (Some(took), Some(lost)) => took > lost,
            (Some(_), None) => true,
            _ => false,
        }
    }

    async fn client(&self) -> Client {
        let url = format!("{}/ws/data", self.address.replace("http://", "ws://"));
        let (mut client, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        client
            .send(Message::text(
                r#"{"action":"subscribe","symbols":["GOLD","WTI"]}"#,
            ))
            .await
            .unwrap();
        let ack = next_update(&mut client, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(ack["type"], "subscribed");
        client
    }
}

/// The next non-heartbeat message, or `None` when nothing came within `wait`.
async fn next_update(client: &mut Client, wait: Duration) -> Option<serde_json::Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let message = tokio::time::timeout_at(deadline, client.next())
            .await
            .ok()??;
        if let Ok(Message::Text(text)) = message {
            let json: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            if json["type"] != "heartbeat" {
                return Some(json);
            }
        }
    }
}

type Stamp = chrono::DateTime<chrono::Utc>;

fn ts(update: &serde_json::Value) -> Stamp {
    update["ts"].as_str().unwrap().parse().unwrap()
}

/// A price update's identity: the same update seen by two clients has the same one.
fn identity(update: &serde_json::Value) -> (String, Stamp) {
    (update["symbol"].as_str().unwrap().to_string(), ts(update))
}

/// Every price update received within `during`.
async fn collect(client: &mut Client, during: Duration) -> Vec<(String, Stamp)> {
    let deadline = Instant::now() + during;
    let mut seen = Vec::new();
    while let Some(remaining) = deadline.checked_duration_since(Instant::now()) {
        match next_update(client, remaining).await {
            Some(update) if update["type"] == "price_update" => seen.push(identity(&update)),
            Some(_) => {}
            None => break,
        }
    }
    seen
}

fn assert_no_duplicates(seen: &[(String, Stamp)]) {
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "an update arrived twice: {seen:?}"
    );
}

/// Waits for a price update published after `after`, returning how long it took.
async fn wait_for_update_after(client: &mut Client, after: Stamp, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let remaining = within
            .checked_sub(started.elapsed())
            .unwrap_or_else(|| panic!("no update within {within:?}"));
        let update = next_update(client, remaining)
            .await
            .unwrap_or_else(|| panic!("no update within {within:?}"));
        if update["type"] == "price_update" && ts(&update) > after {
            return started.elapsed();
        }
    }
}

/// Collects from both clients at once and checks they saw the same updates, none twice, over
/// the time both were listening.
async fn assert_same_updates(on_first: &mut Client, on_second: &mut Client, during: Duration) {
    let (seen_first, seen_second) =
        tokio::join!(collect(on_first, during), collect(on_second, during));
    assert!(seen_first.len() >= 4, "too few updates: {seen_first:?}");
    assert!(seen_second.len() >= 4, "too few updates: {seen_second:?}");
    assert_no_duplicates(&seen_first);
    assert_no_duplicates(&seen_second);
    // Compare over the time both were listening: from the later first update to the earlier
    // last one.
    let from = seen_first[0].1.max(seen_second[0].1);
    let to = seen_first
        .last()
        .unwrap()
        .1
        .min(seen_second.last().unwrap().1);
    let window = |seen: &[(String, Stamp)]| -> HashSet<(String, Stamp)> {
        seen.iter()
            .filter(|(_, ts)| *ts >= from && *ts <= to)
            .cloned()
            .collect()
    };
    assert!(!window(&seen_first).is_empty());
    assert_eq!(window(&seen_first), window(&seen_second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn without_redis_two_instances_share_updates_through_postgres_even_after_a_kill() {
    let db = TestDb::postgres().await;
    let mut first = Instance::start(&db.url, None).await;
    let mut second = Instance::start(&db.url, None).await;
    let mut on_first = first.client().await;
    let mut on_second = second.client().await;

    // Only one of them polls, yet the clients of both see every update, once.
    assert!(
        first.polls() != second.polls(),
        "exactly one instance must poll"
    );
    assert_same_updates(&mut on_first, &mut on_second, Duration::from_secs(4)).await;

    // Every database session goes (listeners, the poller's lock, the pools), as in a failover:
    // both instances listen again by themselves and updates reach both.
    assert!(db.terminate_other_sessions().await >= 4);
    let killed_at = chrono::Utc::now();
    for client in [&mut on_first, &mut on_second] {
        let resumed = wait_for_update_after(client, killed_at, Duration::from_secs(15)).await;
        eprintln!("updates resumed {resumed:?} after the sessions were killed");
    }
    assert_same_updates(&mut on_first, &mut on_second, Duration::from_secs(4)).await;
    let relistened = |instance: &Instance| {
        instance
            .logs
            .lock()
            .unwrap()
            .iter()
            .any(|line| line.contains("listening to PostgreSQL again"))
    };
    assert!(relistened(&first) && relistened(&second));

    first.child.kill().await.unwrap();
    second.child.kill().await.unwrap();
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn two_instances_share_updates_survive_the_pollers_death_and_a_redis_restart() {
    let db = TestDb::postgres().await;
    let redis_port = spare_port();
    let redis = Redis::start(redis_port).await;

    // The first instance stores the demo history; the second finds it there.
    let mut first = Instance::start(&db.url, Some(&redis.url())).await;
    let mut second = Instance::start(&db.url, Some(&redis.url())).await;
    let mut on_first = first.client().await;
    let mut on_second = second.client().await;

    // Both clients see the same updates, none twice.
    assert_same_updates(&mut on_first, &mut on_second, Duration::from_secs(4)).await;

    // Exactly one of them polls; kill it without warning.
    assert!(
        first.polls() != second.polls(),
        "exactly one instance must poll"
    );
    let (mut survivor, mut on_survivor) = if first.polls() {
        first.child.kill().await.unwrap();
        (second, on_second)
    } else {
        second.child.kill().await.unwrap();
        (first, on_first)
    };
    let killed_at = chrono::Utc::now();
    let takeover =
        wait_for_update_after(&mut on_survivor, killed_at, Duration::from_secs(10)).await;
    assert!(survivor.polls(), "the survivor took the lease over");
    eprintln!("updates resumed {takeover:?} after the poller was killed");

    // Redis goes away: the survivor says it is not ready, then recovers when Redis is back.
    redis.stop().await;
    survivor.wait_ready(false, Duration::from_secs(10)).await;
    let redis = Redis::start(redis_port).await;
    let restarted_at = chrono::Utc::now();
    let resumed =
        wait_for_update_after(&mut on_survivor, restarted_at, Duration::from_secs(10)).await;
    survivor.wait_ready(true, Duration::from_secs(10)).await;
    eprintln!("fan-out resumed {resumed:?} after Redis restarted");
    let after_restart = collect(&mut on_survivor, Duration::from_secs(2)).await;
    assert!(!after_restart.is_empty());
    assert_no_duplicates(&after_restart);

    survivor.child.kill().await.unwrap();
    redis.stop().await;
    db.finish().await;
}
