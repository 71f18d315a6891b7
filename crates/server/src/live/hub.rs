//! This instance's side of the fan-out: one bounded broadcast that every WebSocket client of the
//! instance reads from. An update is serialised once and shared by all clients; a client that
//! falls `client_buffer` updates behind is dropped, never waited for.

use super::message::Update;
use crate::service::response_cache::ResponseCache;
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// One update ready to send: its JSON text, and the symbol clients filter on.
#[derive(Debug)]
pub struct Frame {
    /// The symbol of a price update; `None` for updates every client gets.
    pub symbol: Option<String>,
    /// The JSON text sent to clients, shared rather than copied.
    pub text: Utf8Bytes,
    /// Delivery order on this instance: a later frame has a larger number.
    pub sequence: u64,
}

/// How every client of the instance is served.
#[derive(Debug, Clone, Copy)]
pub struct ClientSettings {
    /// Updates a client may fall behind by before it is dropped.
    pub buffer: usize,
    /// Time between two heartbeats.
    pub heartbeat: Duration,
    /// A send to one client taking longer drops that client (its socket is not being read).
    pub send_timeout: Duration,
}

impl Default for ClientSettings {
    /// 256 updates, a heartbeat every 15 s, 10 s to accept a message.
    fn default() -> Self {
        Self {
            buffer: 256,
            heartbeat: Duration::from_secs(15),
            send_timeout: Duration::from_secs(10),
        }
    }
}

/// The instance's live-update hub, cheap to clone.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Frame>>,
    settings: ClientSettings,
    closing: watch::Sender<bool>,
    /// The cached `/api/v1/prices` answers a price update makes stale.
    answers: Option<ResponseCache>,
    /// The last price update of each symbol, for clients that subscribe later.
    latest: Arc<Mutex<HashMap<String, Arc<Frame>>>>,
    sequence: Arc<AtomicU64>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("clients", &self.sender.receiver_count())
            .field("settings", &self.settings)
            .finish()
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(ClientSettings::default())
    }
}

impl Hub {
    /// A hub whose clients are served with `settings`.
    pub fn new(settings: ClientSettings) -> Self {
        let (sender, _) = broadcast::channel(settings.buffer.max(1));
        let (closing, _) = watch::channel(false);
        Self {
            sender,
            settings,
            closing,
            answers: None,
            latest: Arc::default(),
            sequence: Arc::default(),
        }
    }

    /// The same hub, retiring `answers` of every symbol a price update moves, so that
    /// `GET /api/v1/prices` never serves a cached answer older than the last update this
    /// instance delivered.
    pub fn retiring_answers(mut self, answers: ResponseCache) -> Self {
        self.answers = Some(answers);
        self
    }

    /// How clients are served.
    pub fn settings(&self) -> ClientSettings {
        self.settings
    }

    /// Sends an update to every client of this instance.
    pub fn deliver(&self, update: &Update) {
        match serde_json::to_string(update) {
            Ok(text) => self.deliver_text(update.symbol().map(str::to_string), text),
            Err(error) => tracing::error!(%error, "cannot serialise a live update"),
        }
    }

    /// Sends already-serialised JSON (as received from Redis) to every client of this instance.
    pub fn deliver_json(&self, text: String) {
        match serde_json::from_str::<Update>(&text) {
            Ok(update) => self.deliver_text(update.symbol().map(str::to_string), text),
            Err(error) => tracing::warn!(%error, "ignoring a live update that is not one"),
        }
    }

    fn deliver_text(&self, symbol: Option<String>, text: String) {
        if let (Some(answers), Some(symbol)) = (&self.answers, &symbol) {
            answers.invalidate_series(symbol);
        }
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        // Numbered and recorded under the lock, so that the latest frame of a symbol is always
        // the one with the largest number.
        let frame = Arc::new(Frame {
            symbol,
            text: Utf8Bytes::from(text),
            sequence: self.sequence.fetch_add(1, Ordering::Relaxed),
        });
        if let Some(symbol) = &frame.symbol {
            latest.insert(symbol.clone(), Arc::clone(&frame));
        }
        drop(latest);
        // No receiver is not an error: nobody is watching right now.
        let _ = self.sender.send(frame);
    }

    /// The last price update this instance delivered for each of `symbols` that has one.
    pub fn latest_prices(&self, symbols: &[String]) -> Vec<Arc<Frame>> {
        let latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        symbols
            .iter()
            .filter_map(|symbol| latest.get(symbol).cloned())
            .collect()
    }

    /// A new client's feed.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.sender.subscribe()
    }

    /// Clients connected now.
    pub fn client_count(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Tells every client to close (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`Hub::close`] has been called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut receiver = self.closing.subscribe();
        async move {
            // An error means the hub is gone, which is a close too.
            let _ = receiver.wait_for(|closing| *closing).await;
        }
    }
}
