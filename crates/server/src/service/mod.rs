//! What handlers call: loading series, aligning them, validating portfolios. No HTTP here and
//! no SQL in the handlers; the store does the SQL, analytics the numbers.

pub mod indicators;
pub mod portfolio_risk;
pub mod portfolios;
pub mod prices;
pub mod response_cache;
