//! Overlap studies (TA-Lib's group): moving averages, bands and lines drawn over the prices.

pub(crate) mod averages_stream;
pub(crate) mod extra;
pub(crate) mod extra_averages;
pub(crate) mod mama;
pub(crate) mod mama_stream;
pub(crate) mod moving_averages;
pub(crate) mod sarext;

pub(crate) mod talib08;

use super::catalog::Definition;

/// This group's functions computed by their bar-at-a-time state.
pub(crate) static DEFINITIONS: &[Definition] = &[
    extra::HMA,
    extra::MA,
    extra::MIDPOINT,
    extra::MIDPRICE,
    extra::RMA,
    extra::ZLEMA,
    talib08::ACCBANDS,
    talib08::DONCHIAN,
    talib08::KC,
    talib08::SUPERTREND,
    talib08::VWMA,
    sarext::SAREXT,
];
