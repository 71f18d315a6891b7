//! One module per market-data provider, each implementing [`crate::provider::Provider`].

pub mod alpha_vantage;
pub mod api_ninjas;
pub mod commodity_price_api;
pub mod fmp;
