//! Import runs: one row per `commodex import` of a file, successful or not.

use crate::database::{Store, on_pool};
use crate::error::Result;
use crate::prices::{StoreTx, UpsertCounts, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

/// The record of one import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportRun {
    /// The file as the user named it.
    pub file: String,
    /// The source the rows were stored under.
    pub source: String,
    /// When the import began.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// `succeeded` or `failed`.
    pub status: String,
    /// What the import changed.
    pub counts: UpsertCounts,
    /// Values skipped as missing.
    pub skipped: u64,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

const INSERT_RUN: &str = "INSERT INTO import_runs (file, source, started_at, finished_at, status, \
     rows_new, rows_updated, rows_unchanged, rows_skipped, error) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

macro_rules! bind_run {
    ($query:expr, $run:expr) => {
        $query
            .bind(&$run.file)
            .bind(&$run.source)
            .bind($run.started_at)
            .bind($run.finished_at)
            .bind(&$run.status)
            .bind($run.counts.new as i64)
            .bind($run.counts.updated as i64)
            .bind($run.counts.unchanged as i64)
            .bind($run.skipped as i64)
            .bind(&$run.error)
    };
}

impl StoreTx {
    /// Records a run inside the import's own transaction, so that the record and the rows are
    /// stored together or not at all.
    pub async fn record_import_run(&mut self, run: &ImportRun) -> Result<()> {
        on_tx!(self, conn => bind_run!(sqlx::query(INSERT_RUN), run).execute(conn).await.map(|_| ()))?;
        Ok(())
    }
}

impl Store {
    /// Records a run on its own (used for failed imports, whose transaction was rolled back).
    pub async fn record_import_run(&self, run: &ImportRun) -> Result<()> {
        on_pool!(self, pool => bind_run!(sqlx::query(INSERT_RUN), run).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// The most recent runs, newest first.
    pub async fn import_runs(&self, limit: u32) -> Result<Vec<ImportRun>> {
        const SQL: &str = "SELECT file, source, started_at, finished_at, status, rows_new, \
             rows_updated, rows_unchanged, rows_skipped, error FROM import_runs \
             ORDER BY id DESC LIMIT $1";
        let runs = on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    Ok(ImportRun {
                        file: row.try_get("file")?,
                        source: row.try_get("source")?,
                        started_at: row.try_get("started_at")?,
                        finished_at: row.try_get("finished_at")?,
                        status: row.try_get("status")?,
                        counts: UpsertCounts {
                            new: row.try_get::<i64, _>("rows_new")? as u64,
                            updated: row.try_get::<i64, _>("rows_updated")? as u64,
                            unchanged: row.try_get::<i64, _>("rows_unchanged")? as u64,
                        },
                        skipped: row.try_get::<i64, _>("rows_skipped")? as u64,
                        error: row.try_get("error")?,
                    })
                })
                .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(runs)
    }
}
