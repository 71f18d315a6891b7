//! Every market-data integration test but those that need a process of their own, in one binary:
//! one link of the dependency tree instead of one per file.

mod catalog;
mod common;
mod demo;
mod fallback;
mod providers_alpha_vantage;
mod providers_api_ninjas;
mod providers_commodity_price_api;
mod providers_common;
mod providers_fmp;
mod replay;
mod transport;
