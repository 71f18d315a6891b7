//! Volume indicators (TA-Lib's group): money flow and on-balance volume.

pub(crate) mod mfi_obv;

pub use mfi_obv::*;

pub(crate) mod extra;

pub(crate) mod talib08;

use super::catalog::Definition;

/// This group's functions computed by their bar-at-a-time state.
pub(crate) static DEFINITIONS: &[Definition] = &[
    extra::AD,
    extra::ADOSC,
    extra::PVO,
    talib08::CMF,
    talib08::EFI,
    talib08::MARKETFI,
    talib08::NVI,
    talib08::PVI,
    talib08::PVT,
    talib08::RVOL,
    talib08::VWAP,
];
