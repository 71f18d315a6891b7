//! What an operator relies on: readiness probes that reuse the instance's Redis connection, and
//! request metrics whose labels a client cannot multiply.

use crate::common::{Options, redis_url, spawn_app, spawn_app_with};

/// `total_connections_received` from Redis' `INFO stats`: every connection ever accepted.
async fn connections_received(connection: &mut redis::aio::MultiplexedConnection) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query_async(connection)
        .await
        .unwrap();
    info.lines()
        .find_map(|line| line.strip_prefix("total_connections_received:"))
        .and_then(|value| value.trim().parse().ok())
        .expect("total_connections_received in INFO stats")
}

#[tokio::test]
#[ignore = "needs Redis"]
async fn readiness_probes_reuse_one_redis_connection() {
    let app = spawn_app_with(Options {
        redis: true,
        ..Options::default()
    })
    .await;
    let client = redis::Client::open(redis_url()).unwrap();
    let mut watcher = client.get_multiplexed_async_connection().await.unwrap();
    // The first probe may open the shared connection.
    assert_eq!(app.get("/api/v1/ready").await.status(), 200);
    let before = connections_received(&mut watcher).await;
    const PROBES: u64 = 40;
    for _ in 0..PROBES {
        let response = app.get("/api/v1/ready").await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["checks"][1]["name"], "redis", "{body}");
        assert_eq!(body["checks"][1]["ok"], true, "{body}");
    }
    let opened = connections_received(&mut watcher).await - before;
    // A connection per probe would be 40; other tests sharing this Redis may open a few.
    assert!(
        opened < PROBES / 4,
        "{opened} connections opened for {PROBES} probes"
    );
}

#[tokio::test]
async fn a_made_up_method_is_counted_as_other() {
    let app = spawn_app().await;
    for method in ["FOOBAR", "BREW"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = app
            .client
            .request(method, app.url("/api/v1/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405);
    }
    let page = app.get("/metrics").await.text().await.unwrap();
    assert!(!page.contains("FOOBAR") && !page.contains("BREW"), "{page}");
    assert!(
        page.lines()
            .any(|line| line.starts_with(r#"commodex_http_requests_total{method="other","#)),
        "{page}"
    );
}
