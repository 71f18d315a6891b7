//! Pure analytics for Commodex: slices in, values out.
//!
//! This crate has no I/O, no async and no database or JSON types, so that every number it
//! produces can be tested against the reference libraries (TA-Lib, numpy) in isolation.

pub mod backtest;
mod cpu;
pub mod error;
pub mod indicators;
pub mod optimize;
pub mod portfolio;
pub mod report;
pub mod simulation;

pub use error::AnalyticsError;
