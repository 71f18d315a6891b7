//! One module per resource.

pub mod health;
