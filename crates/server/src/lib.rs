//! The Commodex HTTP server: REST API, WebSocket, dashboard assets.
//!
//! [`Application::build`] binds the listener (port 0 in tests) and [`Application::run`] serves
//! until the shutdown future resolves, finishing the requests in flight.

pub mod app;
mod assets;
pub mod auth;
mod client_limit;
mod docs;
pub mod error;
pub mod live;
pub mod openapi;
mod prometheus;
mod request_id;
mod routes;
mod service;
mod single_flight;
pub mod state;
mod ws;

pub use app::{Application, ServerConfig};
pub use auth::ApiToken;
pub use client_limit::ClientRateLimit;
pub use error::{ApiError, ErrorKind};
pub use service::response_cache::ResponseCache;
pub use state::{AppState, RateLimitInfo, SimulationBounds, SourceInfo, known_source_ids};
