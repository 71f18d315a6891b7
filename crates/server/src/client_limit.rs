//! The per-client request rate limit: at most N requests per window from one client IP,
//! with bursts up to N, answered beyond that with 429 `rate_limited` and `Retry-After`.
//!
//! The client is the peer address, or, when the server is configured to trust a proxy in
//! front of it, the last address in `X-Forwarded-For` (the one the proxy itself added: earlier
//! entries come from the client and could be made up to dodge the limit).

use crate::error::{ApiError, ErrorKind};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use market_data::RateLimit;

/// Every this many requests, clients idle long enough to be back at a full burst are
/// forgotten, so that the table does not grow with every address ever seen.
const PRUNE_EVERY: u64 = 4096;

/// The limiter shared by every route of one app.
#[derive(Clone)]
pub struct ClientLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    clock: DefaultClock,
    trust_forwarded_for: bool,
    seen: Arc<AtomicU64>,
}

impl ClientLimiter {
    /// A limiter for `limit`; `None` when the limit allows nothing (zero requests or a zero
    /// window, which the settings reject before this).
    pub fn new(limit: RateLimit, trust_forwarded_for: bool) -> Option<Self> {
        let requests = NonZeroU32::new(limit.max_requests)?;
        let quota = Quota::with_period(limit.per / limit.max_requests)?.allow_burst(requests);
        Some(Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
            clock: DefaultClock::default(),
            trust_forwarded_for,
            seen: Arc::new(AtomicU64::new(0)),
        })
    }

    fn client(&self, request: &Request) -> IpAddr {
        if self.trust_forwarded_for
            && let Some(forwarded) = request
                .headers()
                .get("x-forwarded-for")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .and_then(|last| last.trim().parse::<IpAddr>().ok())
        {
            return forwarded;
        }
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
    }

    /// `Err(wait)` when `client` must wait before its next request.
    fn check(&self, client: IpAddr) -> Result<(), Duration> {
        if self.seen.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// Lets a request through, or answers 429 with `Retry-After` in whole seconds (at least 1).
/// Without a configured limit (`None`), every request goes through.
pub async fn limit(
    State(limiter): State<Option<ClientLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = limiter else {
        return next.run(request).await;
    };
    let client = limiter.client(&request);
    match limiter.check(client) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            metrics::counter!("commodex_client_rate_limited_total").increment(1);
            let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let retry_after_secs = retry_after_secs.max(1);
            let mut response = ApiError::new(
                ErrorKind::RateLimited,
                format!("too many requests from this client; retry in {retry_after_secs} s"),
            )
            .with_details(serde_json::json!({ "retry_after_secs": retry_after_secs }))
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits_and_others_are_not_affected() {
        let limiter = ClientLimiter::new(
            RateLimit {
                max_requests: 3,
                per: Duration::from_secs(60),
            },
            false,
        )
        .unwrap();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(a).is_ok());
        }
        let wait = limiter.check(a).unwrap_err();
        // One slot frees every 20 s.
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(limiter.check(b).is_ok());
    }

    #[test]
    fn a_zero_limit_is_refused() {
        let zero = RateLimit {
            max_requests: 0,
            per: Duration::from_secs(1),
        };
        assert!(ClientLimiter::new(zero, false).is_none());
    }
}
