//! One module per resource.

pub mod backtest;
pub mod commodities;
pub mod health;
pub mod indicators;
pub mod portfolio;
pub mod portfolios;
pub mod prices;
pub mod sources;
