//! Volume indicators (TA-Lib's group): money flow and on-balance volume.

pub(crate) mod mfi_obv;

pub use mfi_obv::*;

use super::catalog::Definition;

/// This group's functions computed by their bar-at-a-time state.
pub(crate) static DEFINITIONS: &[Definition] = &[];
