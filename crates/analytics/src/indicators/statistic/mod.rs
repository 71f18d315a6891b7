//! x

use super::catalog::Definition;

/// This group's functions.
pub(crate) static DEFINITIONS: &[Definition] = &[];
