//! `/metrics` on a fresh process: nothing recorded before the first scrape is lost, and the
//! first scrape already names every metric. A binary of its own, because the recorder is
//! process-wide: in the shared test binary other tests' requests would be counted too.

mod common;

use common::spawn_app;

/// The value of the sample `series` in a Prometheus text page, if it is there.
fn sample(page: &str, series: &str) -> Option<f64> {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse::<f64>().ok())
}

#[tokio::test]
async fn requests_before_the_first_scrape_are_counted_and_every_metric_is_described() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/health").await.status(), 200);
    }
    let page = app.get("/metrics").await.text().await.unwrap();
    let health =
        r#"commodex_http_requests_total{method="GET",route="/api/v1/health",status="200"}"#;
    assert_eq!(sample(&page, health), Some(3.0), "{page}");
    // Metrics nothing has recorded yet (no provider was called, no simulation run) are
    // listed with their HELP and TYPE all the same.
    for (name, kind) in [
        ("commodex_http_requests_total", "counter"),
        ("commodex_http_request_duration_seconds", "histogram"),
        ("commodex_provider_calls_total", "counter"),
        ("commodex_provider_call_duration_seconds", "histogram"),
        ("commodex_rate_limit_waits_total", "counter"),
        ("commodex_quota_remaining", "gauge"),
        ("commodex_simulation_duration_seconds", "histogram"),
        ("commodex_client_rate_limited_total", "counter"),
        ("commodex_fallback_attempts_total", "counter"),
        ("commodex_cache_hits_total", "counter"),
        ("commodex_cache_misses_total", "counter"),
    ] {
        assert_eq!(
            page.matches(&format!("# HELP {name} ")).count(),
            1,
            "{name}:\n{page}"
        );
        assert!(
            page.contains(&format!("# TYPE {name} {kind}\n")),
            "{name}:\n{page}"
        );
    }
}
