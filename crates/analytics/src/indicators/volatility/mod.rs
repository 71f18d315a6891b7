//! Volatility indicators (TA-Lib's group): true range, ATR, and the Bollinger bands' variance.

pub(crate) mod atr_bbands;

pub use atr_bbands::*;

use super::catalog::Definition;

/// This group's functions computed by their bar-at-a-time state.
pub(crate) static DEFINITIONS: &[Definition] = &[];
