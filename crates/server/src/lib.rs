//! The Commodex HTTP server: REST API, WebSocket, dashboard assets.
//!
//! [`Application::build`] wires everything from [`Settings`] and binds the listener (port 0 in
//! tests); [`Application::run`] serves until the shutdown future resolves, finishing the
//! requests in flight.

pub mod app;
mod assets;
pub mod auth;
mod client_limit;
pub mod compute_slots;
mod docs;
pub mod error;
pub mod live;
pub mod openapi;
mod prometheus;
mod request_id;
mod routes;
pub mod serve;
mod service;
pub mod settings;
mod single_flight;
pub mod startup;
pub mod state;
pub mod tearsheet;
mod ws;

pub use app::ServerConfig;
pub use auth::ApiToken;
pub use error::{ApiError, ErrorKind};
pub use service::backtest;
pub use service::optimize;
pub use service::report;
pub use service::response_cache::ResponseCache;
pub use settings::Settings;
pub use startup::{Application, StartupError};
pub use state::{AppState, RateLimitInfo, SimulationBounds, SourceInfo};
