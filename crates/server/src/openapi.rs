//! The OpenAPI 3.1 document of the API, built from the handlers' `#[utoipa::path]` annotations
//! (collected by `utoipa_axum::routes!` as the routes are registered, so a route cannot exist
//! without its documentation) and served at `/api/v1/openapi.json`.
//!
//! Types of other crates (store, market-data, analytics) cannot derive `ToSchema` here, so
//! [`schemas`] describes their JSON shape; Schemathesis, run in `.ci/run` against live
//! answers, fails if a description drifts from what is really served.

use crate::error::{ErrorBody, ErrorKind};
use axum::Extension;
use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// The document's fixed parts: title, tags, the error schema, the bearer scheme, and every
/// operation's error responses (added by [`ErrorResponses`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Commodex API",
        description = "Commodity prices, technical indicators, portfolio risk metrics and Monte \
                       Carlo simulation. Every error answers with the `Error` body; \
                       `correlation_id` is also the `X-Request-Id` response header.",
        license(name = "MIT"),
    ),
    tags(
        (name = "health", description = "Liveness and readiness."),
        (name = "catalog", description = "Sources and the commodities they offer."),
        (name = "prices", description = "Price series, stored or fetched through the fallback tiers."),
        (name = "indicators", description = "TA-Lib-exact technical indicators."),
        (name = "portfolio", description = "Risk metrics and Monte Carlo simulation of a weighted portfolio."),
        (name = "portfolios", description = "Saved portfolios (writes need the bearer token when one is configured)."),
        (name = "meta", description = "This document and the Prometheus metrics."),
    ),
    components(schemas(ErrorBody, ErrorKind)),
    modifiers(&BearerScheme),
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme that the write operations refer to.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The security scheme's name, as the write operations' `security(...)` cite it.
pub const BEARER: &str = "bearer";

/// Completes a document whose paths are all in: every operation gets its error answers.
pub fn finish(document: &mut Document) {
    ErrorResponses.modify(document);
}

/// Adds to every operation the error answers it can give, each with the `Error` body: the
/// ones any request can meet (rate limit, timeout, internal, unavailable database) and the
/// ones its shape allows (validation when it takes input, body errors when it takes a body,
/// 401 when it needs the token).
struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut Document) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
            ];
            for operation in operations.into_iter().flatten() {
                add_error_responses(path, operation);
            }
        }
    }
}

fn add_error_responses(path: &str, operation: &mut Operation) {
    let takes_input = operation.request_body.is_some()
        || operation
            .parameters
            .as_ref()
            .is_some_and(|parameters| !parameters.is_empty());
    let takes_body = operation.request_body.is_some();
    let needs_token = operation.security.is_some();
    let looks_up = path.contains('{')
        || ["/api/v1/prices", "/api/v1/indicators", "/api/v1/portfolio/"]
            .iter()
            .any(|prefix| path.starts_with(prefix));
    let fetches = path.starts_with("/api/v1/prices")
        || path.starts_with("/api/v1/indicators")
        || path.starts_with("/api/v1/portfolio/");
    let mut errors: Vec<(&str, &str)> = Vec::new();
    if takes_input {
        errors.push(("400", "`validation`: a parameter or the body is not valid."));
    }
    if needs_token {
        errors.push((
            "401",
            "`unauthorized`: the bearer token is missing or wrong.",
        ));
    }
    if looks_up {
        errors.push((
            "404",
            "`not_found`: nothing is stored under what was asked for.",
        ));
    }
    if takes_body {
        errors.push((
            "413",
            "`validation`: the body is larger than the configured limit.",
        ));
        errors.push(("415", "`validation`: the body is not `application/json`."));
        errors.push((
            "422",
            "`validation`: the body is JSON but not of the expected shape.",
        ));
    }
    errors.push((
        "429",
        "`rate_limited`: too many requests from this client; `Retry-After` says when to retry.",
    ));
    errors.push(("500", "`internal` or `config`: the server failed."));
    if fetches {
        errors.push(("502", "`upstream`: every provider asked failed."));
    }
    errors.push((
        "503",
        "`internal`: a dependency (the database, Redis) is unavailable.",
    ));
    errors.push((
        "504",
        "`internal`: the request took longer than the configured timeout.",
    ));
    for (status, description) in errors {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(description).into());
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
}

/// The served document, serialised once when the router is built.
#[derive(Clone)]
pub struct OpenApiJson(pub Bytes);

impl OpenApiJson {
    /// Serialises `document`.
    pub fn new(document: &Document) -> Self {
        Self(Bytes::from(
            serde_json::to_vec(document).unwrap_or_else(|_| b"{}".to_vec()),
        ))
    }
}

/// `GET /api/v1/openapi.json`: this API's OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document.", content_type = "application/json", body = Object)),
)]
pub async fn document(Extension(json): Extension<OpenApiJson>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json.0,
    )
}

/// JSON shapes of the types of other crates that the API serves or reads.
pub mod schemas {
    use chrono::{DateTime, NaiveDate, Utc};
    use std::collections::BTreeMap;
    use utoipa::ToSchema;

    /// The sampling interval of a series.
    #[derive(ToSchema)]
    #[schema(rename_all = "lowercase")]
    #[allow(dead_code)]
    pub enum Interval {
        /// Intraday bars.
        Intraday,
        /// One bar a trading day.
        Daily,
        /// One bar a week.
        Weekly,
        /// One bar a month.
        Monthly,
        /// One bar a quarter.
        Quarterly,
        /// One bar a year.
        Annual,
    }

    /// One price observation; `close` is always present, the rest when the source gives them.
    #[derive(ToSchema)]
    #[schema(example = json!({"date": "2024-01-02", "open": 2063.1, "high": 2071.4, "low": 2058.9, "close": 2069.2, "volume": null}))]
    #[allow(dead_code)]
    pub struct PriceBar {
        /// The trading day (or the first day of the period the bar covers).
        pub date: NaiveDate,
        /// Opening price (USD).
        pub open: Option<f64>,
        /// Highest price.
        pub high: Option<f64>,
        /// Lowest price.
        pub low: Option<f64>,
        /// Closing (or only) price.
        pub close: f64,
        /// Traded volume.
        pub volume: Option<f64>,
    }

    /// A commodity family.
    #[derive(ToSchema)]
    #[schema(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum Category {
        /// Crude oil, refined products, natural gas.
        Energy,
        /// Gold, silver, platinum, palladium.
        PreciousMetals,
        /// Copper, aluminum.
        IndustrialMetals,
        /// Grains, oilseeds, softs.
        Agriculture,
        /// Cattle, hogs, dairy.
        Livestock,
    }

    /// What one source offers for one commodity.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct SourceEntry {
        /// The provider's own code for the commodity.
        pub code: String,
        /// Other provider codes for the same series.
        pub aliases: Vec<String>,
        /// The provider function to call when the code does not imply it.
        pub endpoint: Option<String>,
        /// The finest interval of history the provider has for it.
        pub interval: Interval,
        /// The unit the provider quotes in.
        pub price_unit: String,
        /// Multiply the provider's number by this to get the commodity's unit.
        pub scale: f64,
    }

    /// A commodity of the catalog.
    #[derive(ToSchema)]
    #[schema(example = json!({"symbol": "GOLD", "name": "Gold", "category": "precious_metals", "unit": "USD/troy oz", "sources": {"demo": {"code": "GOLD", "aliases": [], "endpoint": null, "interval": "daily", "price_unit": "USD/troy oz", "scale": 1.0}}}))]
    #[allow(dead_code)]
    pub struct Commodity {
        /// Our stable symbol, the same across sources.
        pub symbol: String,
        /// A human name.
        pub name: String,
        /// Its family.
        pub category: Category,
        /// The unit prices are stored and shown in.
        pub unit: String,
        /// What each source offers, by source id.
        pub sources: BTreeMap<String, SourceEntry>,
    }

    /// One holding of a portfolio.
    #[derive(ToSchema)]
    #[schema(example = json!({"source": "demo", "symbol": "GOLD", "weight": 0.6}))]
    #[allow(dead_code)]
    pub struct PortfolioAsset {
        /// A source id.
        pub source: String,
        /// Our symbol.
        pub symbol: String,
        /// A positive weight (normalised when metrics are computed).
        pub weight: f64,
    }

    /// What a client sends to create or replace a portfolio.
    #[derive(ToSchema)]
    #[schema(example = json!({"name": "Metals and oil", "assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.6}, {"source": "demo", "symbol": "WTI", "weight": 0.4}]}))]
    #[allow(dead_code)]
    pub struct NewPortfolio {
        /// A name for people (1 to 200 characters).
        pub name: String,
        /// 1 to 50 holdings, each (source, symbol) once.
        pub assets: Vec<PortfolioAsset>,
    }

    /// A saved portfolio.
    #[derive(ToSchema)]
    #[schema(example = json!({"id": 1, "name": "Metals and oil", "assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.6}, {"source": "demo", "symbol": "WTI", "weight": 0.4}], "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-01-05T10:00:00Z"}))]
    #[allow(dead_code)]
    pub struct Portfolio {
        /// Its id.
        pub id: i64,
        /// A name for people.
        pub name: String,
        /// The holdings, in the order given.
        pub assets: Vec<PortfolioAsset>,
        /// When it was created.
        pub created_at: DateTime<Utc>,
        /// When it was last replaced.
        pub updated_at: DateTime<Utc>,
    }

    /// Pearson correlations of the assets' daily returns.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct CorrelationMatrix {
        /// Row and column labels.
        pub symbols: Vec<String>,
        /// `matrix[i][j]`: correlation of asset i with asset j.
        pub matrix: Vec<Vec<f64>>,
    }

    /// One asset's share of the portfolio's volatility.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct RiskContribution {
        /// The asset's symbol.
        pub symbol: String,
        /// Its normalised weight.
        pub weight: f64,
        /// Marginal contribution, annualised.
        pub marginal: f64,
        /// Component contribution `weight × marginal`.
        pub component: f64,
        /// Share of the risk; the shares sum to 1.
        pub percent: f64,
    }

    /// SPEC's portfolio metrics (see the README's analytics conventions).
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct PortfolioMetrics {
        /// Common daily returns used.
        pub num_returns: u64,
        /// Mean daily return × 252.
        pub portfolio_return: f64,
        /// Compound annual growth rate.
        pub cagr: f64,
        /// Standard deviation (ddof 1) × √252.
        pub portfolio_volatility: f64,
        /// Annualised Sharpe ratio.
        pub sharpe_ratio: f64,
        /// Annualised Sortino ratio; null when no day is below the risk-free rate.
        pub sortino_ratio: Option<f64>,
        /// Historical 1-day VaR at 95 %.
        pub var_95: f64,
        /// Historical 1-day VaR at 99 %.
        pub var_99: f64,
        /// Normal 1-day VaR at 95 %.
        pub parametric_var_95: f64,
        /// Normal 1-day VaR at 99 %.
        pub parametric_var_99: f64,
        /// Mean of the returns at or below `var_95`.
        pub cvar_95: f64,
        /// Mean of the returns at or below `var_99`.
        pub cvar_99: f64,
        /// Deepest fall from a peak, in [-1, 0].
        pub max_drawdown: f64,
        /// `cagr / |max_drawdown|`; null when there was no drawdown.
        pub calmar_ratio: Option<f64>,
        /// Correlations of the assets' daily returns.
        pub correlation_matrix: CorrelationMatrix,
        /// `Σ wᵢσᵢ / σ_p`.
        pub diversification_ratio: f64,
        /// Per-asset risk contributions.
        pub risk_decomposition: Vec<RiskContribution>,
    }

    /// How simulated daily returns are drawn.
    #[derive(ToSchema)]
    #[schema(rename_all = "lowercase")]
    #[allow(dead_code)]
    pub enum SimulationMethod {
        /// Multivariate normal with the sample mean and covariance.
        Normal,
        /// Whole historical days resampled.
        Bootstrap,
    }

    /// Percentiles of the final cumulative return.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct FinalReturnPercentiles {
        /// 1st percentile.
        pub p1: f64,
        /// 5th percentile.
        pub p5: f64,
        /// 25th percentile.
        pub p25: f64,
        /// Median.
        pub p50: f64,
        /// 75th percentile.
        pub p75: f64,
        /// 95th percentile.
        pub p95: f64,
        /// 99th percentile.
        pub p99: f64,
    }

    /// Statistics of the final cumulative return over all paths.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct SimulationStatistics {
        /// Mean final return.
        pub mean: f64,
        /// Median final return.
        pub median: f64,
        /// Standard deviation (ddof 0).
        pub std: f64,
        /// Worst final return.
        pub min: f64,
        /// Best final return.
        pub max: f64,
        /// Percentiles 1/5/25/50/75/95/99.
        pub percentiles: FinalReturnPercentiles,
        /// 5th percentile of the final return.
        pub var_5: f64,
        /// 1st percentile of the final return.
        pub var_1: f64,
        /// Mean of the final returns at or below `var_5`.
        pub cvar_5: f64,
        /// Mean of the final returns at or below `var_1`.
        pub cvar_1: f64,
        /// Share of paths ending below their start.
        pub probability_of_loss: f64,
        /// Mean over paths of each path's maximum drawdown.
        pub expected_max_drawdown: f64,
    }

    /// Histogram of final returns (numpy's `np.histogram` conventions).
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct Histogram {
        /// Bin edges, one more than the counts.
        pub edges: Vec<f64>,
        /// Paths per bin.
        pub counts: Vec<u64>,
    }

    /// Percentiles of the cumulative return at each day, for a fan chart.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct PercentilePaths {
        /// 5th percentile per day.
        pub p5: Vec<f64>,
        /// 25th percentile per day.
        pub p25: Vec<f64>,
        /// Median per day.
        pub p50: Vec<f64>,
        /// 75th percentile per day.
        pub p75: Vec<f64>,
        /// 95th percentile per day.
        pub p95: Vec<f64>,
    }

    /// The outcome of a Monte Carlo simulation.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct SimulationResult {
        /// How daily returns were drawn.
        pub method: SimulationMethod,
        /// The seed used.
        pub seed: u64,
        /// Number of simulated paths.
        pub num_simulations: u64,
        /// Trading days per path.
        pub time_horizon_days: u64,
        /// Statistics of the final cumulative return.
        pub statistics: SimulationStatistics,
        /// Histogram of final cumulative returns.
        pub histogram: Histogram,
        /// Percentile paths over time.
        pub percentile_paths: PercentilePaths,
        /// Raw cumulative-return paths, only when `include_paths` asked for some.
        #[schema(required = false)]
        pub paths: Option<Vec<Vec<f64>>>,
    }
}
