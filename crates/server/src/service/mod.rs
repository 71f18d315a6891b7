//! What handlers call: loading series, aligning them, validating portfolios, computing risk.
//! No HTTP here (services answer [`Error`], mapped to the API's error once in
//! `crate::error`), and no SQL in the handlers; the store does the SQL, analytics the numbers.

pub mod backtest;
mod error;
pub mod indicators;
pub mod optimize;
pub mod portfolio_risk;
pub mod portfolios;
pub mod prices;
pub mod report;
pub mod response_cache;

pub use error::{Error, Problem, blocking};
