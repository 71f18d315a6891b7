//! Every server integration test but those that need a process of their own, in one binary:
//! one link of the dependency tree instead of one per file.

mod api;
mod assets;
mod attacks;
mod common;
mod contract;
mod live;
mod operations;
#[path = "../../market-data/tests/replay/mod.rs"]
mod replay;
