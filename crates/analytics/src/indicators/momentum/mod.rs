//! Momentum indicators (TA-Lib's group): oscillators, directional movement, rates of change.

pub(crate) mod aroon;
pub(crate) mod basic;
pub(crate) mod basic_stream;
pub(crate) mod oscillators;
pub(crate) mod oscillators_stream;
pub(crate) mod trend;
pub(crate) mod trend_stream;

pub use basic::*;

pub(crate) mod extra;

pub(crate) mod talib08;

pub(crate) mod talib08_more;

use super::catalog::Definition;

/// This group's functions computed by their bar-at-a-time state.
pub(crate) static DEFINITIONS: &[Definition] = &[
    extra::BOP,
    extra::DX,
    extra::MACDEXT,
    extra::MACDFIX,
    extra::MINUS_DM,
    extra::PLUS_DM,
    extra::ROCP,
    extra::ROCR,
    extra::ROCR100,
    talib08::AC,
    talib08::AO,
    talib08::CMOU,
    talib08::COPPOCK,
    talib08::DPO,
    talib08::ER,
    talib08::ERI,
    talib08::FOSC,
    talib08_more::FRACTAL,
    talib08::IMI,
    talib08_more::KDJ,
    talib08_more::SMI,
    talib08::TSI,
    talib08::VHF,
    talib08::VORTEX,
    talib08::WAD,
];
