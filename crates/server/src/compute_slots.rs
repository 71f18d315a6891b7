//! Room for the CPU-heavy requests (indicators, portfolio metrics, simulations): at most so
//! many compute at once, and one more is answered at once with 503 and `Retry-After` instead
//! of queueing behind them. The dashboard's files, health and price reads never take a slot,
//! so they never wait behind a computation.

use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Counter of requests answered `busy` because every slot was taken.
pub const COMPUTE_BUSY: &str = "commodex_compute_busy_total";

/// The slots, shared by every clone.
#[derive(Debug, Clone)]
pub struct ComputeSlots {
    semaphore: Arc<Semaphore>,
    slots: usize,
}

impl ComputeSlots {
    /// `slots` at once; 0 means one per CPU.
    pub fn new(slots: usize) -> Self {
        let slots = if slots == 0 {
            std::thread::available_parallelism().map_or(2, usize::from)
        } else {
            slots
        };
        Self {
            semaphore: Arc::new(Semaphore::new(slots)),
            slots,
        }
    }
}

impl Default for ComputeSlots {
    fn default() -> Self {
        Self::new(0)
    }
}

/// Runs the request in a slot, or answers 503 (`details.reason` = `busy`) with `Retry-After:
/// 1` when none is free. The slot is given back when the answer is made or the client goes
/// away (the request's future is dropped).
pub async fn limit(State(slots): State<ComputeSlots>, request: Request, next: Next) -> Response {
    let Ok(_slot) = Arc::clone(&slots.semaphore).try_acquire_owned() else {
        metrics::counter!(COMPUTE_BUSY).increment(1);
        let mut response = ApiError::unavailable(format!(
            "busy: all {} compute slots are in use; retry in a second",
            slots.slots
        ))
        .with_details(serde_json::json!({ "reason": "busy", "slots": slots.slots }))
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    next.run(request).await
}
