//! The OpenAPI 3.1 document of the API, built from the handlers' `#[utoipa::path]` annotations
//! (collected by `utoipa_axum::routes!` as the routes are registered, so a route cannot exist
//! without its documentation) and served at `/api/v1/openapi.json`.
//!
//! Types of other crates (store, market-data, analytics) derive `ToSchema` beside their
//! definitions, behind those crates' `utoipa` feature, so a schema changes with its type;
//! Schemathesis, run in `.ci/run` against live answers, fails if the document drifts from
//! what is really served.

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
        (name = "portfolio", description = "Risk metrics, Monte Carlo, QuantStats reports and optimisation of a weighted portfolio."),
        (name = "backtest", description = "Signal backtests of indicator rules, and parameter sweeps."),
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
