//! The router: every route, its OpenAPI operation and the layers around them.

use crate::client_limit::{self, ClientLimiter};
use crate::error::error_envelope;
use crate::openapi::{ApiDoc, OpenApiJson};
use crate::request_id::{self, MakeId};
use crate::routes::{
    backtest, commodities, health, indicators, portfolio, portfolios, prices, sources,
};
use crate::state::AppState;
use axum::Extension;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use market_data::RateLimit;
use std::net::SocketAddr;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::{MakeHeaderValue, SetResponseHeaderLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What the server needs from the settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free one).
    pub bind: SocketAddr,
    /// A request taking longer is answered with a timeout error.
    pub request_timeout: Duration,
    /// Largest request body accepted.
    pub body_limit_bytes: usize,
    /// Origins allowed to call the API from a browser; empty allows none but our own.
    pub cors_origins: Vec<String>,
    /// Requests one client may make per window; `None` for no limit.
    pub rate_limit_per_client: Option<RateLimit>,
    /// Whether a proxy in front sets `X-Forwarded-For`, so that the client is its last entry
    /// rather than the peer address (which would be the proxy's).
    pub trust_forwarded_for: bool,
    /// Whether to send `Strict-Transport-Security` (production, behind TLS).
    pub hsts: bool,
    /// What the accept loop holds open.
    pub connections: crate::serve::ConnectionLimits,
}

/// The Content-Security-Policy of every response: our own scripts only, never inline ones,
/// and never inside a frame. Inline styles are allowed because the chart library positions
/// and colours its elements with `style` attributes; scripts stay strictly our own files.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Every route with its layers, over `state`.
pub(crate) fn router(config: &ServerConfig, state: AppState) -> Router {
    crate::prometheus::install();
    let (api, document) = documented_routes(&state);
    let document = OpenApiJson::new(&document);
    let layers = ServiceBuilder::new()
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(hsts(config.hsts))
        .layer(CompressionLayer::new())
        .layer(cors(&config.cors_origins))
        .layer(axum::middleware::from_fn(request_id::sanitize))
        .layer(SetRequestIdLayer::new(request_id::HEADER.clone(), MakeId))
        .layer(PropagateRequestIdLayer::new(request_id::HEADER.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id = %request_id::of(request),
                )
            }),
        )
        .layer(axum::middleware::from_fn(crate::prometheus::track))
        .layer(axum::middleware::from_fn(error_envelope))
        .layer(axum::middleware::from_fn_with_state(
            config
                .rate_limit_per_client
                .and_then(|limit| ClientLimiter::new(limit, config.trust_forwarded_for)),
            client_limit::limit,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            config.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(config.body_limit_bytes));
    // Layers run top to bottom on the way in. Security headers and compression sit outside
    // everything so that error bodies get them too; CORS answers preflights before any auth;
    // the id is settled before the trace span, the error envelope and the response use it;
    // metrics count every answer the envelope gives (all but CORS preflights); the rate limit
    // answers inside the envelope so that its 429 has SPEC's body.
    api.route("/ws/data", axum::routing::get(crate::ws::data))
        .merge(crate::docs::router())
        .merge(crate::assets::router())
        .layer(Extension(document))
        .with_state(state)
        .layer(layers)
}

/// Every API route with its OpenAPI operation: `routes!` registers each handler at the path
/// its `#[utoipa::path]` names, so the document and the router cannot disagree.
fn documented_routes(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    // Writes on saved portfolios need the token; the layer lets the GETs through.
    let saved = OpenApiRouter::new()
        .routes(routes!(portfolios::list, portfolios::create))
        .routes(routes!(
            portfolios::get,
            portfolios::replace,
            portfolios::delete
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_token_for_writes,
        ));
    // The CPU-heavy routes take a compute slot each, or answer 503 at once.
    let compute = OpenApiRouter::new()
        .routes(routes!(indicators::get, indicators::post))
        .routes(routes!(portfolio::metrics))
        .routes(routes!(portfolio::simulate_portfolio))
        .routes(routes!(portfolio::optimize_portfolio))
        .routes(routes!(portfolio::report))
        .routes(routes!(portfolio::saved_report))
        .routes(routes!(backtest::run))
        .route_layer(axum::middleware::from_fn_with_state(
            state.compute.clone(),
            crate::compute_slots::limit,
        ));
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::ready))
        .routes(routes!(sources::list))
        .routes(routes!(commodities::list))
        .routes(routes!(prices::get))
        .routes(routes!(indicators::catalog))
        .merge(compute)
        .routes(routes!(crate::openapi::document))
        .routes(routes!(crate::prometheus::render))
        .merge(saved)
        .split_for_parts();
    crate::openapi::finish(&mut document);
    (router, document)
}

/// HSTS for a year, subdomains included; sent only in production, which runs behind TLS
/// (a browser would otherwise refuse plain HTTP to the host for that year).
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// `Strict-Transport-Security` on every response when `enabled`, none otherwise.
fn hsts(enabled: bool) -> SetResponseHeaderLayer<Hsts> {
    SetResponseHeaderLayer::overriding(
        header::STRICT_TRANSPORT_SECURITY,
        Hsts(enabled.then(|| HeaderValue::from_static(STRICT_TRANSPORT_SECURITY))),
    )
}

/// The HSTS value, or none when HSTS is off.
#[derive(Clone)]
struct Hsts(Option<HeaderValue>);

impl<T> MakeHeaderValue<T> for Hsts {
    fn make_header_value(&mut self, _message: &T) -> Option<HeaderValue> {
        self.0.clone()
    }
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// CORS for the configured origins; with none configured, browsers get no CORS headers and
/// only same-origin pages (the dashboard) can call the API.
fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            request_id::HEADER.clone(),
        ])
        .expose_headers([request_id::HEADER.clone()])
        .max_age(Duration::from_secs(600));
    if origins.iter().any(|origin| origin == "*") {
        layer.allow_origin(AllowOrigin::any())
    } else {
        layer.allow_origin(AllowOrigin::list(allowed))
    }
}
