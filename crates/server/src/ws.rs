//! `WS /ws/data`: live updates for one client.
//!
//! Each client reads the instance's [`Hub`] through its own bounded cursor. A client that falls
//! `client_buffer` updates behind, or whose socket does not take a message within the send
//! timeout, is closed (code 1008) without holding up anyone else. A client's own messages can
//! set a symbol filter; anything else gets an `error` message, and the connection stays open.
//! A message over [`MAX_CLIENT_MESSAGE_BYTES`] closes the connection with 1009 (message too
//! big) and a reason saying the limit, rather than a bare reset the client cannot explain.
//! A `subscribe` is answered with the last price of each of its symbols, so that a client sees
//! prices at once rather than at the next poll; the feed then skips what that answer covered.

use crate::error::ApiError;
use crate::live::{ClientCommand, Hub, Notice};
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures::{SinkExt, StreamExt};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, MissedTickBehavior, timeout};

/// Largest message a client may send: a subscribe to every symbol fits many times over.
const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;

/// Close code for a client dropped for being too slow (policy violation).
const CLOSE_TOO_SLOW: u16 = 1008;
/// Close code for a client message over the size limit (RFC 6455: message too big).
const CLOSE_TOO_BIG: u16 = 1009;
/// Close code when the server shuts down.
const CLOSE_GOING_AWAY: u16 = 1001;

/// Upgrades the connection and serves live updates on it.
/// Past the configured number of clients, answers 503 with `Retry-After` before upgrading.
pub async fn data(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    let Ok(place) = Arc::clone(&state.websockets).try_acquire_owned() else {
        let mut response = ApiError::unavailable(
            "busy: this instance holds as many WebSocket clients as it is configured for; retry later",
        )
        .with_details(serde_json::json!({ "reason": "busy" }))
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    let hub = state.live.clone();
    // The frame limit too, so that an oversized frame is refused from its header, before its
    // payload is buffered.
    upgrade
        .max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .max_frame_size(MAX_CLIENT_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            serve_client(socket, hub).await;
            drop(place);
        })
}

/// Why a client's session ended.
enum End {
    /// The client closed or vanished.
    Client,
    /// The client could not keep up.
    TooSlow(String),
    /// The client sent a message over the size limit.
    TooBig(String),
    /// The server is shutting down.
    Shutdown,
}

async fn serve_client(socket: WebSocket, hub: Hub) {
    let settings = hub.settings();
    let mut feed = hub.subscribe();
    let (mut sink, mut incoming) = socket.split();
    let mut filter: Option<HashSet<String>> = None;
    // Per symbol, the last frame already sent as part of a subscribe's answer: older or equal
    // frames still queued in the feed are not sent again.
    let mut sent_up_to: HashMap<String, u64> = HashMap::new();
    let mut heartbeat =
        tokio::time::interval_at(Instant::now() + settings.heartbeat, settings.heartbeat);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let closed = hub.closed();
    tokio::pin!(closed);

    // Sends one message within the send timeout; false means the client is gone or stuck.
    macro_rules! send {
        ($message:expr) => {
            match timeout(settings.send_timeout, sink.send($message)).await {
                Ok(Ok(())) => true,
                Ok(Err(_)) => false,
                Err(_) => false,
            }
        };
    }

    let end = loop {
        tokio::select! {
            frame = feed.recv() => match frame {
                Ok(frame) => {
                    let wanted = match (&filter, &frame.symbol) {
                        (Some(symbols), Some(symbol)) => {
                            symbols.contains(symbol)
                                && sent_up_to.get(symbol).is_none_or(|&up_to| frame.sequence > up_to)
                        }
                        _ => true,
                    };
                    if wanted && !send!(Message::Text(frame.text.clone())) {
                        break End::TooSlow("the client did not take a message in time".to_string());
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    break End::TooSlow(format!("too slow: {missed} updates behind"));
                }
                Err(RecvError::Closed) => break End::Shutdown,
            },
            message = incoming.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let (reply, snapshot) = match ClientCommand::parse(text.as_str()) {
                        Ok(ClientCommand::Subscribe(symbols)) => {
                            filter = Some(symbols.iter().cloned().collect());
                            let snapshot = hub.latest_prices(&symbols);
                            (Notice::Subscribed { symbols }, snapshot)
                        }
                        Err(error) => (Notice::Error { error }, Vec::new()),
                    };
                    if !send!(Message::Text(reply.to_json().into())) {
                        break End::Client;
                    }
                    sent_up_to.clear();
                    for frame in snapshot {
                        if !send!(Message::Text(frame.text.clone())) {
                            break;
                        }
                        if let Some(symbol) = &frame.symbol {
                            sent_up_to.insert(symbol.clone(), frame.sequence);
                        }
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let reply = Notice::Error {
                        error: "binary messages are not understood: send JSON text".to_string(),
                    };
                    if !send!(Message::Text(reply.to_json().into())) {
                        break End::Client;
                    }
                }
                // Pings are answered by the library; pongs need nothing.
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Err(error)) => match too_big(error) {
                    Some(reason) => break End::TooBig(reason),
                    None => break End::Client,
                },
                Some(Ok(Message::Close(_))) | None => break End::Client,
            },
            _ = heartbeat.tick() => {
                let beat = Notice::Heartbeat { ts: Utc::now() };
                if !send!(Message::Text(beat.to_json().into())) {
                    break End::TooSlow("the client did not take a heartbeat in time".to_string());
                }
            },
            () = &mut closed => break End::Shutdown,
        }
    };
    let close = |code: u16, reason: &str| {
        Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from(reason.to_string()),
        }))
    };
    match end {
        End::Client => {}
        End::TooSlow(reason) => {
            tracing::info!(%reason, "live: dropping a slow WebSocket client");
            // Best effort: a stuck client will not read it, and the socket closes anyway.
            let _ = timeout(
                settings.send_timeout / 10,
                sink.send(close(CLOSE_TOO_SLOW, &reason)),
            )
            .await;
        }
        End::TooBig(reason) => {
            tracing::info!(%reason, "live: closing a WebSocket client that sent too much");
            let _ = timeout(
                settings.send_timeout,
                sink.send(close(CLOSE_TOO_BIG, &reason)),
            )
            .await;
        }
        End::Shutdown => {
            let _ = timeout(
                settings.send_timeout,
                sink.send(close(CLOSE_GOING_AWAY, "server shutting down")),
            )
            .await;
        }
    }
}

/// The close reason when `error` is a client message over the size limit, else `None`.
fn too_big(error: axum::Error) -> Option<String> {
    use tungstenite::error::{CapacityError, Error};
    match error.into_inner().downcast_ref::<Error>()? {
        Error::Capacity(CapacityError::MessageTooLong { size, max_size }) => Some(format!(
            "message too big: {size} bytes, the limit is {max_size}"
        )),
        _ => None,
    }
}
