//! Technical indicators matching TA-Lib exactly.
