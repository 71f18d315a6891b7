//! Every analytics integration test but those that need a process of their own, in one binary:
//! one link of the dependency tree instead of one per file.

mod backtest_golden;
mod golden_ext;
mod golden_indicators;
mod golden_patterns;
mod indicator_properties;
mod optimize_golden;
mod optimize_properties;
mod portfolio_golden;
mod portfolio_properties;
mod report_golden;
mod serde_shape;
mod simulation;
mod streaming_indicators;
