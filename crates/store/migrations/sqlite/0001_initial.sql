-- Prices: one row per (source, symbol, interval, date). The key puts `date` before `interval`
-- so that the primary key itself serves range reads by (source, symbol, date).
CREATE TABLE prices (
    source     TEXT NOT NULL,
    symbol     TEXT NOT NULL,
    date       TEXT NOT NULL,
    interval   TEXT NOT NULL,
    open       REAL,
    high       REAL,
    low        REAL,
    close      REAL NOT NULL,
    volume     REAL,
    PRIMARY KEY (source, symbol, date, interval)
) WITHOUT ROWID;

CREATE INDEX prices_symbol_date ON prices (symbol, date);

CREATE TABLE portfolios (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE portfolio_assets (
    portfolio_id INTEGER NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    source       TEXT NOT NULL,
    symbol       TEXT NOT NULL,
    weight       REAL NOT NULL,
    PRIMARY KEY (portfolio_id, position)
);

CREATE TABLE import_runs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    file           TEXT NOT NULL,
    source         TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT NOT NULL,
    status         TEXT NOT NULL,
    rows_new       INTEGER NOT NULL DEFAULT 0,
    rows_updated   INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_skipped   INTEGER NOT NULL DEFAULT 0,
    error          TEXT
);
