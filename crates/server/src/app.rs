//! Building the router and serving it.

use crate::error::error_envelope;
use crate::request_id::{self, MakeId};
use crate::routes::{commodities, health, indicators, portfolio, portfolios, prices, sources};
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

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
}

/// A bound, ready-to-serve server.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Binds the listener and builds the routes.
    pub async fn build(config: ServerConfig, state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        Ok(Self {
            listener,
            router: router(&config, state),
        })
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// The Content-Security-Policy of every response: our own scripts only, never inline ones,
/// and never inside a frame. Inline styles are allowed because the chart library positions
/// and colours its elements with `style` attributes; scripts stay strictly our own files.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn router(config: &ServerConfig, state: AppState) -> Router {
    // Writes on saved portfolios need the token; the layer lets the GETs through.
    let saved = Router::new()
        .route(
            "/api/v1/portfolios",
            get(portfolios::list).post(portfolios::create),
        )
        .route(
            "/api/v1/portfolios/{id}",
            get(portfolios::get)
                .put(portfolios::replace)
                .delete(portfolios::delete),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_token_for_writes,
        ));
    let api = Router::new()
        .route("/api/v1/health", get(health::health))
        .route("/api/v1/ready", get(health::ready))
        .route("/api/v1/sources", get(sources::list))
        .route("/api/v1/commodities", get(commodities::list))
        .route("/api/v1/prices", get(prices::get))
        .route(
            "/api/v1/indicators",
            get(indicators::get).post(indicators::post),
        )
        .route("/api/v1/portfolio/metrics", post(portfolio::metrics))
        .route(
            "/api/v1/portfolio/simulate",
            post(portfolio::simulate_portfolio),
        )
        .route("/ws/data", get(crate::ws::data))
        .merge(saved)
        .merge(crate::assets::router());
    // Layers run top to bottom on the way in. Security headers and compression sit outside
    // everything so that error bodies get them too; CORS answers preflights before any auth;
    // the id is settled before the trace span, the error envelope and the response use it.
    let layers = ServiceBuilder::new()
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
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
        .layer(axum::middleware::from_fn(error_envelope))
        .layer(CatchPanicLayer::custom(|_| {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            config.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(config.body_limit_bytes));
    api.with_state(state).layer(layers)
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
