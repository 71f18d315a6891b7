//! The Commodex HTTP server: REST API, WebSocket, dashboard assets.
