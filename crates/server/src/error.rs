//! SPEC's error body, for every failure: ours and the framework's.
//!
//! Handlers return [`ApiError`]; its response carries the error in an extension, and the
//! `error_envelope` middleware writes the final body, because only the middleware knows the
//! endpoint and the request id. Responses the framework made itself (unknown path, wrong
//! method, body too large, bad JSON, timeout) get the same body there.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The `type` of an error body, as SPEC lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request was wrong.
    Validation,
    /// What was asked for does not exist.
    NotFound,
    /// A provider failed.
    Upstream,
    /// Too many requests.
    RateLimited,
    /// The server is misconfigured.
    Config,
    /// A write without a valid token.
    Unauthorized,
    /// Anything else: a bug or an unavailable dependency.
    Internal,
}

impl ErrorKind {
    fn status(self) -> StatusCode {
        match self {
            ErrorKind::Validation => StatusCode::BAD_REQUEST,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Upstream => StatusCode::BAD_GATEWAY,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Config => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error a handler returns: a sentence for the user, its kind, and optional details.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The sentence shown to the user.
    pub message: String,
    /// Its kind.
    pub kind: ErrorKind,
    /// The status to answer with (defaults from the kind).
    pub status: StatusCode,
    /// Extra structured information.
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    /// An error of `kind` with the kind's usual status.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind,
            status: kind.status(),
            details: None,
        }
    }

    /// A 503: a dependency the request needs is unavailable.
    pub fn unavailable(message: impl Into<String>) -> Self {
        let mut error = Self::new(ErrorKind::Internal, message);
        error.status = StatusCode::SERVICE_UNAVAILABLE;
        error
    }

    /// Adds structured details.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

impl From<store::StoreError> for ApiError {
    fn from(error: store::StoreError) -> Self {
        crate::service::Error::from(error).into()
    }
}

impl From<crate::service::Error> for ApiError {
    /// The one mapping from what services say to what the API answers.
    fn from(error: crate::service::Error) -> Self {
        use crate::service::Error;
        match error {
            Error::Invalid { message, details } => ApiError {
                details,
                ..ApiError::new(ErrorKind::Validation, message)
            },
            Error::InvalidPortfolio(ref problems) => {
                ApiError::new(ErrorKind::Validation, error.to_string())
                    .with_details(serde_json::json!({ "problems": problems }))
            }
            Error::Analytics(error) => ApiError::new(ErrorKind::Validation, error.to_string()),
            Error::NotFound { message, details } => ApiError {
                details,
                ..ApiError::new(ErrorKind::NotFound, message)
            },
            Error::Upstream { message, details } => ApiError {
                details,
                ..ApiError::new(ErrorKind::Upstream, message)
            },
            Error::RateLimited(message) => ApiError::new(ErrorKind::RateLimited, message),
            Error::Config(message) => ApiError::new(ErrorKind::Config, message),
            Error::Database(error) => match &*error {
                store::StoreError::NotFound(what) => {
                    ApiError::new(ErrorKind::NotFound, format!("{what} not found"))
                }
                // The driver's text can carry SQL or host names: log it, answer with a sentence.
                other => {
                    tracing::error!(error = %other, "database error");
                    ApiError::unavailable("the database is unavailable; try again shortly")
                }
            },
            Error::Computation => ApiError::new(ErrorKind::Internal, "the computation failed"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// SPEC's error body: every 4xx and 5xx answer of the API carries it.
#[derive(Serialize, ToSchema)]
#[schema(as = Error, example = json!({
    "error": "unknown source 'nope': expected one of alpha_vantage, fmp, api_ninjas, commodity_price_api, csv, demo",
    "type": "validation",
    "endpoint": "/api/v1/prices",
    "timestamp": "2026-01-05T10:00:00.000Z",
    "correlation_id": "7f3c1a9e-2b4d-4e8a-9c51-0d2e6f7a8b90",
    "params": {"source": "nope", "symbol": "GOLD"},
    "details": {"known_sources": ["alpha_vantage", "fmp", "api_ninjas", "commodity_price_api", "csv", "demo"]}
}))]
pub struct ErrorBody<'a> {
    /// What went wrong, as a sentence.
    error: &'a str,
    /// The kind of error.
    #[serde(rename = "type")]
    kind: ErrorKind,
    /// The path that was requested.
    endpoint: &'a str,
    /// When the error happened (RFC 3339, UTC).
    #[schema(format = DateTime)]
    timestamp: String,
    /// The request id, also sent as the `X-Request-Id` header.
    correlation_id: &'a str,
    /// The query parameters as received, when there were any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, required = false)]
    params: Option<serde_json::Value>,
    /// Structured help: the known values, every problem of a body, what failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<serde_json::Value>, required = false)]
    details: Option<&'a serde_json::Value>,
}

/// Rewrites every error response into SPEC's body.
pub async fn error_envelope(request: Request, next: Next) -> Response {
    let endpoint = request.uri().path().to_string();
    let params = request.uri().query().map(query_params);
    let correlation_id = crate::request_id::of(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let error = match parts.extensions.remove::<ApiError>() {
        Some(error) => error,
        None => {
            // The framework's own rejection: keep its (short, data-free) text when it is
            // plain text, since it says what was wrong with the request.
            let text = axum::body::to_bytes(body, 16 * 1024)
                .await
                .ok()
                .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
                .filter(|text| !text.trim().is_empty() && !text.trim_start().starts_with('{'));
            framework_error(status, text)
        }
    };
    let body = ErrorBody {
        error: &error.message,
        kind: error.kind,
        endpoint: &endpoint,
        timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        correlation_id: &correlation_id,
        params,
        details: error.details.as_ref(),
    };
    let mut response = (status, Json(body)).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn framework_error(status: StatusCode, text: Option<String>) -> ApiError {
    let (kind, default) = match status {
        StatusCode::NOT_FOUND => (ErrorKind::NotFound, "no such endpoint".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorKind::Validation,
            "this method is not allowed on this endpoint".to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorKind::Validation,
            "the request body is too large".to_string(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorKind::Validation,
            "the request body must be JSON (Content-Type: application/json)".to_string(),
        ),
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => (
            ErrorKind::Internal,
            "the request took too long and was stopped".to_string(),
        ),
        StatusCode::TOO_MANY_REQUESTS => (ErrorKind::RateLimited, "too many requests".to_string()),
        StatusCode::UNAUTHORIZED => (
            ErrorKind::Unauthorized,
            "a valid bearer token is required".to_string(),
        ),
        status if status.is_client_error() => (
            ErrorKind::Validation,
            "the request is not valid".to_string(),
        ),
        _ => (ErrorKind::Internal, "internal error".to_string()),
    };
    let message = match text {
        Some(text) if status.is_client_error() && status != StatusCode::NOT_FOUND => text,
        _ => default,
    };
    let mut error = ApiError::new(kind, message);
    error.status = status;
    error
}

fn query_params(query: &str) -> serde_json::Value {
    let mut params = serde_json::Map::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.insert(
            key.to_string(),
            serde_json::Value::String(value.to_string()),
        );
    }
    serde_json::Value::Object(params)
}
