//! Monte Carlo simulation of portfolio outcomes.
