//! The bearer token that writes need when one is configured.
//!
//! Only writes are guarded: saved portfolios' POST, PUT and DELETE. The compute POSTs
//! (`/api/v1/indicators`, `/api/v1/portfolio/metrics`, `/api/v1/portfolio/simulate`) change
//! nothing stored, so they are reads that happen to carry a body, and stay open like the GETs.

use crate::error::{ApiError, ErrorKind};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use market_data::anonymous_budget::Caller;
use sha2::{Digest, Sha256};

/// A configured token, kept only as its SHA-256 digest.
///
/// Comparing digests rather than the tokens makes the comparison take the same time whatever
/// the token's length and wherever the first differing byte is: both sides are always 32 bytes
/// and every byte is looked at.
#[derive(Clone)]
pub struct ApiToken {
    digest: [u8; 32],
}

impl ApiToken {
    /// Keeps the digest of `token`; the token itself is not stored.
    pub fn new(token: &str) -> Self {
        Self {
            digest: Sha256::digest(token.as_bytes()).into(),
        }
    }

    /// Whether `candidate` is the token, in time that does not depend on where they differ.
    pub fn matches(&self, candidate: &str) -> bool {
        let candidate: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        let difference = self
            .digest
            .iter()
            .zip(candidate.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        // black_box keeps the optimiser from turning the fold into an early-exit compare.
        std::hint::black_box(difference) == 0
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// Lets reads through and asks writes for `Authorization: Bearer <token>` when a token is
/// configured; answers 401 `unauthorized` otherwise.
pub async fn require_token_for_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_read = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let Some(token) = state.api_token.as_ref().filter(|_| !is_read) else {
        return next.run(request).await;
    };
    let presented = bearer(request.headers());
    let message = match presented {
        Some(candidate) if token.matches(candidate) => return next.run(request).await,
        Some(_) => "the bearer token is not valid",
        None => "this write needs an Authorization: Bearer <token> header",
    };
    let mut response = ApiError::new(ErrorKind::Unauthorized, message).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// Who sent a request, for what its reads may spend of the providers' quotas: the operator
/// when no token is configured or the request carries it, anyone else anonymous (see
/// [`market_data::anonymous_budget`]). A wrong token on a read is not refused: it reads as
/// anonymous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity(pub Caller);

impl FromRequestParts<AppState> for Identity {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = match &state.api_token {
            None => Caller::Operator,
            Some(token) => match bearer(&parts.headers) {
                Some(candidate) if token.matches(candidate) => Caller::Operator,
                _ => Caller::Anonymous,
            },
        };
        Ok(Identity(caller))
    }
}

#[cfg(test)]
mod tests {
    use super::ApiToken;

    #[test]
    fn token_matches_only_itself() {
        let token = ApiToken::new("s3cret-token");
        assert!(token.matches("s3cret-token"));
        assert!(!token.matches("s3cret-toke"));
        assert!(!token.matches("s3cret-token "));
        assert!(!token.matches(""));
    }

    #[test]
    fn token_debug_never_prints_it() {
        assert_eq!(
            format!("{:?}", ApiToken::new("abc")),
            "ApiToken(<redacted>)"
        );
    }
}
