//! Every HTTP source of a process: its client, or why it has none (disabled, no key), and its
//! health for `GET /api/v1/sources`.
//!
//! Health is kept by each [`SourceClient`] (last success, last error, unhealthy after a bad
//! key); requests today and quota left are read from its rate limiter, so with Redis they are
//! the numbers every instance and `commodex fetch` share.

use crate::http::{SourceClient, SourceHealth};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One source as the registry knows it.
#[derive(Debug, Clone)]
pub enum SourceState {
    /// Ready to be called.
    Ready(Arc<SourceClient>),
    /// Cannot be called, and why (key-free): `no API key (set ...)`, `disabled`.
    Unavailable {
        /// The reason, for attempts lists and the sources endpoint.
        reason: String,
    },
}

/// The HTTP sources of a process, by id.
#[derive(Debug, Clone, Default)]
pub struct SourceRegistry {
    sources: BTreeMap<String, SourceState>,
}

impl SourceRegistry {
    /// A registry with no source at all: every provider counts as not configured.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a ready source.
    pub fn add_client(&mut self, client: SourceClient) {
        self.sources.insert(
            client.id().to_string(),
            SourceState::Ready(Arc::new(client)),
        );
    }

    /// Records a source that cannot be called, with why.
    pub fn add_unavailable(&mut self, source_id: &str, reason: impl Into<String>) {
        self.sources.insert(
            source_id.to_string(),
            SourceState::Unavailable {
                reason: reason.into(),
            },
        );
    }

    /// What the registry knows of `source_id`; `None` for a source never registered.
    pub fn state(&self, source_id: &str) -> Option<&SourceState> {
        self.sources.get(source_id)
    }

    /// The client of a ready source.
    pub fn client(&self, source_id: &str) -> Option<&Arc<SourceClient>> {
        match self.sources.get(source_id) {
            Some(SourceState::Ready(client)) => Some(client),
            _ => None,
        }
    }

    /// Why `source_id` cannot be called, or `None` when it can.
    pub fn unavailable_reason(&self, source_id: &str) -> Option<String> {
        match self.sources.get(source_id) {
            Some(SourceState::Ready(_)) => None,
            Some(SourceState::Unavailable { reason }) => Some(reason.clone()),
            None => Some("not configured".to_string()),
        }
    }

    /// The health of a ready source, with today's count read from its limiter.
    pub async fn health(&self, source_id: &str) -> Option<SourceHealth> {
        match self.client(source_id) {
            Some(client) => Some(client.health().await),
            None => None,
        }
    }
}
