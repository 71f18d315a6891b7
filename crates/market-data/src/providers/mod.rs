//! One module per market-data source; the four real providers implement
//! [`crate::provider::Provider`].

pub mod alpha_vantage;
pub mod api_ninjas;
pub mod commodity_price_api;
pub mod demo;
pub mod fmp;
