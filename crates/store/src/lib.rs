//! Storage for Commodex on SQLite and PostgreSQL: prices, saved portfolios, import runs.
