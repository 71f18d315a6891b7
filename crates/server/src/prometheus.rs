//! `GET /metrics` in Prometheus text, and the HTTP request metrics.
//!
//! Every part of the program records through the `metrics` facade (`metrics::counter!` and
//! friends), so provider calls, rate-limit waits and cache hits recorded in other crates land
//! in the same place. The facade drops whatever is recorded before a recorder is installed,
//! so [`install`] runs when the app is built, not at the first scrape. It is process-wide and
//! installed once: the facade has a single global recorder, and several apps in one process
//! (tests) then share it, each counter only growing.
//!
//! [`METRICS`] is the one list of what this program records. The exporter writes a metric's
//! HELP and TYPE lines only once it has a sample, so the page adds them for the rest: a fresh
//! instance's first scrape already names everything an operator can chart or alert on.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::fmt::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Latency buckets, in seconds: sub-millisecond cached answers up to minute-long simulations.
const BUCKETS_SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

/// How often histogram samples are folded into their buckets when nobody scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The kind of a metric, as Prometheus' TYPE line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only grows.
    Counter,
    /// Goes up and down.
    Gauge,
    /// Samples in buckets (every histogram here is in seconds).
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// One metric this program records: its name, kind and HELP text.
#[derive(Debug)]
pub struct Metric {
    /// The name, as recorded.
    pub name: &'static str,
    /// Its kind.
    pub kind: Kind,
    /// What it counts, by which labels.
    pub help: &'static str,
}

/// Every metric recorded anywhere in the program, described at start from here.
pub const METRICS: &[Metric] = &[
    Metric {
        name: "commodex_http_requests_total",
        kind: Kind::Counter,
        help: "HTTP requests answered, by method (non-standard ones as other), route template and status.",
    },
    Metric {
        name: "commodex_http_request_duration_seconds",
        kind: Kind::Histogram,
        help: "Time to answer an HTTP request, by method and route template.",
    },
    Metric {
        name: "commodex_provider_calls_total",
        kind: Kind::Counter,
        help: "Calls to market-data providers, by source and outcome (HTTP status, timeout, error).",
    },
    Metric {
        name: "commodex_provider_call_duration_seconds",
        kind: Kind::Histogram,
        help: "Latency of one provider call, by source.",
    },
    Metric {
        name: "commodex_rate_limit_waits_total",
        kind: Kind::Counter,
        help: "Times a provider call waited for a rate-limit slot, by source.",
    },
    Metric {
        name: "commodex_quota_remaining",
        kind: Kind::Gauge,
        help: "Requests left in the provider's daily quota, by source.",
    },
    Metric {
        name: "commodex_simulation_duration_seconds",
        kind: Kind::Histogram,
        help: "Wall time of a Monte Carlo simulation, by method.",
    },
    Metric {
        name: "commodex_client_rate_limited_total",
        kind: Kind::Counter,
        help: "API requests refused with 429 by the per-client rate limit.",
    },
    Metric {
        name: "commodex_fallback_attempts_total",
        kind: Kind::Counter,
        help: "Sources tried by the fallback tiers, by source and outcome.",
    },
    Metric {
        name: "commodex_cache_hits_total",
        kind: Kind::Counter,
        help: "Look-ups a cache answered, by layer (memory, redis, database, response).",
    },
    Metric {
        name: "commodex_cache_misses_total",
        kind: Kind::Counter,
        help: "Look-ups a cache could not answer, by layer (memory, redis, database, response).",
    },
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder and describes every metric of [`METRICS`]; later calls
/// return the same handle. Called when the app is built, so nothing recorded before the first
/// scrape is lost.
pub fn install() -> &'static PrometheusHandle {
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

/// Gives the recorder every metric's HELP text (and the histograms their unit).
fn describe() {
    for metric in METRICS {
        match metric.kind {
            Kind::Counter => metrics::describe_counter!(metric.name, metric.help),
            Kind::Gauge => metrics::describe_gauge!(metric.name, metric.help),
            Kind::Histogram => {
                metrics::describe_histogram!(metric.name, metrics::Unit::Seconds, metric.help)
            }
        }
    }
}

/// The exporter's page, with HELP and TYPE lines added for every metric of [`METRICS`] that
/// has no sample yet (a family with no samples is valid in the text format).
fn page(handle: &PrometheusHandle) -> String {
    let mut page = handle.render();
    for metric in METRICS {
        if !page.contains(&format!("# TYPE {} ", metric.name)) {
            // Writing to a String cannot fail.
            let _ = write!(
                page,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n\n",
                name = metric.name,
                help = metric.help,
                kind = metric.kind.as_str()
            );
        }
    }
    page
}

/// Counts every request by method, route template (never the raw path, whose ids and query
/// would make a series per request) and status, and times it.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(
        "commodex_http_request_duration_seconds",
        "method" => method,
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

/// The `method` label of a request: one of HTTP's standard methods, else `other`. HTTP lets a
/// client send any token as its method, and each distinct label value is a new series kept
/// until the process exits, so a client must not be able to mint them.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
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
        page(install()),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_are_labelled_by_name() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        for made_up in ["FOOBAR", "get", "PROPFIND", "X1"] {
            let method = Method::from_bytes(made_up.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "other", "{made_up}");
        }
    }
}
