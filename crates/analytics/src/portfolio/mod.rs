//! Portfolio returns, risk metrics and their series.
