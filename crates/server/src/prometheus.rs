//! `GET /metrics` in Prometheus text, and the HTTP request metrics.
//!
//! Every part of the program records through the `metrics` facade (`metrics::counter!` and
//! friends), so provider calls, rate-limit waits and cache hits recorded in other crates land
//! in the same place. The recorder is process-wide, installed once by the first app built: the
//! facade has a single global recorder, and several apps in one process (tests) then share
//! it, each counter only growing.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Latency buckets, in seconds: sub-millisecond cached answers up to minute-long simulations.
const BUCKETS_SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

/// How often histogram samples are folded into their buckets when nobody scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".to_string()), BUCKETS_SECONDS)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            // Someone else installed a recorder first: /metrics then shows only what is
            // recorded through this handle (nothing), which is visible, not fatal.
            tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".to_string())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_INTERVAL);
                    upkeep.run_upkeep();
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot start the metrics upkeep thread");
        }
        handle
    })
}

/// The HELP lines of the metrics this program records.
fn describe() {
    metrics::describe_counter!(
        "commodex_http_requests_total",
        "HTTP requests answered, by method, route template and status."
    );
    metrics::describe_histogram!(
        "commodex_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer an HTTP request, by method and route template."
    );
    metrics::describe_counter!(
        "commodex_provider_calls_total",
        "Calls to market-data providers, by source and outcome (HTTP status, timeout, error)."
    );
    metrics::describe_histogram!(
        "commodex_provider_call_duration_seconds",
        metrics::Unit::Seconds,
        "Latency of one provider call, by source."
    );
    metrics::describe_counter!(
        "commodex_rate_limit_waits_total",
        "Times a provider call waited for a rate-limit slot, by source."
    );
    metrics::describe_gauge!(
        "commodex_quota_remaining",
        "Requests left in the provider's daily quota, by source."
    );
    metrics::describe_histogram!(
        "commodex_simulation_duration_seconds",
        metrics::Unit::Seconds,
        "Wall time of a Monte Carlo simulation, by method."
    );
    metrics::describe_counter!(
        "commodex_client_rate_limited_total",
        "API requests refused with 429 by the per-client rate limit."
    );
}

/// Counts every request by method, route template (never the raw path, whose ids and query
/// would make a series per request) and status, and times it.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(
        "commodex_http_request_duration_seconds",
        "method" => method.clone(),
        "route" => route.clone()
    )
    .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        "commodex_http_requests_total",
        "method" => method,
        "route" => route,
        "status" => status
    )
    .increment(1);
    response
}

/// `GET /metrics`: every metric in Prometheus' text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "meta",
    responses((status = 200, description = "Prometheus text exposition format.", content_type = "text/plain", body = String)),
)]
pub async fn render() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        handle().render(),
    )
        .into_response()
}
