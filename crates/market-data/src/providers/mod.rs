//! One module per market-data source; the four real providers implement
//! [`crate::provider::Provider`] and declare who they are in a `DESCRIPTOR`, listed in
//! [`crate::sources::ALL`].

pub mod alpha_vantage;
pub mod api_ninjas;
pub mod commodity_price_api;
pub mod demo;
pub mod fmp;

pub use crate::sources::http_provider;
