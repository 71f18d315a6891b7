//! Every commodex integration test but those that need a process of their own, in one binary:
//! one link of the dependency tree instead of one per file.

mod cli_analytics;
mod cli_backtest;
mod cli_fetch;
mod cli_storage;
mod common;
mod deploy_files;
mod fetch_support;
