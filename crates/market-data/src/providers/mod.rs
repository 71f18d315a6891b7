//! One module per market-data source.

pub mod demo;
