//! One module per market-data source; the four real providers implement
//! [`crate::provider::Provider`].

pub mod alpha_vantage;
pub mod api_ninjas;
pub mod commodity_price_api;
pub mod demo;
pub mod fmp;

use crate::provider::Provider;
use std::sync::Arc;

/// The ids of the sources reached over HTTP, each with an API key.
pub const HTTP_SOURCE_IDS: [&str; 4] = [
    alpha_vantage::ID,
    fmp::ID,
    api_ninjas::ID,
    commodity_price_api::ID,
];

/// The provider of an HTTP source, signed with `api_key`; `None` for ids that are not HTTP
/// sources (`demo`, `csv`, unknown).
pub fn http_provider(source_id: &str, api_key: &str) -> Option<Arc<dyn Provider>> {
    let provider: Arc<dyn Provider> = match source_id {
        alpha_vantage::ID => Arc::new(alpha_vantage::AlphaVantage::new(api_key)),
        fmp::ID => Arc::new(fmp::Fmp::new(api_key)),
        api_ninjas::ID => Arc::new(api_ninjas::ApiNinjas::new(api_key)),
        commodity_price_api::ID => Arc::new(commodity_price_api::CommodityPriceApi::new(api_key)),
        _ => return None,
    };
    Some(provider)
}

/// The production base URL of an HTTP source.
pub fn default_base_url(source_id: &str) -> Option<&'static str> {
    match source_id {
        alpha_vantage::ID => Some(alpha_vantage::DEFAULT_BASE_URL),
        fmp::ID => Some(fmp::DEFAULT_BASE_URL),
        api_ninjas::ID => Some(api_ninjas::DEFAULT_BASE_URL),
        commodity_price_api::ID => Some(commodity_price_api::DEFAULT_BASE_URL),
        _ => None,
    }
}
