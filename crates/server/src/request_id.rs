//! The request id: taken from the client's `X-Request-Id` when it is sane, made up otherwise,
//! echoed on every response and recorded on every log line of the request.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use tower_http::request_id::{MakeRequestId, RequestId};

/// The header SPEC names.
pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Makes a fresh random id for a request that brought none.
#[derive(Clone, Copy, Default)]
pub struct MakeId;

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Uuid::new_v4().to_string();
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// Drops a client's id that is too long or not plain text, so that a new one is made: the id
/// ends up in logs and error bodies.
pub async fn sanitize(
    mut request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let bad = request.headers().get(&HEADER).is_some_and(|value| {
        let bytes = value.as_bytes();
        bytes.is_empty()
            || bytes.len() > 128
            || !bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
    });
    if bad {
        request.headers_mut().remove(&HEADER);
    }
    next.run(request).await
}

/// The id of a request (set by the request-id layer before any handler runs).
pub fn of<B>(request: &axum::http::Request<B>) -> String {
    request
        .headers()
        .get(&HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string()
}
