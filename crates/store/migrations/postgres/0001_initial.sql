-- Prices: one row per (source, symbol, interval, date). The key puts `date` before `interval`
-- so that the primary key itself serves range reads by (source, symbol, date).
CREATE TABLE prices (
    source     TEXT NOT NULL,
    symbol     TEXT NOT NULL,
    date       DATE NOT NULL,
    interval   TEXT NOT NULL,
    open       DOUBLE PRECISION,
    high       DOUBLE PRECISION,
    low        DOUBLE PRECISION,
    close      DOUBLE PRECISION NOT NULL,
    volume     DOUBLE PRECISION,
    PRIMARY KEY (source, symbol, date, interval)
);

CREATE INDEX prices_symbol_date ON prices (symbol, date);

CREATE TABLE portfolios (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE portfolio_assets (
    portfolio_id BIGINT NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    source       TEXT NOT NULL,
    symbol       TEXT NOT NULL,
    weight       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (portfolio_id, position)
);

CREATE TABLE import_runs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file           TEXT NOT NULL,
    source         TEXT NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ NOT NULL,
    status         TEXT NOT NULL,
    rows_new       BIGINT NOT NULL DEFAULT 0,
    rows_updated   BIGINT NOT NULL DEFAULT 0,
    rows_unchanged BIGINT NOT NULL DEFAULT 0,
    rows_skipped   BIGINT NOT NULL DEFAULT 0,
    error          TEXT
);
