//! Momentum indicators (TA-Lib's group): oscillators, directional movement, rates of change.

pub(crate) mod aroon;
pub(crate) mod basic;
pub(crate) mod basic_stream;
pub(crate) mod oscillators;
pub(crate) mod oscillators_stream;
pub(crate) mod trend;
pub(crate) mod trend_stream;

pub use basic::*;

use super::catalog::Definition;

/// This group's functions computed by their bar-at-a-time state.
pub(crate) static DEFINITIONS: &[Definition] = &[];
