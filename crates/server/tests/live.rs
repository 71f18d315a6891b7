//! `/ws/data` and the pieces behind it: subscribe filters, error messages, heartbeats, slow
//! clients dropped without slowing others, the in-process poller end to end, and (with Redis,
//! or PostgreSQL's LISTEN/NOTIFY) the lease and the fan-out across instances.

use chrono::{Days, Utc};
use futures::{SinkExt, StreamExt};
use market_data::{Catalog, DemoSource};
use server::live::fanout::{self, Fanout, PublishError};
use server::live::lease::{Lease, RedisLease};
use server::live::notify::{self, PgFanout};
use server::live::poller::Poller;
use server::live::redis_link::RedisLink;
use server::live::{ClientSettings, Hub, LiveConfig, Update};
use server::{AppState, Application, ServerConfig};
use std::sync::Arc;
use std::time::Duration;
use store::testing::TestDb;
use store::{
    Interval, NewPortfolio, NotificationListener, Notifier, PortfolioAsset, PriceBar, SeriesKey,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A running server over a fresh SQLite database with the given hub.
struct LiveApp {
    ws_url: String,
    state: AppState,
    _db: TestDb,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn spawn(settings: ClientSettings) -> LiveApp {
    let db = TestDb::sqlite().await;
    let state =
        AppState::new(db.store.clone(), Catalog::embedded().unwrap()).with_hub(Hub::new(settings));
    let config = ServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        request_timeout: Duration::from_secs(30),
        body_limit_bytes: 64 * 1024,
        cors_origins: Vec::new(),
        rate_limit_per_client: None,
        trust_forwarded_for: false,
        hsts: false,
        connections: server::serve::ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_connections_per_client: 1024,
            per_client: true,
        },
    };
    let app = Application::build_with_state(config, state.clone())
        .await
        .unwrap();
    let ws_url = format!("ws://{}/ws/data", app.local_addr().unwrap());
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run(async {
        let _ = stop.await;
    }));
    LiveApp {
        ws_url,
        state,
        _db: db,
        _shutdown: shutdown,
    }
}

async fn connect(url: &str) -> Client {
    let (client, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connect");
    client
}

/// The next JSON text message, skipping heartbeats unless `heartbeats` is set.
async fn next_json(client: &mut Client, heartbeats: bool) -> serde_json::Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), client.next())
            .await
            .expect("a message within 10 s")
            .expect("the connection is open")
            .expect("a message");
        if let Message::Text(text) = message {
            let json: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            if heartbeats || json["type"] != "heartbeat" {
                return json;
            }
        }
    }
}

fn price(symbol: &str, value: f64) -> Update {
    Update::PriceUpdate {
        source: "demo".into(),
        symbol: symbol.into(),
        price: value,
        change: Some(1.0),
        change_pct: Some(0.1),
        ts: Utc::now(),
    }
}

/// Waits until the hub has `count` clients, so that nothing published is missed.
async fn wait_for_clients(hub: &Hub, count: usize) {
    for _ in 0..200 {
        if hub.client_count() == count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{} clients, expected {count}", hub.client_count());
}

#[tokio::test]
async fn subscribe_filters_price_updates_but_not_portfolio_updates() {
    let app = spawn(ClientSettings::default()).await;
    let mut client = connect(&app.ws_url).await;
    client
        .send(Message::text(
            r#"{"action":"subscribe","symbols":["gold"]}"#,
        ))
        .await
        .unwrap();
    let ack = next_json(&mut client, false).await;
    assert_eq!(
        ack,
        serde_json::json!({"type":"subscribed","symbols":["GOLD"]})
    );
    let hub = app.state.hub();
    hub.deliver(&price("WTI", 70.0));
    hub.deliver(&price("GOLD", 2000.0));
    hub.deliver(&Update::PortfolioUpdate {
        portfolio_id: 3,
        metrics: serde_json::json!({"sharpe_ratio": 0.5}),
    });
    let first = next_json(&mut client, false).await;
    assert_eq!(first["type"], "price_update");
    assert_eq!(first["symbol"], "GOLD");
    assert_eq!(first["price"], 2000.0);
    let second = next_json(&mut client, false).await;
    assert_eq!(second["type"], "portfolio_update");
    assert_eq!(second["portfolio_id"], 3);
}

#[tokio::test]
async fn subscribe_answers_with_the_last_prices_then_only_newer_ones() {
    let app = spawn(ClientSettings::default()).await;
    let hub = app.state.hub();
    hub.deliver(&price("GOLD", 1990.0));
    hub.deliver(&price("GOLD", 1995.0));
    hub.deliver(&price("WTI", 70.0));
    let mut client = connect(&app.ws_url).await;
    client
        .send(Message::text(
            r#"{"action":"subscribe","symbols":["GOLD","COPPER"]}"#,
        ))
        .await
        .unwrap();
    let ack = next_json(&mut client, false).await;
    assert_eq!(ack["type"], "subscribed");
    // Only the last GOLD price: COPPER has none yet, WTI is not subscribed.
    let last = next_json(&mut client, false).await;
    assert_eq!(last["symbol"], "GOLD");
    assert_eq!(last["price"], 1995.0);
    hub.deliver(&price("WTI", 71.0));
    hub.deliver(&price("GOLD", 2000.0));
    let next = next_json(&mut client, false).await;
    assert_eq!(next["symbol"], "GOLD");
    assert_eq!(next["price"], 2000.0);
}

#[tokio::test]
async fn without_subscribe_a_client_gets_every_update() {
    let app = spawn(ClientSettings::default()).await;
    let mut client = connect(&app.ws_url).await;
    wait_for_clients(app.state.hub(), 1).await;
    app.state.hub().deliver(&price("WTI", 70.0));
    app.state.hub().deliver(&price("GOLD", 2000.0));
    assert_eq!(next_json(&mut client, false).await["symbol"], "WTI");
    assert_eq!(next_json(&mut client, false).await["symbol"], "GOLD");
}

#[tokio::test]
async fn bad_client_messages_get_an_error_and_the_connection_stays_open() {
    let app = spawn(ClientSettings::default()).await;
    let mut client = connect(&app.ws_url).await;
    for bad in [
        Message::text("not json"),
        Message::text(r#"{"action":"unsubscribe"}"#),
        Message::text(r#"{"action":"subscribe","symbols":[]}"#),
        Message::binary(vec![1u8, 2, 3]),
    ] {
        client.send(bad).await.unwrap();
        let reply = next_json(&mut client, false).await;
        assert_eq!(reply["type"], "error", "{reply}");
        assert!(reply["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    client
        .send(Message::text(r#"{"action":"subscribe","symbols":["WTI"]}"#))
        .await
        .unwrap();
    assert_eq!(next_json(&mut client, false).await["type"], "subscribed");
}

#[tokio::test]
async fn a_message_over_the_limit_closes_with_1009_and_a_reason() {
    let app = spawn(ClientSettings::default()).await;
    let mut client = connect(&app.ws_url).await;
    let symbols = vec!["GOLD"; 20_000].join("\",\"");
    let huge = format!(r#"{{"action":"subscribe","symbols":["{symbols}"]}}"#);
    assert!(huge.len() > 64 * 1024);
    client.send(Message::text(huge)).await.unwrap();
    let frame = loop {
        let message = tokio::time::timeout(Duration::from_secs(10), client.next())
            .await
            .expect("an answer within 10 s")
            .expect("a close frame before the end of the stream")
            .expect("a close frame, not a reset");
        if let Message::Close(frame) = message {
            break frame.expect("a close code");
        }
    };
    assert_eq!(u16::from(frame.code), 1009);
    let reason = frame.reason.as_str();
    assert!(
        reason.contains("too big") && reason.contains("65536"),
        "{reason}"
    );
}

#[tokio::test]
async fn heartbeats_arrive_on_schedule() {
    let app = spawn(ClientSettings {
        heartbeat: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let mut client = connect(&app.ws_url).await;
    let beat = next_json(&mut client, true).await;
    assert_eq!(beat["type"], "heartbeat");
    chrono::DateTime::parse_from_rfc3339(beat["ts"].as_str().unwrap()).unwrap();
}

#[tokio::test]
async fn a_slow_client_is_dropped_without_holding_up_the_others() {
    const UPDATES: usize = 300;
    let app = spawn(ClientSettings {
        buffer: 8,
        heartbeat: Duration::from_secs(60),
        send_timeout: Duration::from_millis(500),
    })
    .await;
    let hub = app.state.hub().clone();
    // The slow client connects and never reads.
    let mut slow = connect(&app.ws_url).await;
    let mut fast = connect(&app.ws_url).await;
    wait_for_clients(&hub, 2).await;
    // Big updates fill the slow client's socket buffers quickly.
    let padding = "x".repeat(100_000);
    let started = std::time::Instant::now();
    for id in 0..UPDATES {
        hub.deliver(&Update::PortfolioUpdate {
            portfolio_id: id as i64,
            metrics: serde_json::json!({ "padding": padding }),
        });
        let got = next_json(&mut fast, false).await;
        assert_eq!(
            got["portfolio_id"], id as i64,
            "the fast client missed an update"
        );
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(20),
        "the fast client was held up: {elapsed:?}"
    );
    // The server has let the slow client go: only the fast one is left on the hub...
    wait_for_clients(&hub, 1).await;
    // ...and the slow one, reading at last, finds its connection closed before the end.
    let mut received = 0;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = slow.next().await {
            match message {
                Ok(Message::Text(_)) => received += 1,
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the slow client's connection stayed open");
    assert!(
        received < UPDATES,
        "the slow client got all {received} updates"
    );
}

#[tokio::test]
async fn the_in_process_poller_stores_and_publishes_demo_ticks_and_portfolio_metrics() {
    let app = spawn(ClientSettings::default()).await;
    let store = app.state.store().clone();
    // Recent history, so that a saved portfolio has metrics over the poller's one-year window.
    let demo = DemoSource::new(app.state.catalog());
    let today = Utc::now().date_naive();
    for symbol in ["GOLD", "WTI"] {
        let bars = demo
            .history(symbol, today - Days::new(90), today - Days::new(1))
            .unwrap();
        store
            .upsert_series(&SeriesKey::new("demo", symbol, Interval::Daily), &bars)
            .await
            .unwrap();
    }
    let portfolio = store
        .create_portfolio(&NewPortfolio {
            name: "metals and oil".into(),
            assets: vec![
                PortfolioAsset {
                    source: "demo".into(),
                    symbol: "GOLD".into(),
                    weight: 0.5,
                },
                PortfolioAsset {
                    source: "demo".into(),
                    symbol: "WTI".into(),
                    weight: 0.5,
                },
            ],
        })
        .await
        .unwrap();
    let mut client = connect(&app.ws_url).await;
    client
        .send(Message::text(
            r#"{"action":"subscribe","symbols":["GOLD"]}"#,
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut client, false).await["type"], "subscribed");
    let live = server::live::start(
        &app.state,
        &LiveConfig {
            poll_interval: Duration::from_secs(1),
            lease_ttl: Duration::from_secs(5),
            redis_prefix: "unused".into(),
            postgres_url: None,
        },
    );
    let mut prices = Vec::new();
    let mut portfolio_update = None;
    while prices.len() < 2 || portfolio_update.is_none() {
        let message = next_json(&mut client, false).await;
        match message["type"].as_str() {
            Some("price_update") => prices.push(message),
            Some("portfolio_update") => portfolio_update = Some(message),
            other => panic!("unexpected {other:?}: {message}"),
        }
    }
    for update in &prices {
        assert_eq!(update["source"], "demo");
        assert_eq!(update["symbol"], "GOLD");
        let price = update["price"].as_f64().unwrap();
        let change = update["change"].as_f64().unwrap();
        let change_pct = update["change_pct"].as_f64().unwrap();
        assert!(price > 0.0);
        assert!((change_pct - change / (price - change) * 100.0).abs() < 1e-6);
        chrono::DateTime::parse_from_rfc3339(update["ts"].as_str().unwrap()).unwrap();
    }
    let update = portfolio_update.unwrap();
    assert_eq!(update["portfolio_id"], portfolio.id);
    assert!(update["metrics"]["sharpe_ratio"].is_number(), "{update}");
    assert!(update["metrics"]["var_95"].is_number(), "{update}");
    // On a trading day the live price is stored as today's bar.
    if !matches!(
        chrono::Datelike::weekday(&today),
        chrono::Weekday::Sat | chrono::Weekday::Sun
    ) {
        let stored = store
            .prices(
                &SeriesKey::new("demo", "GOLD", Interval::Daily),
                Some(today),
                Some(today),
            )
            .await
            .unwrap();
        assert_eq!(stored.len(), 1, "today's bar is stored");
    }
    live.shutdown().await;
    // Shutdown closes the clients with "going away".
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match client.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(closed, Some(1001));
}

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string())
}

fn redis_link() -> Arc<RedisLink> {
    Arc::new(RedisLink::new(redis::Client::open(redis_url()).unwrap()))
}

/// Checks that every feed hears the GOLD updates priced 0 to 4, in publishing order, and
/// nothing more: no update arrives twice, whichever fan-out carried them.
async fn each_feed_hears_five_golds_once(
    feeds: &mut [tokio::sync::broadcast::Receiver<Arc<server::live::hub::Frame>>],
) {
    for feed in feeds {
        for n in 0..5 {
            let frame = tokio::time::timeout(Duration::from_secs(5), feed.recv())
                .await
                .unwrap()
                .unwrap();
            let update: serde_json::Value = serde_json::from_str(frame.text.as_str()).unwrap();
            assert_eq!(update["symbol"], "GOLD");
            assert_eq!(update["price"], f64::from(n), "in publishing order");
        }
        assert!(
            tokio::time::timeout(Duration::from_millis(300), feed.recv())
                .await
                .is_err()
        );
    }
}

fn unique_prefix() -> String {
    format!("commodex-test:{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
#[ignore = "needs Redis"]
async fn only_one_contender_holds_the_redis_lease_and_it_hands_over() {
    let key = format!("{}:poller", unique_prefix());
    let ttl = Duration::from_millis(1500);
    let mut first = Lease::Redis(RedisLease::new(redis_link(), &key, ttl));
    let mut second = Lease::Redis(RedisLease::new(redis_link(), &key, ttl));
    assert!(first.try_hold().await);
    assert!(!second.try_hold().await);
    // Renewing keeps it, past the first TTL.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(first.try_hold().await);
        assert!(!second.try_hold().await);
    }
    // Releasing hands it over at once.
    first.release().await;
    assert!(second.try_hold().await);
    assert!(!first.try_hold().await);
    // A holder that dies without releasing loses it when the TTL runs out.
    drop(second);
    let started = std::time::Instant::now();
    while !first.try_hold().await {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the lease never expired"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(started.elapsed() >= Duration::from_millis(500));
    first.release().await;
}

#[tokio::test]
#[ignore = "needs Redis"]
async fn a_lease_cannot_be_renewed_or_released_by_a_former_owner() {
    let key = format!("{}:poller", unique_prefix());
    let ttl = Duration::from_millis(300);
    let mut old = Lease::Redis(RedisLease::new(redis_link(), &key, ttl));
    let mut new = Lease::Redis(RedisLease::new(redis_link(), &key, ttl));
    assert!(old.try_hold().await);
    // The old owner stalls past its TTL and the new one takes the lease.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(new.try_hold().await);
    // The old owner's renewal finds another token and gives up; its release deletes nothing.
    assert!(!old.try_hold().await);
    old.release().await;
    assert!(new.try_hold().await);
    new.release().await;
}

/// Runs a poller whose first poll outlasts three lease TTLs (its store waits for a write
/// transaction another connection holds) and checks that a second contender, made by the same
/// `new_lease`, never gets the lease meanwhile; then that the poll completes and that stopping
/// the poller hands the lease over.
async fn a_poll_slower_than_the_ttl_keeps_the_lease(ttl: Duration, new_lease: impl Fn() -> Lease) {
    let db = TestDb::sqlite().await;
    let hub = Hub::new(ClientSettings::default());
    let state = AppState::new(db.store.clone(), Catalog::embedded().unwrap()).with_hub(hub.clone());
    let mut updates = hub.subscribe();
    let mut writer = db.store.begin().await.unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    writer
        .upsert_prices(
            &[SeriesKey::new("csv", "HELD", Interval::Daily)],
            &[(0, PriceBar::close_only(day, 1.0))],
        )
        .await
        .unwrap();
    let poller = Poller::new(
        state,
        Fanout::InProcess(hub.clone()),
        new_lease(),
        Duration::from_secs(3600),
        ttl / 5,
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(poller.run(stopped));
    // The poller's first tick is immediate: it holds the lease long before this.
    tokio::time::sleep(ttl / 2).await;
    let mut contender = new_lease();
    let started = std::time::Instant::now();
    while started.elapsed() < ttl * 3 {
        assert!(
            !contender.try_hold().await,
            "a second poller got the lease {:?} into a slow poll",
            started.elapsed()
        );
        assert!(updates.try_recv().is_err(), "the poll was not held up");
        tokio::time::sleep(ttl / 4).await;
    }
    writer.rollback().await.unwrap();
    // The poll goes on where it waited: it stores, then publishes.
    tokio::time::timeout(Duration::from_secs(10), updates.recv())
        .await
        .expect("the poll finished")
        .unwrap();
    assert!(!contender.try_hold().await);
    stop.send_replace(true);
    task.await.unwrap();
    assert!(contender.try_hold().await, "released on stop");
    contender.release().await;
}

#[tokio::test]
#[ignore = "needs Redis"]
async fn a_poll_slower_than_the_redis_lease_ttl_renews_it_meanwhile() {
    let key = format!("{}:poller", unique_prefix());
    let ttl = Duration::from_secs(1);
    a_poll_slower_than_the_ttl_keeps_the_lease(ttl, || {
        Lease::Redis(RedisLease::new(redis_link(), &key, ttl))
    })
    .await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_poll_slower_than_the_lease_ttl_keeps_the_postgres_advisory_lock() {
    let url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| store::testing::DEFAULT_POSTGRES_URL.to_string());
    let key = i64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into().unwrap());
    a_poll_slower_than_the_ttl_keeps_the_lease(Duration::from_secs(1), || {
        Lease::Postgres(store::AdvisoryLock::new(&url, key))
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Redis"]
async fn redis_fan_out_reaches_every_instance_exactly_once() {
    let channel = format!("{}:updates", unique_prefix());
    let client = redis::Client::open(redis_url()).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let hubs: Vec<Hub> = (0..2).map(|_| Hub::default()).collect();
    let mut feeds: Vec<_> = hubs.iter().map(Hub::subscribe).collect();
    let mut tasks = Vec::new();
    for hub in &hubs {
        tasks.push(tokio::spawn(fanout::forward(
            client.clone(),
            channel.clone(),
            hub.clone(),
            stopped.clone(),
        )));
    }
    let publisher = Fanout::Redis {
        link: redis_link(),
        channel: channel.clone(),
    };
    // Wait until both forwarders have subscribed.
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    for _ in 0..100 {
        let counts: Vec<(String, i64)> = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(&channel)
            .query_async(&mut connection)
            .await
            .unwrap();
        if counts.first().is_some_and(|(_, n)| *n == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for n in 0..5 {
        publisher
            .publish(&price("GOLD", f64::from(n)))
            .await
            .unwrap();
    }
    each_feed_hears_five_golds_once(&mut feeds).await;
    stop.send_replace(true);
    for task in tasks {
        task.await.unwrap();
    }
}

/// Two instances' listeners on one PostgreSQL database, each handing what it hears to its
/// hub, and a publisher.
struct PgInstances {
    hubs: Vec<Hub>,
    publisher: PgFanout,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl PgInstances {
    /// Starts both listeners on `channel` and returns once both listen.
    async fn start(db: &TestDb, channel: &str) -> Self {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let hubs: Vec<Hub> = (0..2).map(|_| Hub::default()).collect();
        let mut tasks = Vec::new();
        for hub in &hubs {
            let (listening, mut listens) = tokio::sync::watch::channel(false);
            tasks.push(tokio::spawn(notify::forward(
                NotificationListener::new(&db.url, channel),
                hub.clone(),
                stopped.clone(),
                listening,
            )));
            tokio::time::timeout(Duration::from_secs(10), listens.wait_for(|on| *on))
                .await
                .expect("the listener listens within 10 s")
                .unwrap();
        }
        let publisher = PgFanout::new(Notifier::new(&db.url).unwrap(), channel);
        Self {
            hubs,
            publisher,
            stop,
            tasks,
        }
    }

    async fn stop(self) {
        self.stop.send_replace(true);
        for task in self.tasks {
            task.await.unwrap();
        }
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn postgres_fan_out_reaches_every_instance_exactly_once_and_relistens_after_a_kill() {
    let db = TestDb::postgres().await;
    let instances = PgInstances::start(&db, "commodex_live_test").await;
    let publisher = &instances.publisher;
    let mut feeds: Vec<_> = instances.hubs.iter().map(Hub::subscribe).collect();
    for n in 0..5 {
        publisher
            .publish(&price("GOLD", f64::from(n)))
            .await
            .unwrap();
    }
    each_feed_hears_five_golds_once(&mut feeds).await;

    // Every session goes (both listeners and the publisher's): both instances listen again
    // by themselves and the publisher sends again.
    assert!(db.terminate_other_sessions().await >= 3);
    let killed_at = std::time::Instant::now();
    let mut heard = [false, false];
    let mut n = 100.0;
    while heard.contains(&false) {
        assert!(
            killed_at.elapsed() < Duration::from_secs(15),
            "updates did not resume after the sessions were killed: {heard:?}"
        );
        // Sends while a listener is away are lost to it: keep sending until both hear.
        let _ = publisher.publish(&price("WTI", n)).await;
        n += 1.0;
        tokio::time::sleep(Duration::from_millis(100)).await;
        for (feed, heard) in feeds.iter_mut().zip(heard.iter_mut()) {
            while let Ok(frame) = feed.try_recv() {
                let update: serde_json::Value = serde_json::from_str(frame.text.as_str()).unwrap();
                assert_eq!(update["symbol"], "WTI");
                *heard = true;
            }
        }
    }
    eprintln!(
        "both instances heard again {:?} after the kill",
        killed_at.elapsed()
    );
    instances.stop().await;
    db.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn an_update_too_large_for_notify_is_refused_and_the_next_one_goes() {
    let db = TestDb::postgres().await;
    let instances = PgInstances::start(&db, "commodex_live_big").await;
    let publisher = &instances.publisher;
    let mut feed = instances.hubs[0].subscribe();
    let big = Update::PortfolioUpdate {
        portfolio_id: 1,
        metrics: serde_json::json!({ "padding": "x".repeat(8000) }),
    };
    let refused = publisher.publish(&big).await.expect_err("too large");
    assert!(
        matches!(refused, PublishError::TooLarge { limit: 7999, .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("7999 bytes"), "{refused}");
    publisher.publish(&price("GOLD", 1.0)).await.unwrap();
    let frame = tokio::time::timeout(Duration::from_secs(5), feed.recv())
        .await
        .unwrap()
        .unwrap();
    let update: serde_json::Value = serde_json::from_str(frame.text.as_str()).unwrap();
    assert_eq!(update["type"], "price_update", "the big one never arrived");
    instances.stop().await;
    db.finish().await;
}
